"""Checks for the exercises of the sentiment chapter."""

from __future__ import annotations

from typing import Callable, Sequence

import torch
from torch import nn

from lstm_utils.checks.core import CheckFailed, check_close, check_true, passed
from lstm_utils.text.batching import padding_share


def check_padding_share(fn: Callable[[Sequence[int], Sequence[Sequence[int]]], float]) -> None:
    """``fn(lengths, batches)`` must give the share of padded positions (see ``batching.padding_share``)."""
    cases = [([4, 2, 3], [[0, 1], [2]]), ([5, 5, 5, 5], [[0, 1], [2, 3]]), ([1, 9, 2, 8], [[0, 1, 2, 3]])]
    for lengths, batches in cases:
        got, expected = fn(lengths, batches), padding_share(lengths, batches)
        check_true(isinstance(got, (int, float)), f"expected a number, got {type(got).__name__}")
        if abs(got - expected) > 1e-9:
            raise CheckFailed(
                f"for lengths {lengths} and batches {batches} expected {expected:.4f}, got {got:.4f}; "
                "each batch is padded to its own longest sequence"
            )
    passed("padding share matches on all cases")


def check_final_states(fn: Callable[[nn.LSTM, torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
    """``fn(lstm, padded, lengths)`` must return ``h_n`` as if each sequence had been run alone, unpadded."""
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 4, bidirectional=True, batch_first=True)
    x = torch.randn(3, 5, 3)  # (batch, seq, features)
    lengths = torch.tensor([5, 2, 3])
    padded = x.clone()
    for b, n in enumerate(lengths):
        padded[b, n:] = 0.0
    got = fn(lstm, padded, lengths)
    expected = torch.cat([lstm(x[b : b + 1, :n])[1][0] for b, n in enumerate(lengths)], dim=1)  # (2, batch, 4)
    try:
        check_close(got, expected, name="h_n", atol=1e-5)
    except CheckFailed as error:
        raise CheckFailed(f"{error}. Did the LSTM read the padding? Pack the batch with its lengths.") from None
    passed("h_n equals the state of each review read alone: padding never reached the LSTM")
