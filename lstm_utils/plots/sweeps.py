"""A metric against a swept setting (sequence length, hidden size), one line per model and split."""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import pandas as pd

SPLIT_STYLES = {"dev": "--", "test": "-"}


def plot_metric_vs(
    frame: pd.DataFrame,
    x: str,
    *,
    by: str = "model",
    splits: Sequence[str] = ("dev", "test"),
    metric: str = "accuracy",
    baseline: pd.DataFrame | None = None,
    title: str = "Accuracy",
    xlabel: str | None = None,
    ylabel: str = "accuracy (share correct)",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Plot the columns ``"<split> <metric>"`` of ``frame`` against column ``x``, one colour per ``by``.

    Dev is dashed, test solid. ``baseline`` (same columns) is drawn in grey, e.g. the majority class.
    """
    columns = [f"{split} {metric}" for split in splits]
    missing = [c for c in (x, by, *columns) if c not in frame.columns]
    if missing:
        raise KeyError(f"expected columns {missing} in the frame, got {list(frame.columns)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4))
    for name, group in frame.groupby(by, sort=False):
        group = group.sort_values(x)
        color = None
        for split, column in zip(splits, columns):
            (line,) = ax.plot(group[x], group[column], SPLIT_STYLES.get(split, "-"), marker="o", color=color,
                              label=f"{name}, {split}")
            color = line.get_color()
    if baseline is not None:
        baseline = baseline.sort_values(x)
        ax.plot(baseline[x], baseline[columns[-1]], ":", color="grey", label=f"{baseline[by].iloc[0]}, {splits[-1]}")
    ax.set(title=title, xlabel=xlabel or x, ylabel=ylabel, ylim=(0, 1.02))
    ax.set_xticks(sorted(frame[x].unique()))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return ax
