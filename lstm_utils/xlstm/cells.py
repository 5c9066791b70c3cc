r"""The sLSTM and the mLSTM (Beck et al., 2024, §2.2–2.3), one function per equation.

Symbols as in the book: pre-activations carry a tilde (:math:`\tilde\imath_t, \tilde f_t,
\tilde z_t, \tilde o_t`), :math:`W_*` are input weights, :math:`R_*` recurrent weights (the paper's
name for the LSTM's :math:`U_*`), :math:`b_*` biases, :math:`m_t` the stabiliser.

Layouts (row vectors, as in PyTorch):

================  ===========================  ================================================
name              shape                        book
================  ===========================  ================================================
sLSTM ``wx``      ``(batch, 4H)``              :math:`W_* x_t`, gates stacked i, f, z, o
``weight_hh``     ``(4, heads, d, d)``         :math:`R_*`, block-diagonal: one ``d×d`` per head
``bias``          ``(4, H)``                   :math:`b_i, b_f, b_z, b_o`
mLSTM ``q k v``   ``(batch, heads, [T,] d)``   query, key, value of each head
mLSTM ``C``       ``(batch, heads, d_v, d_k)``  :math:`C_t` (``mlstm_kernels`` stores
                                               :math:`\sqrt{d}\,C_t^\top`)
================  ===========================  ================================================

Every function works in float32 and float64 alike.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from lstm_utils.cells import cell_state
from lstm_utils.shapes import check_shape

# --- gates and the stabiliser (shared by both cells) ---------------------------------------------


class _LogSigmoid(torch.autograd.Function):
    r"""Forward :math:`\min(x, 0) - \log(1 + e^{-|x|})`; backward :math:`\sigma(-x)` in one op."""

    @staticmethod
    def forward(ctx, x: Tensor) -> Tensor:
        ctx.save_for_backward(x)
        return torch.minimum(x, torch.zeros_like(x)) - torch.log(1 + torch.exp(-x.abs()))

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * torch.sigmoid(-x)


def log_sigmoid(x: Tensor) -> Tensor:
    r""":math:`\log\sigma(x) = \min(x, 0) - \log(1 + e^{-|x|})`, with
    gradient :math:`\sigma(-x)`.

    Equal to ``F.logsigmoid`` but, on the CPUs measured in the chapter,
    faster; unlike ``torch.log(torch.sigmoid(x))`` it stays finite (value
    and gradient) for very negative ``x``.
    """
    return _LogSigmoid.apply(x)


def stabiliser(log_f: Tensor, m_prev: Tensor, log_i: Tensor) -> Tensor:
    r""":math:`m_t = \max(\log f_t + m_{t-1},\ \log i_t)`: the largest
    log-weight in the memory."""
    return torch.maximum(log_f + m_prev, log_i)


def stabilised_gates(log_i: Tensor, log_f: Tensor, m_prev: Tensor,
                     m: Tensor) -> tuple[Tensor, Tensor]:
    r""":math:`i'_t = e^{\log i_t - m_t}`,
    :math:`f'_t = e^{\log f_t + m_{t-1} - m_t}`; both in (0, 1]."""
    return torch.exp(log_i - m), torch.exp(log_f + m_prev - m)


# --- sLSTM ---------------------------------------------------------------------------------------


def slstm_preactivation(wx: Tensor, h: Tensor, weight_hh: Tensor, bias: Tensor) -> Tensor:
    r""":math:`W_* x_t + R_* h_{t-1} + b_*` for the four gates; :math:`R_*` block-diagonal per head.

    ``wx`` ``(batch, 4H)``, ``h`` ``(batch, H)``, ``weight_hh`` ``(4, heads, d, d)``,
    ``bias`` ``(4, H)``; returns ``(batch, 4H)`` stacked i, f, z, o.
    """
    _, heads, d, _ = weight_hh.shape
    rh = torch.einsum("bnj,gnij->bgni", h.reshape(-1, heads, d), weight_hh)  # (batch, 4, heads, d)
    return wx + rh.reshape(wx.shape) + bias.reshape(-1)


def normaliser_state(f: Tensor, n_prev: Tensor, i: Tensor) -> Tensor:
    r"""Normaliser: :math:`n_t = f_t\, n_{t-1} + i_t`, the sum of the weights written into :math:`c_t`."""
    return f * n_prev + i


def slstm_hidden(o: Tensor, c: Tensor, n: Tensor) -> Tensor:
    r"""Hidden state: :math:`h_t = o_t \odot c_t / n_t`, a weighted mean of the :math:`z` written."""
    return o * c / n


def slstm_step(wx, h, c, n, m, weight_hh, bias, *, stabilise=True,
               forget="sigmoid"):
    r"""One sLSTM step; returns ``(h, c, n, m)``, each ``(batch, H)``.

    :math:`z_t = \tanh\tilde z_t`, :math:`i_t = e^{\tilde\imath_t}`,
    :math:`f_t = \sigma(\tilde f_t)` (``forget="exp"``:
    :math:`e^{\tilde f_t}`), :math:`o_t = \sigma(\tilde o_t)`. With
    ``stabilise`` the gates are :math:`i'_t, f'_t`; without, they are
    :math:`i_t, f_t`, :math:`m_t = 0`, and :math:`e^{\tilde\imath_t}`
    overflows float32 once :math:`\tilde\imath_t > 88`. A fresh state has
    :math:`m_0 = -\infty` (nothing stored yet), which makes
    :math:`m_1 = \tilde\imath_1`, as the package's vanilla backend does.
    """
    pre = slstm_preactivation(wx, h, weight_hh, bias)  # (batch, 4H)
    i_pre, f_pre, z_pre, o_pre = pre.chunk(4, dim=-1)
    log_i = i_pre
    log_f = f_pre if forget == "exp" else log_sigmoid(f_pre)
    if stabilise:
        m_prev, m = m, stabiliser(log_f, m, log_i)
        i, f = stabilised_gates(log_i, log_f, m_prev, m)
    else:
        i, f, m = torch.exp(log_i), torch.exp(log_f), torch.zeros_like(m)
    c = cell_state(f, c, i, torch.tanh(z_pre))
    n = normaliser_state(f, n, i)
    return slstm_hidden(torch.sigmoid(o_pre), c, n), c, n, m


def fresh_slstm_state(batch: int, hidden: int, like: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    r"""Zeros for :math:`h_0, c_0, n_0`, and :math:`m_0 = -\infty`."""
    zeros = like.new_zeros(batch, hidden)
    return zeros, zeros, zeros, torch.full_like(zeros, -math.inf)


class SLSTM(nn.Module):
    r"""An sLSTM layer: ``(batch, seq, input_size) -> (batch, seq, hidden_size)``.

    ``weight_ih`` ``(4H, input_size)`` holds :math:`W_i, W_f, W_z, W_o` stacked (PyTorch's layout,
    the package's gate order); ``weight_hh`` ``(4, heads, d, d)`` the blocks of :math:`R_*`;
    ``bias`` ``(4, H)``. The forget bias starts in [3, 6] (the package's ``small_init``) so
    that the memory lasts from the start.
    """

    def __init__(self, input_size: int, hidden_size: int, heads: int = 1, dtype=None) -> None:
        super().__init__()
        if hidden_size % heads:
            raise ValueError(f"expected hidden_size divisible by heads={heads}, got {hidden_size}")
        d, kw = hidden_size // heads, {"dtype": dtype}
        self.input_size, self.hidden_size, self.heads = input_size, hidden_size, heads
        self.weight_ih = nn.Parameter(torch.empty(4 * hidden_size, input_size, **kw))
        self.weight_hh = nn.Parameter(torch.empty(4, heads, d, d, **kw))
        self.bias = nn.Parameter(torch.zeros(4, hidden_size, **kw))
        bound = 1 / math.sqrt(hidden_size)
        nn.init.uniform_(self.weight_ih, -bound, bound)
        nn.init.uniform_(self.weight_hh, -1 / math.sqrt(d), 1 / math.sqrt(d))
        with torch.no_grad():
            self.bias[1] = torch.linspace(3.0, 6.0, hidden_size)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, heads={self.heads}"

    def forward(self, x: Tensor, state=None, *, stabilise: bool = True):
        """Return the outputs ``(batch, seq, H)`` and the last state ``(h, c, n, m)``."""
        check_shape(x, ("batch", "seq", self.input_size), name="input")
        B, T, _ = x.shape
        state = state or fresh_slstm_state(B, self.hidden_size, x)
        wx = x @ self.weight_ih.T  # (batch, seq, 4H)
        outputs = []
        for t in range(T):
            state = slstm_step(wx[:, t], *state, self.weight_hh, self.bias,
                               stabilise=stabilise)
            outputs.append(state[0])
        return torch.stack(outputs, dim=1), state


# --- mLSTM ---------------------------------------------------------------------------------------


def matrix_memory(f: Tensor, C_prev: Tensor, i: Tensor, v: Tensor, k: Tensor) -> Tensor:
    r"""Matrix memory: :math:`C_t = f_t\, C_{t-1} + i_t\, v_t k_t^\top` (a covariance update).

    ``f, i`` ``(batch, heads)``; ``C`` ``(batch, heads, d_v, d_k)``; ``v``/``k`` ``(batch, heads, d)``.
    """
    return f[..., None, None] * C_prev + i[..., None, None] * v[..., :, None] * k[..., None, :]


def key_normaliser(f: Tensor, n_prev: Tensor, i: Tensor, k: Tensor) -> Tensor:
    r"""Normaliser: :math:`n_t = f_t\, n_{t-1} + i_t\, k_t`, the weighted sum of the keys written."""
    return f[..., None] * n_prev + i[..., None] * k


def mlstm_readout(C: Tensor, n: Tensor, q: Tensor, m: Tensor, eps: float = 1e-6) -> Tensor:
    r"""Retrieval: :math:`\tilde h_t = C_t q_t / \max(|n_t^\top q_t|, 1)`, stabilised.

    With the stabilised :math:`C'_t = e^{-m_t} C_t`, :math:`n'_t = e^{-m_t} n_t` the same value is
    :math:`C'_t q_t / \max(|n'^\top_t q_t|, e^{-m_t})`. ``eps`` is the package's guard against 0
    (it adds ``eps`` to the denominator).
    """
    numerator = torch.einsum("bnvk,bnk->bnv", C, q)  # (batch, heads, d_v)
    qn = torch.einsum("bnk,bnk->bn", n, q)  # (batch, heads)
    denominator = torch.maximum(qn.abs(), torch.exp(-m)) + eps
    return numerator / denominator[..., None]


def mlstm_step(q, k, v, i_pre, f_pre, C, n, m, *, eps=1e-6,
               stabilise=True):
    r"""One mLSTM step; returns :math:`\tilde h_t` ``(batch, heads, d_v)``
    and ``(C, n, m)``.

    The key is scaled, :math:`k_t \leftarrow k_t/\sqrt{d}`;
    :math:`i_t = e^{\tilde\imath_t}`, :math:`f_t = \sigma(\tilde f_t)`,
    both scalars per head. Unstabilised, :math:`m_t = 0` throughout.
    """
    k = k / math.sqrt(k.shape[-1])
    log_f = log_sigmoid(f_pre)
    if stabilise:
        m_prev, m = m, stabiliser(log_f, m, i_pre)
        i, f = stabilised_gates(i_pre, log_f, m_prev, m)
    else:
        i, f, m = torch.exp(i_pre), torch.exp(log_f), torch.zeros_like(m)
    C = matrix_memory(f, C, i, v, k)
    n = key_normaliser(f, n, i, k)
    return mlstm_readout(C, n, q, m, eps), (C, n, m)


def fresh_mlstm_state(q: Tensor, d_v: int) -> tuple[Tensor, Tensor, Tensor]:
    r"""Zeros for ``C`` ``(batch, heads, d_v, d_k)`` and ``n`` ``(batch, heads, d_k)``, and
    :math:`m_0 = -\infty` ``(batch, heads)``: then :math:`m_t` is the row maximum of the parallel
    form's :math:`\log D` (the package's recurrent kernels start at :math:`m_0 = 0` instead)."""
    B, N, _, d_k = q.shape
    return q.new_zeros(B, N, d_v, d_k), q.new_zeros(B, N, d_k), q.new_full((B, N), -math.inf)


def mlstm_recurrent(q, k, v, i_pre, f_pre, state=None, *, eps=1e-6, stabilise=True):
    """The mLSTM step by step: ``q, k, v`` ``(batch, heads, T, d)``, gates ``(batch, heads, T)``.

    Returns :math:`\\tilde h` ``(batch, heads, T, d_v)`` and the last ``(C, n, m)``.
    """
    state = state or fresh_mlstm_state(q, v.shape[-1])
    outputs = []
    for t in range(q.shape[2]):
        h, state = mlstm_step(q[:, :, t], k[:, :, t], v[:, :, t], i_pre[..., t], f_pre[..., t],
                              *state, eps=eps, stabilise=stabilise)
        outputs.append(h)
    return torch.stack(outputs, dim=2), state


def log_decay_matrix(log_f: Tensor, i_pre: Tensor) -> Tensor:
    r""":math:`\log D_{ts} = \sum_{r=s+1}^{t} \log f_r + \tilde\imath_s`
    for :math:`s \le t`, else :math:`-\infty`: the log-weight with which
    step :math:`s` is still in :math:`C_t`.

    ``log_f``, ``i_pre`` ``(batch, heads, T)``; returns
    ``(batch, heads, T, T)``.
    """
    F_cum = log_f.cumsum(dim=-1)  # sum_{r<=t} log f_r
    log_D = F_cum[..., :, None] - F_cum[..., None, :] + i_pre[..., None, :]
    T = log_f.shape[-1]
    causal = torch.ones(T, T, dtype=torch.bool, device=log_f.device).tril()
    return log_D.masked_fill(~causal, -math.inf)


def mlstm_parallel(q, k, v, i_pre, f_pre, *, eps=1e-6, stabilise=True):
    r"""The mLSTM for all steps at once, row by row:
    :math:`\tilde H = \frac{(QK^\top/\sqrt{d} \odot D)\,V}
    {\max(|(QK^\top/\sqrt{d} \odot D)\,\mathbf 1|,\ 1)}`.

    Unrolling
    :math:`C_t q_t = \sum_{s\le t} D_{ts}\,(k_s^\top q_t/\sqrt d)\, v_s`
    and :math:`n_t^\top q_t = \sum_{s\le t} D_{ts}\, k_s^\top q_t/\sqrt d`
    gives this form. Stabilised, each row :math:`t` is scaled by
    :math:`e^{-m_t}`, :math:`m_t = \max_s \log D_{ts}`, and the 1 becomes
    :math:`e^{-m_t}`. Shapes as :func:`mlstm_recurrent`; returns
    :math:`\tilde H` only.
    """
    log_f = log_sigmoid(f_pre)  # (batch, heads, T)
    log_D = log_decay_matrix(log_f, i_pre)  # (batch, heads, T, T)
    if stabilise:
        m = log_D.amax(dim=-1, keepdim=True)  # (batch, heads, T, 1)
    else:
        m = torch.zeros_like(log_D[..., :1])
    d = k.shape[-1]
    S = q @ k.transpose(-2, -1) / math.sqrt(d)  # (batch, heads, T, T)
    weights = S * torch.exp(log_D - m)
    row_sum = weights.sum(-1, keepdim=True).abs()
    denominator = torch.maximum(row_sum, torch.exp(-m)) + eps
    return (weights / denominator) @ v


class MLSTM(nn.Module):
    r"""An mLSTM layer: ``(batch, seq, input_size) -> (batch, seq, hidden_size)``.

    :math:`q_t, k_t, v_t, o_t` and the gate pre-activations :math:`\tilde\imath_t, \tilde f_t` are
    linear in :math:`x_t` only (no :math:`h_{t-1}`), which is what allows the parallel form;
    :math:`h_t = o_t \odot \tilde h_t` with :math:`o_t = \sigma(W_o x_t + b_o)`. The paper's block
    adds an up-projection, a causal convolution and a norm around this cell; they are left out.
    """

    def __init__(self, input_size: int, hidden_size: int, heads: int = 1, dtype=None) -> None:
        super().__init__()
        if hidden_size % heads:
            raise ValueError(f"expected hidden_size divisible by heads={heads}, got {hidden_size}")
        self.input_size, self.hidden_size, self.heads = input_size, hidden_size, heads
        self.qkvo = nn.Linear(input_size, 4 * hidden_size, dtype=dtype)  # W_q, W_k, W_v, W_o
        self.gates = nn.Linear(input_size, 2 * heads, dtype=dtype)  # w_i, w_f per head
        with torch.no_grad():
            self.gates.bias[heads:] = torch.linspace(3.0, 6.0, heads)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, heads={self.heads}"

    def forward(self, x: Tensor, *, parallel: bool = True) -> Tensor:
        check_shape(x, ("batch", "seq", self.input_size), name="input")
        B, T, _ = x.shape
        q, k, v, o = self.qkvo(x).chunk(4, dim=-1)  # each (batch, seq, H)
        q, k, v = (a.reshape(B, T, self.heads, -1).transpose(1, 2) for a in (q, k, v))
        i_pre, f_pre = self.gates(x).transpose(1, 2).chunk(2, dim=1)  # (batch, heads, seq)
        if parallel:
            h = mlstm_parallel(q, k, v, i_pre, f_pre)
        else:
            h = mlstm_recurrent(q, k, v, i_pre, f_pre)[0]
        return torch.sigmoid(o) * h.transpose(1, 2).reshape(B, T, -1)
