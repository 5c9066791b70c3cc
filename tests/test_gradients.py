import pytest
import torch
from torch import nn

from lstm_utils.gradients import hidden_state_gradient_norms
from lstm_utils.layers import GRU, LSTM, RNN


def _reference_norms(layer, x):
    """||dL/dh_t|| the slow way: rerun from step t with h_t as a fresh leaf, one t at a time."""
    norms = []
    for t in range(x.shape[0]):
        _, state = layer(x[: t + 1])
        state = tuple(s.detach() for s in state) if isinstance(state, tuple) else (state.detach(),)
        h_t = state[0].clone().requires_grad_()
        rest = (h_t, *state[1:]) if len(state) == 2 else h_t
        _, last = layer(x[t + 1 :], rest) if t + 1 < x.shape[0] else (None, rest)
        top = (last[0] if isinstance(last, tuple) else last)[-1]
        (grad,) = torch.autograd.grad(top.sum(), h_t)
        norms.append(grad.norm())
    return torch.stack(norms)


@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM, nn.GRU, RNN, LSTM, GRU])
def test_norms_equal_the_slow_definition(cls):
    torch.manual_seed(0)
    layer = cls(3, 6, num_layers=2)
    x = torch.randn(8, 2, 3)
    norms = hidden_state_gradient_norms(layer, x)
    assert norms.shape == (8,)
    torch.testing.assert_close(norms, _reference_norms(layer, x), atol=1e-6, rtol=1e-4)


def test_last_step_norm_is_the_loss_gradient():
    layer = nn.LSTM(3, 5)
    norms = hidden_state_gradient_norms(layer, torch.randn(4, 2, 3))
    torch.testing.assert_close(norms[-1], torch.tensor(10.0).sqrt())  # d(sum h_T)/dh_T = ones(2, 5)


def test_batch_first_gives_the_same_norms():
    torch.manual_seed(1)
    layer = nn.GRU(3, 5)
    x = torch.randn(6, 2, 3)
    bf = nn.GRU(3, 5, batch_first=True)
    bf.load_state_dict(layer.state_dict())
    torch.testing.assert_close(hidden_state_gradient_norms(bf, x.transpose(0, 1)), hidden_state_gradient_norms(layer, x))


def test_rnn_gradient_vanishes_faster_than_a_forget_biased_lstm():
    torch.manual_seed(0)
    x = torch.randn(40, 4, 3)
    rnn, lstm = nn.RNN(3, 16), nn.LSTM(3, 16)
    with torch.no_grad():
        lstm.bias_ih_l0[16:32] = 3.0  # forget gate close to 1: the cell keeps its memory
    ratio = lambda n: float(n[0] / n[-1])  # noqa: E731
    assert ratio(hidden_state_gradient_norms(lstm, x)) > 100 * ratio(hidden_state_gradient_norms(rnn, x))


def test_parameters_gradients_are_untouched():
    layer = nn.LSTM(3, 5)
    hidden_state_gradient_norms(layer, torch.randn(4, 2, 3))
    assert all(p.grad is None for p in layer.parameters())


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match=r"expected inputs of shape \(seq, batch, feature\).*got \(4, 3\)"):
        hidden_state_gradient_norms(nn.LSTM(3, 5), torch.randn(4, 3))
    with pytest.raises(ValueError, match="one-direction"):
        hidden_state_gradient_norms(nn.LSTM(3, 5, bidirectional=True), torch.randn(4, 2, 3))
