"""Figures for encoder–decoder models: attention heatmaps and a grid of mistakes."""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np


def plot_attention(
    weights,
    source_tokens: Sequence[str],
    output_tokens: Sequence[str],
    *,
    title: str = "Attention weights",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Heatmap of ``weights`` ``(outputs, sources)``: row ``t`` shows which source tokens output ``t`` read."""
    weights = np.asarray(weights, dtype=float)
    if weights.shape != (len(output_tokens), len(source_tokens)):
        raise ValueError(
            f"expected weights of shape ({len(output_tokens)}, {len(source_tokens)}) "
            f"(output tokens, source tokens), got {weights.shape}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(0.5 * len(source_tokens) + 2, 0.45 * len(output_tokens) + 1.5))
    image = ax.imshow(weights, cmap="viridis", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(source_tokens)), list(source_tokens))
    ax.set_yticks(range(len(output_tokens)), list(output_tokens))
    ax.set(title=title, xlabel="source character (input position)", ylabel="output character (decoder step)")
    ax.figure.colorbar(image, ax=ax, label="attention weight α (share, 0–1)")
    return ax


def plot_mistakes(
    images,
    truths: Sequence[str],
    predictions: Sequence[str],
    *,
    columns: int = 4,
    limit: int = 12,
    title: str = "Mistakes",
) -> plt.Figure:
    """A grid of the first ``limit`` images whose prediction differs from the truth, titled ``truth → prediction``."""
    if isinstance(truths, str) or isinstance(predictions, str) or not len(images) == len(truths) == len(predictions):
        raise ValueError(f"expected as many images, truths and predictions (lists), got {len(images)}, "
                         f"{truths!r:.30} and {predictions!r:.30}")
    wrong = [i for i, (t, p) in enumerate(zip(truths, predictions)) if t != p][:limit]
    rows = max(1, -(-len(wrong) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(2.6 * columns, 1.2 * rows + 0.8), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong):
        ax.imshow(np.asarray(images[i]), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"{truths[i]} → {predictions[i] or '(empty)'}", fontsize=9)
    if not wrong:
        axes.flat[0].text(0.5, 0.5, "no mistakes", ha="center", va="center")
    fig.suptitle(f"{title}: true string → predicted string ({len(wrong)} shown; image pixels, width × height)")
    fig.tight_layout()
    return fig
