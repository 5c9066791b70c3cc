"""Loss and metric curves over epochs."""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
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
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    epochs = [r["epoch"] for r in history.records]
    for key in keys:
        values = history[key]
        if len(values) != len(epochs):
            raise KeyError(f"{key!r} is not recorded for every epoch; recorded keys: {history.keys()}")
        ax.plot(epochs, values, marker="o" if len(epochs) < 30 else None, label=key)
    if history.best_epoch is not None:
        ax.axvline(history.best_epoch, color="grey", linestyle=":", label=f"best epoch ({history.best_epoch})")
    if logy:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    ax.set(title=title, xlabel="epoch", ylabel=ylabel)
    ax.legend()
    ax.grid(alpha=0.3)
    return ax
