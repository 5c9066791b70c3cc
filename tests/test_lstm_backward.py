import pytest
import torch
from torch import nn

from lstm_utils.lstm_backward import LSTMCellFunction, lstm_cell_backward, lstm_cell_forward, lstm_sequence_backward


def _random(*shape, requires_grad=True):
    return torch.randn(*shape, dtype=torch.float64, requires_grad=requires_grad)


def test_hand_written_cell_backward_passes_gradcheck():
    torch.manual_seed(0)
    B, I, H = 3, 4, 5
    inputs = (_random(B, I), _random(B, H), _random(B, H), _random(4 * H, I), _random(4 * H, H), _random(4 * H), _random(4 * H))
    assert torch.autograd.gradcheck(LSTMCellFunction.apply, inputs)


def test_cell_function_without_bias():
    torch.manual_seed(1)
    x, h, c, W, U = _random(2, 3), _random(2, 4), _random(2, 4), _random(16, 3), _random(16, 4)
    assert torch.autograd.gradcheck(lambda *a: LSTMCellFunction.apply(*a, None, None), (x, h, c, W, U))


def test_cell_backward_equals_autograd_for_every_gradient():
    torch.manual_seed(2)
    args = [_random(3, 4), _random(3, 5), _random(3, 5), _random(20, 4), _random(20, 5), _random(20), _random(20)]
    h, c, cache = lstm_cell_forward(*args)
    dh, dc = _random(3, 5, requires_grad=False), _random(3, 5, requires_grad=False)
    expected = torch.autograd.grad((h * dh).sum() + (c * dc).sum(), args)
    got = lstm_cell_backward(dh, dc, cache, args[3], args[4])
    for name, g, e in zip(got._fields, got, expected):
        torch.testing.assert_close(g, e, atol=1e-12, rtol=0, msg=name)


@pytest.mark.parametrize("bias", [True, False])
def test_sequence_backward_matches_autograd_through_nn_lstm(bias):
    torch.manual_seed(3)
    module = nn.LSTM(4, 5, bias=bias, dtype=torch.float64)
    x, h0, c0 = _random(7, 3, 4), _random(1, 3, 5), _random(1, 3, 5)
    out, (h_n, c_n) = module(x, (h0, c0))
    gy, gh, gc = torch.randn_like(out), torch.randn_like(h_n), torch.randn_like(c_n)
    ((out * gy).sum() + (h_n * gh).sum() + (c_n * gc).sum()).backward()
    params = (module.weight_ih_l0, module.weight_hh_l0, getattr(module, "bias_ih_l0", None), getattr(module, "bias_hh_l0", None))
    with torch.no_grad():
        output, h, c, grads = lstm_sequence_backward(x, h0[0], c0[0], *params, d_output=gy, dh_n=gh[0], dc_n=gc[0])
    torch.testing.assert_close(output, out.detach(), atol=1e-12, rtol=0)
    torch.testing.assert_close(grads.x, x.grad, atol=1e-12, rtol=0)
    torch.testing.assert_close(grads.h_prev, h0.grad[0], atol=1e-12, rtol=0)
    torch.testing.assert_close(grads.c_prev, c0.grad[0], atol=1e-12, rtol=0)
    torch.testing.assert_close(grads.weight_ih, module.weight_ih_l0.grad, atol=1e-11, rtol=0)
    torch.testing.assert_close(grads.weight_hh, module.weight_hh_l0.grad, atol=1e-11, rtol=0)
    if bias:
        torch.testing.assert_close(grads.bias_ih, module.bias_ih_l0.grad, atol=1e-11, rtol=0)
        torch.testing.assert_close(grads.bias_hh, module.bias_hh_l0.grad, atol=1e-11, rtol=0)


def test_a_wrong_backward_fails_gradcheck():
    """The check can fail: drop the path through h_t into the cell and gradcheck must say no."""

    class Broken(LSTMCellFunction):
        @staticmethod
        def backward(ctx, dh, dc):
            return LSTMCellFunction.backward(ctx, dh, torch.zeros_like(dc))

    torch.manual_seed(4)
    inputs = (_random(2, 3), _random(2, 4), _random(2, 4), _random(16, 3), _random(16, 4), _random(16), _random(16))
    assert not torch.autograd.gradcheck(Broken.apply, inputs, raise_exception=False)
