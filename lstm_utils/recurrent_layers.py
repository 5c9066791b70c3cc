"""Checks for the exercises of chapter 0 (PyTorch's recurrent layers and their shapes)."""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from lstm_utils.checks.core import CheckFailed, check_close, passed

# (seq_len, batch, input_size, hidden_size, num_layers, bidirectional, batch_first)
SHAPE_CASES = [
    (5, 3, 4, 6, 1, False, False),
    (7, 12, 10, 20, 3, True, True),
    (2, 1, 3, 5, 2, True, False),
    (9, 4, 8, 2, 2, False, True),
]


def _check_callable(function: object, name: str) -> None:
    if not callable(function):
        raise CheckFailed(f"expected {name} to be a function you defined, got {type(function).__name__} {function!r:.40}")


def check_lstm_shapes(lstm_shapes: Callable[..., dict]) -> None:
    """Compare ``lstm_shapes(seq_len, batch, input_size, hidden_size, num_layers, bidirectional, batch_first)``
    (a dict of ``output``, ``h_n``, ``c_n`` shapes) with what ``nn.LSTM`` really returns."""
    _check_callable(lstm_shapes, "lstm_shapes")
    for seq_len, batch, input_size, hidden, layers, bidirectional, batch_first in SHAPE_CASES:
        lstm = nn.LSTM(input_size, hidden, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first)
        x = torch.zeros((batch, seq_len, input_size) if batch_first else (seq_len, batch, input_size))
        output, (h_n, c_n) = lstm(x)
        answer = lstm_shapes(seq_len, batch, input_size, hidden, layers, bidirectional, batch_first)
        for name, tensor in (("output", output), ("h_n", h_n), ("c_n", c_n)):
            got = tuple(answer.get(name, ())) if isinstance(answer, dict) else None
            if got != tuple(tensor.shape):
                raise CheckFailed(
                    f"for nn.LSTM({input_size}, {hidden}, num_layers={layers}, bidirectional={bidirectional}, "
                    f"batch_first={batch_first}) on an input of shape {tuple(x.shape)}: expected {name} of shape "
                    f"{tuple(tensor.shape)}, got {got}"
                )
    passed(f"lstm_shapes is right for all {len(SHAPE_CASES)} configurations")


def check_bidirectional(run_bidirectional: Callable, *, layers: tuple[int, ...] = (1, 2)) -> None:
    """Compare ``run_bidirectional(lstm, x) -> output, (h_n, c_n)`` with a bidirectional ``nn.LSTM`` (float64)."""
    _check_callable(run_bidirectional, "run_bidirectional")
    torch.manual_seed(0)
    for num_layers in layers:
        lstm = nn.LSTM(3, 4, num_layers=num_layers, bidirectional=True).double()
        x = torch.randn(6, 2, 3, dtype=torch.float64)  # (seq, batch, feature)
        expected_output, (expected_h, expected_c) = lstm(x)
        with torch.no_grad():
            answer = run_bidirectional(lstm, x)
        if not (isinstance(answer, tuple) and len(answer) == 2 and isinstance(answer[1], tuple) and len(answer[1]) == 2):
            raise CheckFailed(f"expected run_bidirectional to return output, (h_n, c_n) like nn.LSTM, got {answer!r:.80}")
        output, (h_n, c_n) = answer
        for name, got, expected in (("output", output, expected_output), ("h_n", h_n, expected_h), ("c_n", c_n, expected_c)):
            try:
                check_close(got, expected, name=name, atol=1e-10, rtol=0)
            except CheckFailed as error:
                hint = " (is the backward direction's output flipped back in time?)" if name == "output" else ""
                raise CheckFailed(f"with num_layers={num_layers}: {error}{hint}") from None
    passed(f"run_bidirectional equals nn.LSTM(bidirectional=True) for num_layers in {layers}")
