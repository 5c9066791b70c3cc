"""Grading of "MNIST row by row": reading order and when a prediction settles."""

from lstm_utils.assignments.exercises import Exercise


def hidden_bottom_up(bottom_up):
    """Other shapes; the input is left as it was; the last row comes first."""
    import torch

    for shape in ((3, 28, 28), (1, 1, 5), (2, 7, 1)):
        x = torch.randn(*shape, generator=torch.Generator().manual_seed(sum(shape)))
        before = x.clone()
        got = bottom_up(x)
        assert torch.equal(x, before), "bottom_up changed its input"
        assert torch.equal(got, before.flip(1)), f"rows not reversed for shape {shape}"


def hidden_settled_row(settled_row):
    """Random predictions of 200 images over 28 rows, against the reference count."""
    import numpy as np

    rng = np.random.default_rng(5)
    predictions = rng.integers(0, 3, size=(200, 28))
    expected = np.ones(200, dtype=int)  # rows read until the last change, plus one
    for n, row in enumerate(predictions):
        changes = np.flatnonzero(row != row[-1])
        if changes.size:
            expected[n] = changes[-1] + 2
    assert np.array_equal(np.asarray(settled_row(predictions.copy())), expected), "differs from the reference"


EXERCISES = [
    Exercise("bottom_up", "reading the image rows in the other order", 1, 1, 10, hidden_bottom_up),
    Exercise("settled_row", "after how many rows the prediction stops changing", 2, 1, 20,
             hidden_settled_row),
]
