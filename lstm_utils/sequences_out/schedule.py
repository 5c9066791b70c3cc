"""A learning rate that rises, then falls to almost nothing: the one-cycle schedule, for :func:`lstm_utils.training.fit`.

:func:`lstm_utils.training.fit` calls ``optimizer.zero_grad()`` and ``optimizer.step()`` once per batch
and nothing else. :class:`OneCycle` wraps an optimizer so that each ``step()`` also moves the learning
rate one step along :class:`torch.optim.lr_scheduler.OneCycleLR`: up from ``max_lr / 25`` to
``max_lr`` over the first ``warmup`` share of the steps, then down along a cosine to about zero.
Large steps early, small ones at the end: the last epochs polish the weights instead of jumping
around the minimum, which is what whole-string accuracy (every character right) needs.
"""

from __future__ import annotations

import torch


class OneCycle:
    """``optimizer`` whose learning rate follows one cycle over ``total_steps`` calls of :meth:`step`."""

    def __init__(self, optimizer: torch.optim.Optimizer, max_lr: float, total_steps: int, warmup: float = 0.15):
        if not isinstance(total_steps, int) or total_steps < 1:
            raise ValueError(f"expected total_steps >= 1 (epochs × batches per epoch), got {total_steps!r}")
        if not 0 < warmup < 1:
            raise ValueError(f"expected 0 < warmup < 1 (the share of the steps spent rising), got {warmup!r}")
        self.optimizer = optimizer
        self.total_steps = total_steps
        self.scheduler = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=max_lr, total_steps=total_steps, pct_start=warmup
        )

    @property
    def param_groups(self):
        return self.optimizer.param_groups

    @property
    def lr(self) -> float:
        """The learning rate the next :meth:`step` uses."""
        return self.optimizer.param_groups[0]["lr"]

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.optimizer.zero_grad(set_to_none=set_to_none)

    def step(self) -> None:
        """One update with the current learning rate, then the next learning rate (the last one is kept)."""
        self.optimizer.step()
        if self.scheduler.last_epoch < self.total_steps - 1:
            self.scheduler.step()
