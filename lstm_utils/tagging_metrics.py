"""Metrics for sequence tagging: token accuracy, the seed's weighted token F1, entity-level scores.

Token scores count tokens; most tokens are outside every entity (tag ``O``), so a tagger that says
``O`` everywhere already scores high. Entity scores count **entities**: a predicted entity is right
only if its type and both its boundaries match a true one {cite:p}`nakayama2018seqeval`:

$$P = \\frac{TP}{TP + FP}, \\quad R = \\frac{TP}{TP + FN}, \\quad F_1 = \\frac{2PR}{P + R} = \\frac{2\\,TP}{2\\,TP + FP + FN}.$$

Padding (target ``IGNORE_INDEX``) never counts in any of them.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import torch
from seqeval.metrics import classification_report
from seqeval.metrics.sequence_labeling import get_entities
from sklearn.metrics import f1_score

from lstm_utils.data.ner import IGNORE_INDEX
from lstm_utils.metrics import accuracy
from lstm_utils.plots.confusion import confusion_matrix
from lstm_utils.text.vocab import Vocab

Tags = Sequence[Sequence[str]]


def token_accuracy(logits: torch.Tensor, tags: torch.Tensor) -> tuple[float, float]:
    """``(correct, counted)`` over real tokens: ``argmax(logits) == tags`` where ``tags != IGNORE_INDEX``."""
    return accuracy(logits, tags, ignore_index=IGNORE_INDEX)


def decode_batch(logits: torch.Tensor, tags: torch.Tensor, tag_vocab: Vocab) -> tuple[list[list[str]], list[list[str]]]:
    """True and predicted tag strings per sentence, keeping only the real (non-padding) tokens."""
    if logits.shape[:-1] != tags.shape:
        raise ValueError(f"expected tags of shape {tuple(logits.shape[:-1])}, got {tuple(tags.shape)}")
    predicted = logits.argmax(-1).cpu()
    true, pred = [], []
    for row_true, row_pred in zip(tags.cpu(), predicted):
        keep = row_true != IGNORE_INDEX
        true.append(tag_vocab.decode(row_true[keep].tolist()))
        pred.append(tag_vocab.decode(row_pred[keep].tolist()))
    return true, pred


def _check_aligned(true: Tags, pred: Tags) -> None:
    if len(true) != len(pred) or any(len(t) != len(p) for t, p in zip(true, pred)):
        raise ValueError(f"expected as many predicted as true sentences and tags, got {len(pred)} and {len(true)} "
                         "sentences (or sentences of different lengths)")


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
    """Share of tokens whose tag is right (the same as :func:`token_accuracy`, on tag strings)."""
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
