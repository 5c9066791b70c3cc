r"""Multi-layer, optionally bidirectional :class:`RNN`, :class:`LSTM` and :class:`GRU` layers, written as loops.

Same constructor, call signature, return values and parameter names as ``torch.nn.RNN`` / ``LSTM`` /
``GRU`` (``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}``, ``_reverse`` for the
second direction), so ``layer.load_state_dict(torch_layer.state_dict())`` just works, and
``from_torch`` / ``to_torch`` convert. Each time step calls the readable step functions of
:mod:`lstm_utils.cells` (one matrix product per gate): clear, and slow; see
:mod:`lstm_utils.fast_lstm` for the fast version.

The algorithm, for layer :math:`k` and direction :math:`d`: read the previous layer's output
(the input for :math:`k = 0`) from the first step to the last (``d = 0``) or from the last to the first
(``d = 1``, bidirectional), one cell step at a time; concatenate both directions' hidden states into
this layer's output; apply dropout between layers (training only).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from lstm_utils.cells import check_dtype, check_sizes, gru_step, init_like_torch, lstm_step, rnn_step
from lstm_utils.shapes import check_shape
from lstm_utils.torch_conversion import convert


class _Recurrent(nn.Module):
    """What the three layers share; a subclass sets ``gates``, ``n_states``, ``torch_class`` and ``step``."""

    gates = 1
    n_states = 1  # 1: the state is h; 2: it is (h, c)
    torch_class: type[nn.Module] = nn.RNN

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device=None, dtype=None) -> None:
        super().__init__()
        check_sizes(input_size=input_size, hidden_size=hidden_size, num_layers=num_layers)
        if not isinstance(dropout, (int, float)) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
            raise ValueError(f"expected dropout in [0, 1], got {dropout!r}")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout, self.bidirectional = bias, batch_first, float(dropout), bidirectional
        kw = {"device": device, "dtype": dtype}
        G, D = self.gates * hidden_size, 2 if bidirectional else 1
        for k in range(num_layers):
            for suffix in ("", "_reverse")[:D]:
                layer_input = input_size if k == 0 else D * hidden_size
                self.register_parameter(f"weight_ih_l{k}{suffix}", nn.Parameter(torch.empty(G, layer_input, **kw)))
                self.register_parameter(f"weight_hh_l{k}{suffix}", nn.Parameter(torch.empty(G, hidden_size, **kw)))
                if bias:
                    self.register_parameter(f"bias_ih_l{k}{suffix}", nn.Parameter(torch.empty(G, **kw)))
                    self.register_parameter(f"bias_hh_l{k}{suffix}", nn.Parameter(torch.empty(G, **kw)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init_like_torch(self, self.hidden_size)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        defaults = {"num_layers": 1, "bias": True, "batch_first": False, "dropout": 0.0, "bidirectional": False}
        return s + "".join(f", {k}={getattr(self, k)}" for k, v in defaults.items() if getattr(self, k) != v)

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    def layer_parameters(self, k: int, reverse: bool = False) -> tuple[Tensor, Tensor, Tensor | None, Tensor | None]:
        """``(weight_ih, weight_hh, bias_ih, bias_hh)`` of layer ``k`` (biases ``None`` when ``bias=False``)."""
        s, p = f"_l{k}" + ("_reverse" if reverse else ""), self._parameters  # the dict: faster than getattr
        return p["weight_ih" + s], p["weight_hh" + s], p.get("bias_ih" + s), p.get("bias_hh" + s)

    def step(self, x: Tensor, state: tuple[Tensor, ...], params: tuple) -> tuple[Tensor, ...]:
        raise NotImplementedError

    # --- checks -------------------------------------------------------------------------------------

    def _prepare(self, input: Tensor, hx) -> tuple[Tensor, list[Tensor], bool]:
        """Check the input and states; return time-first batched input, states ``(L·D, batch, H)``, batched?"""
        if not isinstance(input, Tensor):
            raise TypeError(f"expected input to be a torch.Tensor, got {type(input).__name__}")
        batched = input.dim() == 3
        layout = ("batch", "seq", self.input_size) if self.batch_first else ("seq", "batch", self.input_size)
        check_shape(input, layout if batched or input.dim() != 2 else ("seq", self.input_size), name="input")
        check_dtype(input, self.weight_ih_l0.dtype, "input")
        x = input.unsqueeze(1) if not batched else (input.transpose(0, 1) if self.batch_first else input)
        LD, B = self.num_layers * self.num_directions, x.shape[1]
        names = ("h_0", "c_0")[: self.n_states]
        if hx is None:
            states = [x.new_zeros(LD, B, self.hidden_size)] * len(names)  # read only: one zero tensor serves
        else:
            if self.n_states == 2 and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
                raise TypeError(f"expected hx to be a tuple (h_0, c_0), got {type(hx).__name__}")
            states = list(hx) if self.n_states == 2 else [hx]
            expected = (LD, B, self.hidden_size) if batched else (LD, self.hidden_size)
            for name, s in zip(names, states):
                check_shape(s, expected, name=name)
                check_dtype(s, x.dtype, name)
            states = [s if batched else s.unsqueeze(1) for s in states]
        return x, states, batched

    # --- forward ------------------------------------------------------------------------------------

    def run_direction(self, x: Tensor, state: tuple[Tensor, ...],
                      params: tuple, reverse: bool = False):
        """Run one layer in one direction over ``x`` ``(seq, batch,
        feature)``: outputs ``(seq, batch, H)``, last state."""
        seq = x.shape[0]
        outputs = [None] * seq
        steps = range(seq - 1, -1, -1) if reverse else range(seq)
        for t in steps:
            state = self.step(x[t], state, params)
            outputs[t] = state[0]  # h_t, (batch, hidden)
        if not outputs:  # an empty sequence
            return x.new_zeros(0, x.shape[1], self.hidden_size), state
        return torch.stack(outputs), state

    def forward(self, input: Tensor, hx=None):
        x, states, batched = self._prepare(input, hx)  # x: (seq, batch, feature)
        finals = []  # one state tuple per (layer, direction)
        for k in range(self.num_layers):
            outs = []
            for d in range(self.num_directions):
                state = tuple(s[k * self.num_directions + d] for s in states)  # each (batch, hidden)
                out, state = self.run_direction(x, state, self.layer_parameters(k, d == 1), reverse=d == 1)
                outs.append(out)
                finals.append(state)
            x = outs[0] if len(outs) == 1 else torch.cat(outs, dim=-1)  # (seq, batch, D·hidden)
            if self.dropout and self.training and k < self.num_layers - 1:
                x = F.dropout(x, self.dropout, training=True)
        last = [torch.stack([f[j] for f in finals]) for j in range(self.n_states)]  # each (L·D, batch, hidden)
        if not batched:
            x, last = x.squeeze(1), [s.squeeze(1) for s in last]
        elif self.batch_first:
            x = x.transpose(0, 1)  # (batch, seq, D·hidden)
        return x, (tuple(last) if self.n_states == 2 else last[0])

    # --- conversion ---------------------------------------------------------------------------------

    @classmethod
    def from_torch(cls, module: nn.Module, **options) -> "_Recurrent":
        """A copy of the torch layer ``module``: same configuration, dtype, device and weights.

        ``options`` go to the constructor, for a subclass's own (``CompiledLSTM``'s ``compile=False``).
        """
        if not isinstance(module, cls.torch_class):
            raise TypeError(f"expected a torch.nn.{cls.torch_class.__name__}, got {type(module).__name__}")
        return convert(module, cls, **options)

    def to_torch(self) -> nn.Module:
        """The equivalent torch layer, with a copy of these weights."""
        return convert(self, self.torch_class)


class RNN(_Recurrent):
    """``torch.nn.RNN`` as a loop over :func:`lstm_utils.cells.rnn_step`; returns ``output, h_n``."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"expected nonlinearity 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, device, dtype)
        self.nonlinearity = nonlinearity

    def step(self, x, state, params):
        return (rnn_step(x, state[0], *params, nonlinearity=self.nonlinearity),)


class GRU(_Recurrent):
    """``torch.nn.GRU`` as a loop over :func:`lstm_utils.cells.gru_step`; returns ``output, h_n``."""

    gates = 3
    torch_class = nn.GRU

    def step(self, x, state, params):
        return (gru_step(x, state[0], *params),)


class LSTM(_Recurrent):
    """``torch.nn.LSTM`` as a loop over :func:`lstm_utils.cells.lstm_step`; returns ``output, (h_n, c_n)``.

    ``proj_size`` is accepted for signature compatibility; only ``proj_size=0`` is supported.
    """

    gates = 4
    n_states = 2
    torch_class = nn.LSTM

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        if proj_size:
            raise NotImplementedError(f"proj_size > 0 is not supported, got proj_size={proj_size}")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, device, dtype)
        self.proj_size = 0

    def step(self, x, state, params):
        s = lstm_step(x, state[0], state[1], *params)
        return s.h, s.c

    def trace(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> dict[str, Tensor]:
        """Every gate and state of the **first layer, forward direction**, at every step.

        Returns a dict with keys ``"i", "f", "g", "o", "c", "h"``, each of shape ``(seq, batch, hidden)``:
        **always time first**, even when ``batch_first=True`` (an unbatched input gives ``batch = 1``).
        ``trace(x)["h"]`` equals the forward half of the first layer's output.
        """
        x, (h0, c0), _ = self._prepare(input, hx)  # x: (seq, batch, feature)
        h, c = h0[0], c0[0]
        steps = []
        for t in range(x.shape[0]):
            s = lstm_step(x[t], h, c, *self.layer_parameters(0))
            h, c = s.h, s.c
            steps.append(s)
        if not steps:
            empty = x.new_zeros(0, x.shape[1], self.hidden_size)
            return {key: empty for key in "ifgoch"}
        return {key: torch.stack([getattr(s, key) for s in steps]) for key in "ifgoch"}
