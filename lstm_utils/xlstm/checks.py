r"""Checks for the exercises of "What came after: xLSTM by hand".

- :func:`check_slstm_step`: the reader's stabilised sLSTM step against :func:`~lstm_utils.xlstm.cells.slstm_step`.
- :func:`check_mlstm_parallel`: the reader's parallel mLSTM against the recurrent one,
  :func:`~lstm_utils.xlstm.cells.mlstm_recurrent`.

Each prints ``✓ …`` when right and raises :class:`~lstm_utils.checks.core.CheckFailed` naming what differs.
"""

from __future__ import annotations

from typing import Callable

import torch

from lstm_utils.checks.core import call_answer, check_close, check_true, passed
from lstm_utils.xlstm import cells


def _slstm_case(gen: torch.Generator, dtype: torch.dtype, scale: float):
    B, N, d = 3, 2, 4
    H = N * d
    wx = scale * torch.randn(B, 4 * H, generator=gen, dtype=dtype)  # (batch, 4H)
    h, c = torch.randn(2, B, H, generator=gen, dtype=dtype)
    n = torch.rand(B, H, generator=gen, dtype=dtype) + 0.5
    m = torch.randn(B, H, generator=gen, dtype=dtype)
    weight_hh = 0.5 * torch.randn(4, N, d, d, generator=gen, dtype=dtype)
    bias = torch.randn(4, H, generator=gen, dtype=dtype)
    return wx, h, c, n, m, weight_hh, bias


def check_slstm_step(slstm_step: Callable, seed: int = 0) -> None:
    """``slstm_step(wx, h, c, n, m, weight_hh, bias) -> (h, c, n, m)``, stabilised, must equal the book's.

    Checked in float64, and in float32 with input-gate pre-activations near 100, where
    :math:`e^{\\tilde\\imath}` overflows unless the stabiliser is used.
    """
    gen = torch.Generator().manual_seed(seed)
    for dtype, scale in ((torch.float64, 1.0), (torch.float32, 40.0)):
        args = _slstm_case(gen, dtype, scale)
        got = call_answer(slstm_step, *args, name="slstm_step")
        expected = cells.slstm_step(*args)
        check_true(isinstance(got, tuple) and len(got) == 4,
                   f"expected slstm_step to return (h, c, n, m), got {type(got).__name__}")
        name = str(dtype).replace("torch.", "")
        check_true(all(torch.isfinite(g).all() for g in got if isinstance(g, torch.Tensor)),
                   f"{name}, large pre-activations: the result holds inf or NaN; "
                   "compute i' and f' from the stabiliser m_t instead of exp() of the raw gates")
        tol = 1e-10 if dtype == torch.float64 else 1e-5
        for label, g, e in zip(("h_t", "c_t", "n_t", "m_t"), got, expected):
            check_close(g, e, name=f"{label} ({name})", atol=tol, rtol=tol)
    passed("your sLSTM step matches the book's, including its stabiliser")


def check_mlstm_parallel(mlstm_parallel: Callable, seed: int = 0) -> None:
    """``mlstm_parallel(q, k, v, i_pre, f_pre) -> h`` ``(batch, heads, T, d)`` must equal the
    recurrent mLSTM (package's ``eps = 1e-6``), in float64, and in float32 with input gates near 100."""
    gen = torch.Generator().manual_seed(seed)
    for dtype, scale in ((torch.float64, 1.0), (torch.float32, 40.0)):
        q, k, v = torch.randn(3, 2, 2, 9, 4, generator=gen, dtype=dtype)
        i_pre, f_pre = torch.randn(2, 2, 2, 9, generator=gen, dtype=dtype) * scale
        got = call_answer(mlstm_parallel, q, k, v, i_pre, f_pre, name="mlstm_parallel")
        expected, _ = cells.mlstm_recurrent(q, k, v, i_pre, f_pre)
        name = str(dtype).replace("torch.", "")
        if isinstance(got, torch.Tensor):
            check_true(bool(torch.isfinite(got).all()),
                       f"{name}, large input gates: the result holds inf or NaN; subtract the "
                       "row maximum m_t of log D before exp(), and use exp(-m_t) for the 1")
        tol = 1e-10 if dtype == torch.float64 else 1e-5
        check_close(got, expected, name=f"h ({name})", atol=tol, rtol=tol)
    passed("your parallel mLSTM matches the recurrent one")
