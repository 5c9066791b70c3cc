"""Metrics that add up over batches.

Each metric is a function ``metric(outputs, targets) -> (numerator, denominator)``; the training
loop sums both over batches and reports ``numerator / denominator``. That way a metric over a
whole data set never depends on how it was cut into batches.
"""

from __future__ import annotations

import torch

Tensor = torch.Tensor


def accuracy(logits: Tensor, targets: Tensor, ignore_index: int | None = None) -> tuple[float, float]:
    """Share of positions where ``argmax(logits, -1) == targets``, skipping ``targets == ignore_index``.

    ``logits`` has shape ``(..., classes)`` and ``targets`` the same shape without the last axis.
    """
    if logits.shape[:-1] != targets.shape:
        raise ValueError(
            f"expected targets of shape {tuple(logits.shape[:-1])} for logits {tuple(logits.shape)}, "
            f"got {tuple(targets.shape)}"
        )
    correct = logits.argmax(dim=-1) == targets
    if ignore_index is not None:
        keep = targets != ignore_index
        return float((correct & keep).sum()), float(keep.sum())
    return float(correct.sum()), float(targets.numel())


def binary_accuracy(logits: Tensor, targets: Tensor) -> tuple[float, float]:
    """Share of ``(logits > 0) == targets`` for one logit per example (targets 0 or 1)."""
    if logits.shape != targets.shape:
        raise ValueError(f"expected targets of shape {tuple(logits.shape)}, got {tuple(targets.shape)}")
    return float(((logits > 0).long() == targets.long()).sum()), float(targets.numel())


def mean_absolute_error(predictions: Tensor, targets: Tensor) -> tuple[float, float]:
    """Mean of ``|predictions - targets|`` over every element."""
    if predictions.shape != targets.shape:
        raise ValueError(f"expected targets of shape {tuple(predictions.shape)}, got {tuple(targets.shape)}")
    return float((predictions - targets).abs().sum()), float(targets.numel())
