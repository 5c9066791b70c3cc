"""One training loop for every chapter: progress bars, history, best-on-dev weights, evaluation.

A batch is a tuple ``(*inputs, targets)``; by default the model is called as ``model(*inputs)``
and the loss as ``loss_fn(outputs, targets)``. Chapters whose batches look different pass their own
``forward(model, batch, device) -> (outputs, targets)``.
"""

from __future__ import annotations

import copy
import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping

import torch
from torch import nn

from lstm_utils.progress import tqdm

from lstm_utils.shapes import check_int

LOWER_IS_BETTER = ("loss", "error", "mae", "mse", "rmse", "perplexity")

Metric = Callable[[torch.Tensor, torch.Tensor], tuple[float, float]]
Forward = Callable[[nn.Module, Any, torch.device], tuple[torch.Tensor, torch.Tensor]]


def to_device(value: Any, device: torch.device) -> Any:
    """Move a tensor, or the tensors inside tuples/lists/dicts, to ``device``; leave the rest alone."""
    if isinstance(value, torch.Tensor):
        return value.to(device)
    if isinstance(value, (tuple, list)):
        return type(value)(to_device(v, device) for v in value)
    if isinstance(value, dict):
        return {k: to_device(v, device) for k, v in value.items()}
    return value


def default_forward(model: nn.Module, batch: Any, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """``batch = (*inputs, targets)`` → ``(model(*inputs), targets)``, all on ``device``."""
    if not isinstance(batch, (tuple, list)) or len(batch) < 2:
        raise ValueError("expected a batch (*inputs, targets) with at least 2 items; pass forward= for other layouts")
    *inputs, targets = to_device(batch, device)
    return model(*inputs), targets


@contextmanager
def evaluating(model: nn.Module) -> Iterator[nn.Module]:
    """Eval mode inside the ``with`` block (dropout off), the model's own mode again after it, even on an error."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


def ridge_regression(x: torch.Tensor, y: torch.Tensor, penalty: float, *, penalize_last: bool = True) -> torch.Tensor:
    """Closed-form ridge regression: :math:`W = (X^\\top X + \\lambda n I)^{-1} X^\\top Y`.

    ``x`` is ``(..., n, d)`` (leading axes fit separate problems at once), ``y`` is ``(..., n, k)`` or
    ``(n, k)``; returns ``W`` ``(..., d, k)``. ``penalize_last=False`` leaves the last column of ``x``
    (a column of ones: the bias) unpenalised.
    """
    if x.dim() < 2 or y.dim() < 2 or x.shape[-2] != y.shape[-2]:
        raise ValueError(f"expected x (..., n, d) and y (..., n, k) with the same n, got {tuple(x.shape)} and {tuple(y.shape)}")
    if not penalty >= 0:
        raise ValueError(f"expected a penalty >= 0, got {penalty}")
    n, d = x.shape[-2:]
    regulariser = penalty * n * torch.eye(d, dtype=x.dtype, device=x.device)  # (d, d)
    if not penalize_last:
        regulariser[-1, -1] = 0
    x_t = x.transpose(-1, -2)  # (..., d, n)
    return torch.linalg.solve(x_t @ x + regulariser, x_t @ y)


@dataclass
class History:
    """Per-epoch records (``train_loss``, ``dev_loss``, ``dev_<metric>`` …) and the best epoch."""

    records: list[dict[str, float]] = field(default_factory=list)
    monitor: str | None = None
    best_epoch: int | None = None

    def __getitem__(self, key: str) -> list[float]:
        return [record[key] for record in self.records if key in record]

    def keys(self) -> list[str]:
        return list(dict.fromkeys(k for record in self.records for k in record))

    @property
    def best(self) -> dict[str, float]:
        """The record of the best epoch (the last one when nothing was monitored)."""
        if not self.records:
            raise ValueError("the history is empty: no epoch has run")
        if self.best_epoch is None:
            return self.records[-1]
        return next(r for r in self.records if r["epoch"] == self.best_epoch)

    def to_frame(self):
        """The records as a pandas DataFrame indexed by epoch."""
        import pandas as pd

        return pd.DataFrame(self.records).set_index("epoch")


def _check_metrics(metrics) -> None:
    if metrics is not None and (not isinstance(metrics, Mapping) or not all(map(callable, metrics.values()))):
        raise TypeError(f"expected metrics as a dict {{name: metric(outputs, targets)}}, got {metrics!r}")


@torch.no_grad()
def evaluate(
    model: nn.Module,
    loader: Iterable,
    *,
    loss_fn: Callable | None = None,
    metrics: Mapping[str, Metric] | None = None,
    forward: Forward = default_forward,
    device: torch.device | str | None = None,
) -> dict[str, float]:
    """Loss (mean over examples) and each metric over the whole ``loader``, in eval mode."""
    _check_metrics(metrics)
    device = torch.device(device) if device is not None else next(model.parameters()).device
    totals = {name: [0.0, 0.0] for name in (metrics or {})}
    loss_sum, count = 0.0, 0
    with evaluating(model):
        for batch in loader:
            outputs, targets = forward(model, batch, device)
            n = len(targets)
            if loss_fn is not None:
                loss_sum += float(loss_fn(outputs, targets)) * n
            count += n
            for name, metric in (metrics or {}).items():
                num, den = metric(outputs, targets)
                totals[name][0] += num
                totals[name][1] += den
    if count == 0:
        raise ValueError("the loader yielded no batches")
    result = {"loss": loss_sum / count} if loss_fn is not None else {}
    result.update({name: (num / den if den else math.nan) for name, (num, den) in totals.items()})
    return result


def fit(
    model: nn.Module,
    train_loader: Iterable,
    *,
    optimizer: torch.optim.Optimizer,
    loss_fn: Callable,
    epochs: int,
    dev_loader: Iterable | None = None,
    metrics: Mapping[str, Metric] | None = None,
    monitor: str = "dev_loss",
    forward: Forward = default_forward,
    device: torch.device | str | None = None,
    grad_clip: float | None = None,
    patience: int | None = None,
    progress: bool = True,
    desc: str = "training",
) -> History:
    """Train ``model`` for ``epochs`` epochs; return its :class:`History`.

    After each epoch the model is evaluated on ``dev_loader`` (loss and ``metrics``). The weights of
    the best epoch by ``monitor`` are kept and restored at the end: smaller is better for names ending
    in ``loss``, ``error``, ``mae``, ``mse``, ``rmse`` or ``perplexity``, larger otherwise (accuracy, F1, …).
    ``grad_clip`` rescales the gradients whose joint norm exceeds it; ``patience`` stops early after that
    many epochs without improvement. Each step is the loop chapter 3 writes in the open.
    """
    check_int(epochs, "epochs", 1)
    check_int(patience, "patience", 1, optional=True)
    if grad_clip is not None and not grad_clip > 0:
        raise ValueError(f"expected grad_clip > 0 or None, got {grad_clip}")
    if not callable(getattr(optimizer, "step", None)) or not callable(getattr(optimizer, "zero_grad", None)):
        raise TypeError(f"expected a torch.optim.Optimizer, got {type(optimizer).__name__}")
    _check_metrics(metrics)
    if dev_loader is not None:
        recorded = ["dev_loss", *(f"dev_{name}" for name in (metrics or {}))]
        if monitor not in recorded:
            raise KeyError(f"expected monitor to be one of the recorded values {recorded}, got {monitor!r}")
    device = torch.device(device) if device is not None else next(model.parameters()).device
    model.to(device)
    minimize = monitor.endswith(LOWER_IS_BETTER)
    history = History(monitor=monitor if dev_loader is not None else None)
    best_value, best_state, stale = math.inf if minimize else -math.inf, None, 0

    bar = tqdm(range(1, epochs + 1), desc=desc, unit="epoch", disable=not progress)
    for epoch in bar:
        model.train()
        loss_sum, count = 0.0, 0
        for batch in train_loader:
            outputs, targets = forward(model, batch, device)
            loss = loss_fn(outputs, targets)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if grad_clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
            optimizer.step()
            loss_sum += float(loss.detach()) * len(targets)
            count += len(targets)
        if count == 0:
            raise ValueError("expected a train_loader that yields batches, got one that yielded none")
        record: dict[str, float] = {"epoch": epoch, "train_loss": loss_sum / count}
        if dev_loader is not None:
            dev = evaluate(model, dev_loader, loss_fn=loss_fn, metrics=metrics, forward=forward, device=device)
            record.update({f"dev_{k}": v for k, v in dev.items()})
            if monitor not in record:
                raise KeyError(f"monitor {monitor!r} is not among the recorded values {sorted(record)}")
            value = record[monitor]
            if (value < best_value) if minimize else (value > best_value):
                best_value, stale, history.best_epoch = value, 0, epoch
                best_state = copy.deepcopy(model.state_dict())
            else:
                stale += 1
        history.records.append(record)
        bar.set_postfix({k: f"{v:.4f}" for k, v in record.items() if k != "epoch"})
        if patience is not None and stale >= patience:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    return history
