import numpy as np
import pytest
import torch

from lstm_utils.checks.core import CheckFailed
from lstm_utils.memory import check_majority_baseline, check_mean_forget_gate


def right_baseline(train, test):
    return float((np.asarray(test) == np.bincount(train).argmax()).mean())


def test_majority_baseline_check_accepts_the_right_answer(capsys):
    check_majority_baseline(right_baseline)
    assert "✓" in capsys.readouterr().out


def test_majority_baseline_check_explains_a_guess_from_the_test_labels():
    def from_test(train, test):
        return float((np.asarray(test) == np.bincount(test).argmax()).mean())

    with pytest.raises(CheckFailed, match="expected accuracy 0.25, got 0.75 \\(the guess comes from the training labels\\)"):
        check_majority_baseline(from_test)


def test_majority_baseline_check_wants_a_number():
    with pytest.raises(CheckFailed, match="expected a number .*got ndarray"):
        check_majority_baseline(lambda train, test: np.asarray(test) == 3)


def test_mean_forget_gate_check():
    trace = {"f": torch.rand(6, 2, 4)}
    check_mean_forget_gate(trace["f"][:, 0].mean(-1), trace)
    with pytest.raises(CheckFailed, match=r"expected one number per time step, shape \(6,\), got \(6, 4\)"):
        check_mean_forget_gate(trace["f"].mean(1), trace)
    with pytest.raises(CheckFailed, match="differs from the reference"):
        check_mean_forget_gate(trace["f"][:, 1].mean(-1), trace)
