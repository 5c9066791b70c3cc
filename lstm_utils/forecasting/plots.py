"""Figures of the forecasting chapter: the split series, forecasts against the truth, error by horizon."""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def plot_split(series: pd.Series, boundaries: Sequence[int], *, unit: str, title: str, ax: plt.Axes | None = None) -> plt.Axes:
    """The series with its train / validation / test parts in three colours."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3))
    edges = [0, *boundaries, len(series)]
    for (a, b), name in zip(zip(edges[:-1], edges[1:]), ("train", "validation", "test")):
        part = series.iloc[a:b]
        ax.plot(part.index, part.to_numpy(), lw=0.8, label=f"{name} ({b - a} steps)")
    ax.set(title=title, xlabel="time", ylabel=f"{series.name} [{unit}]")
    ax.legend()
    ax.grid(alpha=0.3)
    return ax


def plot_forecasts(
    inputs: np.ndarray,
    labels: np.ndarray,
    forecasts: Mapping[str, np.ndarray],
    label_offsets: np.ndarray,
    *,
    windows: Sequence[int],
    unit: str,
    step: str,
    title: str,
    intervals: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """One panel per window: the inputs, the true labels and each model's forecasts, in the data's units.

    ``inputs`` is ``(N, input_width)`` (the target), ``labels`` and each forecast ``(N, label_width)``;
    ``intervals`` optionally ``(lower, upper)`` of the same shape, drawn as a band.
    """
    fig, axes = plt.subplots(1, len(windows), figsize=(4 * len(windows), 3.2), squeeze=False, sharey=False)
    width = inputs.shape[1]
    x_in = np.arange(-width + 1, 1)
    for ax, k in zip(axes[0], windows):
        ax.plot(x_in, inputs[k], color="black", lw=1, label="inputs")
        ax.plot(label_offsets, labels[k], "o", color="black", ms=3, mfc="none", label="truth")
        if intervals is not None:
            ax.fill_between(label_offsets, intervals[0][k], intervals[1][k], alpha=0.2, label="90 % interval")
        for name, forecast in forecasts.items():
            ax.plot(label_offsets, forecast[k], lw=1.2, label=name)
        ax.set(title=f"window {k}", xlabel=f"{step}s after the last input", ylabel=unit)
        ax.grid(alpha=0.3)
    axes[0][-1].legend(fontsize=7, loc="best")
    fig.suptitle(title)
    fig.tight_layout()
    return axes[0]


def plot_error_by_horizon(
    errors: Mapping[str, np.ndarray], *, unit: str, step: str, title: str, ax: plt.Axes | None = None
) -> plt.Axes:
    """Mean absolute error against the forecast horizon (1 = the next step), one line per model."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.5))
    for name, error in errors.items():
        ax.plot(np.arange(1, len(error) + 1), error, marker=".", label=name)
    ax.set(title=title, xlabel=f"forecast horizon [{step}s]", ylabel=f"MAE [{unit}]")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def plot_coverage_by_horizon(
    coverage: np.ndarray, nominal: float, *, step: str, title: str, ax: plt.Axes | None = None
) -> plt.Axes:
    """Share of test labels inside the interval, per horizon, against the nominal level."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.2))
    ax.plot(np.arange(1, len(coverage) + 1), 100 * np.asarray(coverage), marker=".", label="measured on test")
    ax.axhline(100 * nominal, color="grey", linestyle=":", label=f"nominal {100 * nominal:.0f} %")
    ax.set(title=title, xlabel=f"forecast horizon [{step}s]", ylabel="coverage [%]", ylim=(0, 105))
    ax.legend()
    ax.grid(alpha=0.3)
    return ax
