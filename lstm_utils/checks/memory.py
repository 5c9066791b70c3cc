"""Checks for the exercises of the "Memory" chapter (digit sums, reading the LSTM's gates)."""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np
import torch

from lstm_utils.checks.core import check_close, check_true, passed


def check_majority_baseline(baseline: Callable[[np.ndarray, np.ndarray], float]) -> None:
    """``baseline(train_labels, test_labels)`` must return the test accuracy of always guessing the
    most frequent training label (the smallest label on ties)."""
    cases = [
        (np.array([3, 3, 5]), np.array([3, 5, 5, 5]), 0.25, "the guess comes from the training labels"),
        (np.array([7, 2, 2, 7]), np.array([2, 7]), 0.5, "on a tie, guess the smallest label"),
        (np.array([9, 9, 1]), np.array([1, 1]), 0.0, "an accuracy can be 0"),
    ]
    for train, test, expected, hint in cases:
        got = baseline(train, test)
        check_true(
            isinstance(got, (float, int, np.floating)) and not isinstance(got, bool),
            f"expected a number (an accuracy between 0 and 1), got {type(got).__name__}",
        )
        check_true(
            abs(float(got) - expected) < 1e-9,
            f"train labels {train.tolist()}, test labels {test.tolist()}: expected accuracy {expected}, "
            f"got {float(got):.4g} ({hint})",
        )
    passed("the majority-class baseline is right on every test case")


def check_mean_forget_gate(got: object, trace: Mapping[str, torch.Tensor], batch_index: int = 0) -> None:
    """``got`` must be the forget gate averaged over the hidden units at each step: shape ``(seq,)``."""
    expected = trace["f"][:, batch_index, :].detach().mean(dim=-1)  # (seq,)
    check_true(
        not isinstance(got, torch.Tensor) or got.dim() == 1,
        f"expected one number per time step, shape ({len(expected)},), got {tuple(getattr(got, 'shape', ()))}: "
        f"take one sequence of the batch and average over the hidden units (the last axis)",
    )
    check_close(got, expected, name="the mean forget gate per step", atol=1e-6)
    passed(f"mean forget gate over {len(expected)} steps is right")
