import pytest
import torch

from lstm_utils.cells import gru_step, lstm_step
from lstm_utils.checks.cells import (
    check_cell_state_backward,
    check_gru_step,
    check_peephole_lstm_step,
    reference_peephole_lstm_step,
)
from lstm_utils.checks.core import CheckFailed


def test_gru_check_accepts_the_reference(capsys):
    check_gru_step(gru_step)
    assert "✓" in capsys.readouterr().out


def test_gru_check_names_swapped_update_gate():
    def swapped(x, h, W, U, bW, bU):
        r, z = torch.sigmoid(x @ W[:5].T + bW[:5] + h @ U[:5].T + bU[:5]), torch.sigmoid(x @ W[5:10].T + bW[5:10] + h @ U[5:10].T + bU[5:10])
        n = torch.tanh(x @ W[10:].T + bW[10:] + r * (h @ U[10:].T + bU[10:]))
        return z * n + (1 - z) * h

    with pytest.raises(CheckFailed, match="z and 1 - z are swapped"):
        check_gru_step(swapped)


def test_gru_check_names_wrong_shape_and_unfinished_code():
    with pytest.raises(CheckFailed, match=r"expected h_t of shape \(3, 5\)"):
        check_gru_step(lambda x, h, *p: gru_step(x, h, *p).T)
    with pytest.raises(CheckFailed, match="NotImplementedError"):
        check_gru_step(lambda *a: (_ for _ in ()).throw(NotImplementedError))


def test_gru_check_reports_largest_difference():
    with pytest.raises(CheckFailed, match="largest difference"):
        check_gru_step(lambda *a: gru_step(*a) + 1e-3)


def test_peephole_check_accepts_the_reference(capsys):
    check_peephole_lstm_step(reference_peephole_lstm_step)
    assert "✓" in capsys.readouterr().out


def test_peephole_check_rejects_a_plain_lstm():
    def plain(x, h, c, W, U, bW, bU, p_i, p_f, p_o):
        s = lstm_step(x, h, c, W, U, bW, bU)
        return s.h, s.c

    with pytest.raises(CheckFailed, match="c_t"):
        check_peephole_lstm_step(plain)


def test_peephole_check_names_output_gate_reading_the_old_cell():
    def old_cell(x, h, c, W, U, bW, bU, p_i, p_f, p_o):
        _, c_t = reference_peephole_lstm_step(x, h, c, W, U, bW, bU, p_i, p_f, p_o)
        a_o = x @ W[15:].T + bW[15:] + h @ U[15:].T + bU[15:]
        return torch.sigmoid(a_o + p_o * c) * torch.tanh(c_t), c_t

    with pytest.raises(CheckFailed, match="new cell c_t, not c_"):
        check_peephole_lstm_step(old_cell)


def test_cell_state_backward_check():
    def right(dh, dc, f, o, c):
        return (dc + dh * o * (1 - torch.tanh(c) ** 2)) * f

    check_cell_state_backward(right)
    with pytest.raises(CheckFailed, match="misses the path through h_t"):
        check_cell_state_backward(lambda dh, dc, f, o, c: dc * f)
    with pytest.raises(CheckFailed, match="dc_prev"):
        check_cell_state_backward(lambda dh, dc, f, o, c: (dc + dh * o) * f)
