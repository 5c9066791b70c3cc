"""Checks for the exercises of the chapter "Sequences out" (encoder–decoder LSTMs)."""

from __future__ import annotations

from typing import Callable

import torch

from lstm_utils.checks.core import CheckFailed, check_close, check_true, passed
from lstm_utils.sequences_out.data import encode_targets, make_vocab
from lstm_utils.sequences_out.model import AdditiveAttention


def check_attention_weights(attention_weights: Callable) -> None:
    """Compare ``attention_weights(query, keys, mask, attention)`` with :class:`AdditiveAttention`'s weights."""
    torch.manual_seed(0)
    attention = AdditiveAttention(5, 5, 7)
    query, keys = torch.randn(3, 5), torch.randn(3, 4, 5)  # (batch, hidden), (batch, S, hidden)
    mask = torch.tensor([[True] * 4, [True, True, True, False], [True, False, False, False]])
    _, expected = attention(query, keys, mask)
    with torch.no_grad():
        got = attention_weights(query, keys, mask, attention)
    check_close(got, expected.detach(), name="the attention weights alpha (batch, S)")
    passed("your additive attention weights match AdditiveAttention, padding included")


def check_teacher_forcing_pair(make_pair: Callable) -> None:
    """Compare ``make_pair(answer_ids, bos, eos)`` → ``(decoder_input, target)`` lists with the data module's."""
    vocab = make_vocab()
    bos, eos = vocab["<bos>"], vocab["<eos>"]
    for answer in ("596", "3", "1098"):
        ids = [vocab[ch] for ch in answer]
        expected_input, expected_target = (t[0, : len(ids) + 1].tolist() for t in encode_targets([answer], vocab))
        got = make_pair(list(ids), bos, eos)
        check_true(isinstance(got, tuple) and len(got) == 2, f"expected a pair (decoder_input, target), got {got!r}")
        decoder_input, target = (list(map(int, part)) for part in got)
        if decoder_input != expected_input:
            raise CheckFailed(f"for the answer {answer!r} (ids {ids}): expected decoder_input {expected_input}, got {decoder_input}")
        if target != expected_target:
            raise CheckFailed(f"for the answer {answer!r} (ids {ids}): expected target {expected_target}, got {target}")
    passed("decoder input and target are shifted by one step, with <bos> in front and <eos> at the end")
