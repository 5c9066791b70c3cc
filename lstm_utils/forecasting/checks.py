"""Checks for the exercises of the forecasting chapter."""

from __future__ import annotations

from typing import Callable

import torch

from lstm_utils.checks.core import check_close, check_true, passed


def drift_reference(inputs: torch.Tensor, label_width: int) -> torch.Tensor:
    """:math:`\\hat y_{t+k} = y_t + k \\, (y_t - y_{t-w+1}) / (w - 1)` for :math:`k = 1 … \\ell` (feature 0)."""
    y = inputs[:, :, 0]  # (N, input_width)
    slope = (y[:, -1] - y[:, 0]) / (inputs.shape[1] - 1)  # (N,)
    k = torch.arange(1, label_width + 1, dtype=inputs.dtype)  # (label_width,)
    return y[:, -1:] + k * slope[:, None]  # (N, label_width)


def check_drift(drift: Callable[[torch.Tensor, int], torch.Tensor]) -> None:
    """Exercise 1: the drift forecast on random windows of two features."""
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(6, 5, 2, generator=generator)  # (N, input_width, features)
    got = drift(inputs, 3)
    expected = drift_reference(inputs, 3)
    if isinstance(got, torch.Tensor) and got.shape == expected.shape:
        off_by_one = inputs[:, -1:, 0] + torch.arange(0, 3) * (inputs[:, -1:, 0] - inputs[:, :1, 0]) / 4
        check_true(
            not torch.allclose(got, off_by_one),
            "your first forecast equals the last input: the horizon k starts at 1 (the next step), not 0",
        )
    check_close(got, expected, name="drift(inputs, 3)")
    passed("drift forecast matches: last value plus k times the average step over the window")


def check_pinball(pinball: Callable[[torch.Tensor, torch.Tensor, float], torch.Tensor]) -> None:
    """Exercise 2: the mean pinball loss of forecasts ``q`` for targets ``y`` at level ``tau``."""
    generator = torch.Generator().manual_seed(1)
    q, y = torch.randn(50, generator=generator), torch.randn(50, generator=generator)
    for tau in (0.1, 0.5, 0.9):
        error = y - q
        expected = torch.maximum(tau * error, (tau - 1) * error).mean()
        got = pinball(q, y, tau)
        if isinstance(got, torch.Tensor) and got.shape == expected.shape and tau != 0.5:
            swapped = torch.maximum(tau * -error, (tau - 1) * -error).mean()
            check_true(
                not torch.allclose(got, swapped),
                f"at tau={tau} you get the loss of level {1 - tau:g}: the error is y - q (truth minus forecast)",
            )
        check_close(got, expected, name=f"pinball(q, y, tau={tau})")
    passed("pinball loss matches at levels 0.1, 0.5 and 0.9")
