import pytest
import torch
from torch import nn

from lstm_utils.cells import GRUCell, LSTMCell, RNNCell

PAIRS = [(nn.RNNCell, RNNCell), (nn.LSTMCell, LSTMCell), (nn.GRUCell, GRUCell)]
TOL = {torch.float32: 1e-5, torch.float64: 1e-10}


def _as_tuple(value):
    return value if isinstance(value, tuple) else (value,)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("torch_cls, cls", PAIRS)
def test_cell_matches_torch(torch_cls, cls, bias, dtype):
    torch.manual_seed(0)
    reference = torch_cls(3, 5, bias=bias, dtype=dtype)
    cell = cls.from_torch(reference)
    x, h = torch.randn(4, 3, dtype=dtype), torch.randn(4, 5, dtype=dtype)
    hx = (h, torch.randn(4, 5, dtype=dtype)) if cls is LSTMCell else h
    for state in (hx, None):
        for got, expected in zip(_as_tuple(cell(x, state)), _as_tuple(reference(x, state))):
            torch.testing.assert_close(got, expected, atol=TOL[dtype], rtol=0)


@pytest.mark.parametrize("torch_cls, cls", PAIRS)
def test_cell_accepts_unbatched_input_like_torch(torch_cls, cls):
    torch.manual_seed(1)
    reference = torch_cls(3, 5)
    cell = cls.from_torch(reference)
    x = torch.randn(3)
    for got, expected in zip(_as_tuple(cell(x)), _as_tuple(reference(x))):
        assert got.shape == expected.shape == (5,)
        torch.testing.assert_close(got, expected, atol=1e-6, rtol=0)


@pytest.mark.parametrize("torch_cls, cls", PAIRS)
def test_cell_parameters_have_torch_names_and_shapes(torch_cls, cls):
    ours = {n: p.shape for n, p in cls(3, 5).named_parameters()}
    theirs = {n: p.shape for n, p in torch_cls(3, 5).named_parameters()}
    assert ours == theirs
    assert [n for n, _ in cls(3, 5, bias=False).named_parameters()] == ["weight_ih", "weight_hh"]


@pytest.mark.parametrize("torch_cls, cls", PAIRS)
def test_to_torch_round_trip_keeps_weights(torch_cls, cls):
    cell = cls(3, 5, bias=False)
    module = cell.to_torch()
    assert isinstance(module, torch_cls) and module.bias is False
    for (n1, p1), (n2, p2) in zip(cell.named_parameters(), module.named_parameters()):
        assert n1 == n2 and torch.equal(p1, p2)


def test_rnn_cell_relu_matches_torch():
    reference = nn.RNNCell(3, 4, nonlinearity="relu")
    cell = RNNCell.from_torch(reference)
    assert cell.nonlinearity == "relu" and cell.to_torch().nonlinearity == "relu"
    x = torch.randn(2, 3)
    torch.testing.assert_close(cell(x), reference(x))


def test_lstm_cell_wrong_input_size_names_expected_shape():
    with pytest.raises(ValueError, match=r"expected input of shape \(batch, 3\), got \(4, 7\)"):
        LSTMCell(3, 5)(torch.randn(4, 7))


def test_lstm_cell_wrong_state_shape_names_expected_shape():
    with pytest.raises(ValueError, match=r"expected c of shape \(4, 5\), got \(4, 6\)"):
        LSTMCell(3, 5)(torch.randn(4, 3), (torch.zeros(4, 5), torch.zeros(4, 6)))
    with pytest.raises(ValueError, match=r"expected h of shape \(4, 5\), got \(2, 5\)"):
        GRUCell(3, 5)(torch.randn(4, 3), torch.zeros(2, 5))


def test_cell_wrong_dtype_names_expected_dtype():
    with pytest.raises(TypeError, match="expected input of dtype float32, got float64"):
        RNNCell(3, 5)(torch.randn(4, 3, dtype=torch.float64))
    with pytest.raises(TypeError, match="expected h of dtype float32, got float64"):
        LSTMCell(3, 5)(torch.randn(4, 3), (torch.zeros(4, 5, dtype=torch.float64), torch.zeros(4, 5)))


def test_lstm_cell_rejects_a_bare_tensor_state():
    with pytest.raises(TypeError, match=r"expected hx to be a tuple \(h, c\)"):
        LSTMCell(3, 5)(torch.randn(4, 3), torch.zeros(4, 5))


def test_from_torch_rejects_the_wrong_module():
    with pytest.raises(TypeError, match="expected a LSTMCell, got GRUCell"):
        LSTMCell.from_torch(nn.GRUCell(3, 5))


def test_cell_sizes_that_are_not_positive_ints_are_refused():
    with pytest.raises(ValueError, match="expected input_size to be a positive int, got 3.5"):
        LSTMCell(3.5, 6)
