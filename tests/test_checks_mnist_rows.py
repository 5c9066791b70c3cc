"""The exercise checks of the chapter "MNIST row by row" accept right answers and explain wrong ones."""

import numpy as np
import pytest

from lstm_utils.checks import CheckFailed
from lstm_utils.mnist_rows import check_bottom_up, check_settled_row, reference_settled_rows


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
