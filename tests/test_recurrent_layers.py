"""The chapter-0 exercise checks accept right answers and explain wrong ones."""

import pytest
import torch
from torch import nn

from lstm_utils.checks import CheckFailed
from lstm_utils.recurrent_layers import check_bidirectional, check_lstm_shapes


def right_shapes(seq_len, batch, input_size, hidden, layers, bidirectional, batch_first):
    d = 2 if bidirectional else 1
    output = (batch, seq_len, d * hidden) if batch_first else (seq_len, batch, d * hidden)
    return {"output": output, "h_n": (layers * d, batch, hidden), "c_n": (layers * d, batch, hidden)}


def test_right_shapes_pass(capsys):
    check_lstm_shapes(right_shapes)
    assert "✓" in capsys.readouterr().out


def test_forgetting_directions_in_h_n_is_explained():
    def wrong(seq_len, batch, input_size, hidden, layers, bidirectional, batch_first):
        answer = right_shapes(seq_len, batch, input_size, hidden, layers, bidirectional, batch_first)
        answer["h_n"] = (layers, batch, hidden)
        return answer

    with pytest.raises(CheckFailed, match=r"bidirectional=True.*expected h_n of shape \(6, 12, 20\), got \(3, 12, 20\)"):
        check_lstm_shapes(wrong)


def _bidirectional_reference(lstm, x):
    return lstm(x)


def test_bidirectional_check_accepts_reference():
    check_bidirectional(_bidirectional_reference)


def test_bidirectional_check_catches_unflipped_backward_output():
    def unflipped(lstm, x):
        output, state = lstm(x)
        hidden = lstm.hidden_size
        return torch.cat([output[..., :hidden], output[..., hidden:].flip(0)], dim=-1), state

    with pytest.raises(CheckFailed, match="flipped back in time"):
        check_bidirectional(unflipped)


def test_checks_name_an_answer_that_is_not_a_function_or_not_an_lstm_result():
    with pytest.raises(CheckFailed, match=r"expected lstm_shapes to be a function you defined, got NoneType"):
        check_lstm_shapes(None)
    with pytest.raises(CheckFailed, match=r"expected run_bidirectional to return output, \(h_n, c_n\) like nn.LSTM"):
        check_bidirectional(lambda lstm, x: lstm(x)[0])
