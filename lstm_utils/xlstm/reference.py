"""The same computations run by the ``xlstm`` package (``pip install "lstm-utils[xlstm]"``).

Each ``compare_*`` function builds random inputs, runs the hand-written code of
:mod:`lstm_utils.xlstm.cells` and one of the package's CPU backends on them, maps the package's
layouts to the book's, and returns the largest absolute differences. Without the package,
:func:`available` says why, and the chapter and the tests skip these comparisons.
"""

from __future__ import annotations

import importlib
import logging
import math

import torch
from torch import Tensor

from lstm_utils.xlstm import cells

MLSTM_BACKENDS = (
    "xlstm parallel", "xlstm chunkwise", "xlstm recurrent step",
    "native parallel", "native chunkwise", "native recurrent",
)


def available() -> tuple[bool, str]:
    """``(True, "xlstm 2.0.6")`` when the package imports, else ``(False, reason)``."""
    # importing it logs a warning about CUDA on machines without it; keep the pages clean
    logging.getLogger("torch.utils.cpp_extension").setLevel(logging.ERROR)
    try:
        importlib.import_module("xlstm.blocks.slstm.cell")
        importlib.import_module("mlstm_kernels.torch")
    except ImportError as error:
        return False, f"the optional package is not installed ({error})"
    from importlib.metadata import version

    return True, f"xlstm {version('xlstm')}, mlstm_kernels {version('mlstm_kernels')}"


def _require() -> None:
    ok, reason = available()
    if not ok:
        raise ImportError(f"these comparisons need the xlstm package: {reason}")


def package_slstm_cell(layer: cells.SLSTM):
    r"""The package's ``sLSTMCell`` (``backend="vanilla"``) holding
    ``layer``'s :math:`R_*, b_*`.

    Its defaults are ``backend="cuda"``, ``dtype="bfloat16"`` and zero
    recurrent weights; here the vanilla backend, ``layer``'s dtype. Its
    internal kernel ``(heads, 4d, d)`` is ours ``(4, heads, d, d)`` with
    the gate axis moved in; its bias is ours flattened (i, f, z, o).
    """
    _require()
    from xlstm.blocks.slstm.cell import sLSTMCell, sLSTMCellConfig

    config = sLSTMCellConfig(
        hidden_size=layer.hidden_size, num_heads=layer.heads,
        backend="vanilla", dtype="float32", output_shape="BSH")
    cell = sLSTMCell(config)
    d = layer.hidden_size // layer.heads
    with torch.no_grad():
        # ours (4, heads, d, d) -> the package's (heads, 4d, d)
        kernel = layer.weight_hh.detach().transpose(0, 1)
        cell._recurrent_kernel_.data = kernel.reshape(
            layer.heads, -1, d).clone()
        cell._bias_.data = layer.bias.detach().reshape(-1).clone()
    return cell.to(layer.weight_hh.dtype)


def _largest(*pairs: tuple[Tensor, Tensor]) -> float:
    return max(float((a - b).abs().max()) for a, b in pairs)


def compare_slstm(*, batch=3, steps=7, hidden=8, heads=2, dtype=torch.float32,
                  seed=0, random_state=False, scale=1.0) -> dict[str, float]:
    """Largest differences of the outputs and of the last ``h, c, n, m`` against ``sLSTMCell``.

    ``random_state`` starts both from the same random ``(4, batch, H)`` state instead of zeros;
    ``scale`` multiplies the pre-activations (large values exercise the stabiliser).
    """
    torch.manual_seed(seed)
    layer = cells.SLSTM(hidden, hidden, heads=heads, dtype=dtype)
    with torch.no_grad():
        layer.bias.normal_()
    wx = scale * torch.randn(batch, steps, 4 * hidden, dtype=dtype)  # (batch, seq, 4H)
    state = None
    if random_state:
        h, c = torch.randn(2, batch, hidden, dtype=dtype)
        n, m = torch.rand(batch, hidden, dtype=dtype) + 0.5, torch.randn(batch, hidden, dtype=dtype)
        state = (h, c, n, m)
    ours_h, ours_state = [], state or cells.fresh_slstm_state(batch, hidden, wx)
    with torch.no_grad():
        for t in range(steps):
            ours_state = cells.slstm_step(wx[:, t], *ours_state, layer.weight_hh, layer.bias)
            ours_h.append(ours_state[0])
        package_state = torch.stack(state) if state else None
        theirs_h, theirs_state = package_slstm_cell(layer)(wx, package_state)
    out = {"h (all steps)": _largest((torch.stack(ours_h, 1), theirs_h))}
    for name, ours, theirs in zip("hcnm", ours_state, theirs_state.unbind(0)):
        out[f"last {name}"] = _largest((ours, theirs))
    return out


def _mlstm_inputs(batch, heads, steps, d, dtype, seed, scale):
    torch.manual_seed(seed)
    q, k, v = torch.randn(3, batch, heads, steps, d, dtype=dtype)
    i_pre, f_pre = scale * torch.randn(2, batch, heads, steps, dtype=dtype)
    return q, k, v, i_pre, f_pre + 2.0


def _package_mlstm(backend, q, k, v, i_pre, f_pre, eps):
    """Run one backend; return ``h`` ``(B, N, T, d)`` and ``(C, n, m)`` in the book's layout or None.

    The paper-version backends take gates as ``(B, N, T, 1)``; the recurrent step works on one
    step and in place (``squeeze_``) on its arguments. Where the package keeps
    :math:`\\sqrt{d}\\,C^\\top` and :math:`\\sqrt{d}\\,n` (it scales ``q`` instead of ``k``),
    they are mapped back.
    """
    _require()
    from mlstm_kernels.torch.chunkwise import mlstm_chunkwise__native_autograd
    from mlstm_kernels.torch.parallel import mlstm_parallel__native_autograd
    from mlstm_kernels.torch.recurrent import mlstm_recurrent_sequence__native_fw
    from xlstm.blocks.mlstm import backends

    B, N, T, d = q.shape
    root = math.sqrt(d)
    if backend == "xlstm parallel":
        h = backends.parallel_stabilized_simple(q, k, v, i_pre[..., None], f_pre[..., None], eps=eps)
        return h, None
    if backend == "xlstm chunkwise":
        h, (C, n, m) = backends.chunkwise_simple(q, k, v, i_pre, f_pre, chunk_size=min(T, 8),
                                                 return_last_state=True, eps=eps)
        return h, (C.transpose(-2, -1) / root, n / root, m.reshape(B, N))
    if backend == "xlstm recurrent step":
        C, n, m = q.new_zeros(B, N, d, d), q.new_zeros(B, N, d, 1), q.new_zeros(B, N, 1, 1)
        hs = []
        for t in range(T):
            step = [a[:, :, t:t + 1].clone() for a in (q, k, v)]
            gates = [a[:, :, t, None, None] for a in (i_pre, f_pre)]
            h, (C, n, m) = backends.recurrent_step_stabilized_simple(C, n, m, *step, *gates, eps=eps)
            hs.append(h.reshape(B, N, d))
        return torch.stack(hs, 2), (C.transpose(-2, -1), n.reshape(B, N, d), m.reshape(B, N))
    if backend == "native parallel":
        return mlstm_parallel__native_autograd(q, k, v, i_pre, f_pre, eps=eps), None
    if backend == "native chunkwise":
        h, (C, n, m) = mlstm_chunkwise__native_autograd(
            q, k, v, i_pre, f_pre, return_last_states=True, eps=eps, chunk_size=min(T, 8))
    elif backend == "native recurrent":
        h, (C, n, m) = mlstm_recurrent_sequence__native_fw(
            q, k, v, i_pre, f_pre, return_last_states=True, eps=eps, dtype_state=q.dtype)
    else:
        raise ValueError(f"expected a backend in {MLSTM_BACKENDS}, got {backend!r}")
    return h, (C.transpose(-2, -1) / root, n / root, m.reshape(B, N))


def compare_mlstm(backend: str, *, batch=2, heads=2, steps=16, d=8, dtype=torch.float32,
                  seed=0, scale=1.0, eps=1e-6) -> dict[str, float]:
    """Largest differences of :math:`\\tilde h` (and of the last ``C, n, m`` where the backend
    returns them) between the hand-written recurrent mLSTM and ``backend``; for the parallel
    backends, ``h parallel`` compares the hand-written parallel form too. (The package's recurrent
    and chunkwise kernels start from :math:`m_0 = 0`, the parallel form from the row maximum; the
    ``eps`` added to the denominator is not scaled by :math:`e^{-m}`, so these two differ by about
    ``eps`` relative, and each is compared to its own kind.)"""
    q, k, v, i_pre, f_pre = _mlstm_inputs(batch, heads, steps, d, dtype, seed, scale)
    start = None  # the parallel backends' m_t is the row maximum: our m_0 = -inf
    if "parallel" not in backend:  # the recurrent and chunkwise ones start from m_0 = 0
        C, n, m = cells.fresh_mlstm_state(q, d)
        start = (C, n, torch.zeros_like(m))
    with torch.no_grad():
        ours, ours_state = cells.mlstm_recurrent(q, k, v, i_pre, f_pre, start, eps=eps)
        ours_parallel = cells.mlstm_parallel(q, k, v, i_pre, f_pre, eps=eps) if start is None else None
        theirs, theirs_state = _package_mlstm(backend, q, k, v, i_pre, f_pre, eps)
    out = {"h (all steps)": _largest((ours, theirs))}
    if start is None:
        out["h parallel"] = _largest((ours_parallel, theirs))
    if theirs_state is not None:
        for name, a, b in zip("Cnm", ours_state, theirs_state):
            out[f"last {name}"] = _largest((a, b))
    return out


def speed_rows(*, batch=16, steps=64, hidden=64, heads=4, repeats=10) -> list[dict]:
    """Median milliseconds of one forward pass (no gradients) of each contender on the same sizes.

    sLSTM: our step loop and the package's vanilla ``sLSTMCell`` on the same pre-projected
    ``(batch, steps, 4H)`` input; ``nn.LSTM`` on ``(batch, steps, H)`` for scale. mLSTM: our
    recurrent and parallel forms and the package's parallel ones, ``heads`` heads of ``H/heads``.
    Rows for the package are left out when it is not installed.
    """
    from lstm_utils.xlstm.tasks import median_seconds

    torch.manual_seed(0)
    layer = cells.SLSTM(hidden, hidden, heads=heads)
    wx = torch.randn(batch, steps, 4 * hidden)  # (batch, seq, 4H)
    x = torch.randn(batch, steps, hidden)  # (batch, seq, H)
    lstm = torch.nn.LSTM(hidden, hidden, batch_first=True)
    state = cells.fresh_slstm_state(batch, hidden, wx)

    def slstm_by_hand():
        s = state
        for t in range(steps):
            s = cells.slstm_step(wx[:, t], *s, layer.weight_hh, layer.bias)

    q, k, v = torch.randn(3, batch, heads, steps, hidden // heads)
    i_pre, f_pre = torch.randn(2, batch, heads, steps)
    contenders = {
        "sLSTM, by hand (step loop)": slstm_by_hand,
        "nn.LSTM (same H)": lambda: lstm(x),
        "mLSTM, by hand, recurrent": lambda: cells.mlstm_recurrent(q, k, v, i_pre, f_pre),
        "mLSTM, by hand, parallel": lambda: cells.mlstm_parallel(q, k, v, i_pre, f_pre),
    }
    if available()[0]:
        package_cell = package_slstm_cell(layer)
        contenders["sLSTM, xlstm vanilla backend"] = lambda: package_cell(wx)
        for backend in ("xlstm parallel", "native parallel", "native chunkwise"):
            contenders[f"mLSTM, {backend}"] = (
                lambda b=backend: _package_mlstm(b, q, k, v, i_pre, f_pre, 1e-6))
    rows = []
    with torch.no_grad():
        for name, fn in sorted(contenders.items()):
            rows.append({"contender": name, "ms": 1e3 * median_seconds(fn, repeats)})
    return rows
