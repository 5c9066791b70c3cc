import pytest
import torch

from lstm_utils.metrics import char_accuracy, ratio, sequence_accuracy, string_accuracy, token_accuracy

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
