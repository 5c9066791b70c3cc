"""Cutting a series into (input window, label window) pairs, the chronological split and its normalisation.

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

from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class WindowSpec:
    """``input_width`` steps in, ``label_width`` steps out, the window ending ``shift`` steps after the inputs."""

    input_width: int
    label_width: int
    shift: int

    def __post_init__(self) -> None:
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
        _check_finite(train, "train")
        std = train.std(axis=0)
        return cls(mean=train.mean(axis=0), std=np.where(std > 0, std, 1.0))

    def transform(self, values: np.ndarray) -> np.ndarray:
        return ((_as_2d(values, "values") - self.mean) / self.std).astype(np.float32)

    def inverse(self, values: np.ndarray, column: int | None = None) -> np.ndarray:
        """Undo the normalisation; ``column`` picks one feature for arrays holding only that feature."""
        if column is None:
            return values * self.std + self.mean
        return values * self.std[column] + self.mean[column]


def _as_2d(values: np.ndarray, name: str) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
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
    if len(fractions) != 3 or min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-9:
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
    if not 0 <= target_index < features:
        raise ValueError(f"expected target_index in [0, {features}), got {target_index}")
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
