"""Read a last-state classifier's answer after every step, not only the last: how early can it tell?

A unidirectional recurrent layer's ``output[:, t]`` is the last layer's hidden state ``h_t`` after
reading steps ``0..t``, and it is exactly what the layer would return as its final state if the
sequence stopped at ``t``. Applying the classifier's trained head to it,

.. math:: \\hat{y}_t = \\arg\\max_k \\, (W_{hy} h_t + b_y)_k,

gives the class the model would predict from the first ``t + 1`` steps alone, with no retraining.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import torch
from torch import nn

from lstm_utils.models.classifier import LastStateClassifier


def logits_after_each_step(model: LastStateClassifier, inputs: torch.Tensor) -> torch.Tensor:
    """``(batch, seq, classes)`` logits: the model's head applied to ``h_t`` at every step ``t``.

    The last step equals ``model(inputs)``. A bidirectional layer is refused: its backward half has
    already read the whole sequence at every step.
    """
    if model.rnn.bidirectional:
        raise ValueError("expected a unidirectional recurrent layer, got bidirectional=True: its backward "
                         "states have read the whole sequence at every step")
    x = model.embedding(inputs) if model.embedding is not None else inputs  # (batch, seq, features)
    output, _ = model.rnn(x)  # (batch, seq, hidden): h_t of the last layer at every step
    return model.head(model.dropout(output))  # (batch, seq, classes)


@torch.no_grad()
def predictions_after_each_step(
    model: LastStateClassifier, loader: Iterable, device: torch.device | str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``(predictions (n, seq), targets (n,))`` over a loader of ``(inputs, targets)`` batches, in eval mode."""
    h, targets = hidden_after_each_step(model, loader, device)  # (n, seq, hidden), (n,)
    logits = model.head(h.to(model.head.weight.device))  # eval mode: dropout is the identity
    return logits.argmax(-1).cpu().numpy(), targets.numpy()


def accuracy_after_each_step(predictions: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """``(seq,)``: the share of examples whose prediction after step ``t`` is right, for every ``t``."""
    predictions, targets = np.asarray(predictions), np.asarray(targets)
    if predictions.ndim != 2 or predictions.shape[0] != targets.shape[0]:
        raise ValueError(f"expected predictions of shape ({targets.shape[0]}, seq), got {predictions.shape}")
    return (predictions == targets[:, None]).mean(axis=0)


@torch.no_grad()
def hidden_after_each_step(
    model: LastStateClassifier, loader: Iterable, device: torch.device | str | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(h (n, seq, hidden), targets (n,))`` on the CPU: the last layer's ``h_t`` at every step, in eval mode."""
    if model.rnn.bidirectional:
        raise ValueError("expected a unidirectional recurrent layer, got bidirectional=True")
    device = torch.device(device) if device is not None else next(model.parameters()).device
    was_training = model.training
    model.eval()
    states, targets = [], []
    try:
        for inputs, batch_targets in loader:
            x = inputs.to(device)
            x = model.embedding(x) if model.embedding is not None else x
            states.append(model.rnn(x)[0].cpu())  # (batch, seq, hidden)
            targets.append(batch_targets)
    finally:
        model.train(was_training)
    if not targets:
        raise ValueError("the loader yielded no batches")
    return torch.cat(states), torch.cat(targets)


class StepProbes(nn.Module):
    """One linear read-out per step, trained on frozen hidden states: ``logits_t = h_t W_t + b_t``.

    It measures how much a linear layer can read about the class from ``h_t`` alone, for each ``t``;
    unlike the classifier's head, which was trained on the last state only.
    """

    def __init__(self, steps: int, hidden: int, classes: int):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(steps, hidden, classes))  # (seq, hidden, classes)
        self.bias = nn.Parameter(torch.zeros(steps, classes))  # (seq, classes)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        if h.dim() != 3 or h.shape[1:] != self.weight.shape[:2]:
            raise ValueError(f"expected hidden states of shape (n, {self.weight.shape[0]}, {self.weight.shape[1]}), "
                             f"got {tuple(h.shape)}")
        return torch.einsum("nth,thc->ntc", h, self.weight) + self.bias  # (n, seq, classes)


@torch.no_grad()
def fit_step_probes(h: torch.Tensor, targets: torch.Tensor, classes: int, ridge: float = 1e-3) -> StepProbes:
    """Fit :class:`StepProbes` on ``h`` ``(n, seq, hidden)`` by ridge regression onto one-hot classes, per step.

    With :math:`\\tilde H_t = [H_t, 1]` (``n × (hidden + 1)``, a column of ones for the bias) and one-hot
    targets :math:`Y` (``n × classes``), each step's weights solve
    :math:`[W_t; b_t] = (\\tilde H_t^\\top \\tilde H_t + \\lambda n I)^{-1} \\tilde H_t^\\top Y`:
    closed form, deterministic, seconds even for tens of thousands of examples.
    """
    if h.dim() != 3 or targets.shape != h.shape[:1]:
        raise ValueError(f"expected h (n, seq, hidden) and targets (n,), got {tuple(h.shape)} and {tuple(targets.shape)}")
    n, steps, hidden = h.shape
    h = h.double()
    ones = torch.ones(n, steps, 1, dtype=h.dtype, device=h.device)
    h_tilde = torch.cat([h, ones], dim=-1).transpose(0, 1)  # (seq, n, hidden + 1)
    y = nn.functional.one_hot(targets.long().to(h.device), classes).to(h.dtype)  # (n, classes)
    gram = h_tilde.transpose(1, 2) @ h_tilde  # (seq, hidden + 1, hidden + 1)
    gram = gram + ridge * n * torch.eye(hidden + 1, dtype=h.dtype, device=h.device)
    solution = torch.linalg.solve(gram, h_tilde.transpose(1, 2) @ y)  # (seq, hidden + 1, classes)
    probes = StepProbes(steps, hidden, classes).to(h.device)
    probes.weight.copy_(solution[:, :hidden].float())
    probes.bias.copy_(solution[:, hidden].float())
    return probes
