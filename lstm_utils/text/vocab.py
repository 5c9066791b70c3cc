"""A vocabulary: tokens ↔ integer ids, with ``<pad>`` (id 0) and ``<unk>`` (id 1).

Replaces torchtext's legacy ``Field.build_vocab``: count the tokens of the training set, keep
those seen at least ``min_freq`` times, most frequent first (ties broken alphabetically so the ids do not
depend on the order of the data), at most ``max_size`` of them besides the specials.
"""

from __future__ import annotations

import operator
from collections import Counter
from typing import Iterable, Iterator, Sequence

from lstm_utils.shapes import check_int as _check_int  # noqa: F401 (text.batching imports it from here)

PAD, UNK = "<pad>", "<unk>"


def _not_a_str(value, expected: str) -> None:
    """A ``str`` is iterable, so it would be read one character at a time: refuse it."""
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        raise TypeError(f"expected {expected}, got a str ({shown!r})")


def _token_lists(sequences: Iterable[Sequence[str]]) -> Iterator[Sequence[str]]:
    """Yield the token lists of ``sequences``, refusing a str where a list of tokens belongs."""
    _not_a_str(sequences, "an iterable of token lists")
    if not isinstance(sequences, Iterable):
        raise TypeError(f"expected an iterable of token lists, got {type(sequences).__name__}")
    for n, tokens in enumerate(sequences):
        _not_a_str(tokens, f"a list of tokens at index {n}")
        yield tokens


class Vocab:
    """Maps tokens to ids and back. Unknown tokens map to ``<unk>`` when the vocabulary has one."""

    def __init__(self, tokens: Sequence[str], specials: Sequence[str] = (PAD, UNK)):
        for value, expected in ((tokens, "a sequence of tokens"), (specials, "a sequence of special tokens")):
            _not_a_str(value, expected)
            if not isinstance(value, Iterable):
                raise TypeError(f"expected {expected}, got {type(value).__name__}")
        self.itos: list[str] = list(dict.fromkeys([*specials, *tokens]))
        self.stoi: dict[str, int] = {token: i for i, token in enumerate(self.itos)}
        self.unk_index = self.stoi.get(UNK)
        self.pad_index = self.stoi.get(PAD)

    @classmethod
    def build(
        cls,
        sequences: Iterable[Sequence[str]],
        *,
        min_freq: int = 1,
        max_size: int | None = None,
        specials: Sequence[str] = (PAD, UNK),
    ) -> "Vocab":
        """Count the tokens of ``sequences`` and keep the frequent ones (see the module docstring)."""
        _check_int(min_freq, "min_freq", 1)
        _check_int(max_size, "max_size", 0, optional=True)
        counts = Counter(token for sequence in _token_lists(sequences) for token in sequence)
        ranked = sorted((t for t, n in counts.items() if n >= min_freq and t not in specials), key=lambda t: (-counts[t], t))
        vocab = cls(ranked[:max_size] if max_size is not None else ranked, specials)
        vocab.counts = counts
        return vocab

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def __getitem__(self, token: str) -> int:
        """The id of ``token``; ``<unk>``'s id for unknown tokens (``KeyError`` if there is no ``<unk>``)."""
        index = self.stoi.get(token, self.unk_index)
        if index is None:
            raise KeyError(f"{token!r} is not in the vocabulary, which has no {UNK} token")
        return index

    def encode(self, tokens: Sequence[str]) -> list[int]:
        """Token ids of ``tokens``."""
        _not_a_str(tokens, "a list of tokens")
        ids = []
        for position, token in enumerate(tokens):
            try:
                ids.append(self[token])
            except TypeError:  # unhashable: a nested list
                raise TypeError(f"expected tokens as str, got {type(token).__name__} at position {position}") from None
        return ids

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Tokens of ``ids`` (integers in ``0..len(self) - 1``)."""
        tokens = []
        for position, i in enumerate(ids):
            try:
                index = operator.index(i)
            except TypeError:
                raise TypeError(f"expected integer ids, got {type(i).__name__} ({i}) at position {position}") from None
            if not 0 <= index < len(self.itos):
                raise IndexError(f"expected ids in 0..{len(self.itos) - 1}, got {index} at position {position}")
            tokens.append(self.itos[index])
        return tokens

    def __repr__(self) -> str:
        return f"Vocab({len(self)} tokens: {self.itos[:8]}{'…' if len(self) > 8 else ''})"
