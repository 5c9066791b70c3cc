"""Everything the "Forecasting" chapter (7) uses beyond the core, in five short files.

* :mod:`~lstm_utils.forecasting.data`: the series (CO₂, a noisy sine, Jena), windows and the split;
* :mod:`~lstm_utils.forecasting.baselines`: persistence, seasonal naive, linear, Holt-Winters;
* :mod:`~lstm_utils.forecasting.model`: the LSTM forecasters, the pinball loss, training;
* :mod:`~lstm_utils.forecasting.plots`: the chapter's figures;
* :mod:`~lstm_utils.forecasting.checks`: the checks of the chapter's exercises.
"""

from lstm_utils.forecasting.baselines import HoltWinters, LinearWindow, mae_table, persistence, seasonal_naive
from lstm_utils.forecasting.checks import check_drift, check_pinball
from lstm_utils.forecasting.data import WindowSpec, load_co2, load_jena, window_split
from lstm_utils.forecasting.model import (
    AutoregressiveLSTM, LSTMForecaster, PinballLoss, fit_forecaster, interval_coverage, predict,
)
from lstm_utils.forecasting.plots import (
    plot_coverage_by_horizon, plot_error_by_horizon, plot_forecasts, plot_split,
)

__all__ = [
    "AutoregressiveLSTM", "HoltWinters", "LSTMForecaster", "LinearWindow", "PinballLoss", "WindowSpec",
    "check_drift", "check_pinball", "fit_forecaster", "interval_coverage", "load_co2", "load_jena",
    "mae_table", "persistence", "plot_coverage_by_horizon", "plot_error_by_horizon", "plot_forecasts",
    "plot_split", "predict", "seasonal_naive", "window_split",
]
