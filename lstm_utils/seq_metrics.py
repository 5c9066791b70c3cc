"""Accuracy of output sequences: whole strings and single characters; padding never counts.

Two families, both returning ``(numerator, denominator)`` so that they add up over batches
(as :mod:`lstm_utils.metrics` does):

* on teacher-forced logits ``(batch, T, vocab)`` against targets ``(batch, T)`` padded with ``pad_index``:
  :func:`token_accuracy` (share of non-padding positions right) and :func:`sequence_accuracy`
  (share of sequences right at *every* non-padding position, ``<eos>`` included);
* on decoded strings against the true strings: :func:`string_accuracy` (exact match) and
  :func:`char_accuracy` (position ``j`` of the truth is right when the prediction has the same character
  there; a missing character is wrong, and so is each extra one written beyond the truth's length).
"""

from __future__ import annotations

from typing import Sequence

import torch

from lstm_utils.metrics import accuracy

Tensor = torch.Tensor


def _check(logits: Tensor, targets: Tensor) -> None:
    if logits.dim() != 3 or logits.shape[:2] != targets.shape:
        raise ValueError(
            f"expected logits (batch, T, vocab) and targets (batch, T), got {tuple(logits.shape)} and {tuple(targets.shape)}"
        )


def token_accuracy(logits: Tensor, targets: Tensor, pad_index: int = 0) -> tuple[float, float]:
    """Right predictions over non-padding positions: ``Σ [ŷ = y] · [y ≠ pad] / Σ [y ≠ pad]``."""
    _check(logits, targets)
    return accuracy(logits, targets, ignore_index=pad_index)


def sequence_accuracy(logits: Tensor, targets: Tensor, pad_index: int = 0) -> tuple[float, float]:
    """Sequences whose every non-padding position is right, over sequences."""
    _check(logits, targets)
    right = (logits.argmax(-1) == targets) | (targets == pad_index)  # padding never makes a sequence wrong
    return float(right.all(dim=1).sum()), float(len(targets))


def _check_strings(predicted: Sequence[str], truth: Sequence[str]) -> None:
    if len(predicted) != len(truth):
        raise ValueError(f"expected {len(truth)} predictions (one per true string), got {len(predicted)}")


def string_accuracy(predicted: Sequence[str], truth: Sequence[str]) -> tuple[float, float]:
    """Exact matches over strings."""
    _check_strings(predicted, truth)
    return float(sum(p == t for p, t in zip(predicted, truth))), float(len(truth))


def char_accuracy(predicted: Sequence[str], truth: Sequence[str]) -> tuple[float, float]:
    """Right characters (position by position) over ``Σ max(len(truth), len(predicted))``.

    So ``"596"`` for ``"596"`` is 3/3, ``"59"`` is 2/3 and ``"5961"`` is 3/4: writing too much costs too.
    """
    _check_strings(predicted, truth)
    right = sum(a == b for p, t in zip(predicted, truth) for a, b in zip(p, t))
    return float(right), float(sum(max(len(p), len(t)) for p, t in zip(predicted, truth)))


def ratio(pair: tuple[float, float]) -> float:
    """``numerator / denominator`` of a metric's pair (NaN for an empty denominator)."""
    numerator, denominator = pair
    return numerator / denominator if denominator else float("nan")
