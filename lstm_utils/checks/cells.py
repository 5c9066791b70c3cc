r"""Checks for the exercises of "From RNN to LSTM" and "LSTM by hand".

- :func:`check_gru_step`: the reader's GRU step against ``torch.nn.GRUCell``.
- :func:`check_peephole_lstm_step`: the reader's LSTM step with peepholes
  (Gers and Schmidhuber 2000, ``gers2000peephole`` in the bibliography) against :func:`reference_peephole_lstm_step`.
- :func:`check_cell_state_backward`: the reader's :math:`\delta c_{t-1}` against autograd.

Each prints ``✓ …`` when right and raises :class:`~lstm_utils.checks.core.CheckFailed` naming what differs.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor, nn

from lstm_utils.cells import affine, cell_state, chunks, hidden_state, lstm_step
from lstm_utils.checks.core import CheckFailed, call_answer, check_close, check_true, passed


def _random(generator: torch.Generator, *shape: int) -> Tensor:
    return torch.randn(*shape, generator=generator, dtype=torch.float64)


# --- GRU ------------------------------------------------------------------------------------------


def _gru_variants(x, h, W, U, bW, bU) -> dict[str, Tensor]:
    """Frequent slips, each computed, so that the feedback can name the one the reader made."""
    (W_r, W_z, W_n), (U_r, U_z, U_n) = chunks(W, 3), chunks(U, 3)
    (b_r, b_z, b_n), (c_r, c_z, c_n) = chunks(bW, 3), chunks(bU, 3)
    r = torch.sigmoid(affine(x, h, W_r, U_r, b_r, c_r))
    z = torch.sigmoid(affine(x, h, W_z, U_z, b_z, c_z))
    n_outside = torch.tanh(x @ W_n.T + b_n + (r * h) @ U_n.T + c_n)
    n = torch.tanh(x @ W_n.T + b_n + r * (h @ U_n.T + c_n))
    return {
        "z and 1 - z are swapped: PyTorch keeps z_t of the old state, h_t = (1 - z_t) n_t + z_t h_{t-1}": z * n + (1 - z) * h,
        "the reset gate multiplies h_{t-1} before U_n (Cho et al.'s form); PyTorch applies it to U_n h_{t-1} + b_Un": (1 - z) * n_outside + z * h,
        "the gate blocks are in the wrong order: PyTorch stacks r, z, n": (1 - r) * n + r * h,
    }


def check_gru_step(gru_step: Callable, seed: int = 0) -> None:
    """``gru_step(x, h, weight_ih, weight_hh, bias_ih, bias_hh) -> h_t`` must equal ``torch.nn.GRUCell``."""
    gen = torch.Generator().manual_seed(seed)
    B, I, H = 3, 4, 5
    ref = nn.GRUCell(I, H, dtype=torch.float64)
    with torch.no_grad():
        for p in ref.parameters():
            p.copy_(_random(gen, *p.shape) * 0.5)
    x, h = _random(gen, B, I), _random(gen, B, H)
    params = (ref.weight_ih.detach(), ref.weight_hh.detach(), ref.bias_ih.detach(), ref.bias_hh.detach())
    got = call_answer(gru_step, x, h, *params, name="gru_step")
    expected = ref(x, h).detach()
    check_true(isinstance(got, Tensor), f"expected gru_step to return a torch.Tensor h_t, got {type(got).__name__}")
    check_true(got.shape == expected.shape, f"expected h_t of shape {tuple(expected.shape)} (batch, hidden), got {tuple(got.shape)}")
    if not torch.allclose(got.to(expected.dtype), expected, atol=1e-8):
        for slip, value in _gru_variants(x, h, *params).items():
            if torch.allclose(got.to(value.dtype), value, atol=1e-8):
                raise CheckFailed(f"h_t differs from torch.nn.GRUCell: {slip}")
    check_close(got, expected, name="h_t (compared with torch.nn.GRUCell)", atol=1e-8, rtol=1e-6)
    passed("gru_step equals torch.nn.GRUCell")


# --- Peepholes ------------------------------------------------------------------------------------


def reference_peephole_lstm_step(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh, p_i, p_f, p_o) -> tuple[Tensor, Tensor]:
    r"""The LSTM with diagonal peepholes: the gates also see the cell,

    .. math::
        i_t = \sigma(W_i x_t + U_i h_{t-1} + p_i \odot c_{t-1} + b_i),\quad
        f_t = \sigma(W_f x_t + U_f h_{t-1} + p_f \odot c_{t-1} + b_f),\quad
        o_t = \sigma(W_o x_t + U_o h_{t-1} + p_o \odot c_t + b_o),

    with :math:`g_t`, :math:`c_t`, :math:`h_t` unchanged. Returns ``(h_t, c_t)``.
    """
    (W_i, W_f, W_g, W_o), (U_i, U_f, U_g, U_o) = chunks(weight_ih, 4), chunks(weight_hh, 4)
    (b_i, b_f, b_g, b_o), (e_i, e_f, e_g, e_o) = chunks(bias_ih, 4), chunks(bias_hh, 4)
    i = torch.sigmoid(affine(x, h, W_i, U_i, b_i, e_i) + p_i * c)
    f = torch.sigmoid(affine(x, h, W_f, U_f, b_f, e_f) + p_f * c)
    g = torch.tanh(affine(x, h, W_g, U_g, b_g, e_g))
    c_t = cell_state(f, c, i, g)
    o = torch.sigmoid(affine(x, h, W_o, U_o, b_o, e_o) + p_o * c_t)
    return hidden_state(o, c_t), c_t


def check_peephole_lstm_step(step: Callable, seed: int = 0) -> None:
    """``step(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh, p_i, p_f, p_o) -> (h_t, c_t)``.

    With zero peepholes it must equal ``torch.nn.LSTMCell``; with random ones, the equations of
    :func:`reference_peephole_lstm_step`.
    """
    gen = torch.Generator().manual_seed(seed)
    B, I, H = 3, 4, 5
    x, h, c = _random(gen, B, I), _random(gen, B, H), _random(gen, B, H)
    params = (_random(gen, 4 * H, I), _random(gen, 4 * H, H), _random(gen, 4 * H), _random(gen, 4 * H))
    zero = torch.zeros(H, dtype=torch.float64)
    got = call_answer(step, x, h, c, *params, zero, zero, zero, name="your step")
    check_true(isinstance(got, tuple) and len(got) == 2, f"expected a tuple (h_t, c_t), got {type(got).__name__}")
    plain = lstm_step(x, h, c, *params)
    check_close(got[1], plain.c, name="c_t with zero peepholes (compared with the plain LSTM)", atol=1e-8)
    check_close(got[0], plain.h, name="h_t with zero peepholes (compared with the plain LSTM)", atol=1e-8)
    peep = (_random(gen, H), _random(gen, H), _random(gen, H))
    got = call_answer(step, x, h, c, *params, *peep, name="your step")
    h_ref, c_ref = reference_peephole_lstm_step(x, h, c, *params, *peep)
    check_close(got[1], c_ref, name="c_t (the input and forget gates look at c_{t-1})", atol=1e-8)
    h_old = torch.sigmoid(plain.o.logit() + peep[2] * c) * torch.tanh(c_ref)
    if torch.allclose(got[0].to(h_ref.dtype), h_old, atol=1e-8) and not torch.allclose(h_old, h_ref):
        raise CheckFailed("h_t differs: the output gate should look at the new cell c_t, not c_{t-1}")
    check_close(got[0], h_ref, name="h_t (the output gate looks at the new cell c_t)", atol=1e-8)
    passed("your peephole LSTM step equals the reference, and the plain LSTM when the peepholes are zero")


# --- Backward -------------------------------------------------------------------------------------


def check_cell_state_backward(cell_state_backward: Callable, seed: int = 0) -> None:
    r"""``cell_state_backward(dh, dc, f, o, c) -> dc_prev``: :math:`\delta c_{t-1}` given :math:`\delta h_t, \delta c_t`.

    Compared with autograd through :func:`lstm_utils.cells.lstm_step`.
    """
    gen = torch.Generator().manual_seed(seed)
    B, I, H = 3, 4, 5
    x, h = _random(gen, B, I), _random(gen, B, H)
    c_prev = _random(gen, B, H).requires_grad_()
    step = lstm_step(x, h, c_prev, _random(gen, 4 * H, I), _random(gen, 4 * H, H), _random(gen, 4 * H), None)
    dh, dc = _random(gen, B, H), _random(gen, B, H)
    (expected,) = torch.autograd.grad((step.h * dh).sum() + (step.c * dc).sum(), c_prev)
    got = call_answer(cell_state_backward, dh, dc, step.f.detach(), step.o.detach(), step.c.detach(), name="cell_state_backward")
    only_dc = dc * step.f.detach()
    if isinstance(got, Tensor) and got.shape == only_dc.shape and torch.allclose(got.double(), only_dc):
        raise CheckFailed("dc_prev misses the path through h_t = o_t tanh(c_t): add dh * o * (1 - tanh(c)^2) to dc first")
    check_close(got, expected, name="dc_prev (compared with autograd)", atol=1e-8)
    passed("cell_state_backward equals autograd")
