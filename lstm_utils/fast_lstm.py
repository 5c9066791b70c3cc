r"""A hand-written LSTM layer as fast as ``torch.nn.LSTM``: the steps that close the gap.

Both layers here are subclasses of the readable :class:`lstm_utils.layers.LSTM`: the same
constructor, parameters (``weight_ih_l{k}`` is :math:`W = [W_i; W_f; W_g; W_o]`, ``weight_hh_l{k}`` is
:math:`U`, ``bias_ih_l{k} + bias_hh_l{k}`` is the book's :math:`b`), checks, ``from_torch`` and
``to_torch``; they override only how one layer runs over the sequence in one direction. The function
computed stays exactly the same (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al.
2000, in PyTorch's layout); what changes:

1. **one matrix product for all time steps' input projections** (they do not depend on
   :math:`h_{t-1}`): :math:`X W^\top + b` of shape (seq·batch, 4H), before the loop;
2. **one** :math:`h_{t-1} U^\top` **per step** for the four gates stacked (i, f, g, o);
3. **fused gate nonlinearities**: one ``sigmoid`` and one ``tanh`` per step instead of one per gate.

That is :class:`FusedLSTM`. :class:`CompiledLSTM` adds 4. the **hand-written backward pass** of
:func:`lstm_utils.lstm_backward.sequence_backward` (one matrix product per step inside the loop,
the weight gradients as products over all steps), and 5. ``torch.compile`` of the whole direction,
one graph per sequence length: no Python runs per step, and each step's element-wise work is one
fused kernel. When compilation is unavailable it runs the same functions eagerly.
"""

from __future__ import annotations

import time
import warnings

import torch
from torch import Tensor

from lstm_utils.cells import cell_state, gate_activations, hidden_state
from lstm_utils.layers import LSTM
from lstm_utils.lstm_backward import sequence_backward

__all__ = [
    "FusedLSTM", "CompiledLSTM", "gate_activations", "lstm_cell_pointwise", "project_inputs",
    "recurrence_forward", "direction_forward", "direction_backward", "Recurrence",
]  # fmt: skip


def lstm_cell_pointwise(gates: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
    """The element-wise part of one step, from the stacked
    pre-activations ``gates`` (batch, 4H).

    .. math::
        c_t = f_t \\odot c_{t-1} + i_t \\odot g_t, \\qquad
        h_t = o_t \\odot \\tanh(c_t)
    """
    i, f, g, o = gate_activations(gates, c.shape[-1])  # each (batch, H)
    c = cell_state(f, c, i, g)  # (batch, H)
    return hidden_state(o, c), c


def project_inputs(x, weight_ih, bias_ih=None, bias_hh=None) -> Tensor:
    """:math:`X W^\\top + b` for all steps at once: (seq, batch, 4H) from
    ``x`` (seq, batch, H_in)."""
    seq, batch, features = x.shape
    flat = x.reshape(seq * batch, features)  # (seq*batch, H_in)
    if bias_ih is None:
        projected = flat @ weight_ih.t()
    else:
        b = bias_ih + bias_hh  # (4H,)
        projected = torch.addmm(b, flat, weight_ih.t())  # (seq*batch, 4H)
    return projected.view(seq, batch, weight_ih.shape[0])


def recurrence_forward(projected, weight_hh, h, c, keep: bool = False):
    """The forward loop, from ``projected`` :math:`= XW^\\top + b`
    (seq, batch, 4H).

    Returns the outputs (seq, batch, H) and :math:`h_T`, :math:`c_T`
    (batch, H); with ``keep``, also what the hand-written backward needs:
    the pre-activations :math:`a_t` (seq, batch, 4H) and the cell states
    :math:`c_t` (seq, batch, H).
    """
    u_t = weight_hh.t()  # (H, 4H)
    outputs, kept_gates, kept_cells = [], [], []
    # unbind gives views, and its backward is a single stack
    for row in projected.unbind(0):  # (batch, 4H)
        # compiled, the addition joins the step's fused kernel
        gates = row + h @ u_t  # (batch, 4H)
        h, c = lstm_cell_pointwise(gates, c)
        outputs.append(h)
        if keep:
            kept_gates.append(gates)
            kept_cells.append(c)
    if not keep:
        return torch.stack(outputs), h, c
    return (torch.stack(outputs), h, c,
            torch.stack(kept_gates), torch.stack(kept_cells))


def direction_forward(x, weight_ih, weight_hh, bias_ih, bias_hh, h, c, keep: bool = False, loop=recurrence_forward):
    """One layer, one direction, over ``x`` (seq, batch, H_in): :func:`project_inputs`, then the loop."""
    return loop(project_inputs(x, weight_ih, bias_ih, bias_hh), weight_hh, h, c, keep)


def direction_backward(d_output, dh, dc, x, weight_ih, weight_hh, h0, c0,
                       output, preactivations, cells,
                       loop=sequence_backward):
    """The gradients of one direction: the loop of
    :func:`~lstm_utils.lstm_backward.sequence_backward`, then the weight
    gradients summed over the steps as three products over all steps at
    once.

    .. math::
        \\delta X = \\delta A\\, W, \\quad
        \\delta W = \\textstyle\\sum_t \\delta a_t^\\top x_t
        = \\delta A^\\top X, \\quad
        \\delta U = \\delta A^\\top H_{\\text{prev}}, \\quad
        \\delta b = \\textstyle\\sum_{t, \\text{batch}} \\delta a_t
    """
    da, dh0, dc0 = loop(d_output, dh, dc, preactivations, cells, c0,
                        weight_hh)
    seq, batch, features = x.shape
    flat = da.reshape(seq * batch, -1)  # δA, (seq*batch, 4H)
    h_prev = torch.cat([h0.unsqueeze(0), output[:-1]])  # h_{t-1}
    h_prev = h_prev.reshape(seq * batch, -1)  # (seq*batch, H)
    grad_x = flat @ weight_ih  # (seq*batch, H_in)
    grad_x = grad_x.view(seq, batch, features)  # (seq, batch, H_in)
    grad_w = flat.t() @ x.reshape(seq * batch, features)  # (4H, H_in)
    grad_u = flat.t() @ h_prev  # (4H, H)
    return grad_x, grad_w, grad_u, flat.sum(0), dh0, dc0


EAGER = {"inference": direction_forward, "training": direction_forward, "backward": direction_backward}


class Recurrence(torch.autograd.Function):
    """One direction of one layer whose backward is
    :func:`direction_backward` (eager or compiled)."""

    @staticmethod
    def forward(ctx, x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0,
                functions):
        output, h, c, preactivations, cells = functions["training"](
            x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0, keep=True)
        ctx.save_for_backward(x, weight_ih, weight_hh, h0, c0, output,
                              preactivations, cells)
        ctx.functions, ctx.has_bias = functions, bias_ih is not None
        return output, h, c

    @staticmethod
    def backward(ctx, d_output, dh, dc):
        (x, weight_ih, weight_hh, h0, c0, output, preactivations,
         cells) = ctx.saved_tensors
        grads = ctx.functions["backward"](
            d_output.contiguous(), dh, dc, x, weight_ih, weight_hh,
            h0, c0, output, preactivations, cells)
        grad_x, grad_w, grad_u, grad_b, dh0, dc0 = grads
        grad_b = grad_b if ctx.has_bias else None
        return grad_x, grad_w, grad_u, grad_b, grad_b, dh0, dc0, None


class FusedLSTM(LSTM):
    """:class:`lstm_utils.layers.LSTM` with the fused loop: a drop-in for
    ``nn.LSTM``, autograd for the gradients."""

    def run_direction(self, x, state, params, reverse=False):
        """One layer in one direction over ``x`` (seq, batch, feature):
        outputs (seq, batch, H), last state."""
        if x.shape[0] == 0 or x.shape[1] == 0:
            # no step or no sequence: the readable loop's empty result
            return super().run_direction(x, state, params, reverse)
        if reverse:
            x = x.flip(0)
        output, h, c = self.direction(x, *params, *state)
        return (output.flip(0) if reverse else output), (h, c)

    def direction(self, x, weight_ih, weight_hh, bias_ih, bias_hh, h, c):
        return direction_forward(x, weight_ih, weight_hh, bias_ih, bias_hh,
                                 h, c)


class CompiledLSTM(FusedLSTM):
    """:class:`FusedLSTM` with the hand-written backward, and each direction compiled by ``torch.compile``.

    Autograd would record every step's operations and replay them one by one; here the forward loop
    keeps the pre-activations and cell states, and :func:`direction_backward` walks back with one
    matrix product per step. ``torch.compile`` (Inductor) unrolls the whole direction into one graph
    per sequence length and fuses each step's element-wise work into one kernel around the matrix
    product; ``cpp_wrapper`` makes the calls from C++, not Python. Compilation happens on the first
    call with a new shape; ``compile_seconds`` adds up the time spent there so that a benchmark
    reports it apart. With ``compile=False``, or when compilation fails (no C compiler, unsupported
    platform: a warning, reason in ``compile_error``), the same functions run eagerly.
    """

    def __init__(self, *args, compile: bool = True, compile_options: dict | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.compile = compile
        self.compile_options = dict(compile_options or {"dynamic": False, "options": {"cpp_wrapper": True}})
        self.compile_seconds = 0.0
        self.compile_error: str | None = None
        self._compiled = None
        self._seen: set = set()

    per_shape_compilation = True  # torch.compile compiles once per input shape
    def _functions(self) -> dict:
        if not self.compile or self.compile_error is not None:
            return EAGER
        if self._compiled is None:
            try:
                self._compiled = {name: torch.compile(f, **self.compile_options) for name, f in EAGER.items()}
            except Exception as error:  # noqa: BLE001
                return self._fail(error)
        return self._compiled

    def direction(self, x, weight_ih, weight_hh, bias_ih, bias_hh, h, c):
        tensors = (x, weight_ih, weight_hh, bias_ih, bias_hh, h, c)
        needs_grad = torch.is_grad_enabled() and any(t is not None and t.requires_grad for t in tensors)
        functions = self._functions()
        new_shape = False
        if functions is not EAGER and self.per_shape_compilation:
            key = (tuple(x.shape), x.dtype, x.device, bias_ih is None, needs_grad)  # one compilation each
            new_shape, start = key not in self._seen, time.perf_counter()
        try:
            result = self._run(functions, needs_grad, tensors)
        except Exception as error:  # noqa: BLE001 - any compiler failure means: run eagerly
            if functions is EAGER:
                raise
            return self._run(self._fail(error), needs_grad, tensors)
        if new_shape:
            self._seen.add(key)
            self.compile_seconds += time.perf_counter() - start
        return result

    @staticmethod
    def _run(functions, needs_grad, tensors):
        if needs_grad:
            return Recurrence.apply(*tensors, functions)
        return functions["inference"](*tensors)  # keeps nothing for a backward pass

    def _fail(self, error: Exception) -> dict:
        self.compile_error = f"{type(error).__name__}: {error}".splitlines()[0]
        warnings.warn(f"{type(self).__name__}: compilation failed, running the eager loops instead "
                      f"({self.compile_error})")
        return EAGER
