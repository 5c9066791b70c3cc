"""Heatmaps over time of an LSTM's gates and cell state for one input sequence.

``trace`` is what ``lstm_utils.layers.LSTM.trace`` returns: a dict with keys ``"i", "f", "g", "o",
"c", "h"``, each of shape ``(seq, batch, hidden)``. One panel per key: time on x (each column labelled by
the input token read at that step), hidden units on y.

* gates ``i_t, f_t, o_t = σ(·)`` lie in (0, 1): a sequential colour map from 0 (closed) to 1 (open);
* ``g_t``, ``h_t`` lie in (-1, 1) and ``c_t`` is unbounded: a diverging colour map centred on 0.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

NAMES = {
    "i": "input gate $i_t$",
    "f": "forget gate $f_t$",
    "g": "candidate $g_t$",
    "o": "output gate $o_t$",
    "c": "cell state $c_t$",
    "h": "hidden state $h_t$",
}
GATES = ("i", "f", "o")  # values in (0, 1)


def trace_panel(trace: Mapping[str, torch.Tensor], key: str, batch_index: int = 0) -> np.ndarray:
    """The ``(hidden, seq)`` array of ``trace[key]`` for one sequence of the batch, ready for ``imshow``."""
    if key not in trace:
        raise KeyError(f"expected one of {sorted(trace)} in the trace, got {key!r}")
    values = trace[key]
    if values.dim() != 3:
        raise ValueError(f"expected trace[{key!r}] of shape (seq, batch, hidden), got {tuple(values.shape)}")
    return values[:, batch_index, :].detach().cpu().numpy().T  # (hidden, seq)


def plot_gate_heatmaps(
    trace: Mapping[str, torch.Tensor],
    tokens: Sequence,
    keys: Sequence[str] = ("i", "f", "o", "c"),
    *,
    batch_index: int = 0,
    units: Sequence[int] | None = None,
    title: str = "Inside the LSTM, step by step",
) -> plt.Figure:
    """One heatmap per key of ``trace``: x = time step labelled by its input token, y = hidden unit.

    ``units`` picks (and orders) the hidden units shown; all of them by default.
    """
    seq_len = trace[keys[0]].shape[0]
    if len(tokens) != seq_len:
        raise ValueError(f"expected {seq_len} tokens (one per time step), got {len(tokens)}")
    fig, axes = plt.subplots(len(keys), 1, figsize=(max(6.0, 0.45 * seq_len + 2), 2.6 * len(keys)), squeeze=False)
    for ax, key in zip(axes[:, 0], keys):
        panel = trace_panel(trace, key, batch_index)  # (hidden, seq)
        shown = np.arange(panel.shape[0]) if units is None else np.asarray(units)
        panel = panel[shown]
        if key in GATES:
            image = ax.imshow(panel, aspect="auto", cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
            label = "activation (0 = closed, 1 = open)"
        else:
            bound = float(np.abs(panel).max()) or 1.0
            image = ax.imshow(panel, aspect="auto", cmap="RdBu_r", vmin=-bound, vmax=bound, interpolation="nearest")
            label = "value (no unit)"
        fig.colorbar(image, ax=ax, fraction=0.03, pad=0.01, label=label)
        ax.set_xticks(range(seq_len), [str(t) for t in tokens])
        step = max(1, len(shown) // 8)
        ax.set_yticks(range(0, len(shown), step), [str(u) for u in shown[::step]])
        ax.set(title=NAMES.get(key, key), xlabel="time step t, labelled by the input digit $x_t$", ylabel="hidden unit")
    fig.suptitle(title)
    fig.tight_layout()
    return fig

