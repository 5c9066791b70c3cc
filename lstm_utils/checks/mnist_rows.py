"""Checks for the exercises of the chapter "MNIST row by row"."""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from lstm_utils.checks.core import CheckFailed, check_close, check_true, passed


def check_bottom_up(bottom_up: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """``bottom_up(x)`` turns a batch ``(batch, rows, cols)`` into sequences that read the last row first."""
    x = torch.arange(2 * 4 * 3, dtype=torch.float32).reshape(2, 4, 3)  # (batch, rows, cols)
    got = bottom_up(x.clone())
    check_true(isinstance(got, torch.Tensor), f"expected bottom_up to return a torch.Tensor, got {type(got).__name__}")
    check_true(got.shape == x.shape, f"expected the shape to stay (batch, rows, cols) = {tuple(x.shape)}, "
                                     f"got {tuple(got.shape)}")
    if torch.equal(got, x.flip(2)):
        raise CheckFailed("you reversed the pixels inside each row (axis 2); reverse the order of the rows (axis 1)")
    if torch.equal(got, x.flip(0)):
        raise CheckFailed("you reversed the order of the images in the batch (axis 0); reverse the rows (axis 1)")
    check_close(got, x.flip(1), name="bottom_up(x)", atol=0, rtol=0)
    passed("bottom_up reads the bottom row first and keeps every row's pixels in order")


def reference_settled_rows(predictions: np.ndarray) -> np.ndarray:
    """For each example, the number of rows read after which its prediction never changes again."""
    predictions = np.asarray(predictions)  # (n, rows)
    differs = predictions != predictions[:, -1:]  # (n, rows): True where the prediction is not yet the final one
    last_different = np.where(differs.any(axis=1), differs.shape[1] - 1 - np.argmax(differs[:, ::-1], axis=1), -1)
    return last_different + 2  # the step after the last change, counted from 1


def check_settled_row(settled_row: Callable[[np.ndarray], np.ndarray]) -> None:
    """``settled_row(predictions)``: ``(n, rows)`` predictions after each row → ``(n,)`` rows read until settled."""
    predictions = np.array([
        [3, 3, 3, 3, 3],  # settled from the start: 1 row
        [1, 7, 7, 7, 7],  # 2 rows
        [7, 1, 7, 1, 1],  # changed back and forth: 4 rows
        [0, 0, 0, 0, 8],  # only the last row decided: 5 rows
        [2, 9, 9, 2, 9],  # right early, changed, came back: 5 rows
    ])
    expected = reference_settled_rows(predictions)
    got = np.asarray(settled_row(predictions.copy()))
    check_true(got.shape == expected.shape, f"expected one number per example, shape {expected.shape}, got {got.shape}")
    if np.array_equal(got, expected - 1):
        raise CheckFailed("off by one: count the rows read (1 for the first row), not the 0-based step index")
    first_final = np.argmax(predictions == predictions[:, -1:], axis=1) + 1
    if np.array_equal(got, first_final) and not np.array_equal(first_final, expected):
        raise CheckFailed("that is the first row where the prediction equals the final one; the prediction must "
                             "also never change after it (see the examples [7, 1, 7, 1, 1] and [2, 9, 9, 2, 9])")
    wrong = np.flatnonzero(got != expected)
    check_true(wrong.size == 0, f"for predictions {predictions[wrong[0]].tolist() if wrong.size else ''} expected "
                                f"{expected[wrong[0]] if wrong.size else ''} rows, got {got[wrong[0]] if wrong.size else ''}")
    passed("settled_row counts the rows read until the prediction stops changing")
