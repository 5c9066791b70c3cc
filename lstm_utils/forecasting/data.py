"""Time series for the forecasting chapter: Mauna Loa CO₂ (embedded), a noisy sine, the Jena climate record.

* :func:`load_co2` — weekly CO₂ at Mauna Loa, March 1958 – December 2001, shipped inside
  ``statsmodels`` (``statsmodels.datasets.co2``), so it loads with no network. The record has weeks
  without a measurement; they are filled by linear interpolation in time between the nearest
  measured weeks (:func:`fill_gaps`), and the number of filled weeks is kept in ``attrs["filled"]``.
* :func:`noisy_sine` — a seeded sine wave with Gaussian noise, for the first explanation.
* :func:`read_jena` / :func:`load_jena` — the Jena climate record (Max Planck Institute for
  Biogeochemistry, 2009–2016, 14 features every 10 minutes), as the TensorFlow tutorial downloads it,
  resampled hourly.

Every loader returns a :class:`TimeSeries`: a DataFrame indexed by time, the target column, its unit
and the seasonal period in steps (52 weeks, 24 hours).

Cutting a series into (input window, label window) pairs, the chronological split and its normalisation.

A window is described by three numbers (the TensorFlow tutorial's vocabulary)::

    |<------------- input_width + shift ------------->|
    | x_{t-w+1} … x_t |      …      | y … y (label_width) |
                      ^ origin t    ^ label starts at t + shift - label_width + 1

* ``input_width`` :math:`w` steps are read, ending at the origin :math:`t`;
* the labels are the last ``label_width`` steps of a window that extends ``shift`` steps past the origin.
  Single-step forecasting is ``(w, 1, 1)``; forecasting the next :math:`H` steps at once is ``(w, H, H)``.

The series is split **in time order** into train / validation / test parts, and windows are cut inside
each part, so no window straddles two parts and nothing is shuffled across the split. The normalisation
:math:`z = (x - \\mu) / \\sigma` uses :math:`\\mu, \\sigma` of the training part only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from lstm_utils.data.archives import safe_extract
from lstm_utils.data.cache import DatasetUnavailable, data_dir, download, sha256sum
from lstm_utils.shapes import check_int


JENA_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/jena_climate_2009_2016.csv.zip"
JENA_CSV = "jena_climate_2009_2016.csv"
# The sha256 of the zip could not be looked up from here (no network). Until it is pinned, a download
# is checked by its size only (13,568,290 bytes, as Keras reports when it fetches the file);
# `load_jena` prints the sha256 it got so that it can be pinned here.
JENA_SHA256: str | None = None
JENA_ZIP_BYTES = 13_568_290
JENA_TIME = "Date Time"
JENA_TIME_FORMAT = "%d.%m.%Y %H:%M:%S"
JENA_COLUMNS = (
    "p (mbar)", "T (degC)", "Tpot (K)", "Tdew (degC)", "rh (%)", "VPmax (mbar)", "VPact (mbar)",
    "VPdef (mbar)", "sh (g/kg)", "H2OC (mmol/mol)", "rho (g/m**3)", "wv (m/s)", "max. wv (m/s)", "wd (deg)",
)  # fmt: skip
JENA_WIND = ("wv (m/s)", "max. wv (m/s)")  # hold -9999.0 where the anemometer failed


@dataclass
class TimeSeries:
    """A multivariate series: ``frame`` indexed by time, the column to forecast, its unit, its season."""

    frame: pd.DataFrame
    target: str
    unit: str
    period: int  # seasonal period in steps (52 for weekly data with a yearly cycle, 24 for hourly data)
    step: str  # what one step is ("week", "hour")

    @property
    def values(self) -> np.ndarray:
        """The data as a float32 array ``(time, features)``."""
        return self.frame.to_numpy(dtype=np.float32)  # (time, features)

    @property
    def target_index(self) -> int:
        return list(self.frame.columns).index(self.target)

    def __str__(self) -> str:
        start, end = self.frame.index[0], self.frame.index[-1]
        return (
            f"{len(self.frame)} {self.step}s from {start:%Y-%m-%d} to {end:%Y-%m-%d}, "
            f"features {list(self.frame.columns)}, target {self.target!r} ({self.unit})"
        )


def fill_gaps(series: pd.Series) -> tuple[pd.Series, int]:
    """Fill missing values by linear interpolation in time; return the filled series and how many were filled.

    For a gap between measured times :math:`t_a < t < t_b`:
    :math:`y_t = y_{t_a} + (y_{t_b} - y_{t_a}) (t - t_a) / (t_b - t_a)`.
    Gaps at either end (nothing to interpolate from) are an error.
    """
    if len(series) == 0:
        raise ValueError(f"{series.name}: expected a series of at least one value, got an empty one")
    missing = int(series.isna().sum())
    if series.iloc[[0, -1]].isna().any():
        raise ValueError(f"{series.name}: cannot interpolate a gap at the start or end of the series")
    return series.interpolate(method="time"), missing


def load_co2() -> TimeSeries:
    """Weekly Mauna Loa CO₂ in ppm (1958-03-29 to 2001-12-29, 2284 weeks), gaps filled by interpolation."""
    from statsmodels.datasets import co2

    raw = co2.load_pandas().data["co2"]
    filled, missing = fill_gaps(raw)
    frame = filled.to_frame("CO2 (ppm)")
    frame.index.name = "week"
    frame.attrs["filled"] = missing
    return TimeSeries(frame, target="CO2 (ppm)", unit="ppm", period=52, step="week")


def noisy_sine(length: int = 400, period: int = 40, noise: float = 0.1, seed: int = 0) -> TimeSeries:
    """:math:`y_t = \\sin(2\\pi t / P) + \\varepsilon_t`, :math:`\\varepsilon_t \\sim N(0, \\sigma^2)`, seeded."""
    check_int(length, "length", 1), check_int(period, "period", 2)
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    y = np.sin(2 * np.pi * t / period) + noise * rng.standard_normal(length)
    index = pd.date_range("2000-01-01", periods=length, freq="h", name="hour")
    return TimeSeries(pd.DataFrame({"y": y}, index=index), target="y", unit="a.u.", period=period, step="hour")


def read_jena(
    csv_path: str | os.PathLike,
    columns: tuple[str, ...] = JENA_COLUMNS,
    target: str = "T (degC)",
) -> TimeSeries:
    """Read ``jena_climate_2009_2016.csv``, keep ``columns``, resample to one row per hour.

    * Wind speeds of ``-9999`` (sensor failures) become 0 m/s, as in the TensorFlow tutorial.
    * Duplicate time stamps keep their first row.
    * Hourly resampling takes the last reading of each hour ``(h-1, h]``, i.e. the reading made on the hour,
      labelled ``h`` (the tutorial's ``df[5::6]``); hours without any reading are interpolated in time.
    """
    try:
        header = list(pd.read_csv(csv_path, nrows=0).columns)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{csv_path}: expected a header {[JENA_TIME, *columns]}, got an empty file") from None
    except UnicodeDecodeError as error:
        raise ValueError(f"{csv_path}: expected UTF-8 text, got a byte that is not ({error.reason})") from None
    wanted = [JENA_TIME, *columns]
    missing = [c for c in wanted if c not in header]
    if missing:
        raise ValueError(f"{csv_path}: expected columns {wanted}, missing {missing}; the file has {header}")
    if target not in columns:
        raise ValueError(f"expected the target {target!r} among the columns {list(columns)}")
    frame = pd.read_csv(csv_path, usecols=wanted)
    if frame.empty:
        raise ValueError(f"{csv_path}: expected at least one row of readings, got only the header")
    try:
        frame.index = pd.to_datetime(frame.pop(JENA_TIME), format=JENA_TIME_FORMAT)
    except ValueError as error:
        raise ValueError(f"{csv_path}: expected times like 01.01.2009 00:10:00 in {JENA_TIME!r}, got {error}") from None
    bad = [c for c in columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if bad:
        values = frame[bad[0]]
        first = values[pd.to_numeric(values, errors="coerce").isna() & values.notna()].iloc[0]
        raise ValueError(f"{csv_path}: expected numbers in {bad}, got text such as {first!r}")
    frame.index.name = "hour"
    frame = frame[~frame.index.duplicated(keep="first")].sort_index()
    for column in JENA_WIND:
        if column in frame:
            frame.loc[frame[column] == -9999.0, column] = 0.0
    hourly = frame.resample("1h", closed="right", label="right").last()
    hourly = hourly.interpolate(method="time").dropna()  # a first hour with no reading is dropped
    unit = target[target.index("(") + 1 : target.rindex(")")] if "(" in target else ""
    unit = {"degC": "°C"}.get(unit, unit)
    return TimeSeries(hourly.astype(np.float32), target=target, unit=unit, period=24, step="hour")


def load_jena(columns: tuple[str, ...] = JENA_COLUMNS, target: str = "T (degC)", download_ok: bool = True) -> TimeSeries:
    """The Jena record from ``data_dir("jena")``; downloaded (zip → :func:`safe_extract`) when absent and allowed.

    Raises :class:`DatasetUnavailable` when there is neither a local copy nor a download.
    """
    folder = data_dir("jena")
    csv_path = folder / JENA_CSV
    if not csv_path.exists():
        if not download_ok:
            raise DatasetUnavailable(f"no local copy at {csv_path}")
        archive = download(JENA_URL, folder / (JENA_CSV + ".zip"), JENA_SHA256, size=JENA_ZIP_BYTES)
        if JENA_SHA256 is None:
            print(f"{archive}: size verified; sha256 {sha256sum(archive)} (pin it as JENA_SHA256)")
        safe_extract(archive, folder)
        if not csv_path.exists():
            raise DatasetUnavailable(f"{archive} did not contain {JENA_CSV}")
    return read_jena(csv_path, columns=columns, target=target)


@dataclass(frozen=True)
class WindowSpec:
    """``input_width`` steps in, ``label_width`` steps out, the window ending ``shift`` steps after the inputs."""

    input_width: int
    label_width: int
    shift: int

    def __post_init__(self) -> None:
        for name in ("input_width", "label_width", "shift"):  # 2.0 steps is refused: a width counts steps
            value = getattr(self, name)
            if isinstance(value, bool) or not hasattr(value, "__index__"):
                raise TypeError(f"expected input_width, label_width, shift as ints, got {name}={value!r} in {self}")
            object.__setattr__(self, name, int(value))
        if min(self.input_width, self.label_width, self.shift) < 1:
            raise ValueError(f"expected input_width, label_width, shift >= 1, got {self}")
        if self.label_width > self.shift + self.input_width:
            raise ValueError(f"expected label_width <= input_width + shift, got {self}")

    @property
    def total_width(self) -> int:
        return self.input_width + self.shift

    @property
    def label_offsets(self) -> np.ndarray:
        """Steps after the origin (1 = the next step) of each label."""
        return np.arange(self.shift - self.label_width + 1, self.shift + 1)


@dataclass
class Normalizer:
    """Per-feature :math:`z = (x - \\mu) / \\sigma`, with :math:`\\mu, \\sigma` fitted on the training part."""

    mean: np.ndarray  # (features,)
    std: np.ndarray  # (features,)

    @classmethod
    def fit(cls, train: np.ndarray) -> "Normalizer":
        train = _as_2d(train, "train")
        if len(train) == 0:
            raise ValueError(f"expected a training part of at least one step to fit mean and std, got shape {train.shape}")
        _check_finite(train, "train")
        std = train.std(axis=0)
        return cls(mean=train.mean(axis=0), std=np.where(std > 0, std, 1.0))

    def transform(self, values: np.ndarray) -> np.ndarray:
        values = _as_2d(values, "values")
        if values.shape[1] != len(self.mean):
            raise ValueError(f"expected values of shape (time, {len(self.mean)}) (the features fitted), "
                             f"got {values.shape}")
        return ((values - self.mean) / self.std).astype(np.float32)

    def inverse(self, values: np.ndarray, column: int | None = None) -> np.ndarray:
        """Undo the normalisation; ``column`` picks one feature for arrays holding only that feature."""
        if column is None:
            return values * self.std + self.mean
        check_index(column, len(self.mean), "column")
        return values * self.std[column] + self.mean[column]


def check_index(index, size: int, name: str) -> None:
    """``index`` must be an int in ``[0, size)``: a feature of a series with ``size`` features."""
    if isinstance(index, bool) or not hasattr(index, "__index__") or not 0 <= index < size:
        raise ValueError(f"expected {name} in [0, {size}) (an int), got {index!r}")


def _as_2d(values: np.ndarray, name: str) -> np.ndarray:
    try:
        values = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"expected {name} as numbers (time,) or (time, features), got {type(values).__name__} "
                        f"that is not ({error})") from None
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2:
        raise ValueError(f"expected {name} of shape (time,) or (time, features), got {values.shape}")
    return values


def _check_finite(values: np.ndarray, name: str) -> None:
    bad = ~np.isfinite(values)
    if bad.any():
        first = int(np.argwhere(bad)[0][0])
        raise ValueError(
            f"expected {name} without NaN/inf, got {int(bad.sum())} (first at step {first}); fill the gaps first"
        )


def chronological_split(
    values: np.ndarray, fractions: tuple[float, float, float] = (0.7, 0.2, 0.1)
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split along time into train / validation / test, in that order (no shuffling)."""
    if (not isinstance(fractions, (tuple, list)) or len(fractions) != 3 or min(fractions) <= 0
            or abs(sum(fractions) - 1) > 1e-9):
        raise ValueError(f"expected three positive fractions summing to 1, got {fractions}")
    n = len(values)
    a = int(round(n * fractions[0]))
    b = a + int(round(n * fractions[1]))
    return values[:a], values[a:b], values[b:]


def make_windows(
    values: np.ndarray, spec: WindowSpec, target_index: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """All windows of one part: inputs ``(N, input_width, features)``, labels ``(N, label_width)``.

    Window :math:`k` reads steps :math:`k … k+w-1` (all features) and labels steps
    :math:`k+w+s-\\ell … k+w+s-1` of feature ``target_index`` (:math:`w, \\ell, s` = input width,
    label width, shift), so every label comes strictly after every input.
    """
    values = _as_2d(values, "values")
    _check_finite(values, "values")
    n, features = values.shape
    if n < spec.total_width:
        raise ValueError(
            f"expected a series of at least {spec.total_width} steps for one window "
            f"(input_width={spec.input_width} + shift={spec.shift}), got {n}"
        )
    check_index(target_index, features, "target_index")
    count = n - spec.total_width + 1
    starts = np.arange(count)[:, None]
    inputs = values[starts + np.arange(spec.input_width)]  # (N, input_width, features)
    label_steps = spec.input_width - 1 + spec.label_offsets  # positions after each window's start
    labels = values[starts + label_steps, target_index]  # (N, label_width)
    return torch.as_tensor(inputs, dtype=torch.float32), torch.as_tensor(labels, dtype=torch.float32)


@dataclass
class WindowedSplit:
    """Normalised windows of the three parts and the :class:`Normalizer` fitted on the training part."""

    spec: WindowSpec
    normalizer: Normalizer
    target_index: int
    train: tuple[torch.Tensor, torch.Tensor]
    val: tuple[torch.Tensor, torch.Tensor]
    test: tuple[torch.Tensor, torch.Tensor]
    parts: tuple[np.ndarray, np.ndarray, np.ndarray]  # the normalised parts, (time, features) each

    def to_units(self, normalised: torch.Tensor | np.ndarray) -> np.ndarray:
        """Target values back in the data's units (e.g. ppm, °C)."""
        return self.normalizer.inverse(np.asarray(normalised), column=self.target_index)

    @property
    def target_std(self) -> float:
        """:math:`\\sigma` of the target on the training part: MAE in units = normalised MAE × this."""
        return float(self.normalizer.std[self.target_index])


def window_split(
    values: np.ndarray,
    spec: WindowSpec,
    target_index: int = 0,
    fractions: tuple[float, float, float] = (0.7, 0.2, 0.1),
) -> WindowedSplit:
    """Split chronologically, fit the normalisation on the training part, and cut each part into windows."""
    values = _as_2d(values, "values")
    _check_finite(values, "values")
    train, val, test = chronological_split(values, fractions)
    normalizer = Normalizer.fit(train)
    parts = tuple(normalizer.transform(part) for part in (train, val, test))
    windows = []
    for name, part in zip(("train", "validation", "test"), parts):
        try:
            windows.append(make_windows(part, spec, target_index))
        except ValueError as error:
            raise ValueError(f"{name} part ({len(part)} steps): {error}") from None
    return WindowedSplit(spec, normalizer, target_index, *windows, parts=parts)
