"""The forecasts an LSTM has to beat: persistence, seasonal naive, linear on the window, Holt-Winters.

All work on the windows of :mod:`lstm_utils.forecasting.data`: ``inputs`` of shape ``(N, input_width, features)``
and a :class:`~lstm_utils.forecasting.data.WindowSpec`; each returns forecasts of the target ``(N, label_width)``.
A label :math:`k` steps after the origin :math:`t` (the last input step) is :math:`\\hat y_{t+k}`.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import torch

from lstm_utils.forecasting.data import WindowSpec, check_index
from lstm_utils.metrics import mean_absolute_error
from lstm_utils.shapes import check_int, check_shape
from lstm_utils.training import ridge_regression


def _check_windows(inputs: torch.Tensor, spec: WindowSpec, target_index: int) -> None:
    """``inputs`` ``(N, input_width, features)`` with ``target_index`` one of its features."""
    features = check_shape(inputs, ("N", spec.input_width, "features"), name="inputs")["features"]
    check_index(target_index, features, "target_index")


def persistence(inputs: torch.Tensor, spec: WindowSpec, target_index: int = 0) -> torch.Tensor:
    """Last value: :math:`\\hat y_{t+k} = y_t` for every horizon :math:`k`."""
    _check_windows(inputs, spec, target_index)
    last = inputs[:, -1, target_index]  # (N,)
    return last[:, None].expand(-1, spec.label_width).clone()  # (N, label_width)


def seasonal_naive(inputs: torch.Tensor, spec: WindowSpec, period: int, target_index: int = 0) -> torch.Tensor:
    """Same time last season: :math:`\\hat y_{t+k} = y_{t+k-m\\lceil k/m \\rceil}` (:math:`m` = ``period``)."""
    _check_windows(inputs, spec, target_index)
    check_int(period, "period", 1)
    offsets = spec.label_offsets  # (label_width,) steps after the origin
    back = offsets - period * np.ceil(offsets / period).astype(int)  # <= 0: steps relative to the origin
    positions = spec.input_width - 1 + back
    if positions.min() < 0:
        raise ValueError(
            f"expected input_width >= {spec.input_width - positions.min()} to look one period ({period} steps) "
            f"back from every label, got input_width={spec.input_width}"
        )
    return inputs[:, positions, target_index].clone()  # (N, label_width)


class LinearWindow:
    """Least squares on the flattened window: :math:`\\hat{\\mathbf y} = W \\operatorname{vec}(X) + b`.

    Fitted in closed form on the training windows, with a small ridge penalty
    :math:`\\lambda \\lVert W \\rVert^2` so that long windows stay well conditioned.
    """

    def __init__(self, ridge: float = 1e-3):
        self.ridge = ridge
        self.weight: torch.Tensor | None = None  # (features·input_width + 1, label_width)

    @staticmethod
    def _design(inputs: torch.Tensor) -> torch.Tensor:
        flat = inputs.reshape(len(inputs), -1).double()  # (N, input_width·features)
        return torch.cat([flat, torch.ones(len(inputs), 1, dtype=flat.dtype)], dim=1)

    def fit(self, inputs: torch.Tensor, labels: torch.Tensor) -> "LinearWindow":
        n = check_shape(inputs, ("N", "input_width", "features"), name="inputs")["N"]
        check_shape(labels, (n, "label_width"), name="labels")
        x, y = self._design(inputs), labels.double()
        self.weight = ridge_regression(x, y, self.ridge, penalize_last=False)  # no penalty on the bias
        return self

    def __call__(self, inputs: torch.Tensor) -> torch.Tensor:
        if self.weight is None:
            raise RuntimeError("call fit(inputs, labels) on the training windows first")
        check_shape(inputs, ("N", "input_width", "features"), name="inputs")
        if inputs.shape[1] * inputs.shape[2] + 1 != self.weight.shape[0]:
            raise ValueError(
                f"expected windows with {self.weight.shape[0] - 1} values (input_width × features), "
                f"got {tuple(inputs.shape[1:])}"
            )
        return (self._design(inputs) @ self.weight).float()  # (N, label_width)


class HoltWinters:
    """Additive Holt-Winters exponential smoothing {cite:p}`hyndman2021fpp3`, fitted by ``statsmodels``.

    .. math::
        \\ell_t &= \\alpha (y_t - s_{t-m}) + (1 - \\alpha)(\\ell_{t-1} + b_{t-1}) \\\\
        b_t &= \\beta (\\ell_t - \\ell_{t-1}) + (1 - \\beta) b_{t-1} \\\\
        s_t &= \\gamma (y_t - \\ell_{t-1} - b_{t-1}) + (1 - \\gamma) s_{t-m} \\\\
        \\hat y_{t+k} &= \\ell_t + k b_t + s_{t+k-m\\lceil k/m \\rceil}

    :meth:`fit` estimates :math:`\\alpha, \\beta, \\gamma` and the initial states on the training part only;
    :meth:`forecast` runs the same recursion, parameters frozen, over the whole series and forecasts from
    any origin using only the states at that origin (which depend on :math:`y_{\\le t}` only).
    """

    def __init__(self, period: int):
        self.period = check_int(period, "period", 2)
        self.params: dict | None = None

    def fit(self, train: np.ndarray) -> "HoltWinters":
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        train = np.asarray(train, dtype=np.float64)
        if train.ndim != 1 or len(train) < 2 * self.period or not np.isfinite(train).all():
            raise ValueError(f"expected a finite series (time,) of at least two periods ({2 * self.period} steps), "
                             f"got shape {train.shape}" + ("" if np.isfinite(train).all() else " with NaN/inf"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter
            model = ExponentialSmoothing(
                np.asarray(train, dtype=np.float64), trend="add", seasonal="add",
                seasonal_periods=self.period, initialization_method="estimated",
            ).fit()  # fmt: skip
        self.params = dict(model.params)
        return self

    def _states(self, series: np.ndarray):
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        if self.params is None:
            raise RuntimeError("call fit(train) on the training part first")
        p = self.params
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = ExponentialSmoothing(
                np.asarray(series, dtype=np.float64), trend="add", seasonal="add", seasonal_periods=self.period,
                initialization_method="known", initial_level=p["initial_level"],
                initial_trend=p["initial_trend"], initial_seasonal=p["initial_seasons"],
            ).fit(
                smoothing_level=p["smoothing_level"], smoothing_trend=p["smoothing_trend"],
                smoothing_seasonal=p["smoothing_seasonal"], optimized=False,
            )  # fmt: skip
        return result.level, result.trend, result.season

    def forecast(self, series: np.ndarray, origins: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """:math:`\\hat y_{t+k}` for each origin :math:`t` (index into ``series``) and offset :math:`k`: ``(origins, offsets)``."""
        level, trend, season = self._states(series)
        origins, offsets = np.asarray(origins)[:, None], np.asarray(offsets)[None, :]
        seasonal_at = origins + offsets - self.period * np.ceil(offsets / self.period).astype(int)
        if seasonal_at.min() < 0:
            raise ValueError(f"expected origins >= {self.period}, got {int(origins.min())}")
        return level[origins] + offsets * trend[origins] + season[seasonal_at]

    def predict_windows(self, series: np.ndarray, part_start: int, n_windows: int, spec: WindowSpec) -> torch.Tensor:
        """Forecasts for the ``n_windows`` windows of the part starting at ``part_start`` in ``series``."""
        origins = part_start + spec.input_width - 1 + np.arange(n_windows)
        return torch.as_tensor(self.forecast(series, origins, spec.label_offsets), dtype=torch.float32)


def mae_table(
    forecasts: dict[str, tuple[torch.Tensor, torch.Tensor]],
    val_labels: torch.Tensor,
    test_labels: torch.Tensor,
    scale: float,
    unit: str,
):
    """One row per model: MAE on validation and test, normalised and in the data's units.

    ``forecasts`` maps a model's name to its normalised ``(val, test)`` forecasts ``(N, label_width)``.
    The normalisation is affine, so MAE in units = normalised MAE × :math:`\\sigma_{train}` (``scale``).
    """
    rows = []
    for name, (val, test) in forecasts.items():
        v = mean_absolute_error(val, val_labels)
        t = mean_absolute_error(test, test_labels)
        v, t = v[0] / v[1], t[0] / t[1]
        rows.append({"model": name, "val MAE": v, "test MAE": t, f"val MAE ({unit})": v * scale, f"test MAE ({unit})": t * scale})
    return pd.DataFrame(rows).set_index("model")
