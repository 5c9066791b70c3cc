import numpy as np
import pytest
import torch

from lstm_utils.forecasting.baselines import HoltWinters, LinearWindow, persistence, seasonal_naive
from lstm_utils.forecasting.data import WindowSpec, make_windows


def ramp(n):
    return np.arange(n, dtype=np.float64)[:, None]


def test_persistence_repeats_the_last_input():
    spec = WindowSpec(4, 3, 3)
    inputs, _ = make_windows(ramp(12), spec)
    forecast = persistence(inputs, spec)
    assert forecast.shape == (len(inputs), 3)
    assert forecast[0].tolist() == [3, 3, 3] and forecast[-1].tolist() == [8, 8, 8]


def test_seasonal_naive_looks_one_period_back_from_each_label():
    spec, period = WindowSpec(6, 4, 4), 3
    inputs, labels = make_windows(ramp(20), spec)
    forecast = seasonal_naive(inputs, spec, period)
    # labels at origin + 1..4 → values at label - 3 (k <= 3) and label - 6 (k = 4)
    assert labels[0].tolist() == [6, 7, 8, 9]
    assert forecast[0].tolist() == [3, 4, 5, 3]
    # a periodic series is forecast exactly
    periodic = np.tile([1.0, 5.0, 2.0], 10)[:, None]
    inputs, labels = make_windows(periodic, spec)
    torch.testing.assert_close(seasonal_naive(inputs, spec, period), labels)


def test_seasonal_naive_needs_a_window_of_one_period():
    spec = WindowSpec(2, 1, 1)
    inputs, _ = make_windows(ramp(10), spec)
    with pytest.raises(ValueError, match="expected input_width >= 4 .* got input_width=2"):
        seasonal_naive(inputs, spec, period=4)


def test_linear_window_recovers_a_linear_rule():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5, 2))
    y = 0.5 * x[:, -1, 0:1] - 0.25 * x[:, 0, 1:2] + 2.0  # (200, 1)
    model = LinearWindow(ridge=0.0).fit(torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32))
    torch.testing.assert_close(model(torch.tensor(x, dtype=torch.float32)), torch.tensor(y, dtype=torch.float32), atol=1e-4, rtol=0)
    with pytest.raises(ValueError, match="expected windows with 10 values"):
        model(torch.zeros(3, 4, 2))
    with pytest.raises(RuntimeError, match="fit"):
        LinearWindow()(torch.zeros(1, 5, 2))


def seasonal_series(n=300, period=12, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 0.05 * t + np.sin(2 * np.pi * t / period) + 0.1 * rng.standard_normal(n)


def test_holt_winters_matches_statsmodels_forecast_at_the_end_of_training():
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    y = seasonal_series()
    train = y[:200]
    model = HoltWinters(period=12).fit(train)
    reference = ExponentialSmoothing(
        train, trend="add", seasonal="add", seasonal_periods=12, initialization_method="estimated"
    ).fit()
    ours = model.forecast(train, origins=np.array([199]), offsets=np.arange(1, 25))[0]
    np.testing.assert_allclose(ours, reference.forecast(24), rtol=1e-6, atol=1e-6)


def test_holt_winters_forecast_uses_only_the_past_of_each_origin():
    y = seasonal_series()
    model = HoltWinters(period=12).fit(y[:200])
    spec = WindowSpec(24, 6, 6)
    before = model.predict_windows(y, part_start=200, n_windows=20, spec=spec)
    changed = y.copy()
    changed[200 + 24 + 19 :] += 100.0  # everything after the last origin used
    after = model.predict_windows(changed, part_start=200, n_windows=20, spec=spec)
    torch.testing.assert_close(before, after)
    assert before.shape == (20, 6)
    with pytest.raises(RuntimeError, match="fit"):
        HoltWinters(12).forecast(y, np.array([50]), np.array([1]))


def test_baselines_check_windows_target_and_period():
    spec = WindowSpec(6, 2, 2)
    windows = torch.randn(4, 6, 2)
    with pytest.raises(ValueError, match=r"expected inputs of shape \(N, 6, features\), got \(4, 6\)"):
        persistence(windows[..., 0], spec)
    with pytest.raises(ValueError, match=r"expected target_index in \[0, 2\) \(an int\), got 3"):
        persistence(windows, spec, target_index=3)
    with pytest.raises(ValueError, match=r"expected period >= 1, got 0"):
        seasonal_naive(windows, spec, period=0)
    with pytest.raises(TypeError, match=r"expected an int period, got float 2.5"):
        seasonal_naive(windows, spec, period=2.5)
    with pytest.raises(ValueError, match=r"expected labels of shape \(4, label_width\), got \(3, 2\)"):
        LinearWindow().fit(windows, torch.randn(3, 2))


def test_holt_winters_needs_a_period_of_two_and_two_finite_periods_of_data():
    with pytest.raises(ValueError, match=r"expected period >= 2, got 1"):
        HoltWinters(1)
    with pytest.raises(ValueError, match=r"at least two periods \(8 steps\), got shape \(5,\)"):
        HoltWinters(4).fit(np.arange(5.0))
    with pytest.raises(ValueError, match=r"got shape \(12,\) with NaN/inf"):
        HoltWinters(4).fit(np.r_[np.arange(11.0), np.nan])
