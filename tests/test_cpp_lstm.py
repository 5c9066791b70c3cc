"""The C++ loops equal nn.LSTM where the products go to BLAS, and in float32 (random configurations, and the
fallback when the build fails, are tested with the other fast layers in test_fast_lstm.py)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from lstm_utils import cpp_lstm
from lstm_utils.cpp_lstm import CppLSTM
from test_fast_lstm import cpp_loops, outputs_and_gradients


@pytest.fixture(scope="module")
def built():
    """Build the extension once (a minute the first time); skip where no compiler or ninja is present."""
    cpp_loops(nn.LSTM(1, 1))


def test_cpp_lstm_inference_float32_matches_torch(built):
    torch.manual_seed(1)
    reference = nn.LSTM(32, 32, num_layers=2, bidirectional=True)
    layer = CppLSTM.from_torch(reference).eval()
    x = torch.randn(20, 8, 32)
    with torch.no_grad():
        torch.testing.assert_close(layer(x)[0], reference(x)[0], atol=2e-5, rtol=1e-4)


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


def test_the_no_cuda_note_of_cpp_extension_stays_off_the_page_and_nothing_else_does():
    import logging

    import lstm_utils.cpp_lstm  # noqa: F401  (installs the filter)

    # the logger's own filters, whatever level other code has set on it
    logger = logging.getLogger("torch.utils.cpp_extension")

    def passes(message: str) -> bool:
        record = logger.makeRecord(logger.name, logging.WARNING, __file__, 0, message, (), None)
        return bool(logger.filter(record))

    assert not passes("No CUDA runtime is found, using CUDA_HOME='/usr/local'")
    assert passes("Error building extension 'x'")
