"""Figures two or more chapters draw: loss and metric curves over epochs, confusion matrices."""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from lstm_utils.training import History


def plot_history(
    history: History,
    keys: Sequence[str] = ("train_loss", "dev_loss"),
    *,
    title: str = "Training curves",
    ylabel: str = "loss",
    logy: bool = False,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Plot ``keys`` of ``history`` against the epoch, marking the best epoch when there is one."""
    if not isinstance(history, History) or not history.records:
        raise ValueError(f"expected a History with at least one epoch, got {history!r}")
    if isinstance(keys, str) or not keys:
        raise TypeError(f"expected a non-empty list of keys such as ['train_loss', 'dev_loss'], got {keys!r}")
    epochs = [r["epoch"] for r in history.records]
    for key in keys:  # every key is checked before anything is drawn
        if len(history[key]) != len(epochs):
            raise KeyError(f"{key!r} is not recorded for every epoch; recorded keys: {history.keys()}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for key in keys:
        ax.plot(epochs, history[key], marker="o" if len(epochs) < 30 else None, label=key)
    if history.best_epoch is not None:
        ax.axvline(history.best_epoch, color="grey", linestyle=":", label=f"best epoch ({history.best_epoch})")
    if logy:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    ax.set(title=title, xlabel="epoch", ylabel=ylabel)
    ax.legend()
    ax.grid(alpha=0.3)
    return ax


def plot_confusion_matrix(
    counts: np.ndarray,
    labels: Sequence[str],
    *,
    title: str = "Confusion matrix",
    normalize: bool = True,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Show ``counts`` (rows: true class, columns: predicted), as shares of each row when ``normalize``."""
    if isinstance(labels, str):
        raise TypeError(f"expected a list of class labels, got a str {labels!r}")
    counts = np.asarray(counts)
    if counts.shape != (len(labels), len(labels)):
        raise ValueError(f"expected counts of shape ({len(labels)}, {len(labels)}) (one row and column per label), "
                         f"got {counts.shape}")
    if not np.issubdtype(counts.dtype, np.number) or (counts.size and counts.min() < 0):
        raise ValueError(f"expected counts >= 0, got {counts.min() if counts.size else counts.dtype}")
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
