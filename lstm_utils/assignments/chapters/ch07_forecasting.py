"""Grading of "Forecasting": the drift baseline and the pinball loss."""

from lstm_utils.assignments.exercises import Exercise


def hidden_drift(drift):
    """Other window widths and horizons, one feature or three: y_t + k (y_t - y_{t-w+1}) / (w - 1)."""
    import torch

    gen = torch.Generator().manual_seed(31)
    for n, width, features, horizon in ((1, 2, 1, 1), (4, 9, 3, 6)):
        inputs = torch.randn(n, width, features, generator=gen, dtype=torch.float64)
        y = inputs[:, :, 0]
        k = torch.arange(1, horizon + 1, dtype=inputs.dtype)
        expected = y[:, -1:] + k * ((y[:, -1] - y[:, 0]) / (width - 1))[:, None]
        got = drift(inputs, horizon)
        assert got.shape == expected.shape and torch.allclose(got, expected), f"width {width}"


def hidden_pinball(pinball):
    """Levels 0.25 and 0.75 on 2-D forecasts: a scalar, the mean pinball loss."""
    import torch

    gen = torch.Generator().manual_seed(37)
    q, y = torch.randn(8, 3, generator=gen), torch.randn(8, 3, generator=gen)
    for tau in (0.25, 0.75):
        error = y - q
        expected = torch.maximum(tau * error, (tau - 1) * error).mean()
        got = pinball(q, y, tau)
        assert got.shape == () and torch.allclose(got, expected), f"tau={tau}"


EXERCISES = [
    Exercise("drift", "the drift forecast, a baseline to beat", 1, 1, 15, hidden_drift),
    Exercise("pinball", "the loss that trains a quantile forecast", 1, 1, 15, hidden_pinball),
]
