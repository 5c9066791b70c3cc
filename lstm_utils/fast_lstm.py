"""A hand-written LSTM layer as fast as ``torch.nn.LSTM``: the steps that close the gap.

The readable LSTM computes each gate with its own matrix products at every time step. This one
computes exactly the same function (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et
al. 2000, in PyTorch's layout) with three changes:

1. **one matrix product for all time steps' input projections**: the input part of the gates does not
   depend on :math:`h_{t-1}`, so for the whole sequence at once

   .. math:: X W^\\top + b_{ih} + b_{hh} \\quad\\text{(seq·batch, 4H)}

2. **one** :math:`h_{t-1} U^\\top` **per step** for the four gates stacked (i, f, g, o), added to
   the precomputed row by ``addmm``;
3. **fused gate nonlinearities**: one ``sigmoid`` over the stacked pre-activations and one ``tanh`` over
   the g block, instead of one call per gate.

:class:`CompiledLSTM` adds two more: 4. a **hand-written backward pass** (one matrix product per step
inside the loop, the weight gradients as three products over all steps), and 5. ``torch.compile`` of
both loops, which fuses each step's element-wise work into one kernel; when compilation is unavailable
it falls back to the same loops run eagerly.

Parameters keep ``nn.LSTM``'s names and shapes, so ``load_state_dict`` works both ways:
``weight_ih_l{k}`` is :math:`W = [W_i; W_f; W_g; W_o]` of shape (4H, H_in), ``weight_hh_l{k}`` is
:math:`U = [U_i; U_f; U_g; U_o]` of shape (4H, H), ``bias_ih_l{k}`` and ``bias_hh_l{k}`` are
:math:`b_{ih}` and :math:`b_{hh}` (their sum is the book's :math:`b_*`), ``_reverse`` marks the
backward direction.
"""

from __future__ import annotations

import math
import time
import warnings

import torch
from torch import nn
from torch.nn import functional as F

from lstm_utils.torch_conversion import convert

__all__ = [
    "FusedLSTM", "CompiledLSTM", "gate_activations", "lstm_cell_pointwise", "lstm_recurrence",
    "recurrence_forward", "recurrence_backward",
]  # fmt: skip


def gate_activations(gates: torch.Tensor, hidden: int):
    """:math:`i_t, f_t, g_t, o_t` from the stacked pre-activations ``gates`` (batch, 4H), in two calls.

    .. math:: i_t, f_t, o_t = \\sigma(\\cdot), \\qquad g_t = \\tanh(\\cdot)

    One ``sigmoid`` covers all four blocks (the g block's is computed and ignored, which is cheaper
    than three separate calls); one ``tanh`` covers the g block.
    """
    s = torch.sigmoid(gates)  # (batch, 4H)
    g = torch.tanh(gates[:, 2 * hidden : 3 * hidden])  # (batch, H)
    return s[:, :hidden], s[:, hidden : 2 * hidden], g, s[:, 3 * hidden :]


def lstm_cell_pointwise(gates: torch.Tensor, c: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The element-wise part of one step, from the stacked pre-activations ``gates`` (batch, 4H).

    .. math:: c_t = f_t \\odot c_{t-1} + i_t \\odot g_t, \\qquad h_t = o_t \\odot \\tanh(c_t)
    """
    i, f, g, o = gate_activations(gates, c.shape[-1])  # each (batch, H)
    c = torch.addcmul(f * c, i, g)  # (batch, H)
    h = o * torch.tanh(c)  # (batch, H)
    return h, c


def lstm_recurrence(
    x: torch.Tensor,
    weight_ih: torch.Tensor,
    weight_hh: torch.Tensor,
    bias: torch.Tensor | None,
    h: torch.Tensor,
    c: torch.Tensor,
    reverse: bool = False,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One direction of one layer over a whole sequence ``x`` (seq, batch, H_in).

    .. math::
        A = X W^\\top + b \\ \\text{(all steps at once)}, \\qquad
        \\text{gates}_t = A_t + h_{t-1} U^\\top \\ \\text{(one addmm per step)}

    Returns the outputs (seq, batch, H) and the final :math:`h_T`, :math:`c_T` (batch, H).
    """
    seq, batch, _ = x.shape
    flat = x.reshape(seq * batch, -1)  # (seq*batch, H_in)
    if bias is None:
        projected = flat @ weight_ih.t()  # (seq*batch, 4H)
    else:
        projected = torch.addmm(bias, flat, weight_ih.t())  # (seq*batch, 4H)
    projected = projected.view(seq, batch, -1)  # (seq, batch, 4H)
    u_t = weight_hh.t().contiguous()  # (H, 4H), copied once so that every step reads it row by row
    rows = projected.unbind(0)  # seq views (batch, 4H); their backward is one stack, not seq zero-filled copies
    steps = range(seq - 1, -1, -1) if reverse else range(seq)
    outputs = [None] * seq
    for t in steps:
        gates = torch.addmm(rows[t], h, u_t)  # (batch, 4H)
        h, c = lstm_cell_pointwise(gates, c)
        outputs[t] = h
    return torch.stack(outputs), h, c  # (seq, batch, H), (batch, H), (batch, H)


class FusedLSTM(nn.Module):
    """Drop-in for ``nn.LSTM`` (same constructor, forward and parameter names), written by hand.

    ``forward(input, hx=None)`` takes input of shape (seq, batch, H_in), or (batch, seq, H_in) with
    ``batch_first=True``, or (seq, H_in) unbatched, and optional ``(h_0, c_0)`` each of shape
    (num_layers·D, batch, H) with D = 2 if bidirectional else 1. It returns
    ``output, (h_n, c_n)`` exactly as ``nn.LSTM`` does.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
    ) -> None:
        super().__init__()
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size), ("num_layers", num_layers)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"expected {name} to be a positive int, got {value!r}")
        if not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError(f"expected dropout to be a number in [0, 1], got {dropout!r}")
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.num_directions = 2 if bidirectional else 1
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * self.num_directions
            for suffix in self._suffixes():
                name = f"l{layer}{suffix}"
                self.register_parameter(f"weight_ih_{name}", nn.Parameter(torch.empty(4 * hidden_size, layer_input)))
                self.register_parameter(f"weight_hh_{name}", nn.Parameter(torch.empty(4 * hidden_size, hidden_size)))
                if bias:
                    self.register_parameter(f"bias_ih_{name}", nn.Parameter(torch.empty(4 * hidden_size)))
                    self.register_parameter(f"bias_hh_{name}", nn.Parameter(torch.empty(4 * hidden_size)))
        self.reset_parameters()

    def _suffixes(self) -> list[str]:
        return ["", "_reverse"][: self.num_directions]

    def reset_parameters(self) -> None:
        """Every weight and bias uniform in :math:`[-1/\\sqrt{H}, 1/\\sqrt{H}]`, as ``nn.LSTM`` does."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            nn.init.uniform_(weight, -bound, bound)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        defaults = {"num_layers": 1, "bias": True, "batch_first": False, "dropout": 0.0, "bidirectional": False}
        for name, default in defaults.items():
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        return text

    # -- conversion to and from nn.LSTM ---------------------------------------------------------
    @classmethod
    def from_torch(cls, lstm: nn.LSTM) -> "FusedLSTM":
        """A copy of ``lstm`` (same configuration, weights, device and dtype) as this class."""
        if not isinstance(lstm, nn.LSTM):
            raise TypeError(f"expected a torch.nn.LSTM, got {type(lstm).__name__}")
        return convert(lstm, cls)

    def to_torch(self) -> nn.LSTM:
        """An ``nn.LSTM`` with this layer's configuration and weights (same device and dtype)."""
        return convert(self, nn.LSTM)

    # -- forward --------------------------------------------------------------------------------
    def _recurrence(self, *args, **kwargs):
        return lstm_recurrence(*args, **kwargs)

    def _check_input(self, input: torch.Tensor) -> bool:
        if not isinstance(input, torch.Tensor):
            raise TypeError(f"expected input to be a torch.Tensor, got {type(input).__name__}")
        if input.dim() not in (2, 3) or input.shape[-1] != self.input_size:
            layout = "(batch, seq, " if self.batch_first else "(seq, batch, "
            raise ValueError(
                f"expected input of shape {layout}{self.input_size}) or (seq, {self.input_size}), "
                f"got {tuple(input.shape)}"
            )
        return input.dim() == 3

    def _initial_state(self, hx, batch: int, batched: bool, like: torch.Tensor):
        layers = self.num_layers * self.num_directions
        if hx is None:
            zeros = like.new_zeros(layers, batch, self.hidden_size)
            return zeros, zeros
        if not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise TypeError(f"expected hx to be a tuple (h_0, c_0), got {type(hx).__name__}")
        expected = (layers, batch, self.hidden_size) if batched else (layers, self.hidden_size)
        for name, state in zip(("h_0", "c_0"), hx):
            if not isinstance(state, torch.Tensor) or tuple(state.shape) != expected:
                got = tuple(state.shape) if isinstance(state, torch.Tensor) else type(state).__name__
                raise ValueError(f"expected {name} of shape {expected}, got {got}")
        h0, c0 = hx
        return (h0, c0) if batched else (h0.unsqueeze(1), c0.unsqueeze(1))

    def forward(self, input: torch.Tensor, hx=None):
        batched = self._check_input(input)
        x = input if batched else input.unsqueeze(1)  # (seq, batch, H_in) from here on
        if batched and self.batch_first:
            x = x.transpose(0, 1)
        h0, c0 = self._initial_state(hx, x.shape[1], batched, x)
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0 and self.training:
                x = F.dropout(x, self.dropout, training=True)
            outputs = []
            for direction, suffix in enumerate(self._suffixes()):
                name = f"l{layer}{suffix}"
                bias = None
                if self.bias:
                    bias = getattr(self, f"bias_ih_{name}") + getattr(self, f"bias_hh_{name}")  # (4H,)
                index = layer * self.num_directions + direction
                out, h, c = self._recurrence(
                    x, getattr(self, f"weight_ih_{name}"), getattr(self, f"weight_hh_{name}"), bias,
                    h0[index], c0[index], reverse=direction == 1,
                )  # fmt: skip
                outputs.append(out)
                h_n.append(h)
                c_n.append(c)
            x = outputs[0] if len(outputs) == 1 else torch.cat(outputs, dim=2)  # (seq, batch, D*H)
        h_n, c_n = torch.stack(h_n), torch.stack(c_n)  # (layers*D, batch, H)
        if not batched:
            return x.squeeze(1), (h_n.squeeze(1), c_n.squeeze(1))
        if self.batch_first:
            x = x.transpose(0, 1)
        return x, (h_n, c_n)


def recurrence_forward(projected, u_t, h, c, keep: bool = True):
    """The forward loop without autograd, from ``projected`` :math:`= XW^\\top + b` (seq, batch, 4H).

    Returns the outputs (seq, batch, H), :math:`h_T`, :math:`c_T`, and, when ``keep``, what the
    backward loop needs: the activated gates :math:`[i_t, f_t, g_t, o_t]` (seq, batch, 4H) and the
    cell states :math:`c_t` (seq, batch, H).
    """
    hidden = c.shape[-1]
    outputs, acts, cells = [], [], []
    for t in range(projected.shape[0]):
        # not addmm, which first copies projected[t] into its output: compiled, the addition joins the
        # step's fused element-wise kernel
        gates = projected[t] + h @ u_t  # (batch, 4H)
        i, f, g, o = gate_activations(gates, hidden)  # each (batch, H)
        c = f * c + i * g  # (batch, H)
        h = o * torch.tanh(c)  # (batch, H)
        outputs.append(h)
        if keep:
            acts.append(torch.cat([i, f, g, o], dim=1))
            cells.append(c)
    out = torch.stack(outputs)
    if not keep:
        return out, h, c
    return out, h, c, torch.stack(acts), torch.stack(cells)


def recurrence_backward(grad_out, grad_h, grad_c, acts, cells, c0, weight_hh):
    """The backward loop: from the gradients of the outputs and of :math:`h_T, c_T`, the gradients of
    the pre-activations at every step (seq, batch, 4H) and of :math:`h_0, c_0`.

    With :math:`\\bar v = \\partial L / \\partial v`, :math:`\\bar y_t` the gradient of output :math:`t`
    and :math:`a_t` the pre-activations (stacked i, f, g, o), from :math:`t = T` down to 1:

    .. math::
        \\bar h_t = \\bar y_t + \\bar a_{t+1} U, \\qquad
        \\bar c_t = \\bar c_{t+1} \\odot f_{t+1} + \\bar h_t \\odot o_t \\odot (1 - \\tanh^2 c_t), \\\\
        \\bar a_{i,t} = \\bar c_t g_t\\, i_t(1-i_t), \\ \\bar a_{f,t} = \\bar c_t c_{t-1} f_t(1-f_t), \\
        \\bar a_{g,t} = \\bar c_t i_t (1-g_t^2), \\ \\bar a_{o,t} = \\bar h_t \\tanh(c_t)\\, o_t(1-o_t)

    Only :math:`\\bar a_t U` (one matrix product) is inside the loop; the weight gradients are summed
    over all steps at once afterwards.
    """
    hidden = c0.shape[-1]
    dh, dc = grad_h, grad_c
    dgates = [None] * grad_out.shape[0]
    for t in range(grad_out.shape[0] - 1, -1, -1):
        a = acts[t]
        i, f, g, o = a[:, :hidden], a[:, hidden : 2 * hidden], a[:, 2 * hidden : 3 * hidden], a[:, 3 * hidden :]
        c_prev = cells[t - 1] if t > 0 else c0
        dh = dh + grad_out[t]
        tc = torch.tanh(cells[t])
        dc = dc + dh * o * (1 - tc * tc)
        da = torch.cat([dc * g * i * (1 - i), dc * c_prev * f * (1 - f), dc * i * (1 - g * g), dh * tc * o * (1 - o)], 1)
        dgates[t] = da  # (batch, 4H)
        dh = da @ weight_hh  # (batch, H)
        dc = dc * f
    return torch.stack(dgates), dh, dc


def _project(x, weight_ih, weight_hh, bias):
    """:math:`XW^\\top + b` for all steps (seq, batch, 4H), and :math:`U^\\top` (H, 4H) laid out row by row."""
    seq, batch, _ = x.shape
    flat = x.reshape(seq * batch, -1)  # (seq*batch, H_in)
    projected = flat @ weight_ih.t() if bias is None else torch.addmm(bias, flat, weight_ih.t())  # (seq*batch, 4H)
    return projected.view(seq, batch, -1), weight_hh.t().contiguous()


class _Direction(torch.autograd.Function):
    """One direction of one layer with a hand-written backward: loops from ``loops`` (eager or compiled)."""

    @staticmethod
    def forward(ctx, x, weight_ih, weight_hh, bias, h0, c0, loops):
        projected, u_t = _project(x, weight_ih, weight_hh, bias)
        ctx.loops = loops
        out, h, c, acts, cells = loops["training"](projected, u_t, h0, c0)
        ctx.save_for_backward(x, weight_ih, weight_hh, h0, c0, out, acts, cells)
        ctx.has_bias = bias is not None
        return out, h, c

    @staticmethod
    def backward(ctx, grad_out, grad_h, grad_c):
        x, weight_ih, weight_hh, h0, c0, out, acts, cells = ctx.saved_tensors
        grad_out = torch.zeros_like(out) if grad_out is None else grad_out
        grad_h = torch.zeros_like(h0) if grad_h is None else grad_h
        grad_c = torch.zeros_like(c0) if grad_c is None else grad_c
        dgates, dh0, dc0 = ctx.loops["backward"](grad_out.contiguous(), grad_h, grad_c, acts, cells, c0, weight_hh)
        seq, batch, _ = x.shape
        flat = dgates.view(seq * batch, -1)  # (seq*batch, 4H)
        h_prev = torch.cat([h0.unsqueeze(0), out[:-1]]).view(seq * batch, -1)  # h_{t-1}, (seq*batch, H)
        grad_x = (flat @ weight_ih).view_as(x)  # (seq, batch, H_in)
        grad_w = flat.t() @ x.reshape(seq * batch, -1)  # (4H, H_in)
        grad_u = flat.t() @ h_prev  # (4H, H)
        grad_b = flat.sum(0) if ctx.has_bias else None  # (4H,)
        return grad_x, grad_w, grad_u, grad_b, dh0, dc0, None


EAGER_LOOPS = {
    "inference": lambda projected, u_t, h, c: recurrence_forward(projected, u_t, h, c, keep=False),
    "training": recurrence_forward,
    "backward": recurrence_backward,
}


class CompiledLSTM(FusedLSTM):
    """:class:`FusedLSTM` with a hand-written backward, whose loops run through ``torch.compile``.

    Autograd would record every step's operations and replay them one by one; here the forward loop
    keeps the activated gates, the backward loop (:func:`recurrence_backward`) walks back with one
    matrix product per step, and the weight gradients are three large products over all steps.
    ``torch.compile`` (Inductor) unrolls each loop into one graph per sequence length and fuses each
    step's element-wise work into one kernel around the matrix product; ``cpp_wrapper`` moves the
    per-step calls from Python into C++. Compilation happens on the first call with a new shape;
    ``compile_seconds`` adds up the time spent there so that a benchmark reports it apart. With
    ``compile=False``, or when compilation fails (no C compiler, unsupported platform: a warning,
    reason in ``compile_error``), the same loops run eagerly.
    """

    def __init__(self, *args, compile: bool = True, compile_options: dict | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.compile = compile
        self.compile_options = dict(compile_options or {"dynamic": False, "options": {"cpp_wrapper": True}})
        self.compile_seconds = 0.0
        self.compile_error: str | None = None
        self._loops = None
        self._seen: set = set()

    def _compiled_loops(self) -> dict:
        if self._loops is None:
            self._loops = {
                "inference": torch.compile(EAGER_LOOPS["inference"], **self.compile_options),
                "training": torch.compile(recurrence_forward, **self.compile_options),
                "backward": torch.compile(recurrence_backward, **self.compile_options),
            }
        return self._loops

    def _recurrence(self, x, weight_ih, weight_hh, bias, h, c, reverse=False):
        if reverse:
            x = x.flip(0)
        loops = EAGER_LOOPS
        if self.compile and self.compile_error is None:
            try:
                loops = self._compiled_loops()
            except Exception as error:  # noqa: BLE001
                loops = self._fail(error)
        tensors = (x, weight_ih, weight_hh, bias, h, c)
        needs_grad = torch.is_grad_enabled() and any(t is not None and t.requires_grad for t in tensors)
        key = (tuple(x.shape), x.dtype, x.device, bias is None, needs_grad)  # one compilation each
        start = time.perf_counter()
        try:
            out, h, c = self._run(loops, needs_grad, *tensors)
        except Exception as error:  # noqa: BLE001 - any compiler failure means: run eagerly
            if loops is EAGER_LOOPS:
                raise
            out, h, c = self._run(self._fail(error), needs_grad, *tensors)
        if loops is not EAGER_LOOPS and key not in self._seen:
            self._seen.add(key)
            self.compile_seconds += time.perf_counter() - start
        return (out.flip(0) if reverse else out), h, c

    @staticmethod
    def _run(loops, needs_grad, x, weight_ih, weight_hh, bias, h, c):
        if needs_grad:
            return _Direction.apply(x, weight_ih, weight_hh, bias, h, c, loops)
        return loops["inference"](*_project(x, weight_ih, weight_hh, bias), h, c)  # keeps no activations

    def _fail(self, error: Exception) -> dict:
        self.compile_error = f"{type(error).__name__}: {error}".splitlines()[0]
        warnings.warn(f"torch.compile failed, running the eager loops instead ({self.compile_error})")
        return EAGER_LOOPS
