"""LSTM forecasters: single-step, multi-step single-shot, autoregressive; quantile outputs for intervals.

Every model reads a window ``(batch, input_width, features)`` of the normalised series and returns the
target's forecasts ``(batch, label_width)`` (or ``(batch, label_width, quantiles)``). The recurrent
layer is passed in: ``nn.LSTM`` or the book's hand-written ``lstm_utils.layers.LSTM`` (same signature),
built with ``batch_first=True``.

With ``relative=True`` (the default) the model sees the window *minus its last value* and forecasts the
change from that value, :math:`\\hat y_{t+k} = y_t + f(x_{t-w+1} - x_t, …, x_t - x_t)_k`. A trending
series (CO₂) reaches levels in the test part that never occur in training; a forecaster that only sees
differences does not need to extrapolate its inputs.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from lstm_utils.metrics import mean_absolute_error
from lstm_utils.shapes import check_int, check_shape
from lstm_utils.training import evaluating, fit


def _check_rnn(rnn: nn.Module, label_width: int, target_index: int) -> None:
    check_int(label_width, "label_width", 1)
    if not isinstance(rnn, nn.Module) or not hasattr(rnn, "input_size") or not hasattr(rnn, "hidden_size"):
        raise TypeError(f"expected a recurrent layer (nn.LSTM-like, with input_size and hidden_size), "
                        f"got {type(rnn).__name__}")
    if check_int(target_index, "target_index", 0) >= rnn.input_size:
        raise ValueError(f"expected target_index in [0, {rnn.input_size}) (the layer's input features), got {target_index}")
    if not getattr(rnn, "batch_first", False):
        raise ValueError("expected a recurrent layer built with batch_first=True")
    if getattr(rnn, "bidirectional", False):
        raise ValueError("a forecaster must not read the window backwards: expected bidirectional=False")


def _check_inputs(inputs: torch.Tensor, rnn: nn.Module) -> None:
    check_shape(inputs, ("batch", "input_width", rnn.input_size), name="inputs")
    if inputs.shape[1] == 0:
        raise ValueError(f"expected windows of at least one step, got shape {tuple(inputs.shape)}")


class LSTMForecaster(nn.Module):
    """Single-shot: ``window → LSTM → h_T → linear → label_width`` forecasts at once.

    ``label_width=1`` is the single-step forecaster. With ``quantiles`` the head gives one forecast per
    quantile level and step: ``(batch, label_width, len(quantiles))``.
    """

    def __init__(
        self,
        rnn: nn.Module,
        label_width: int,
        target_index: int = 0,
        quantiles: Sequence[float] | None = None,
        relative: bool = True,
    ):
        super().__init__()
        _check_rnn(rnn, label_width, target_index)
        self.rnn, self.label_width, self.target_index, self.relative = rnn, label_width, target_index, relative
        self.quantiles = tuple(quantiles) if quantiles is not None else None
        outputs = len(self.quantiles) if self.quantiles else 1
        self.head = nn.Linear(rnn.hidden_size, label_width * outputs)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        _check_inputs(inputs, self.rnn)
        last = inputs[:, -1:, :]  # (batch, 1, features)
        x = inputs - last if self.relative else inputs  # (batch, input_width, features)
        output, _ = self.rnn(x)  # (batch, input_width, hidden)
        y = self.head(output[:, -1]).view(len(inputs), self.label_width, -1)  # (batch, label_width, outputs)
        if self.relative:
            y = y + last[:, :, self.target_index, None]
        return y if self.quantiles else y[..., 0]  # (batch, label_width[, quantiles])


class AutoregressiveLSTM(nn.Module):
    """Feeds its own predictions back: one step at a time for ``label_width`` steps.

    After reading the window (warm-up), the model predicts the next step of *every* feature,
    :math:`\\hat x_{t+1} = V h_t + c`, and reads :math:`\\hat x_{t+1}` as the next input, carrying
    :math:`(h, c)` along, until :math:`\\hat x_{t+\\ell}`. Returns the target's forecasts ``(batch, label_width)``.
    Labels must be the ``label_width`` steps right after the window (``shift == label_width``).
    """

    def __init__(self, rnn: nn.Module, label_width: int, target_index: int = 0, relative: bool = True):
        super().__init__()
        _check_rnn(rnn, label_width, target_index)
        self.rnn, self.label_width, self.target_index, self.relative = rnn, label_width, target_index, relative
        self.head = nn.Linear(rnn.hidden_size, rnn.input_size)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        _check_inputs(inputs, self.rnn)
        last = inputs[:, -1:, :]  # (batch, 1, features)
        x = inputs - last if self.relative else inputs  # (batch, input_width, features)
        output, state = self.rnn(x)  # warm-up over the window
        step = self.head(output[:, -1:])  # (batch, 1, features)
        steps = [step]
        for _ in range(self.label_width - 1):
            output, state = self.rnn(step, state)  # read our own prediction
            step = self.head(output)  # (batch, 1, features)
            steps.append(step)
        y = torch.cat(steps, dim=1)  # (batch, label_width, features)
        if self.relative:
            y = y + last
        return y[..., self.target_index]  # (batch, label_width)


class PinballLoss(nn.Module):
    """Quantile (pinball) loss {cite:p}`koenker1978quantile`, averaged over examples, steps and levels.

    .. math:: L_\\tau(y, q) = \\max\\big(\\tau (y - q), (\\tau - 1)(y - q)\\big)

    Its minimiser over :math:`q` is the :math:`\\tau`-quantile of :math:`y`, so a head trained with
    levels :math:`(0.05, 0.5, 0.95)` forecasts a median and a central 90 % interval.
    """

    def __init__(self, quantiles: Sequence[float]):
        super().__init__()
        if not quantiles or not all(0 < q < 1 for q in quantiles):
            raise ValueError(f"expected quantile levels strictly between 0 and 1, got {quantiles}")
        self.register_buffer("tau", torch.tensor(list(quantiles), dtype=torch.float32))

    def forward(self, predictions: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        if predictions.shape != (*targets.shape, len(self.tau)):
            raise ValueError(
                f"expected predictions of shape {(*targets.shape, len(self.tau))} for targets "
                f"{tuple(targets.shape)}, got {tuple(predictions.shape)}"
            )
        error = targets.unsqueeze(-1) - predictions  # (batch, label_width, quantiles)
        return torch.maximum(self.tau * error, (self.tau - 1) * error).mean()


def median_mae(quantiles: Sequence[float]):
    """A metric for :func:`lstm_utils.training.fit`: MAE of the 0.5-quantile forecast."""
    if 0.5 not in quantiles:
        raise ValueError(f"expected 0.5 among the quantile levels, got {quantiles}")
    middle = list(quantiles).index(0.5)

    def metric(outputs: torch.Tensor, targets: torch.Tensor) -> tuple[float, float]:
        return mean_absolute_error(outputs[..., middle], targets)

    return metric


def interval_coverage(lower: torch.Tensor, upper: torch.Tensor, targets: torch.Tensor) -> float:
    """Share of targets inside ``[lower, upper]``; a calibrated 90 % interval covers about 0.9."""
    if not lower.shape == upper.shape == targets.shape:
        raise ValueError(
            f"expected lower, upper, targets of one shape, got {tuple(lower.shape)}, "
            f"{tuple(upper.shape)}, {tuple(targets.shape)}"
        )
    return float(((targets >= lower) & (targets <= upper)).float().mean())


@torch.no_grad()
def predict(model: nn.Module, inputs: torch.Tensor, batch_size: int = 512) -> torch.Tensor:
    """The model's forecasts for all windows ``inputs``, in eval mode, batch by batch."""
    batch_size = check_int(batch_size, "batch_size", 1)
    if not isinstance(inputs, torch.Tensor) or len(inputs) == 0:
        raise ValueError(f"expected a tensor of at least one window, got {getattr(inputs, 'shape', type(inputs).__name__)}")
    with evaluating(model):
        return torch.cat([model(inputs[i : i + batch_size]) for i in range(0, len(inputs), batch_size)])


def fit_forecaster(
    model: nn.Module,
    train: tuple[torch.Tensor, torch.Tensor],
    val: tuple[torch.Tensor, torch.Tensor],
    *,
    epochs: int,
    lr: float = 3e-3,
    batch_size: int = 32,
    loss_fn: nn.Module | None = None,
    seed: int = 0,
    desc: str = "training",
):
    """Train with :func:`lstm_utils.training.fit` on windows ``(inputs, labels)``; keep the best epoch on ``val``.

    The best epoch is the one with the lowest validation loss (``fit`` treats a monitor whose name does not
    end in ``loss`` as larger-is-better, so ``dev_mae`` must not be monitored).

    The loss is the MAE (``nn.L1Loss``) unless ``loss_fn`` is given (a :class:`PinballLoss` for
    quantile models, whose validation MAE is then that of the median). Only the training windows are
    shuffled, with a generator seeded by ``seed``; the split itself stays in time order.
    """
    for name, part in (("train", train), ("val", val)):
        if not isinstance(part, (tuple, list)) or len(part) != 2 or len(part[0]) != len(part[1]) or not len(part[0]):
            given = ([tuple(getattr(t, "shape", ())) for t in part] if isinstance(part, (tuple, list))
                     else type(part).__name__)
            raise ValueError(f"expected {name} = (inputs, labels) with as many labels as windows (at least one), "
                             f"got {given}")
    quantiles = getattr(model, "quantiles", None)
    metric = median_mae(quantiles) if quantiles else mean_absolute_error
    generator = torch.Generator().manual_seed(seed)
    train_loader = DataLoader(TensorDataset(*train), batch_size=batch_size, shuffle=True, generator=generator)
    val_loader = DataLoader(TensorDataset(*val), batch_size=512)
    return fit(
        model, train_loader, optimizer=torch.optim.Adam(model.parameters(), lr=lr),
        loss_fn=loss_fn or nn.L1Loss(), epochs=epochs, dev_loader=val_loader,
        metrics={"mae": metric}, monitor="dev_loss", desc=desc,
    )  # fmt: skip
