r"""The recurrent cells written from their equations: :class:`RNNCell`, :class:`LSTMCell`, :class:`GRUCell`.

Each equation is one short function whose docstring shows it. The classes have the constructor, call
signature and parameter names of ``torch.nn.RNNCell`` / ``LSTMCell`` / ``GRUCell``, so that
``cell.load_state_dict(torch_cell.state_dict())`` just works, and ``from_torch`` / ``to_torch`` convert.

PyTorch's names and the book's symbols, for a cell with ``G`` gates (LSTM: ``G = 4``, i, f, g, o;
GRU: ``G = 3``, r, z, n; RNN: ``G = 1``):

==================  =====================  ==========================================
PyTorch             shape                  book
==================  =====================  ==========================================
``weight_ih``       ``(G·H, input_size)``  :math:`W_i, W_f, W_g, W_o` stacked
``weight_hh``       ``(G·H, H)``           :math:`U_i, U_f, U_g, U_o` stacked
``bias_ih``         ``(G·H,)``             one summand of :math:`b_*` (PyTorch keeps two biases)
``bias_hh``         ``(G·H,)``             the other: :math:`b_* =` ``bias_ih + bias_hh``
==================  =====================  ==========================================

Row vectors, as in PyTorch: :math:`W x_t` is computed as ``x @ W.T`` for a batch ``x`` of shape
``(batch, input_size)``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from lstm_utils.shapes import check_shape


def affine(x: Tensor, h: Tensor, W: Tensor, U: Tensor,
           b_W: Tensor | None, b_U: Tensor | None) -> Tensor:
    r"""The pre-activation of one gate: :math:`W x_t + U h_{t-1} + b`,
    with :math:`b` = ``b_W + b_U``."""
    return F.linear(x, W, b_W) + F.linear(h, U, b_U)  # (batch, hidden)


def chunks(tensor: Tensor | None, n: int) -> list[Tensor | None]:
    """Split a stacked weight or bias into its ``n`` gate blocks (``None`` stays ``None``: no bias)."""
    return [None] * n if tensor is None else list(tensor.chunk(n, dim=0))


# --- Simple (Elman) RNN ------------------------------------------------------------------------------


def rnn_step(x, h, weight_ih, weight_hh, bias_ih=None, bias_hh=None, nonlinearity="tanh") -> Tensor:
    r""":math:`h_t = \tanh(W_h x_t + U_h h_{t-1} + b_h)` (or ReLU instead of tanh)."""
    z = affine(x, h, weight_ih, weight_hh, bias_ih, bias_hh)
    return torch.tanh(z) if nonlinearity == "tanh" else torch.relu(z)


# --- LSTM -------------------------------------------------------------------------------------------


def input_gate(x, h, W_i, U_i, b_Wi=None, b_Ui=None) -> Tensor:
    r"""Input gate: :math:`i_t = \sigma(W_i x_t + U_i h_{t-1} + b_i)`,
    how much of :math:`g_t` to write."""
    return torch.sigmoid(affine(x, h, W_i, U_i, b_Wi, b_Ui))


def forget_gate(x, h, W_f, U_f, b_Wf=None, b_Uf=None) -> Tensor:
    r"""Forget gate: :math:`f_t = \sigma(W_f x_t + U_f h_{t-1} + b_f)`,
    how much of :math:`c_{t-1}` to keep."""
    return torch.sigmoid(affine(x, h, W_f, U_f, b_Wf, b_Uf))


def candidate(x, h, W_g, U_g, b_Wg=None, b_Ug=None) -> Tensor:
    r"""Candidate cell: :math:`g_t = \tanh(W_g x_t + U_g h_{t-1} + b_g)`,
    what could be written."""
    return torch.tanh(affine(x, h, W_g, U_g, b_Wg, b_Ug))


def output_gate(x, h, W_o, U_o, b_Wo=None, b_Uo=None) -> Tensor:
    r"""Output gate: :math:`o_t = \sigma(W_o x_t + U_o h_{t-1} + b_o)`,
    how much of the cell to show."""
    return torch.sigmoid(affine(x, h, W_o, U_o, b_Wo, b_Uo))


def cell_state(f: Tensor, c_prev: Tensor, i: Tensor, g: Tensor) -> Tensor:
    r"""Cell state: :math:`c_t = f_t \odot c_{t-1} + i_t \odot g_t`,
    the additive memory path."""
    return f * c_prev + i * g


def hidden_state(o: Tensor, c: Tensor) -> Tensor:
    r"""Hidden state: :math:`h_t = o_t \odot \tanh(c_t)`."""
    return o * torch.tanh(c)


class LSTMStep(NamedTuple):
    """Everything one LSTM step computes, each ``(batch, hidden)``."""

    i: Tensor
    f: Tensor
    g: Tensor
    o: Tensor
    c: Tensor
    h: Tensor


def gate_activations(gates: Tensor,
                     hidden: int) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    r""":math:`i_t, f_t, g_t, o_t` from the four gates' pre-activations
    stacked in ``gates`` (batch, 4H).

    .. math:: i_t, f_t, o_t = \sigma(\cdot), \qquad g_t = \tanh(\cdot)

    Two calls instead of four: one ``sigmoid`` over all four blocks (the
    g block's is computed and ignored, which is cheaper than three
    separate calls), and one ``tanh`` over the g block.
    """
    s = torch.sigmoid(gates)  # (batch, 4H)
    g = torch.tanh(gates[..., 2 * hidden : 3 * hidden])  # (batch, H)
    i, f = s[..., :hidden], s[..., hidden : 2 * hidden]
    return i, f, g, s[..., 3 * hidden :]


def lstm_step(x, h, c, weight_ih, weight_hh, bias_ih=None,
              bias_hh=None) -> LSTMStep:
    """One LSTM step from the six equations above; PyTorch's stacked
    weights, gates in the order i, f, g, o."""
    W_i, W_f, W_g, W_o = chunks(weight_ih, 4)
    U_i, U_f, U_g, U_o = chunks(weight_hh, 4)
    bW_i, bW_f, bW_g, bW_o = chunks(bias_ih, 4)
    bU_i, bU_f, bU_g, bU_o = chunks(bias_hh, 4)
    i = input_gate(x, h, W_i, U_i, bW_i, bU_i)  # (batch, hidden)
    f = forget_gate(x, h, W_f, U_f, bW_f, bU_f)
    g = candidate(x, h, W_g, U_g, bW_g, bU_g)
    o = output_gate(x, h, W_o, U_o, bW_o, bU_o)
    c_t = cell_state(f, c, i, g)
    return LSTMStep(i, f, g, o, c_t, hidden_state(o, c_t))


# --- GRU --------------------------------------------------------------------------------------------


def reset_gate(x, h, W_r, U_r, b_Wr=None, b_Ur=None) -> Tensor:
    r"""Reset gate: :math:`r_t = \sigma(W_r x_t + U_r h_{t-1} + b_r)`."""
    return torch.sigmoid(affine(x, h, W_r, U_r, b_Wr, b_Ur))


def update_gate(x, h, W_z, U_z, b_Wz=None, b_Uz=None) -> Tensor:
    r"""Update gate: :math:`z_t = \sigma(W_z x_t + U_z h_{t-1} + b_z)`, how much of :math:`h_{t-1}` to keep."""
    return torch.sigmoid(affine(x, h, W_z, U_z, b_Wz, b_Uz))


def new_gate(x, h, r, W_n, U_n, b_Wn=None, b_Un=None) -> Tensor:
    r"""New state: :math:`n_t = \tanh(W_n x_t + b_{Wn} + r_t \odot (U_n h_{t-1} + b_{Un}))` (PyTorch's form)."""
    return torch.tanh(F.linear(x, W_n, b_Wn) + r * F.linear(h, U_n, b_Un))


def gru_hidden(z: Tensor, n: Tensor, h_prev: Tensor) -> Tensor:
    r""":math:`h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}`."""
    return (1 - z) * n + z * h_prev


def gru_step(x, h, weight_ih, weight_hh, bias_ih=None, bias_hh=None) -> Tensor:
    """One GRU step from the four equations above; gates stacked in PyTorch's order r, z, n."""
    W_r, W_z, W_n = chunks(weight_ih, 3)
    U_r, U_z, U_n = chunks(weight_hh, 3)
    bW_r, bW_z, bW_n = chunks(bias_ih, 3)
    bU_r, bU_z, bU_n = chunks(bias_hh, 3)
    r = reset_gate(x, h, W_r, U_r, bW_r, bU_r)
    z = update_gate(x, h, W_z, U_z, bW_z, bU_z)
    n = new_gate(x, h, r, W_n, U_n, bW_n, bU_n)
    return gru_hidden(z, n, h)


# --- The modules ------------------------------------------------------------------------------------


def check_dtype(tensor: Tensor, expected: torch.dtype, name: str) -> None:
    """Raise ``TypeError: expected input of dtype float32, got float64 (...)`` on a mismatch, naming the fix."""
    if tensor.dtype != expected:
        want, got = str(expected).replace("torch.", ""), str(tensor.dtype).replace("torch.", "")
        raise TypeError(f"expected {name} of dtype {want}, got {got}: convert it with "
                        f"{name}.to(torch.{want}), or the module with module.to(torch.{got})")


def check_sizes(**sizes) -> None:
    """Raise ``ValueError: expected hidden_size to be a positive int, got 3.5`` for a size that is not one."""
    for name, value in sizes.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"expected {name} to be a positive int, got {value!r}")


def init_like_torch(module: nn.Module, hidden_size: int) -> None:
    """PyTorch's initialisation of recurrent modules: every parameter uniform in :math:`[-1/\\sqrt{H}, 1/\\sqrt{H}]`."""
    bound = 1.0 / math.sqrt(hidden_size)
    for p in module.parameters():
        nn.init.uniform_(p, -bound, bound)


class _Cell(nn.Module):
    """What the three cells share: parameters, PyTorch's initialisation, input checks, conversion."""

    gates = 1
    torch_class: type[nn.Module] = nn.RNNCell

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        check_sizes(input_size=input_size, hidden_size=hidden_size)
        kw = {"device": device, "dtype": dtype}
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        G = self.gates * hidden_size
        self.weight_ih = nn.Parameter(torch.empty(G, input_size, **kw))  # W_*, stacked
        self.weight_hh = nn.Parameter(torch.empty(G, hidden_size, **kw))  # U_*, stacked
        self.register_parameter("bias_ih", nn.Parameter(torch.empty(G, **kw)) if bias else None)  # b_W
        self.register_parameter("bias_hh", nn.Parameter(torch.empty(G, **kw)) if bias else None)  # b_U
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init_like_torch(self, self.hidden_size)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")

    def _params(self) -> tuple:
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh

    def _check(self, input: Tensor, states: list[Tensor | None]) -> tuple[Tensor, list[Tensor], bool]:
        """Check shapes and dtypes; return the batched input, the states (zeros if missing), batched?"""
        if not isinstance(input, Tensor):
            raise TypeError(f"expected input to be a torch.Tensor, got {type(input).__name__}")
        batched = input.dim() == 2
        expected = ("batch", self.input_size) if batched or input.dim() != 1 else (self.input_size,)
        check_shape(input, expected, name="input")
        check_dtype(input, self.weight_ih.dtype, "input")
        x = input if batched else input.unsqueeze(0)
        out = []
        for name, s in zip(("h", "c"), states):
            if s is None:
                s = torch.zeros(x.shape[0], self.hidden_size, dtype=x.dtype, device=x.device)
            else:
                check_shape(s, expected[:-1] + (self.hidden_size,), name=name,
                            bound={"batch": x.shape[0]} if batched else None)
                check_dtype(s, x.dtype, name)
                s = s if batched else s.unsqueeze(0)
            out.append(s)
        return x, out, batched

    @classmethod
    def from_torch(cls, module: nn.Module) -> "_Cell":
        """A copy of the torch cell ``module`` (same sizes, dtype, device and weights)."""
        if not isinstance(module, cls.torch_class):
            raise TypeError(f"expected a {cls.torch_class.__name__}, got {type(module).__name__}")
        w = module.weight_ih
        kw = {"nonlinearity": module.nonlinearity} if isinstance(module, nn.RNNCell) else {}
        cell = cls(module.input_size, module.hidden_size, bias=module.bias, device=w.device, dtype=w.dtype, **kw)
        cell.load_state_dict(module.state_dict())
        return cell

    def to_torch(self) -> nn.Module:
        """The equivalent torch cell, with a copy of these weights."""
        w = self.weight_ih
        kw = {"nonlinearity": self.nonlinearity} if isinstance(self, RNNCell) else {}
        module = self.torch_class(self.input_size, self.hidden_size, bias=self.bias, device=w.device, dtype=w.dtype, **kw)
        module.load_state_dict(self.state_dict())
        return module


class RNNCell(_Cell):
    """``torch.nn.RNNCell`` from :func:`rnn_step`: ``cell(x, h) -> h``; ``x`` is ``(batch, input_size)`` or ``(input_size,)``."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"expected nonlinearity 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def extra_repr(self) -> str:
        return super().extra_repr() + ("" if self.nonlinearity == "tanh" else ", nonlinearity='relu'")

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h,), batched = self._check(input, [hx])
        h = rnn_step(x, h, *self._params(), nonlinearity=self.nonlinearity)  # (batch, hidden)
        return h if batched else h.squeeze(0)


class LSTMCell(_Cell):
    """``torch.nn.LSTMCell`` from :func:`lstm_step`: ``cell(x, (h, c)) -> (h, c)``; ``hx`` defaults to zeros."""

    gates = 4
    torch_class = nn.LSTMCell

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        if hx is not None and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise TypeError(f"expected hx to be a tuple (h, c), got {type(hx).__name__}")
        x, (h, c), batched = self._check(input, list(hx) if hx is not None else [None, None])
        step = lstm_step(x, h, c, *self._params())
        return (step.h, step.c) if batched else (step.h.squeeze(0), step.c.squeeze(0))


class GRUCell(_Cell):
    """``torch.nn.GRUCell`` from :func:`gru_step`: ``cell(x, h) -> h``."""

    gates = 3
    torch_class = nn.GRUCell

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h,), batched = self._check(input, [hx])
        h = gru_step(x, h, *self._params())  # (batch, hidden)
        return h if batched else h.squeeze(0)
