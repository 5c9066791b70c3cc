"""Tests of lstm_utils.metrics: classification, regression, sequence and tagging metrics."""

import math
import random

import pytest
import torch
from seqeval.metrics import f1_score as seqeval_f1

from lstm_utils.metrics import (
    IGNORE_INDEX, accuracy, binary_accuracy, char_accuracy, confusion_matrix, decode_batch, entity_counts, entity_f1,
    entity_f1_metric, entity_report, flat_token_accuracy, mean_absolute_error, ratio, sequence_accuracy, string_accuracy,
    tag_confusion, token_accuracy, weighted_token_f1,
)
from lstm_utils.text.vocab import Vocab


def test_accuracy_counts_hand_computed_case():
    logits = torch.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]])
    assert accuracy(logits, torch.tensor([0, 1, 1])) == (2.0, 3.0)


def test_accuracy_ignores_padding_positions():
    logits = torch.tensor([[[5.0, 0.0], [0.0, 5.0], [5.0, 0.0]]])  # (batch 1, seq 3, classes 2)
    targets = torch.tensor([[0, 0, -100]])
    assert accuracy(logits, targets, ignore_index=-100) == (1.0, 2.0)


def test_accuracy_shape_mismatch_is_explained():
    with pytest.raises(ValueError, match=r"expected targets of shape \(3,\)"):
        accuracy(torch.zeros(3, 2), torch.zeros(4, dtype=torch.long))


def test_binary_accuracy_and_mae():
    assert binary_accuracy(torch.tensor([1.0, -1.0, 2.0]), torch.tensor([1, 1, 1])) == (2.0, 3.0)
    assert mean_absolute_error(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 4.0])) == (3.0, 2.0)
    with pytest.raises(ValueError):
        mean_absolute_error(torch.zeros(2), torch.zeros(3))


PAD = 0


def one_hot_logits(predicted: list[list[int]], vocab: int = 6) -> torch.Tensor:
    return torch.nn.functional.one_hot(torch.tensor(predicted), vocab).float()  # (batch, T, vocab)


def test_padding_never_counts_in_token_or_sequence_accuracy():
    targets = torch.tensor([[3, 4, 2, PAD], [5, 2, PAD, PAD]])
    # wrong only where the target is padding: every real position is right
    logits = one_hot_logits([[3, 4, 2, 5], [5, 2, 1, 4]])
    assert token_accuracy(logits, targets, PAD) == (5.0, 5.0)
    assert sequence_accuracy(logits, targets, PAD) == (2.0, 2.0)


def test_one_wrong_character_makes_the_sequence_wrong():
    targets = torch.tensor([[3, 4, 2, PAD], [5, 2, PAD, PAD]])
    logits = one_hot_logits([[3, 1, 2, PAD], [5, 2, PAD, PAD]])
    assert token_accuracy(logits, targets, PAD) == (4.0, 5.0)
    assert sequence_accuracy(logits, targets, PAD) == (1.0, 2.0)


def test_predicting_padding_at_a_real_position_is_wrong():
    targets = torch.tensor([[3, 2]])
    assert token_accuracy(one_hot_logits([[PAD, 2]]), targets, PAD) == (1.0, 2.0)


def test_string_and_char_accuracy_count_missing_and_extra_characters():
    truth = ["596", "596", "596", "12"]
    predicted = ["596", "59", "5961", "13"]
    assert string_accuracy(predicted, truth) == (1.0, 4.0)
    assert char_accuracy(predicted, truth) == (3 + 2 + 3 + 1, 3 + 3 + 4 + 2)
    assert ratio(string_accuracy(predicted, truth)) == 0.25


def test_mismatched_shapes_and_lengths_are_clear_errors():
    with pytest.raises(ValueError, match=r"expected logits \(batch, T, vocab\) and targets \(batch, T\)"):
        token_accuracy(torch.zeros(2, 3, 5), torch.zeros(2, 4, dtype=torch.long))
    with pytest.raises(ValueError, match="expected 2 predictions"):
        string_accuracy(["1"], ["1", "2"])


def test_ratio_of_empty_denominator_is_nan():
    assert ratio((0.0, 0.0)) != ratio((0.0, 0.0))


TRUE = [["B-per", "I-per", "O", "B-geo"], ["O", "B-org", "I-org", "O"]]
PRED = [["B-per", "I-per", "O", "O"], ["O", "B-org", "O", "B-geo"]]
TAGS = Vocab(["O", "B-per", "I-per", "B-geo", "B-org", "I-org"], specials=())


def _logits(pred_ids, num_tags=len(TAGS)):
    """One-hot logits that make argmax return ``pred_ids``."""
    return torch.nn.functional.one_hot(torch.tensor(pred_ids), num_tags).float()


def test_entity_counts_and_f1_by_hand():
    # true entities: per(0-1), geo(3) | org(1-2); predicted: per(0-1) | org(1), geo(3)
    assert entity_counts(TRUE, PRED) == (1, 2, 2)  # TP: per; FP: org(1), geo(3) of sentence 2; FN: geo, org(1-2)
    assert entity_f1(TRUE, PRED) == pytest.approx(2 * 1 / (2 * 1 + 2 + 2))  # = 1/3
    assert entity_f1(TRUE, PRED) == pytest.approx(seqeval_f1(TRUE, PRED))
    assert entity_f1(TRUE, TRUE) == 1.0 and entity_f1([["O"]], [["O"]]) == 0.0


def test_entity_report_per_type_by_hand():
    report = entity_report(TRUE, PRED)
    assert list(report.index) == ["geo", "org", "per", "micro avg"]
    assert report.loc["per", ["precision", "recall", "f1"]].tolist() == [1.0, 1.0, 1.0]
    assert report.loc["org", "f1"] == 0.0 and report.loc["geo", "f1"] == 0.0  # wrong span / wrong sentence
    assert report.loc["micro avg", "f1"] == pytest.approx(1 / 3)
    assert report["support"].tolist() == [1, 1, 1, 3]


def test_token_accuracy_and_weighted_f1_by_hand():
    assert flat_token_accuracy(TRUE, PRED) == pytest.approx(5 / 8)
    # O: P = 2/4, R = 2/3, F1 = 4/7 (3 tokens); B-per, I-per, B-org: F1 = 1; B-geo, I-org: F1 = 0.
    assert weighted_token_f1(TRUE, PRED) == pytest.approx((3 * 4 / 7 + 3 * 1) / 8)


def test_all_o_tagger_has_high_token_accuracy_and_zero_entity_f1():
    true = [["O"] * 9 + ["B-geo"]] * 3
    all_o = [["O"] * 10] * 3
    assert flat_token_accuracy(true, all_o) == pytest.approx(0.9)
    assert entity_f1(true, all_o) == 0.0


def test_padding_never_counts_in_batch_metrics():
    tags = torch.tensor([[1, 2, 0, 3], [0, 4, 5, 0]])
    tags_padded = torch.cat([tags, torch.full((2, 3), IGNORE_INDEX)], dim=1)  # (2, 7)
    pred = [[1, 2, 0, 0], [0, 4, 0, 3]]
    logits = _logits(pred)
    garbage = _logits([[3, 3, 3], [4, 4, 4]])  # predicted entities where there is only padding
    logits_padded = torch.cat([logits, garbage], dim=1)  # (2, 7, tags)
    assert token_accuracy(logits_padded, tags_padded) == (5.0, 8.0)
    metric = entity_f1_metric(TAGS)
    assert metric(logits_padded, tags_padded) == metric(logits, tags) == (2.0, 6.0)  # 2 TP / (2 TP + FP + FN)
    true, predicted = decode_batch(logits_padded, tags_padded, TAGS)
    assert true == TRUE and predicted == PRED


def test_entity_f1_metric_adds_up_over_batches_like_seqeval():
    rng = random.Random(0)
    labels = ["O", "O", "O", "B-per", "I-per", "B-geo", "I-geo"]
    true = [[rng.choice(labels) for _ in range(rng.randint(1, 8))] for _ in range(40)]
    pred = [[rng.choice(labels) if rng.random() < 0.4 else t for t in s] for s in true]
    vocab = Vocab(sorted(set(labels)), specials=())
    metric = entity_f1_metric(vocab)
    num = den = 0.0
    for start in range(0, 40, 7):  # uneven batches
        chunk_true, chunk_pred = true[start:start + 7], pred[start:start + 7]
        width = max(map(len, chunk_true))
        tags = torch.full((len(chunk_true), width), IGNORE_INDEX)
        ids = torch.zeros((len(chunk_true), width), dtype=torch.long)
        for row, (t, p) in enumerate(zip(chunk_true, chunk_pred)):
            tags[row, : len(t)] = torch.tensor(vocab.encode(t))
            ids[row, : len(p)] = torch.tensor(vocab.encode(p))
        n, d = metric(_logits(ids.tolist(), len(vocab)), tags)
        num, den = num + n, den + d
    assert num / den == pytest.approx(seqeval_f1(true, pred))
    assert math.isclose(num / den, entity_f1(true, pred))


def test_confusion_of_tags_and_errors():
    counts = tag_confusion(TRUE, PRED, TAGS)
    assert counts.sum() == 8 and counts.trace() == 5
    assert counts[TAGS["I-org"], TAGS["O"]] == 1 and counts[TAGS["O"], TAGS["B-geo"]] == 1
    with pytest.raises(ValueError, match="as many predicted as true"):
        entity_f1(TRUE, PRED[:1])
    with pytest.raises(ValueError, match=r"expected tags of shape \(2, 4\)"):
        decode_batch(torch.zeros(2, 4, 6), torch.zeros(2, 5, dtype=torch.long), TAGS)


def test_accuracy_wants_integer_class_ids_as_targets():
    with pytest.raises(TypeError, match=r"expected targets as integer class ids, got dtype torch.float32"):
        accuracy(torch.zeros(3, 4), torch.zeros(3))


@pytest.mark.parametrize("y_true, y_pred, message", [
    ([0, 5], [0, 1], r"expected y_true as class ids 0..2, got 0..5"),
    ([0, 1], [0, -1], r"expected y_pred as class ids 0..2, got -1..0"),
    ([0, 1.5], [0, 1], r"expected y_true as class ids 0..2, got 0.0..1.5 \(float64\)"),
])
def test_confusion_matrix_refuses_ids_outside_the_classes(y_true, y_pred, message):
    with pytest.raises(ValueError, match=message):
        confusion_matrix(y_true, y_pred, 3)


def test_string_and_entity_metrics_refuse_a_bare_str():
    with pytest.raises(TypeError, match=r"expected predicted as a list \(one item per example\), got a str '596'"):
        string_accuracy("596", ["596"])
    with pytest.raises(TypeError, match=r"expected true as a list .* got a str 'B-per O'"):
        entity_f1("B-per O", [["B-per", "O"]])
    with pytest.raises(ValueError, match=r"expected as many predicted as true tags in sentence 1, got 1 and 2"):
        entity_f1([["O"], ["O", "O"]], [["O"], ["O"]])
