"""A vocabulary: tokens ↔ integer ids, with ``<pad>`` (id 0) and ``<unk>`` (id 1).

Replaces torchtext's legacy ``Field.build_vocab``: count the tokens of the training set, keep
those seen at least ``min_freq`` times, most frequent first (ties broken alphabetically so the ids do not
depend on the order of the data), at most ``max_size`` of them besides the specials.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Sequence

PAD, UNK = "<pad>", "<unk>"


class Vocab:
    """Maps tokens to ids and back. Unknown tokens map to ``<unk>`` when the vocabulary has one."""

    def __init__(self, tokens: Sequence[str], specials: Sequence[str] = (PAD, UNK)):
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
        if min_freq < 1:
            raise ValueError(f"expected min_freq >= 1, got {min_freq}")
        counts = Counter(token for sequence in sequences for token in sequence)
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
        return [self[token] for token in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Tokens of ``ids``."""
        return [self.itos[int(i)] for i in ids]

    def __repr__(self) -> str:
        return f"Vocab({len(self)} tokens: {self.itos[:8]}{'…' if len(self) > 8 else ''})"
