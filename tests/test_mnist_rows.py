"""Tests of lstm_utils.mnist_rows: answers after every step, the figures, the checks."""

import matplotlib
import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from lstm_utils.checks import CheckFailed
from lstm_utils.classifier import LastStateClassifier
from lstm_utils.mnist_rows import (
    accuracy_after_each_step, check_bottom_up, check_settled_row, fit_step_probes, hidden_after_each_step,
    logits_after_each_step, plot_accuracy_by_step, plot_digit_grid, plot_image_as_sequence,
    predictions_after_each_step, reference_settled_rows,
)

matplotlib.use("Agg")


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


def test_digit_grid_captions_true_and_predicted_and_checks_lengths():
    images = np.zeros((5, 8, 8))
    fig = plot_digit_grid(images, [1, 2, 3, 4, 5], [1, 7, 3, 4, 0], ncols=3)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["1 → 1", "2 → 7", "3 → 3", "4 → 4", "5 → 0"] and len(fig.axes) == 6
    assert "true → predicted" in fig._suptitle.get_text()
    with pytest.raises(ValueError, match=r"expected as many labels as images \(5\), got 4 true"):
        plot_digit_grid(images, [1, 2, 3, 4], [1, 2, 3, 4, 5])
    with pytest.raises(ValueError, match=r"expected images of shape \(n, rows, cols\), got \(8, 8\)"):
        plot_digit_grid(images[0], [1], [1])


def test_accuracy_by_step_plots_percent_and_chance():
    ax = plot_accuracy_by_step({"LSTM": [0.1, 0.5, 0.9]}, chance=0.1)
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), [10, 50, 90])
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
    assert ax.get_ylabel() == "accuracy (%)" and ax.get_xlabel() == "rows read"
    with pytest.raises(ValueError, match="at least one curve"):
        plot_accuracy_by_step({})


def test_image_as_sequence_labels_steps_and_features():
    ax = plot_image_as_sequence(np.eye(8), 3)
    assert "8 steps" in ax.get_title() and "time step" in ax.get_ylabel() and "pixel column" in ax.get_xlabel()
    with pytest.raises(ValueError, match="expected one image"):
        plot_image_as_sequence(np.zeros((2, 8, 8)), 3)


def test_bottom_up_accepts_flip_of_rows_and_names_common_mistakes(capsys):
    check_bottom_up(lambda x: x.flip(1))
    assert "✓" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match=r"pixels inside each row \(axis 2\)"):
        check_bottom_up(lambda x: x.flip(2))
    with pytest.raises(CheckFailed, match=r"order of the images in the batch"):
        check_bottom_up(lambda x: x.flip(0))
    with pytest.raises(CheckFailed, match=r"expected the shape to stay"):
        check_bottom_up(lambda x: x.transpose(1, 2))
    with pytest.raises(CheckFailed, match="torch.Tensor"):
        check_bottom_up(lambda x: x.numpy()[:, ::-1])


def test_settled_row_accepts_the_reference_and_names_mistakes(capsys):
    check_settled_row(reference_settled_rows)
    assert "✓" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="off by one"):
        check_settled_row(lambda p: reference_settled_rows(p) - 1)
    with pytest.raises(CheckFailed, match="never change after it"):
        check_settled_row(lambda p: np.argmax(p == p[:, -1:], axis=1) + 1)
    with pytest.raises(CheckFailed, match="expected one number per example"):
        check_settled_row(lambda p: p)
    with pytest.raises(CheckFailed, match=r"expected 1 rows, got 5"):
        check_settled_row(lambda p: np.full(len(p), p.shape[1]))


def test_reference_settled_rows_on_a_worked_example():
    np.testing.assert_array_equal(reference_settled_rows(np.array([[1, 2, 2], [3, 3, 3], [1, 2, 1]])), [2, 1, 3])


def test_step_functions_name_bad_inputs():
    model = LastStateClassifier(nn.LSTM(4, 8, batch_first=True), 3)
    with pytest.raises(ValueError, match=r"expected inputs of shape \(batch, seq, 4\), got \(2, 5\)"):
        logits_after_each_step(model, torch.zeros(2, 5))
    with pytest.raises(ValueError, match=r"expected batches \(inputs, targets\), got a Tensor"):
        hidden_after_each_step(model, torch.zeros(2, 5, 4))
    with pytest.raises(ValueError, match=r"expected at least one example and one step, got predictions of shape \(0, 5\)"):
        accuracy_after_each_step(np.zeros((0, 5)), np.zeros(0))
    with pytest.raises(ValueError, match=r"expected predictions of shape \(n, rows\) with rows >= 1, got \(5,\)"):
        reference_settled_rows(np.zeros(5))


def test_step_probes_check_classes_and_targets():
    h = torch.zeros(4, 5, 8)
    with pytest.raises(ValueError, match=r"expected classes >= 2, got 0"):
        fit_step_probes(h, torch.zeros(4, dtype=torch.long), 0)
    with pytest.raises(ValueError, match=r"expected targets in 0..2, got 0..5"):
        fit_step_probes(h, torch.tensor([0, 1, 5, 2]), 3)
