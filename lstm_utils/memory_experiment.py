"""The memory experiment of the "Memory" chapter: train a classifier on the digit-sum task.

One run = one recurrent layer kind (``"SRN"`` or ``"LSTM"``), one sequence length ``L``, one hidden size:

    embedding of the 10 digits (32) → recurrent layer (hidden 32) → last hidden state h_T → linear → 19 logits

trained with cross-entropy and Adam (learning rate 1e-3, batch 8), keeping the epoch with the best
dev accuracy (the settings of the nndl practice book, chapter 6), then evaluated on the test split.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Mapping

import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader

from lstm_utils.data.digit_sum import NUM_CLASSES, NUM_DIGITS, DigitSumSplit, majority_class
from lstm_utils.metrics import accuracy
from lstm_utils.models.classifier import LastStateClassifier
from lstm_utils.reproducibility import seed_everything
from lstm_utils.training import History, evaluate, fit

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


def build_classifier(layer: LayerFactory, hidden_size: int = 32, embedding_dim: int = 32) -> LastStateClassifier:
    """Embedding(10, E) → ``layer(E, H, batch_first=True)`` → last hidden state → Linear(H, 19)."""
    rnn = layer(embedding_dim, hidden_size, batch_first=True)
    return LastStateClassifier(rnn, NUM_CLASSES, embedding=nn.Embedding(NUM_DIGITS, embedding_dim))


def loader(split: DigitSumSplit, batch_size: int, shuffle: bool, generator: torch.Generator | None = None) -> DataLoader:
    """Batches ``(x, y)`` with ``x`` ``(batch, L)`` digits and ``y`` ``(batch,)`` sums."""
    return DataLoader(split.to_dataset(), batch_size=batch_size, shuffle=shuffle, generator=generator)


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
    missing = {"train", "dev", "test"} - set(splits)
    if missing:
        raise ValueError(f"expected splits train, dev and test, got {sorted(splits)}")
    generator = seed_everything(seed)
    model = build_classifier(layer, hidden_size, embedding_dim)
    length = splits["train"].length
    start = time.perf_counter()
    history = fit(
        model,
        loader(splits["train"], batch_size, shuffle=True, generator=generator),
        optimizer=torch.optim.Adam(model.parameters(), lr=lr),
        loss_fn=nn.CrossEntropyLoss(),
        epochs=epochs,
        dev_loader=loader(splits["dev"], 100, shuffle=False),
        metrics={"accuracy": accuracy},
        monitor="dev_accuracy",
        patience=patience,
        progress=progress,
        desc=f"{kind} L={length} H={hidden_size}",
    )
    seconds = time.perf_counter() - start
    scores = {
        name: evaluate(model, loader(splits[name], 100, shuffle=False), metrics={"accuracy": accuracy})["accuracy"]
        for name in ("dev", "test")
    }
    return RunResult(kind, length, hidden_size, model, history, scores["dev"], scores["test"], seconds)


def baseline_rows(splits_by_length: Mapping[int, Mapping[str, DigitSumSplit]]) -> pd.DataFrame:
    """Dev and test accuracy of always predicting the most frequent training label, per length."""
    rows = []
    for length, splits in splits_by_length.items():
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
