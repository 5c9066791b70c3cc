"""The digit-sum memory task: remember the first two digits of a long sequence and add them.

The rules follow the memory experiment of the *nndl* practice book
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
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import TensorDataset

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
    if copies < 1:
        raise ValueError(f"expected copies >= 1, got {copies}")
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
    counts = np.bincount(np.asarray(labels), minlength=NUM_CLASSES)
    return int(counts.argmax())


def save_split(split: DigitSumSplit, path: str | os.PathLike) -> Path:
    """Write ``split`` in the original format: ``"6 7 0 0 1 0 0 0 0 0\\t13"``, one example per line."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [" ".join(map(str, seq)) + f"\t{label}\n" for seq, label in zip(split.sequences, split.labels)]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def load_split(path: str | os.PathLike) -> DigitSumSplit:
    """Read a file written by :func:`save_split` (or by the original generator); checks every line."""
    sequences, labels = [], []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.split("\t")
        if len(parts) != 2:
            raise ValueError(f"{path}:{number}: expected 'digits<TAB>label', got {line!r}")
        sequence = [int(d) for d in parts[0].split()]
        if sequences and len(sequence) != len(sequences[0]):
            raise ValueError(f"{path}:{number}: expected {len(sequences[0])} digits, got {len(sequence)}")
        label = int(parts[1])
        if label != digit_sum_label(sequence):
            raise ValueError(f"{path}:{number}: expected label {digit_sum_label(sequence)} (n1 + n2), got {label}")
        sequences.append(sequence)
        labels.append(label)
    if not sequences:
        raise ValueError(f"{path}: expected at least one example, got an empty file")
    missing = -np.ones(len(labels), dtype=np.int64)
    return DigitSumSplit(np.array(sequences, dtype=np.int64), np.array(labels, dtype=np.int64), missing, missing.copy())


def save_splits(splits: dict[str, DigitSumSplit], folder: str | os.PathLike) -> list[Path]:
    """Write ``folder/train.txt``, ``dev.txt``, ``test.txt`` (the original's layout is ``datasets/<L>/``)."""
    return [save_split(split, Path(folder) / f"{name}.txt") for name, split in splits.items()]


def load_splits(folder: str | os.PathLike) -> dict[str, DigitSumSplit]:
    """Read ``train.txt``, ``dev.txt`` and ``test.txt`` from ``folder``."""
    return {name: load_split(Path(folder) / f"{name}.txt") for name in SPLIT_COPIES}
