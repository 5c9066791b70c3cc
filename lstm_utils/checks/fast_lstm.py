r"""Checks for the exercises of "A hand-written LSTM as fast as nn.LSTM".

- :func:`check_fused_step`: the reader's element-wise step from the stacked pre-activations
  (batch, 4H) against :func:`lstm_utils.fast_lstm.lstm_cell_pointwise`.
- :func:`check_weight_gradient`: the reader's :math:`\partial L / \partial U` from all steps' gate
  gradients at once, :math:`\sum_t \delta a_t^\top h_{t-1}`, against the step-by-step sum.

Each prints ``✓ …`` when right and raises :class:`~lstm_utils.checks.core.CheckFailed` naming what differs.
"""

from __future__ import annotations

from typing import Callable

import torch

from lstm_utils.checks.core import CheckFailed, call_answer, check_close, check_true, passed
from lstm_utils.fast_lstm import lstm_cell_pointwise


def check_fused_step(fused_step: Callable, hidden: int = 3, batch: int = 2, seed: int = 0) -> None:
    """``fused_step(gates, c) -> (h, c)`` must equal the LSTM equations with gates stacked i, f, g, o."""
    generator = torch.Generator().manual_seed(seed)
    gates = torch.randn(batch, 4 * hidden, generator=generator, dtype=torch.float64)
    c = torch.randn(batch, hidden, generator=generator, dtype=torch.float64)
    result = call_answer(fused_step, gates, c, name="fused_step")
    check_true(isinstance(result, tuple) and len(result) == 2, f"expected a tuple (h, c), got {type(result).__name__}")
    h_expected, c_expected = lstm_cell_pointwise(gates, c)
    i, f, g, o = gates.chunk(4, dim=1)
    if isinstance(result[1], torch.Tensor) and result[1].shape == c.shape:
        wrong_order = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(o)
        check_true(not torch.allclose(result[1].double(), wrong_order), "c looks computed with the blocks in the "
                   "order i, f, o, g: PyTorch stacks them i, f, g, o (g is the third block)")
    check_close(result[1], c_expected, name="c (the new cell state)")
    check_close(result[0], h_expected, name="h (the new hidden state)")
    passed("your fused step gives the same h and c as the LSTM equations")


def check_weight_gradient(weight_gradient: Callable, seq: int = 4, batch: int = 2, hidden: int = 3, seed: int = 0) -> None:
    """``weight_gradient(dgates, h_prev) -> dU`` of shape (4H, H), with dgates (seq, batch, 4H), h_prev (seq, batch, H)."""
    generator = torch.Generator().manual_seed(seed)
    dgates = torch.randn(seq, batch, 4 * hidden, generator=generator, dtype=torch.float64)
    h_prev = torch.randn(seq, batch, hidden, generator=generator, dtype=torch.float64)
    expected = sum(dgates[t].t() @ h_prev[t] for t in range(seq))  # one product per step
    got = call_answer(weight_gradient, dgates, h_prev, name="weight_gradient")
    if isinstance(got, torch.Tensor) and got.shape == (hidden, 4 * hidden):
        raise CheckFailed(f"expected dU of shape (4H, H) = {(4 * hidden, hidden)}, got {tuple(got.shape)}: "
                          "transposed? U has one row per gate unit")
    if isinstance(got, torch.Tensor) and got.shape == expected.shape and torch.allclose(got.double(), expected / seq):
        raise CheckFailed("dU is the mean over the steps: the gradient of a shared weight is their sum")
    check_close(got, expected, name="dU")
    passed("one matrix product over all steps gives the same dU as one product per step")
