"""Everything the "Memory" chapter (3) uses beyond the core: the digit-sum task, the experiment, its plots and checks.

**The task** follows the memory experiment of the *nndl* practice book
(Qiu et al., "Neural Networks and Deep Learning: Cases and Practice", chapter 6):

* A sequence has length ``L >= 3`` and holds digits 0–9.
* Its first two positions hold a pair ``(n1, n2)``; every one of the 100 pairs is used.
* All other positions hold 0, except **exactly one noise position** ``p``, drawn uniformly from
  ``[2, L)``, which holds a digit drawn uniformly from 0–9 (the noise may itself be 0).
* The label is ``y = n1 + n2``: 19 classes, 0..18. The noise never changes the label.
* Each split enumerates the 100 pairs ``copies`` times with independent noise:
  3 copies in ``train`` (300 sequences), 1 in ``dev`` and 1 in ``test`` (100 each).

So ``[6, 7, 0, 0, 1, 0, 0, 0, 0, 0]`` (``L = 10``, pair ``(6, 7)``, noise 1 at position 4) has label 13.
A model that reads the sequence left to right must carry ``n1`` and ``n2`` across ``L - 2`` steps
and ignore the noise on the way: the longer ``L``, the longer the memory it needs.

Everything is generated from a seed (NumPy's ``default_rng``), so no files are needed. The splits can
also be saved in the original's text format, one example per line: the digits separated by spaces,
a tab, the label (``6 7 0 0 1 0 0 0 0 0\\t13``).

**The experiment.** One run = one recurrent layer kind (``"SRN"`` or ``"LSTM"``), one length ``L``,
one hidden size:

    embedding of the 10 digits (32) → recurrent layer (hidden 32) → last hidden state h_T → linear → 19 logits

trained with cross-entropy and Adam (learning rate 1e-3, batch 8), keeping the epoch with the best
dev accuracy (the settings of the nndl practice book, chapter 6), then evaluated on the test split.

**Plots**: heatmaps over time of an LSTM's gates and cell state (``trace`` is what
``lstm_utils.layers.LSTM.trace`` returns: keys ``"i", "f", "g", "o", "c", "h"``, each
``(seq, batch, hidden)``; gates in (0, 1) get a sequential colour map, ``g_t``, ``h_t`` and ``c_t`` a
diverging one centred on 0), and a metric against a swept setting, one line per model and split.

**Checks** for the chapter's exercises (the majority baseline, the mean forget gate).
"""

from __future__ import annotations

from dataclasses import dataclass
import os
from pathlib import Path
import time
from typing import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from lstm_utils.checks.core import check_close, check_true, passed
from lstm_utils.classifier import LastStateClassifier
from lstm_utils.metrics import accuracy
from lstm_utils.reproducibility import seed_everything
from lstm_utils.shapes import check_int
from lstm_utils.training import History, evaluate, fit


NUM_DIGITS = 10  # vocabulary: the digits 0..9
NUM_CLASSES = 19  # labels: the sums 0..18
SPLIT_COPIES = {"train": 3, "dev": 1, "test": 1}
LENGTHS = (10, 15, 20, 25, 30, 35)  # the lengths of the original experiment
EXAMPLE = ([6, 7, 0, 0, 1, 0, 0, 0, 0, 0], 13)  # the worked example of the chapter


@dataclass
class DigitSumSplit:
    """One split: ``sequences`` ``(n, L)`` int64 digits, ``labels`` ``(n,)``, and where the noise went.

    ``noise_positions`` and ``noise_values`` are ``-1`` for a split read back from a text file
    (the format does not store them).
    """

    sequences: np.ndarray  # (n, L)
    labels: np.ndarray  # (n,)
    noise_positions: np.ndarray  # (n,)
    noise_values: np.ndarray  # (n,)

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def length(self) -> int:
        return self.sequences.shape[1]

    def to_dataset(self) -> TensorDataset:
        """``TensorDataset(x, y)`` with ``x`` ``(n, L)`` and ``y`` ``(n,)``, both int64, ready for a DataLoader."""
        return TensorDataset(torch.as_tensor(self.sequences), torch.as_tensor(self.labels))


def _check_length(length: int) -> None:
    if not isinstance(length, (int, np.integer)) or length < 3:
        raise ValueError(f"expected a sequence length L >= 3 (two digits and room for noise), got {length!r}")


def digit_sum_label(sequence) -> int:
    """The label of a sequence: ``y = n1 + n2``, the sum of its first two digits."""
    sequence = np.asarray(sequence)
    if sequence.ndim == 1 and len(sequence) and not np.issubdtype(sequence.dtype, np.integer):
        raise ValueError(f"expected integer digits, got dtype {sequence.dtype}: {sequence.tolist()[:5]}")
    if sequence.ndim != 1 or len(sequence) < 3:
        raise ValueError(f"expected one sequence of at least 3 digits, got shape {sequence.shape}")
    if sequence.min() < 0 or sequence.max() >= NUM_DIGITS:
        raise ValueError(f"expected digits in 0..{NUM_DIGITS - 1}, got values {sequence.min()}..{sequence.max()}")
    return int(sequence[0] + sequence[1])


def generate_split(length: int, copies: int, rng: np.random.Generator) -> DigitSumSplit:
    """All 100 pairs ``(n1, n2)``, each ``copies`` times, with one noise digit each; pairs in order.

    Example ``k`` of pair ``(n1, n2)`` is row ``copies * (10 * n1 + n2) + k``.
    """
    _check_length(length)
    check_int(copies, "copies", 1)
    pairs = np.array([(n1, n2) for n1 in range(NUM_DIGITS) for n2 in range(NUM_DIGITS)])  # (100, 2)
    pairs = np.repeat(pairs, copies, axis=0)  # (100 * copies, 2)
    n = len(pairs)
    positions = rng.integers(2, length, size=n)  # noise position p in [2, L)
    values = rng.integers(0, NUM_DIGITS, size=n)  # noise digit in 0..9
    sequences = np.zeros((n, length), dtype=np.int64)  # (n, L)
    sequences[:, :2] = pairs
    sequences[np.arange(n), positions] = values
    labels = pairs.sum(axis=1).astype(np.int64)  # y = n1 + n2
    return DigitSumSplit(sequences, labels, positions.astype(np.int64), values.astype(np.int64))


def make_splits(length: int, seed: int = 0) -> dict[str, DigitSumSplit]:
    """``{"train": 300, "dev": 100, "test": 100}`` sequences of length ``L``; the same for the same seed.

    The random stream depends on ``(seed, length)``, so each length gets its own independent noise.
    """
    _check_length(length)
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"expected a non-negative int seed, got {seed!r}")
    rng = np.random.default_rng([int(seed), int(length)])
    return {name: generate_split(length, copies, rng) for name, copies in SPLIT_COPIES.items()}


def majority_class(labels) -> int:
    """The most frequent label (the smallest one on ties): a baseline that ignores the input."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0 or not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0:
        raise ValueError(f"expected a non-empty 1-D array of labels >= 0 (ints), got shape {labels.shape}, "
                         f"dtype {labels.dtype}" + (f", values {labels.min()}..{labels.max()}" if labels.size else ""))
    counts = np.bincount(labels, minlength=NUM_CLASSES)
    return int(counts.argmax())


def save_split(split: DigitSumSplit, path: str | os.PathLike) -> Path:
    """Write ``split`` in the original format: ``"6 7 0 0 1 0 0 0 0 0\\t13"``, one example per line."""
    if not isinstance(split, DigitSumSplit):
        raise TypeError(f"expected a DigitSumSplit (from make_splits), got {type(split).__name__}")
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"expected a file path for the split, got the folder {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [" ".join(map(str, seq)) + f"\t{label}\n" for seq, label in zip(split.sequences, split.labels)]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def load_split(path: str | os.PathLike) -> DigitSumSplit:
    """Read a file written by :func:`save_split` (or by the original generator); checks every line."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"expected a digit-sum split file (digits<TAB>label a line), got no file at {path}")
    sequences, labels = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.split("\t")
        if len(parts) != 2:
            raise ValueError(f"{path}:{number}: expected 'digits<TAB>label', got {line!r}")
        words = parts[0].split() + [parts[1].strip()]
        if not all(w.isascii() and w.isdigit() for w in words):
            raise ValueError(f"{path}:{number}: expected whole numbers (digits, then the label), got {line!r}")
        sequence, label = [int(d) for d in words[:-1]], int(words[-1])
        try:
            expected = digit_sum_label(sequence)
        except ValueError as error:  # a digit out of 0..9, too few digits
            raise ValueError(f"{path}:{number}: {error}, in {line!r}") from None
        if sequences and len(sequence) != len(sequences[0]):
            raise ValueError(f"{path}:{number}: expected {len(sequences[0])} digits, got {len(sequence)}")
        if label != expected:
            raise ValueError(f"{path}:{number}: expected label {expected} (n1 + n2), got {label}")
        sequences.append(sequence)
        labels.append(label)
    if not sequences:
        raise ValueError(f"{path}: expected at least one example, got an empty file")
    missing = -np.ones(len(labels), dtype=np.int64)
    return DigitSumSplit(np.array(sequences, dtype=np.int64), np.array(labels, dtype=np.int64), missing, missing.copy())


def save_splits(splits: dict[str, DigitSumSplit], folder: str | os.PathLike) -> list[Path]:
    """Write ``folder/train.txt``, ``dev.txt``, ``test.txt`` (the original's layout is ``datasets/<L>/``).

    All three are checked before any file is written."""
    _check_splits(splits)
    return [save_split(split, Path(folder) / f"{name}.txt") for name, split in splits.items()]


def load_splits(folder: str | os.PathLike) -> dict[str, DigitSumSplit]:
    """Read ``train.txt``, ``dev.txt`` and ``test.txt`` from ``folder``."""
    return {name: load_split(Path(folder) / f"{name}.txt") for name in SPLIT_COPIES}


LayerFactory = Callable[..., nn.Module]  # called like nn.RNN(input_size, hidden_size, batch_first=True)


@dataclass
class RunResult:
    """What one training run gives: the trained model (best dev epoch), its history and accuracies."""

    kind: str
    length: int
    hidden_size: int
    model: LastStateClassifier
    history: History
    dev_accuracy: float
    test_accuracy: float
    seconds: float

    def row(self) -> dict:
        return {
            "model": self.kind,
            "L": self.length,
            "hidden": self.hidden_size,
            "epochs run": len(self.history.records),
            "best epoch": self.history.best_epoch,
            "dev accuracy": self.dev_accuracy,
            "test accuracy": self.test_accuracy,
            "seconds": self.seconds,
        }


def _check_splits(splits: Mapping[str, DigitSumSplit], where: str = "") -> None:
    """``train``, ``dev`` and ``test``, each a :class:`DigitSumSplit`."""
    if not isinstance(splits, Mapping) or {"train", "dev", "test"} - set(splits):
        given = sorted(splits) if isinstance(splits, Mapping) else type(splits).__name__
        raise ValueError(f"expected splits train, dev and test{where}, got {given}")
    wrong = {name: type(split).__name__ for name, split in splits.items() if not isinstance(split, DigitSumSplit)}
    if wrong:
        raise TypeError(f"expected each split{where} to be a DigitSumSplit (from make_splits), got {wrong}")


def build_classifier(
    layer: LayerFactory, hidden_size: int = 32, embedding_dim: int = 32
) -> LastStateClassifier:
    """Embedding(10, E) → ``layer(E, H, batch_first=True)``
    → last hidden state → Linear(H, 19)."""
    rnn = layer(embedding_dim, hidden_size, batch_first=True)
    embedding = nn.Embedding(NUM_DIGITS, embedding_dim)
    return LastStateClassifier(rnn, NUM_CLASSES, embedding=embedding)


def loader(split: DigitSumSplit, batch_size: int, shuffle: bool, generator: torch.Generator | None = None) -> DataLoader:
    """Batches ``(x, y)`` with ``x`` ``(batch, L)`` digits and ``y`` ``(batch,)`` sums."""
    return DataLoader(split.to_dataset(), batch_size=batch_size, shuffle=shuffle, generator=generator)


class ShuffledBatches:
    """What ``loader(split, batch_size, shuffle=True, generator)`` yields, without the DataLoader.

    Each pass draws a new order from ``generator`` and slices the whole split's tensors: with
    batches of 8, the DataLoader's per-example fetching and collating is a good part of an epoch.
    """

    def __init__(self, split: DigitSumSplit, batch_size: int, generator: torch.Generator | None = None) -> None:
        self.x, self.y = split.to_dataset().tensors  # (n, L), (n,)
        self.batch_size = check_int(batch_size, "batch_size", 1)
        self.generator = generator

    def __len__(self) -> int:
        return -(-len(self.y) // self.batch_size)

    def __iter__(self):
        order = torch.randperm(len(self.y), generator=self.generator)  # (n,)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            yield self.x[rows], self.y[rows]  # (batch, L), (batch,)


def train_digit_sum(
    kind: str,
    layer: LayerFactory,
    splits: Mapping[str, DigitSumSplit],
    *,
    epochs: int,
    hidden_size: int = 32,
    embedding_dim: int = 32,
    batch_size: int = 8,
    lr: float = 1e-3,
    patience: int | None = None,
    seed: int = 0,
    progress: bool = True,
) -> RunResult:
    """Train one classifier on ``splits["train"]``, keep the best dev-accuracy epoch, score dev and test.

    The seed fixes the initial weights and the shuffling, so a run repeated gives the same numbers.
    """
    _check_splits(splits)
    generator = seed_everything(seed)
    model = build_classifier(layer, hidden_size, embedding_dim)
    length = splits["train"].length
    start = time.perf_counter()
    history = fit(
        model,
        ShuffledBatches(splits["train"], batch_size, generator),
        # fused: one kernel for all parameters, the same update, faster
        optimizer=torch.optim.Adam(model.parameters(), lr=lr, fused=True),
        loss_fn=nn.CrossEntropyLoss(),
        epochs=epochs,
        dev_loader=[splits["dev"].to_dataset().tensors],  # one batch: all 100
        metrics={"accuracy": accuracy},
        monitor="dev_accuracy",
        patience=patience,
        progress=progress,
        desc=f"{kind} L={length} H={hidden_size}",
    )
    seconds = time.perf_counter() - start
    scores = {
        name: evaluate(model, [splits[name].to_dataset().tensors], metrics={"accuracy": accuracy})["accuracy"]
        for name in ("dev", "test")
    }
    return RunResult(kind, length, hidden_size, model, history, scores["dev"], scores["test"], seconds)


def baseline_rows(splits_by_length: Mapping[int, Mapping[str, DigitSumSplit]]) -> pd.DataFrame:
    """Dev and test accuracy of always predicting the most frequent training label, per length."""
    rows = []
    for length, splits in splits_by_length.items():
        _check_splits(splits, f" for L={length}")
        guess = majority_class(splits["train"].labels)
        rows.append({
            "model": "majority class",
            "L": length,
            "dev accuracy": float((splits["dev"].labels == guess).mean()),
            "test accuracy": float((splits["test"].labels == guess).mean()),
        })
    return pd.DataFrame(rows)


def results_frame(results: list[RunResult]) -> pd.DataFrame:
    """One row per run: model, L, hidden size, epochs, best epoch, dev and test accuracy, seconds."""
    return pd.DataFrame([result.row() for result in results])


NAMES = {
    "i": "input gate $i_t$",
    "f": "forget gate $f_t$",
    "g": "candidate $g_t$",
    "o": "output gate $o_t$",
    "c": "cell state $c_t$",
    "h": "hidden state $h_t$",
}
GATES = ("i", "f", "o")  # values in (0, 1)


def trace_panel(trace: Mapping[str, torch.Tensor], key: str, batch_index: int = 0) -> np.ndarray:
    """The ``(hidden, seq)`` array of ``trace[key]`` for one sequence of the batch, ready for ``imshow``."""
    if key not in trace:
        raise KeyError(f"expected one of {sorted(trace)} in the trace, got {key!r}")
    values = trace[key]
    if values.dim() != 3:
        raise ValueError(f"expected trace[{key!r}] of shape (seq, batch, hidden), got {tuple(values.shape)}")
    if check_int(batch_index, "batch_index", 0) >= values.shape[1]:
        raise ValueError(f"expected batch_index in [0, {values.shape[1]}) (the batch of trace[{key!r}]), got {batch_index}")
    return values[:, batch_index, :].detach().cpu().numpy().T  # (hidden, seq)


def plot_gate_heatmaps(
    trace: Mapping[str, torch.Tensor],
    tokens: Sequence,
    keys: Sequence[str] = ("i", "f", "o", "c"),
    *,
    batch_index: int = 0,
    units: Sequence[int] | None = None,
    title: str = "Inside the LSTM, step by step",
) -> plt.Figure:
    """One heatmap per key of ``trace``: x = time step labelled by its input token, y = hidden unit.

    ``units`` picks (and orders) the hidden units shown; all of them by default.
    """
    seq_len = trace[keys[0]].shape[0]
    if len(tokens) != seq_len:
        raise ValueError(f"expected {seq_len} tokens (one per time step), got {len(tokens)}")
    fig, axes = plt.subplots(len(keys), 1, figsize=(max(6.0, 0.45 * seq_len + 2), 2.6 * len(keys)), squeeze=False)
    for ax, key in zip(axes[:, 0], keys):
        panel = trace_panel(trace, key, batch_index)  # (hidden, seq)
        shown = np.arange(panel.shape[0]) if units is None else np.asarray(units)
        panel = panel[shown]
        if key in GATES:
            image = ax.imshow(panel, aspect="auto", cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
            label = "activation (0 = closed, 1 = open)"
        else:
            bound = float(np.abs(panel).max()) or 1.0
            image = ax.imshow(panel, aspect="auto", cmap="RdBu_r", vmin=-bound, vmax=bound, interpolation="nearest")
            label = "value (no unit)"
        fig.colorbar(image, ax=ax, fraction=0.03, pad=0.01, label=label)
        ax.set_xticks(range(seq_len), [str(t) for t in tokens])
        step = max(1, len(shown) // 8)
        ax.set_yticks(range(0, len(shown), step), [str(u) for u in shown[::step]])
        ax.set(title=NAMES.get(key, key), xlabel="time step t, labelled by the input digit $x_t$", ylabel="hidden unit")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


SPLIT_STYLES = {"dev": "--", "test": "-"}


def plot_metric_vs(
    frame: pd.DataFrame,
    x: str,
    *,
    by: str = "model",
    splits: Sequence[str] = ("dev", "test"),
    metric: str = "accuracy",
    baseline: pd.DataFrame | None = None,
    title: str = "Accuracy",
    xlabel: str | None = None,
    ylabel: str = "accuracy (share correct)",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Plot the columns ``"<split> <metric>"`` of ``frame`` against column ``x``, one colour per ``by``.

    Dev is dashed, test solid. ``baseline`` (same columns) is drawn in grey, e.g. the majority class.
    """
    columns = [f"{split} {metric}" for split in splits]
    missing = [c for c in (x, by, *columns) if c not in frame.columns]
    if missing:
        raise KeyError(f"expected columns {missing} in the frame, got {list(frame.columns)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4))
    for name, group in frame.groupby(by, sort=False):
        group = group.sort_values(x)
        color = None
        for split, column in zip(splits, columns):
            (line,) = ax.plot(group[x], group[column], SPLIT_STYLES.get(split, "-"), marker="o", color=color,
                              label=f"{name}, {split}")
            color = line.get_color()
    if baseline is not None:
        baseline = baseline.sort_values(x)
        ax.plot(baseline[x], baseline[columns[-1]], ":", color="grey", label=f"{baseline[by].iloc[0]}, {splits[-1]}")
    ax.set(title=title, xlabel=xlabel or x, ylabel=ylabel, ylim=(0, 1.02))
    ax.set_xticks(sorted(frame[x].unique()))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def check_majority_baseline(baseline: Callable[[np.ndarray, np.ndarray], float]) -> None:
    """``baseline(train_labels, test_labels)`` must return the test accuracy of always guessing the
    most frequent training label (the smallest label on ties)."""
    cases = [
        (np.array([3, 3, 5]), np.array([3, 5, 5, 5]), 0.25, "the guess comes from the training labels"),
        (np.array([7, 2, 2, 7]), np.array([2, 7]), 0.5, "on a tie, guess the smallest label"),
        (np.array([9, 9, 1]), np.array([1, 1]), 0.0, "an accuracy can be 0"),
    ]
    for train, test, expected, hint in cases:
        got = baseline(train, test)
        check_true(
            isinstance(got, (float, int, np.floating)) and not isinstance(got, bool),
            f"expected a number (an accuracy between 0 and 1), got {type(got).__name__}",
        )
        check_true(
            abs(float(got) - expected) < 1e-9,
            f"train labels {train.tolist()}, test labels {test.tolist()}: expected accuracy {expected}, "
            f"got {float(got):.4g} ({hint})",
        )
    passed("the majority-class baseline is right on every test case")


def check_mean_forget_gate(got: object, trace: Mapping[str, torch.Tensor], batch_index: int = 0) -> None:
    """``got`` must be the forget gate averaged over the hidden units at each step: shape ``(seq,)``."""
    expected = torch.as_tensor(trace_panel(trace, "f", batch_index)).mean(dim=0)  # (seq,)
    check_true(
        not isinstance(got, torch.Tensor) or got.dim() == 1,
        f"expected one number per time step, shape ({len(expected)},), got {tuple(getattr(got, 'shape', ()))}: "
        f"take one sequence of the batch and average over the hidden units (the last axis)",
    )
    check_close(got, expected, name="the mean forget gate per step", atol=1e-6)
    passed(f"mean forget gate over {len(expected)} steps is right")
