"""Figures of images read as sequences: one image as steps, a grid of (mis)classified digits, accuracy per row."""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np


def plot_image_as_sequence(image: np.ndarray, label: int | str, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Show an image ``(rows, cols)`` as the LSTM reads it: row ``t`` is the input ``x_t`` at step ``t``."""
    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError(f"expected one image of shape (rows, cols), got {image.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    rows, cols = image.shape
    shown = ax.imshow(image, cmap="gray_r")
    ax.figure.colorbar(shown, ax=ax, fraction=0.046, label="grey level (input value)")
    ax.set_yticks(range(0, rows, max(1, rows // 7)))
    ax.set(title=f"A '{label}' as a sequence of {rows} steps", xlabel=f"input feature: pixel column (0..{cols - 1})",
           ylabel="time step t: row read at step t")
    return ax


def plot_digit_grid(
    images: np.ndarray,
    true: Sequence[int],
    predicted: Sequence[int],
    *,
    title: str = "Misclassified test digits",
    ncols: int = 8,
) -> plt.Figure:
    """A grid of ``images`` ``(n, rows, cols)``, each captioned ``true → predicted`` (red when they differ)."""
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"expected images of shape (n, rows, cols), got {images.shape}")
    if not len(images) == len(true) == len(predicted):
        raise ValueError(f"expected as many labels as images ({len(images)}), got {len(true)} true and "
                         f"{len(predicted)} predicted")
    if len(images) == 0:
        raise ValueError("expected at least one image, got none")
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.3 * ncols, 1.5 * nrows + 0.6), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, t, p in zip(axes.flat, images, true, predicted):
        ax.imshow(image, cmap="gray_r")
        ax.set_title(f"{t} → {p}", fontsize=9, color="black" if t == p else "tab:red")
    fig.suptitle(f"{title} (caption: true → predicted)")
    fig.supxlabel(f"each image: {images.shape[1]} × {images.shape[2]} pixels, read top row first", fontsize=9)
    fig.tight_layout()
    return fig


def plot_accuracy_by_step(
    curves: Mapping[str, Sequence[float]],
    *,
    chance: float | None = None,
    title: str = "Test accuracy after reading each row",
    xlabel: str = "rows read",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Accuracy (in %) after step 1..T for each named curve, with the chance level as a dashed line."""
    if not curves:
        raise ValueError("expected at least one curve, got none")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for name, values in curves.items():
        steps = np.arange(1, len(values) + 1)
        ax.plot(steps, 100 * np.asarray(values), marker="o" if len(values) <= 30 else None, markersize=3, label=name)
    if chance is not None:
        ax.axhline(100 * chance, color="grey", linestyle="--", label=f"chance ({100 * chance:.0f} %)")
    ax.set(title=title, xlabel=xlabel, ylabel="accuracy (%)", ylim=(0, 100))
    ax.legend()
    ax.grid(alpha=0.3)
    return ax
