r"""How far back does the gradient reach? :math:`\lVert \partial \mathcal{L}_T / \partial h_t \rVert` for every step.

Works for any recurrent layer with PyTorch's call signature ``layer(x, hx) -> (output, state)``, where
``state`` is ``h`` or ``(h, c)``: ``torch.nn.RNN`` / ``LSTM`` / ``GRU``, the book's
:mod:`lstm_utils.layers`, :class:`lstm_utils.fast_lstm.FusedLSTM`, ...

The layer is run one step at a time, feeding each step's state into the next, so that every
intermediate hidden state :math:`h_t` is a node of the graph; one backward pass from the loss at the
last step gives all the gradients at once. For an LSTM the cell state :math:`c_t` is a separate node,
so :math:`\partial \mathcal{L}_T / \partial h_t` is the gradient reaching :math:`h_t` (which then flows
on through the gates into :math:`c_{t-1}` and :math:`h_{t-1}`).
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor, nn


def default_loss(last_output: Tensor) -> Tensor:
    r"""The loss at the last step when none is given: :math:`\mathcal{L}_T = \sum_j y_{T,j}`, a fixed readout."""
    return last_output.sum()


def hidden_state_gradient_norms(
    layer: nn.Module,
    inputs: Tensor,
    loss_fn: Callable[[Tensor], Tensor] = default_loss,
    hx=None,
) -> Tensor:
    r"""Norms :math:`\lVert \partial \mathcal{L}_T / \partial h_t \rVert` for :math:`t = 1, \dots, T`, shape ``(T,)``.

    - ``layer``: a one-direction recurrent layer with PyTorch's signature (``batch_first`` honoured).
    - ``inputs``: ``(seq, batch, feature)``, or ``(batch, seq, feature)`` when ``layer.batch_first``.
    - ``loss_fn``: maps the layer's output at the last step (the top layer's :math:`h_T`), ``(batch, hidden)``, to a scalar
      :math:`\mathcal{L}_T` (default: the sum of its entries).
    - ``hx``: optional initial state, as the layer takes it.

    Entry ``t`` (0-based) is the gradient norm for the hidden state **after reading input t**,
    i.e. for ``output[t]``, taken over all layers and the whole batch (the Frobenius norm of a
    ``(layers, batch, hidden)`` tensor). The last entry is the state the loss reads directly; the
    first entries show how much of the loss's gradient reaches the beginning of the sequence.
    Parameters' gradients are not touched.
    """
    if not isinstance(inputs, Tensor) or inputs.dim() != 3:
        shape = tuple(inputs.shape) if isinstance(inputs, Tensor) else type(inputs).__name__
        raise ValueError(f"expected inputs of shape (seq, batch, feature) or (batch, seq, feature), got {shape}")
    if getattr(layer, "bidirectional", False):
        raise ValueError("expected a one-direction layer, got bidirectional=True: "
                         "a backward direction's h_t depends on later inputs")
    time_dim = 1 if getattr(layer, "batch_first", False) else 0
    if inputs.shape[time_dim] == 0:
        raise ValueError("expected at least one time step, got an empty sequence")
    state, hidden = hx, []
    with torch.enable_grad():
        for x_t in inputs.split(1, dim=time_dim):  # one step at a time: (1, batch, feature)
            _, state = layer(x_t, state)
            h = state[0] if isinstance(state, tuple) else state  # (layers, batch, hidden)
            hidden.append(h)
        last = hidden[-1][-1]  # top layer at the last step, equal to output[-1]: (batch, hidden)
        grads = torch.autograd.grad(loss_fn(last), hidden, allow_unused=True)
    return torch.stack([g.norm() if g is not None else torch.zeros((), dtype=inputs.dtype) for g in grads]).detach()
