"""Reading a last-state classifier's answer after every step."""

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from lstm_utils.classifier import LastStateClassifier
from lstm_utils.mnist_rows import (
    accuracy_after_each_step,
    fit_step_probes,
    hidden_after_each_step,
    logits_after_each_step,
    predictions_after_each_step,
)


def test_last_step_equals_the_model_and_each_step_equals_a_prefix():
    torch.manual_seed(0)
    model = LastStateClassifier(nn.LSTM(5, 7, num_layers=2, batch_first=True), 10).eval()
    x = torch.randn(4, 6, 5)  # (batch, seq, features)
    logits = logits_after_each_step(model, x)
    assert logits.shape == (4, 6, 10)
    torch.testing.assert_close(logits[:, -1], model(x))
    torch.testing.assert_close(logits[:, 2], model(x[:, :3]))  # the state after 3 rows = reading only 3 rows


def test_bidirectional_is_refused():
    model = LastStateClassifier(nn.LSTM(5, 7, bidirectional=True, batch_first=True), 3)
    with pytest.raises(ValueError, match="expected a unidirectional recurrent layer"):
        logits_after_each_step(model, torch.randn(2, 3, 5))


def test_accuracy_after_each_step_counts_right_predictions():
    predictions = np.array([[0, 1, 2], [1, 1, 1], [2, 0, 2]])
    np.testing.assert_allclose(accuracy_after_each_step(predictions, np.array([2, 1, 2])), [2 / 3, 1 / 3, 1.0])
    with pytest.raises(ValueError, match=r"expected predictions of shape \(2, seq\)"):
        accuracy_after_each_step(predictions, np.array([0, 1]))


def test_predictions_over_a_loader_keep_training_mode_and_order():
    torch.manual_seed(0)
    model = LastStateClassifier(nn.LSTM(3, 4, batch_first=True), 5, dropout=0.5)
    x, y = torch.randn(10, 6, 3), torch.arange(10) % 5
    predictions, targets = predictions_after_each_step(model, DataLoader(TensorDataset(x, y), batch_size=4))
    assert model.training and predictions.shape == (10, 6)
    np.testing.assert_array_equal(targets, y.numpy())
    model.eval()
    np.testing.assert_array_equal(predictions[:, -1], model(x).argmax(-1).numpy())


def test_step_probes_read_a_class_that_appears_halfway():
    torch.manual_seed(0)
    n, steps, hidden = 300, 4, 5
    targets = torch.arange(n) % 3
    h = 0.1 * torch.randn(n, steps, hidden)
    h[:, 2:, :3] += nn.functional.one_hot(targets, 3).float().unsqueeze(1)  # the class shows from step 3 on
    probes = fit_step_probes(h, targets, 3)
    accuracy = accuracy_after_each_step(probes(h).argmax(-1).detach().numpy(), targets.numpy())
    assert accuracy[:2].max() < 0.6 and accuracy[2:].min() == 1.0
    with pytest.raises(ValueError, match=r"expected hidden states of shape \(n, 4, 5\), got \(2, 3, 5\)"):
        probes(torch.randn(2, 3, 5))
    with pytest.raises(ValueError, match="expected h"):
        fit_step_probes(h, targets[:10], 3)


def test_hidden_after_each_step_is_the_layer_output():
    torch.manual_seed(0)
    model = LastStateClassifier(nn.LSTM(3, 4, batch_first=True), 5)
    x, y = torch.randn(6, 7, 3), torch.arange(6) % 5
    h, targets = hidden_after_each_step(model, DataLoader(TensorDataset(x, y), batch_size=4))
    torch.testing.assert_close(h, model.rnn(x)[0])
    np.testing.assert_array_equal(targets.numpy(), y.numpy())
