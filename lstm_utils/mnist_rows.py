"""Everything the "MNIST rows" chapter (4) uses beyond the core: reading a classifier's answer after every step, its figures and checks.

A unidirectional recurrent layer's ``output[:, t]`` is the last layer's hidden state ``h_t`` after
reading steps ``0..t``, and it is exactly what the layer would return as its final state if the
sequence stopped at ``t``. Applying the classifier's trained head to it,

.. math:: \\hat{y}_t = \\arg\\max_k \\, (W_{hy} h_t + b_y)_k,

gives the class the model would predict from the first ``t + 1`` steps alone, with no retraining.

Figures: one image read as a sequence of rows, a grid of (mis)classified digits, accuracy per row read.
The images themselves come from :mod:`lstm_utils.data.mnist`, which chapter 8 shares.
"""

from __future__ import annotations

from typing import Callable, Iterable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from lstm_utils.checks.core import CheckFailed, check_close, check_true, passed
from lstm_utils.classifier import LastStateClassifier
from lstm_utils.shapes import check_int
from lstm_utils.training import evaluating, ridge_regression


def logits_after_each_step(model: LastStateClassifier, inputs: torch.Tensor) -> torch.Tensor:
    """``(batch, seq, classes)`` logits: the model's head applied to ``h_t`` at every step ``t``.

    The last step equals ``model(inputs)``. A bidirectional layer is refused: its backward half has
    already read the whole sequence at every step.
    """
    if model.rnn.bidirectional:
        raise ValueError("expected a unidirectional recurrent layer, got bidirectional=True: its backward "
                         "states have read the whole sequence at every step")
    model.check_inputs(inputs)
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
    if predictions.size == 0:
        raise ValueError(f"expected at least one example and one step, got predictions of shape {predictions.shape}")
    return (predictions == targets[:, None]).mean(axis=0)


@torch.no_grad()
def hidden_after_each_step(
    model: LastStateClassifier, loader: Iterable, device: torch.device | str | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(h (n, seq, hidden), targets (n,))`` on the CPU: the last layer's ``h_t`` at every step, in eval mode."""
    if model.rnn.bidirectional:
        raise ValueError("expected a unidirectional recurrent layer, got bidirectional=True")
    device = torch.device(device) if device is not None else next(model.parameters()).device
    states, targets = [], []
    with evaluating(model):
        for batch in loader:
            if not isinstance(batch, (tuple, list)) or len(batch) != 2:
                items = f" of {len(batch)} items" if isinstance(batch, (tuple, list)) else ""
                raise ValueError(f"expected batches (inputs, targets), got a {type(batch).__name__}{items}")
            inputs, batch_targets = batch
            model.check_inputs(inputs)
            x = inputs.to(device)
            x = model.embedding(x) if model.embedding is not None else x
            states.append(model.rnn(x)[0].cpu())  # (batch, seq, hidden)
            targets.append(batch_targets)
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
    classes = check_int(classes, "classes", 2)
    if targets.numel() and (targets.min() < 0 or targets.max() >= classes):
        raise ValueError(f"expected targets in 0..{classes - 1}, got {int(targets.min())}..{int(targets.max())}")
    n, steps, hidden = h.shape
    h = h.double()
    ones = torch.ones(n, steps, 1, dtype=h.dtype, device=h.device)
    h_tilde = torch.cat([h, ones], dim=-1).transpose(0, 1)  # (seq, n, hidden + 1)
    y = nn.functional.one_hot(targets.long().to(h.device), classes).to(h.dtype)  # (n, classes)
    solution = ridge_regression(h_tilde, y, ridge)  # (seq, hidden + 1, classes)
    probes = StepProbes(steps, hidden, classes).to(h.device)
    probes.weight.copy_(solution[:, :hidden].float())
    probes.bias.copy_(solution[:, hidden].float())
    return probes


def plot_image_as_sequence(image: np.ndarray, label: int | str, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Show an image ``(rows, cols)`` as the LSTM reads it: row ``t`` is the input ``x_t`` at step ``t``."""
    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError(f"expected one image of shape (rows, cols), got {image.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    rows, cols = image.shape
    shown = ax.imshow(image, cmap="gray_r")
    ax.figure.colorbar(shown, ax=ax, fraction=0.046, label="grey level (input value)")
    ax.set_yticks(range(0, rows, max(1, rows // 7)))
    ax.set(title=f"A '{label}' as a sequence of {rows} steps", xlabel=f"input feature: pixel column (0..{cols - 1})",
           ylabel="time step t: row read at step t")
    return ax


def plot_digit_grid(
    images: np.ndarray,
    true: Sequence[int],
    predicted: Sequence[int],
    *,
    title: str = "Misclassified test digits",
    ncols: int = 8,
) -> plt.Figure:
    """A grid of ``images`` ``(n, rows, cols)``, each captioned ``true → predicted`` (red when they differ)."""
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"expected images of shape (n, rows, cols), got {images.shape}")
    if not len(images) == len(true) == len(predicted):
        raise ValueError(f"expected as many labels as images ({len(images)}), got {len(true)} true and "
                         f"{len(predicted)} predicted")
    if len(images) == 0:
        raise ValueError("expected at least one image, got none")
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.3 * ncols, 1.5 * nrows + 0.6), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, t, p in zip(axes.flat, images, true, predicted):
        ax.imshow(image, cmap="gray_r")
        ax.set_title(f"{t} → {p}", fontsize=9, color="black" if t == p else "tab:red")
    fig.suptitle(f"{title} (caption: true → predicted)")
    fig.supxlabel(f"each image: {images.shape[1]} × {images.shape[2]} pixels, read top row first", fontsize=9)
    fig.tight_layout()
    return fig


def plot_accuracy_by_step(
    curves: Mapping[str, Sequence[float]],
    *,
    chance: float | None = None,
    title: str = "Test accuracy after reading each row",
    xlabel: str = "rows read",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Accuracy (in %) after step 1..T for each named curve, with the chance level as a dashed line."""
    if not curves:
        raise ValueError("expected at least one curve, got none")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for name, values in curves.items():
        steps = np.arange(1, len(values) + 1)
        ax.plot(steps, 100 * np.asarray(values), marker="o" if len(values) <= 30 else None, markersize=3, label=name)
    if chance is not None:
        ax.axhline(100 * chance, color="grey", linestyle="--", label=f"chance ({100 * chance:.0f} %)")
    ax.set(title=title, xlabel=xlabel, ylabel="accuracy (%)", ylim=(0, 100))
    ax.legend()
    ax.grid(alpha=0.3)
    return ax


def check_bottom_up(bottom_up: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """``bottom_up(x)`` turns a batch ``(batch, rows, cols)`` into sequences that read the last row first."""
    x = torch.arange(2 * 4 * 3, dtype=torch.float32).reshape(2, 4, 3)  # (batch, rows, cols)
    got = bottom_up(x.clone())
    check_true(isinstance(got, torch.Tensor), f"expected bottom_up to return a torch.Tensor, got {type(got).__name__}")
    check_true(got.shape == x.shape, f"expected the shape to stay (batch, rows, cols) = {tuple(x.shape)}, "
                                     f"got {tuple(got.shape)}")
    if torch.equal(got, x.flip(2)):
        raise CheckFailed("you reversed the pixels inside each row (axis 2); reverse the order of the rows (axis 1)")
    if torch.equal(got, x.flip(0)):
        raise CheckFailed("you reversed the order of the images in the batch (axis 0); reverse the rows (axis 1)")
    check_close(got, x.flip(1), name="bottom_up(x)", atol=0, rtol=0)
    passed("bottom_up reads the bottom row first and keeps every row's pixels in order")


def reference_settled_rows(predictions: np.ndarray) -> np.ndarray:
    """For each example, the number of rows read after which its prediction never changes again."""
    predictions = np.asarray(predictions)  # (n, rows)
    if predictions.ndim != 2 or predictions.shape[1] == 0:
        raise ValueError(f"expected predictions of shape (n, rows) with rows >= 1, got {predictions.shape}")
    differs = predictions != predictions[:, -1:]  # (n, rows): True where the prediction is not yet the final one
    last_different = np.where(differs.any(axis=1), differs.shape[1] - 1 - np.argmax(differs[:, ::-1], axis=1), -1)
    return last_different + 2  # the step after the last change, counted from 1


def check_settled_row(settled_row: Callable[[np.ndarray], np.ndarray]) -> None:
    """``settled_row(predictions)``: ``(n, rows)`` predictions after each row → ``(n,)`` rows read until settled."""
    predictions = np.array([
        [3, 3, 3, 3, 3],  # settled from the start: 1 row
        [1, 7, 7, 7, 7],  # 2 rows
        [7, 1, 7, 1, 1],  # changed back and forth: 4 rows
        [0, 0, 0, 0, 8],  # only the last row decided: 5 rows
        [2, 9, 9, 2, 9],  # right early, changed, came back: 5 rows
    ])
    expected = reference_settled_rows(predictions)
    got = np.asarray(settled_row(predictions.copy()))
    check_true(got.shape == expected.shape, f"expected one number per example, shape {expected.shape}, got {got.shape}")
    if np.array_equal(got, expected - 1):
        raise CheckFailed("off by one: count the rows read (1 for the first row), not the 0-based step index")
    first_final = np.argmax(predictions == predictions[:, -1:], axis=1) + 1
    if np.array_equal(got, first_final) and not np.array_equal(first_final, expected):
        raise CheckFailed("that is the first row where the prediction equals the final one; the prediction must "
                             "also never change after it (see the examples [7, 1, 7, 1, 1] and [2, 9, 9, 2, 9])")
    wrong = np.flatnonzero(got != expected)
    check_true(wrong.size == 0, f"for predictions {predictions[wrong[0]].tolist() if wrong.size else ''} expected "
                                f"{expected[wrong[0]] if wrong.size else ''} rows, got {got[wrong[0]] if wrong.size else ''}")
    passed("settled_row counts the rows read until the prediction stops changing")
