"""Every metric of the book, in one place.

Metrics used during training are functions ``metric(outputs, targets) -> (numerator, denominator)``;
the training loop sums both over batches and reports ``numerator / denominator``. That way a metric
over a whole data set never depends on how it was cut into batches (:func:`ratio` divides a pair).

* classification: :func:`accuracy`, :func:`binary_accuracy`, :func:`confusion_matrix`;
* regression: :func:`mean_absolute_error`;
* output sequences, on logits ``(batch, T, vocab)`` against targets ``(batch, T)`` with padding:
  :func:`token_accuracy` (share of non-padding positions right) and :func:`sequence_accuracy`
  (share of sequences right at *every* non-padding position); on decoded strings:
  :func:`string_accuracy` (exact match) and :func:`char_accuracy` (position ``j`` of the truth is
  right when the prediction has the same character there; a missing character is wrong, and so is
  each extra one written beyond the truth's length);
* tagging, on tag strings: token scores count tokens (most tokens are outside every entity, tag
  ``O``, so a tagger that says ``O`` everywhere already scores high); entity scores count
  **entities**: a predicted entity is right only if its type and both its boundaries match a true one
  {cite:p}`nakayama2018seqeval`:

$$P = \\frac{TP}{TP + FP}, \\quad R = \\frac{TP}{TP + FN}, \\quad F_1 = \\frac{2PR}{P + R} = \\frac{2\\,TP}{2\\,TP + FP + FN}.$$

Padding never counts: targets equal to ``pad_index`` (by default :data:`IGNORE_INDEX`, PyTorch's
``ignore_index``) are skipped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np
import pandas as pd
import torch
from seqeval.metrics import classification_report
from seqeval.metrics.sequence_labeling import get_entities
from sklearn.metrics import f1_score

from lstm_utils.shapes import check_int

if TYPE_CHECKING:
    from lstm_utils.text.vocab import Vocab

Tensor = torch.Tensor
Tags = Sequence[Sequence[str]]
IGNORE_INDEX = -100  # targets no loss and no metric counts (the default ignore_index of PyTorch's losses)


def accuracy(logits: Tensor, targets: Tensor, ignore_index: int | None = None) -> tuple[float, float]:
    """Share of positions where ``argmax(logits, -1) == targets``, skipping ``targets == ignore_index``.

    ``logits`` has shape ``(..., classes)`` and ``targets`` the same shape without the last axis.
    """
    if logits.shape[:-1] != targets.shape:
        raise ValueError(
            f"expected targets of shape {tuple(logits.shape[:-1])} for logits {tuple(logits.shape)}, "
            f"got {tuple(targets.shape)}"
        )
    if targets.dtype.is_floating_point or targets.dtype.is_complex or targets.dtype == torch.bool:
        raise TypeError(f"expected targets as integer class ids, got dtype {targets.dtype}")
    correct = logits.argmax(dim=-1) == targets
    if ignore_index is not None:
        keep = targets != ignore_index
        return float((correct & keep).sum()), float(keep.sum())
    return float(correct.sum()), float(targets.numel())


def binary_accuracy(logits: Tensor, targets: Tensor) -> tuple[float, float]:
    """Share of ``(logits > 0) == targets`` for one logit per example (targets 0 or 1)."""
    if logits.shape != targets.shape:
        raise ValueError(f"expected targets of shape {tuple(logits.shape)}, got {tuple(targets.shape)}")
    return float(((logits > 0).long() == targets.long()).sum()), float(targets.numel())


def mean_absolute_error(predictions: Tensor, targets: Tensor) -> tuple[float, float]:
    """Mean of ``|predictions - targets|`` over every element."""
    if predictions.shape != targets.shape:
        raise ValueError(f"expected targets of shape {tuple(predictions.shape)}, got {tuple(targets.shape)}")
    return float((predictions - targets).abs().sum()), float(targets.numel())


def confusion_matrix(y_true: Sequence[int], y_pred: Sequence[int], num_classes: int) -> np.ndarray:
    """``counts[t, p]`` = number of examples of true class ``t`` predicted as ``p``."""
    num_classes = check_int(num_classes, "num_classes", 1)
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"expected y_pred of shape {y_true.shape}, got {y_pred.shape}")
    for name, ids in (("y_true", y_true), ("y_pred", y_pred)):
        if ids.size and (not np.issubdtype(ids.dtype, np.integer) or ids.min() < 0 or ids.max() >= num_classes):
            shown = f"{ids.min()}..{ids.max()} ({ids.dtype})" if np.issubdtype(ids.dtype, np.number) else str(ids.dtype)
            raise ValueError(f"expected {name} as class ids 0..{num_classes - 1}, got {shown}")
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def _check(logits: Tensor, targets: Tensor) -> None:
    if logits.dim() != 3 or logits.shape[:2] != targets.shape:
        raise ValueError(
            f"expected logits (batch, T, vocab) and targets (batch, T), got {tuple(logits.shape)} and {tuple(targets.shape)}"
        )


def token_accuracy(logits: Tensor, targets: Tensor, pad_index: int = IGNORE_INDEX) -> tuple[float, float]:
    """Right predictions over non-padding positions: ``Σ [ŷ = y] · [y ≠ pad] / Σ [y ≠ pad]``."""
    _check(logits, targets)
    return accuracy(logits, targets, ignore_index=pad_index)


def sequence_accuracy(logits: Tensor, targets: Tensor, pad_index: int = IGNORE_INDEX) -> tuple[float, float]:
    """Sequences whose every non-padding position is right, over sequences."""
    _check(logits, targets)
    right = (logits.argmax(-1) == targets) | (targets == pad_index)  # padding never makes a sequence wrong
    return float(right.all(dim=1).sum()), float(len(targets))


def _not_a_str(**values) -> None:
    """A ``str`` is a sequence of characters: refuse one where a list of strings or sentences belongs."""
    for name, value in values.items():
        if isinstance(value, str):
            raise TypeError(f"expected {name} as a list (one item per example), got a str {value[:30]!r}")


def _check_strings(predicted: Sequence[str], truth: Sequence[str]) -> None:
    _not_a_str(predicted=predicted, truth=truth)
    if len(predicted) != len(truth):
        raise ValueError(f"expected {len(truth)} predictions (one per true string), got {len(predicted)}")


def string_accuracy(predicted: Sequence[str], truth: Sequence[str]) -> tuple[float, float]:
    """Exact matches over strings."""
    _check_strings(predicted, truth)
    return float(sum(p == t for p, t in zip(predicted, truth))), float(len(truth))


def char_accuracy(predicted: Sequence[str], truth: Sequence[str]) -> tuple[float, float]:
    """Right characters (position by position) over ``Σ max(len(truth), len(predicted))``.

    So ``"596"`` for ``"596"`` is 3/3, ``"59"`` is 2/3 and ``"5961"`` is 3/4: writing too much costs too.
    """
    _check_strings(predicted, truth)
    right = sum(a == b for p, t in zip(predicted, truth) for a, b in zip(p, t))
    return float(right), float(sum(max(len(p), len(t)) for p, t in zip(predicted, truth)))


def ratio(pair: tuple[float, float]) -> float:
    """``numerator / denominator`` of a metric's pair (NaN for an empty denominator)."""
    numerator, denominator = pair
    return numerator / denominator if denominator else float("nan")


def decode_batch(
    logits: torch.Tensor, tags: torch.Tensor, tag_vocab: Vocab, pad_index: int = IGNORE_INDEX
) -> tuple[list[list[str]], list[list[str]]]:
    """True and predicted tag strings per sentence, keeping only the real (non-padding) tokens."""
    if logits.shape[:-1] != tags.shape:
        raise ValueError(f"expected tags of shape {tuple(logits.shape[:-1])}, got {tuple(tags.shape)}")
    predicted = logits.argmax(-1).cpu()
    true, pred = [], []
    for row_true, row_pred in zip(tags.cpu(), predicted):
        keep = row_true != pad_index
        true.append(tag_vocab.decode(row_true[keep].tolist()))
        pred.append(tag_vocab.decode(row_pred[keep].tolist()))
    return true, pred


def _check_aligned(true: Tags, pred: Tags) -> None:
    _not_a_str(true=true, pred=pred)
    if len(true) != len(pred):
        raise ValueError(f"expected as many predicted as true sentences, got {len(pred)} and {len(true)}")
    for n, (t, p) in enumerate(zip(true, pred)):
        _not_a_str(**{f"true[{n}]": t, f"pred[{n}]": p})
        if len(t) != len(p):
            raise ValueError(f"expected as many predicted as true tags in sentence {n}, got {len(p)} and {len(t)}")


def entity_counts(true: Tags, pred: Tags) -> tuple[int, int, int]:
    """``(TP, FP, FN)`` of entities (type, first token, last token), sentence by sentence."""
    _check_aligned(true, pred)
    tp = fp = fn = 0
    for t, p in zip(true, pred):
        gold, guess = set(get_entities(list(t))), set(get_entities(list(p)))
        tp += len(gold & guess)
        fp += len(guess - gold)
        fn += len(gold - guess)
    return tp, fp, fn


def entity_f1(true: Tags, pred: Tags) -> float:
    """Micro-averaged entity F1, ``2 TP / (2 TP + FP + FN)`` (0 when there are no entities at all)."""
    tp, fp, fn = entity_counts(true, pred)
    return 2 * tp / (2 * tp + fp + fn) if (tp + fp + fn) else 0.0


def entity_f1_metric(tag_vocab: Vocab):
    """A metric for :func:`lstm_utils.training.fit`: ``(2 TP, 2 TP + FP + FN)``, which adds up over batches."""

    def entity_f1_(logits: torch.Tensor, tags: torch.Tensor) -> tuple[float, float]:
        tp, fp, fn = entity_counts(*decode_batch(logits, tags, tag_vocab))
        return float(2 * tp), float(2 * tp + fp + fn)

    return entity_f1_


def weighted_token_f1(true: Tags, pred: Tags) -> float:
    """The seed's score: F1 of every tag (``O`` included) over tokens, averaged weighted by tag frequency."""
    _check_aligned(true, pred)
    flat_true = [tag for sentence in true for tag in sentence]
    flat_pred = [tag for sentence in pred for tag in sentence]
    return float(f1_score(flat_true, flat_pred, average="weighted", zero_division=0))


def flat_token_accuracy(true: Tags, pred: Tags) -> float:
    """Share of tokens whose tag is right (:func:`token_accuracy` on tag strings)."""
    _check_aligned(true, pred)
    pairs = [(a, b) for t, p in zip(true, pred) for a, b in zip(t, p)]
    if not pairs:
        raise ValueError("expected at least one token, got none")
    return sum(a == b for a, b in pairs) / len(pairs)


def entity_report(true: Tags, pred: Tags) -> pd.DataFrame:
    """Precision, recall, F1 and support (number of true entities) per entity type, plus the micro average."""
    _check_aligned(true, pred)
    report = classification_report([list(t) for t in true], [list(p) for p in pred], output_dict=True,
                                    zero_division=0)
    frame = pd.DataFrame(report).T[["precision", "recall", "f1-score", "support"]]
    frame = frame.drop(index=[i for i in frame.index if i in ("macro avg", "weighted avg")])
    frame["support"] = frame["support"].astype(int)
    return frame.rename(columns={"f1-score": "f1"}).rename_axis("entity type")


def tag_confusion(true: Tags, pred: Tags, tag_vocab: Vocab) -> np.ndarray:
    """``counts[t, p]``: tokens of true tag ``t`` predicted as ``p`` (tag ids of ``tag_vocab``)."""
    _check_aligned(true, pred)
    t = [tag_vocab[tag] for sentence in true for tag in sentence]
    p = [tag_vocab[tag] for sentence in pred for tag in sentence]
    return confusion_matrix(t, p, len(tag_vocab))
