"""Figures of digits read as sequences."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_utils.mnist_rows import plot_accuracy_by_step, plot_digit_grid, plot_image_as_sequence  # noqa: E402


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
