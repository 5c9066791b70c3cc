"""Confusion matrices."""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np


def confusion_matrix(y_true: Sequence[int], y_pred: Sequence[int], num_classes: int) -> np.ndarray:
    """``counts[t, p]`` = number of examples of true class ``t`` predicted as ``p``."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"expected y_pred of shape {y_true.shape}, got {y_pred.shape}")
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def plot_confusion_matrix(
    counts: np.ndarray,
    labels: Sequence[str],
    *,
    title: str = "Confusion matrix",
    normalize: bool = True,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Show ``counts`` (rows: true class, columns: predicted), as shares of each row when ``normalize``."""
    counts = np.asarray(counts)
    if counts.shape != (len(labels), len(labels)):
        raise ValueError(f"expected counts of shape ({len(labels)}, {len(labels)}), got {counts.shape}")
    values = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1) if normalize else counts
    if ax is None:
        size = max(4.0, 0.45 * len(labels) + 2)
        _, ax = plt.subplots(figsize=(size, size))
    image = ax.imshow(values, cmap="Blues", vmin=0, vmax=1 if normalize else None)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, label="share of the true class" if normalize else "count")
    ax.set_xticks(range(len(labels)), labels, rotation=90 if len(labels) > 10 else 0)
    ax.set_yticks(range(len(labels)), labels)
    ax.set(title=title, xlabel="predicted", ylabel="true")
    if len(labels) <= 12:
        for (t, p), value in np.ndenumerate(values):
            ax.text(p, t, f"{value:.2f}" if normalize else str(value), ha="center", va="center",
                    color="white" if value > (0.5 if normalize else values.max() / 2) else "black", fontsize=8)
    return ax
