"""The C++ loops equal nn.LSTM (outputs, states, every gradient), and a failed build falls back."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from lstm_utils import cpp_lstm
from lstm_utils.cpp_lstm import CppLSTM
from test_fast_lstm import CONFIGS, make_inputs, outputs_and_gradients


@pytest.fixture(scope="module")
def built():
    """Build the extension once (a minute the first time); skip where no compiler or ninja is present."""
    try:
        cpp_lstm.load_extension()
    except Exception as error:  # noqa: BLE001
        pytest.skip(f"the C++ extension cannot be built here: {type(error).__name__}: {error}")


@pytest.mark.parametrize("cfg", CONFIGS, ids=[f"cfg{k}" for k in range(len(CONFIGS))])
def test_cpp_lstm_matches_torch_forward_and_gradients(built, cfg):
    generator = torch.Generator().manual_seed(hash(tuple(sorted(cfg.items()))) % 2**31)
    torch.manual_seed(0)
    layer_kwargs = {k: cfg[k] for k in ("num_layers", "bias", "batch_first", "bidirectional")}
    reference = nn.LSTM(cfg["input_size"], cfg["hidden_size"], **layer_kwargs).double()
    layer = CppLSTM.from_torch(reference)
    x, hx = make_inputs(cfg, generator)
    got, expected = outputs_and_gradients(layer, x, hx), outputs_and_gradients(reference, x, hx)
    assert layer.compile_error is None
    for k, (a, b) in enumerate(zip(got, expected)):
        assert a.shape == b.shape, f"tensor {k}: {tuple(a.shape)} != {tuple(b.shape)}"
        torch.testing.assert_close(a, b, atol=1e-10, rtol=1e-8)


def test_cpp_lstm_inference_float32_matches_torch(built):
    torch.manual_seed(1)
    reference = nn.LSTM(32, 32, num_layers=2, bidirectional=True)
    layer = CppLSTM.from_torch(reference).eval()
    x = torch.randn(20, 8, 32)
    with torch.no_grad():
        torch.testing.assert_close(layer(x)[0], reference(x)[0], atol=2e-5, rtol=1e-4)


def test_cpp_lstm_falls_back_to_eager_when_the_build_fails(monkeypatch):
    def broken_build():
        raise RuntimeError("Ninja is required to load C++ extensions")

    monkeypatch.setattr(cpp_lstm, "load_extension", broken_build)
    reference = nn.LSTM(3, 4)
    layer = CppLSTM.from_torch(reference)
    x = torch.randn(5, 2, 3)
    with pytest.warns(UserWarning, match="running the eager loops instead"):
        output, _ = layer(x)
    assert layer.compile_error == "RuntimeError: Ninja is required to load C++ extensions"
    torch.testing.assert_close(output, reference(x)[0], atol=1e-6, rtol=1e-5)


def test_cpp_lstm_matches_torch_where_the_products_go_to_blas(built):
    """batch · H · 4H above the C++ SMALL threshold: the steps call at::addmm_out and at::mm_out."""
    torch.manual_seed(2)
    reference = nn.LSTM(10, 64, bidirectional=True).double()
    layer = CppLSTM.from_torch(reference)
    x = torch.randn(5, 16, 10, dtype=torch.float64)  # 16 · 64 · 256 multiply-adds per step
    assert "constexpr int64_t SMALL = 1 << 17;" in cpp_lstm.SOURCE and 16 * 64 * 256 > 1 << 17
    got, expected = outputs_and_gradients(layer, x, None), outputs_and_gradients(reference, x, None)
    for a, b in zip(got, expected):
        torch.testing.assert_close(a, b, atol=1e-10, rtol=1e-8)
