import pytest
import torch

from lstm_utils.metrics import accuracy, binary_accuracy, mean_absolute_error


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
