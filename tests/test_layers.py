import random

import pytest
import torch
from torch import nn

from lstm_utils.layers import GRU, LSTM, RNN

PAIRS = [(nn.RNN, RNN), (nn.LSTM, LSTM), (nn.GRU, GRU)]
TOL = {torch.float32: 1e-5, torch.float64: 1e-10}


def _as_tuple(value):
    return value if isinstance(value, tuple) else (value,)


def _random_config(rng: random.Random) -> dict:
    return {"num_layers": rng.randint(1, 3), "bidirectional": rng.random() < 0.5,
            "batch_first": rng.random() < 0.5, "bias": rng.random() < 0.5}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("torch_cls, cls", PAIRS)
@pytest.mark.parametrize("seed", range(4))
def test_layer_matches_torch_random_configs(torch_cls, cls, seed, dtype):
    rng = random.Random(seed)
    config = _random_config(rng)
    torch.manual_seed(seed)
    reference = torch_cls(3, 4, dtype=dtype, **config)
    layer = cls.from_torch(reference)
    D, B, T = 2 if config["bidirectional"] else 1, 2, 5
    x = torch.randn((B, T, 3) if config["batch_first"] else (T, B, 3), dtype=dtype)
    h0 = torch.randn(config["num_layers"] * D, B, 4, dtype=dtype)
    hx = (h0, torch.randn_like(h0)) if cls is LSTM else h0
    for state in (hx, None):
        out, last = layer(x, state)
        ref_out, ref_last = reference(x, state)
        torch.testing.assert_close(out, ref_out, atol=TOL[dtype], rtol=0)
        for got, expected in zip(_as_tuple(last), _as_tuple(ref_last)):
            torch.testing.assert_close(got, expected, atol=TOL[dtype], rtol=0)


def test_lstm_matches_torch_bidirectional_batch_first():
    torch.manual_seed(0)
    reference = nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)
    out, (h, c) = LSTM.from_torch(reference)(torch.ones(2, 6, 3))
    ref_out, (ref_h, ref_c) = reference(torch.ones(2, 6, 3))
    assert out.shape == (2, 6, 8) and h.shape == c.shape == (4, 2, 4)
    torch.testing.assert_close(out, ref_out, atol=1e-5, rtol=0)
    torch.testing.assert_close(c, ref_c, atol=1e-5, rtol=0)


@pytest.mark.parametrize("torch_cls, cls", PAIRS)
def test_layer_accepts_unbatched_input_like_torch(torch_cls, cls):
    torch.manual_seed(2)
    reference = torch_cls(3, 4, num_layers=2, bidirectional=True)
    layer = cls.from_torch(reference)
    x = torch.randn(5, 3)  # (seq, feature)
    out, last = layer(x)
    ref_out, ref_last = reference(x)
    torch.testing.assert_close(out, ref_out, atol=1e-5, rtol=0)
    for got, expected in zip(_as_tuple(last), _as_tuple(ref_last)):
        assert got.shape == expected.shape == (4, 4)


@pytest.mark.parametrize("torch_cls, cls", PAIRS)
def test_state_dict_loads_both_ways(torch_cls, cls):
    config = {"num_layers": 2, "bidirectional": True, "bias": False}
    ours, theirs = cls(3, 4, **config), torch_cls(3, 4, **config)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    theirs.load_state_dict(ours.state_dict())
    back = ours.to_torch()
    assert isinstance(back, torch_cls) and back.num_layers == 2 and back.bidirectional
    for name, p in back.state_dict().items():
        assert torch.equal(p, ours.state_dict()[name])


def test_layer_attributes_are_torchs():
    layer = LSTM(3, 4, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)
    reference = nn.LSTM(3, 4, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)
    for name in ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional"):
        assert getattr(layer, name) == getattr(reference, name), name


def test_rnn_relu_round_trip():
    reference = nn.RNN(3, 4, nonlinearity="relu", num_layers=2)
    layer = RNN.from_torch(reference)
    assert layer.nonlinearity == "relu" and layer.to_torch().nonlinearity == "relu"
    x = torch.randn(5, 2, 3)
    torch.testing.assert_close(layer(x)[0], reference(x)[0], atol=1e-5, rtol=0)


def test_dropout_only_between_layers_and_only_in_training():
    torch.manual_seed(0)
    layer = LSTM(3, 4, num_layers=2, dropout=0.9)
    x = torch.randn(5, 2, 3)
    layer.eval()
    torch.testing.assert_close(layer(x)[0], layer.to_torch().eval()(x)[0], atol=1e-5, rtol=0)
    layer.train()
    assert not torch.allclose(layer(x)[0], layer.eval()(x)[0])


def test_lstm_trace_is_time_first_and_matches_output():
    torch.manual_seed(0)
    layer = LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True)
    x = torch.randn(2, 6, 3)  # (batch, seq, feature)
    trace = layer.trace(x)
    assert set(trace) == set("ifgoch")
    assert all(v.shape == (6, 2, 4) for v in trace.values())
    first = LSTM.from_torch(nn.LSTM(3, 4, batch_first=True))
    first.load_state_dict({k: v for k, v in layer.state_dict().items() if k.endswith("_l0")})
    torch.testing.assert_close(trace["h"].transpose(0, 1), first(x)[0], atol=0, rtol=0)
    torch.testing.assert_close(trace["h"], trace["o"] * torch.tanh(trace["c"]))
    assert ((trace["f"] > 0) & (trace["f"] < 1)).all()


def test_wrong_input_size_names_expected_shape():
    with pytest.raises(ValueError, match=r"expected input of shape \(seq, batch, 3\), got \(5, 2, 7\)"):
        LSTM(3, 4)(torch.randn(5, 2, 7))
    with pytest.raises(ValueError, match=r"expected input of shape \(batch, seq, 3\), got \(5, 2, 7\)"):
        GRU(3, 4, batch_first=True)(torch.randn(5, 2, 7))


def test_wrong_state_shape_names_expected_shape():
    x = torch.randn(5, 2, 3)
    with pytest.raises(ValueError, match=r"expected c_0 of shape \(4, 2, 4\), got \(2, 2, 4\)"):
        LSTM(3, 4, num_layers=2, bidirectional=True)(x, (torch.zeros(4, 2, 4), torch.zeros(2, 2, 4)))
    with pytest.raises(ValueError, match=r"expected h_0 of shape \(1, 2, 4\), got \(1, 3, 4\)"):
        RNN(3, 4)(x, torch.zeros(1, 3, 4))
    with pytest.raises(TypeError, match=r"expected hx to be a tuple \(h_0, c_0\)"):
        LSTM(3, 4)(x, torch.zeros(1, 2, 4))


def test_wrong_dtype_names_expected_dtype():
    with pytest.raises(TypeError, match="expected input of dtype float32, got float64"):
        LSTM(3, 4)(torch.randn(5, 2, 3, dtype=torch.float64))
    with pytest.raises(TypeError, match="expected h_0 of dtype float64, got float32"):
        GRU(3, 4, dtype=torch.float64)(torch.randn(5, 2, 3, dtype=torch.float64), torch.zeros(1, 2, 4))


def test_bad_constructor_arguments_are_refused():
    with pytest.raises(ValueError, match="expected dropout in"):
        LSTM(3, 4, dropout=2)
    with pytest.raises(NotImplementedError, match="proj_size"):
        LSTM(3, 4, proj_size=2)
    with pytest.raises(TypeError, match="expected a torch.nn.LSTM, got GRU"):
        LSTM.from_torch(nn.GRU(3, 4))


def test_sizes_that_are_not_positive_ints_are_refused():
    with pytest.raises(ValueError, match="expected input_size to be a positive int, got 3.5"):
        LSTM(3.5, 6)
    with pytest.raises(ValueError, match="expected hidden_size to be a positive int, got 0"):
        GRU(3, 0)
    with pytest.raises(ValueError, match="expected dropout in \\[0, 1\\], got '0.5'"):
        RNN(3, 4, dropout="0.5")
