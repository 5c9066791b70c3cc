"""Checks for the exercises of the named-entity chapter."""

from __future__ import annotations

from typing import Callable, Sequence

from seqeval.metrics.sequence_labeling import get_entities

from lstm_utils.checks.core import check_true, passed
from lstm_utils.metrics import entity_f1, flat_token_accuracy

SPAN_CASES = (
    ["O", "O"],
    ["B-per", "I-per", "O", "B-geo"],
    ["B-geo", "B-geo", "I-geo", "I-geo"],  # two places side by side
    ["O", "B-org", "I-org", "I-org"],  # an entity that ends the sentence
    ["B-tim", "O", "B-tim", "I-tim", "O", "B-per"],
)


def check_iob_spans(iob_spans: Callable[[Sequence[str]], list[tuple[str, int, int]]]) -> None:
    """``iob_spans(tags)`` must return ``[(type, first, last), …]`` (inclusive token indices) in order."""
    for tags in SPAN_CASES:
        expected = [tuple(e) for e in get_entities(list(tags))]
        got = iob_spans(list(tags))
        check_true(isinstance(got, list), f"expected a list of (type, first, last) tuples, got {type(got).__name__}")
        got = [tuple(span) for span in got]
        check_true(got == expected, f"for tags {tags}: expected {expected}, got {got}"
                   + (" (is the last index inclusive? does an entity at the very end get closed?)"
                      if len(got) == len(expected) else ""))
    passed(f"iob_spans finds the entities of all {len(SPAN_CASES)} test sequences")


def check_all_o_baseline(token_acc: float, entity_f: float, true_tags: Sequence[Sequence[str]]) -> None:
    """The all-``O`` tagger on ``true_tags``: its token accuracy and its entity F1."""
    all_o = [["O"] * len(sentence) for sentence in true_tags]
    acc, f1 = flat_token_accuracy(true_tags, all_o), entity_f1(true_tags, all_o)
    check_true(abs(float(token_acc) - acc) < 1e-6,
               f"token accuracy of the all-O tagger: expected {acc:.4f} (share of O tokens), got {float(token_acc):.4f}")
    check_true(abs(float(entity_f) - f1) < 1e-6, f"entity F1 of the all-O tagger: expected {f1:.4f}, got "
               f"{float(entity_f):.4f} (how many entities does it find?)")
    passed(f"the all-O tagger gets token accuracy {acc:.3f} and entity F1 {f1:.3f}")
