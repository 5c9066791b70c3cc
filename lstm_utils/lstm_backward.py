r"""Backpropagation through time for the LSTM, by hand, checked against autograd in the tests and the book.

Forward step (gates stacked i, f, g, o as in PyTorch; :math:`a_t` the pre-activations):

.. math::

    a_t = W x_t + b_W + U h_{t-1} + b_U,\quad
    i_t = \sigma(a^i_t),\ f_t = \sigma(a^f_t),\ g_t = \tanh(a^g_t),\ o_t = \sigma(a^o_t),\quad
    c_t = f_t \odot c_{t-1} + i_t \odot g_t,\quad h_t = o_t \odot \tanh(c_t).

Backward step: given :math:`\delta h_t = \partial\mathcal{L}/\partial h_t` and
:math:`\delta c_t = \partial\mathcal{L}/\partial c_t` (what reaches them from later steps and the loss),
each function below is one line of the chain rule.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from lstm_utils.cells import LSTMStep, gate_activations, lstm_step


class LSTMCache(NamedTuple):
    """What the backward step needs from the forward step."""

    x: Tensor
    h_prev: Tensor
    c_prev: Tensor
    step: LSTMStep


class LSTMGrads(NamedTuple):
    """Gradients of one step (or, summed, of a whole sequence), named like the inputs and parameters."""

    x: Tensor
    h_prev: Tensor
    c_prev: Tensor
    weight_ih: Tensor
    weight_hh: Tensor
    bias_ih: Tensor
    bias_hh: Tensor


def lstm_cell_forward(x, h, c, weight_ih, weight_hh, bias_ih=None, bias_hh=None) -> tuple[Tensor, Tensor, LSTMCache]:
    """One step of :func:`lstm_utils.cells.lstm_step`, returning ``h_t, c_t`` and the cache for the backward step."""
    step = lstm_step(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh)
    return step.h, step.c, LSTMCache(x, h, c, step)


def output_gate_grad(dh: Tensor, tanh_c: Tensor) -> Tensor:
    r""":math:`\delta o_t = \delta h_t \odot \tanh(c_t)`."""
    return dh * tanh_c


def cell_grad(dh: Tensor, dc: Tensor, o: Tensor, tanh_c: Tensor) -> Tensor:
    r"""Total gradient at the cell: :math:`\delta c_t \mathrel{+}= \delta h_t \odot o_t \odot (1 - \tanh^2 c_t)`."""
    return dc + dh * o * (1 - tanh_c**2)


def gate_grads(dc: Tensor, c_prev: Tensor, i: Tensor, f: Tensor, g: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    r""":math:`\delta i_t = \delta c_t \odot g_t,\ \delta f_t = \delta c_t \odot c_{t-1},\ \delta g_t = \delta c_t \odot i_t,\
    \delta c_{t-1} = \delta c_t \odot f_t` (the additive path: only a product with :math:`f_t`)."""
    return dc * g, dc * c_prev, dc * i, dc * f


def preactivation_grads(di, df, dg, do, i, f, g, o) -> Tensor:
    r"""Through the nonlinearities, :math:`\sigma' = \sigma(1-\sigma)`, :math:`\tanh' = 1-\tanh^2`:
    :math:`\delta a_t = [\delta i_t \odot i_t(1-i_t),\ \delta f_t \odot f_t(1-f_t),\ \delta g_t \odot (1-g_t^2),\
    \delta o_t \odot o_t(1-o_t)]`, stacked i, f, g, o: ``(batch, 4·hidden)``."""
    return torch.cat([di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)], dim=-1)


def step_backward(dh: Tensor, dc: Tensor, i: Tensor, f: Tensor, g: Tensor,
                  o: Tensor, c: Tensor,
                  c_prev: Tensor) -> tuple[Tensor, Tensor]:
    r"""The element-wise part of one backward step: :math:`\delta a_t`
    ``(batch, 4·hidden)`` and :math:`\delta c_{t-1}`, from
    :math:`\delta h_t`, :math:`\delta c_t` and what the forward step
    computed."""
    tanh_c = torch.tanh(c)
    do = output_gate_grad(dh, tanh_c)
    dc = cell_grad(dh, dc, o, tanh_c)
    di, df, dg, dc_prev = gate_grads(dc, c_prev, i, f, g)
    return preactivation_grads(di, df, dg, do, i, f, g, o), dc_prev


def lstm_cell_backward(dh: Tensor, dc: Tensor, cache: LSTMCache,
                       weight_ih: Tensor, weight_hh: Tensor) -> LSTMGrads:
    r"""One backward step. With :math:`\delta a_t` from
    :func:`step_backward`: :math:`\delta W = \delta a_t^\top x_t`,
    :math:`\delta U = \delta a_t^\top h_{t-1}`,
    :math:`\delta b_W = \delta b_U = \sum_{\text{batch}} \delta a_t`,
    :math:`\delta x_t = \delta a_t W`,
    :math:`\delta h_{t-1} = \delta a_t U`."""
    i, f, g, o, c, _ = cache.step
    # (batch, 4·hidden), (batch, hidden)
    da, dc_prev = step_backward(dh, dc, i, f, g, o, c, cache.c_prev)
    db = da.sum(dim=0)
    return LSTMGrads(da @ weight_ih, da @ weight_hh, dc_prev,
                     da.T @ cache.x, da.T @ cache.h_prev, db, db)


def lstm_sequence_backward(x, h0, c0, weight_ih, weight_hh, bias_ih=None, bias_hh=None, d_output=None,
                           dh_n=None, dc_n=None) -> tuple[Tensor, Tensor, Tensor, LSTMGrads]:
    r"""Forward and backward through a whole sequence, one layer, one direction.

    ``x`` is ``(seq, batch, input)``; ``d_output`` ``(seq, batch, hidden)`` is
    :math:`\partial\mathcal{L}/\partial h_t` from the loss at every step, ``dh_n``, ``dc_n`` the gradients
    at the final state (each may be ``None``: zero). Walking back from :math:`t = T` to 1:
    :math:`\delta h_t = \partial\mathcal{L}/\partial y_t + \delta h_t^{\text{from } t+1}`, then
    :func:`lstm_cell_backward`; parameter gradients add up over the steps.
    Returns ``output, h_n, c_n`` and the summed :class:`LSTMGrads` (``x`` is ``(seq, batch, input)``).
    """
    h, c, caches, outputs = h0, c0, [], []
    for t in range(x.shape[0]):
        h, c, cache = lstm_cell_forward(x[t], h, c, weight_ih, weight_hh, bias_ih, bias_hh)
        caches.append(cache)
        outputs.append(h)
    dh = torch.zeros_like(h) if dh_n is None else dh_n.clone()
    dc = torch.zeros_like(c) if dc_n is None else dc_n.clone()
    dW, dU = torch.zeros_like(weight_ih), torch.zeros_like(weight_hh)
    db = torch.zeros(weight_ih.shape[0], dtype=x.dtype, device=x.device)
    dx = torch.zeros_like(x)
    for t in range(x.shape[0] - 1, -1, -1):
        if d_output is not None:
            dh = dh + d_output[t]
        grads = lstm_cell_backward(dh, dc, caches[t], weight_ih, weight_hh)
        dx[t], dh, dc = grads.x, grads.h_prev, grads.c_prev
        dW, dU, db = dW + grads.weight_ih, dU + grads.weight_hh, db + grads.bias_ih
    return torch.stack(outputs), h, c, LSTMGrads(dx, dh, dc, dW, dU, db, db)


def sequence_backward(d_output: Tensor, dh: Tensor, dc: Tensor,
                      preactivations: Tensor, cells: Tensor, c0: Tensor,
                      weight_hh: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    r"""Backward through a whole sequence from what the forward loop
    kept: the fast layer's backward loop.

    ``preactivations`` ``(seq, batch, 4·hidden)`` holds :math:`a_t` (the
    gates :math:`i_t, f_t, g_t, o_t` are recomputed from it), ``cells``
    ``(seq, batch, hidden)`` holds :math:`c_t`; ``d_output`` is
    :math:`\partial\mathcal{L}/\partial y_t` ``(seq, batch, hidden)``,
    ``dh``, ``dc`` the gradients at :math:`h_T, c_T`. Each step is
    :func:`step_backward`, and only :math:`\delta h_{t-1} = \delta a_t U`
    (one matrix product) is inside the loop; the weight gradients are
    sums over the steps, computed afterwards from all :math:`\delta a_t`
    at once. Returns :math:`\delta a_t` for every step
    ``(seq, batch, 4·hidden)``, :math:`\delta h_0` and :math:`\delta c_0`.
    """
    hidden = c0.shape[-1]
    da = [None] * d_output.shape[0]
    for t in range(d_output.shape[0] - 1, -1, -1):
        dh = dh + d_output[t]
        # each (batch, hidden)
        i, f, g, o = gate_activations(preactivations[t], hidden)
        c_prev = cells[t - 1] if t > 0 else c0
        da[t], dc = step_backward(dh, dc, i, f, g, o, cells[t], c_prev)
        dh = da[t] @ weight_hh  # (batch, hidden)
    return torch.stack(da), dh, dc


class LSTMCellFunction(torch.autograd.Function):
    """One LSTM step whose backward is :func:`lstm_cell_backward`, so ``torch.autograd.gradcheck`` can test it.

    ``LSTMCellFunction.apply(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh) -> (h_t, c_t)``.
    """

    @staticmethod
    def forward(ctx, x, h, c, weight_ih, weight_hh, bias_ih, bias_hh):
        h_t, c_t, cache = lstm_cell_forward(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh)
        ctx.cache, ctx.weights = cache, (weight_ih, weight_hh)
        return h_t, c_t

    @staticmethod
    def backward(ctx, dh, dc):
        grads = lstm_cell_backward(dh, dc, ctx.cache, *ctx.weights)
        return tuple(g if needed else None for g, needed in zip(grads, ctx.needs_input_grad))
