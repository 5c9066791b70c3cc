"""A linear-chain CRF output layer (Lafferty, McCallum and Pereira, 2001) for the BiLSTM tagger, as in {cite:p}`lample2016ner`.

The tagger gives emission scores ``s_t(y)`` for every word and tag; the CRF adds a learned score
``A[y', y]`` for each pair of neighbouring tags (and ``start[y]``, ``end[y]`` at the ends), so that a
whole tag sequence is scored

$$\\mathrm{score}(y) = \\mathrm{start}[y_1] + \\sum_t s_t(y_t) + \\sum_{t>1} A[y_{t-1}, y_t] + \\mathrm{end}[y_T].$$

Training minimises ``log Z - score(gold)`` (``Z`` sums ``exp(score)`` over every tag sequence: the
forward algorithm); prediction takes the best sequence (Viterbi). A tagger that picks each tag on
its own can answer ``B-geo I-per``; the CRF learns that this pair never happens.
"""

from __future__ import annotations

import torch
from torch import nn

from lstm_utils.metrics import IGNORE_INDEX, entity_f1_metric, token_accuracy
from lstm_utils.shapes import check_ids
from lstm_utils.text.vocab import Vocab


def _mask(emissions: torch.Tensor, tags: torch.Tensor) -> torch.Tensor:
    """``tags != IGNORE_INDEX`` as a bool mask, after checking shapes and that padding is only at the end."""
    if emissions.dim() != 3 or tags.shape != emissions.shape[:2]:
        raise ValueError(f"expected emissions (batch, seq, tags) and tags (batch, seq), got "
                         f"{tuple(emissions.shape)} and {tuple(tags.shape)}")
    mask = tags != IGNORE_INDEX
    if not mask[:, 0].all():
        raise ValueError("expected every sentence to have at least one real token at position 0, got padding there")
    if (mask[:, 1:] & ~mask[:, :-1]).any():
        raise ValueError("expected padding only after the last real token of each sentence")
    return mask


class CRF(nn.Module):
    """Transition scores between tags; :meth:`nll` is the loss, :meth:`decode` the Viterbi prediction.

    ``transitions[i, j]`` scores tag ``j`` right after tag ``i``. Positions whose tag is
    :data:`IGNORE_INDEX` are padding (they must come after the real tokens).
    """

    def __init__(self, num_tags: int):
        super().__init__()
        if not isinstance(num_tags, int) or num_tags < 1:
            raise ValueError(f"expected a positive number of tags, got {num_tags!r}")
        self.num_tags = num_tags
        self.start = nn.Parameter(torch.zeros(num_tags))
        self.end = nn.Parameter(torch.zeros(num_tags))
        self.transitions = nn.Parameter(torch.zeros(num_tags, num_tags))

    def _check(self, emissions: torch.Tensor) -> None:
        if emissions.shape[-1] != self.num_tags:
            raise ValueError(f"expected emissions with {self.num_tags} tag scores, got {emissions.shape[-1]}")

    def gold_score(self, emissions: torch.Tensor, tags: torch.Tensor) -> torch.Tensor:
        """``score(y)`` of the given tags, ``(batch,)``."""
        self._check(emissions)
        mask = _mask(emissions, tags)
        y = tags.masked_fill(~mask, 0)  # (batch, seq)
        check_ids(y, self.num_tags, f"tags (or {IGNORE_INDEX} for padding)")
        emitted = emissions.gather(-1, y.unsqueeze(-1)).squeeze(-1)  # (batch, seq)
        moves = self.transitions[y[:, :-1], y[:, 1:]]  # (batch, seq - 1)
        last = y.gather(1, (mask.sum(1) - 1).unsqueeze(1)).squeeze(1)  # (batch,)
        return (self.start[y[:, 0]] + (emitted * mask).sum(1) + (moves * mask[:, 1:]).sum(1)
                + self.end[last])

    def log_partition(self, emissions: torch.Tensor, tags: torch.Tensor) -> torch.Tensor:
        """``log Z`` per sentence, ``(batch,)``, by the forward algorithm over the real tokens."""
        self._check(emissions)
        mask = _mask(emissions, tags)
        alpha = self.start + emissions[:, 0]  # (batch, tags)
        for t in range(1, emissions.shape[1]):
            step = torch.logsumexp(alpha.unsqueeze(2) + self.transitions, dim=1) + emissions[:, t]
            alpha = torch.where(mask[:, t:t + 1], step, alpha)
        return torch.logsumexp(alpha + self.end, dim=1)

    def nll(self, emissions: torch.Tensor, tags: torch.Tensor) -> torch.Tensor:
        """The loss: ``Σ_sentences (log Z - score(gold))`` divided by the number of real tokens.

        Dividing by tokens (not sentences) keeps it on the scale of the per-token cross-entropy.
        """
        mask = _mask(emissions, tags)
        return (self.log_partition(emissions, tags) - self.gold_score(emissions, tags)).sum() / mask.sum()

    @torch.no_grad()
    def decode(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The best tag sequence of each sentence (Viterbi), ``(batch, seq)``; ``IGNORE_INDEX`` at padding."""
        self._check(emissions)
        mask = _mask(emissions, torch.where(mask, 0, IGNORE_INDEX))
        score = self.start + emissions[:, 0]  # (batch, tags)
        pointers = []
        for t in range(1, emissions.shape[1]):
            best, arg = (score.unsqueeze(2) + self.transitions).max(dim=1)  # (batch, tags) each
            pointers.append(arg)
            score = torch.where(mask[:, t:t + 1], best + emissions[:, t], score)
        score = score + self.end
        lengths = mask.sum(1)
        paths = torch.full(mask.shape, IGNORE_INDEX, dtype=torch.long, device=emissions.device)
        current = score.argmax(1)  # (batch,) tag at each sentence's last real word
        rows = torch.arange(len(mask), device=emissions.device)
        for t in range(emissions.shape[1] - 1, -1, -1):
            at_end = lengths - 1 == t
            inside = lengths - 1 > t
            current = torch.where(inside, pointers[t].gather(1, current.unsqueeze(1)).squeeze(1)
                                  if t < len(pointers) else current, current)
            paths[rows, t] = torch.where(at_end | inside, current, paths[rows, t])
        return paths

    def one_hot(self, emissions: torch.Tensor, tags: torch.Tensor) -> torch.Tensor:
        """The Viterbi paths as one-hot scores ``(batch, seq, tags)``: what an ``argmax`` metric reads."""
        paths = self.decode(emissions, tags != IGNORE_INDEX).clamp_min(0)
        return nn.functional.one_hot(paths, self.num_tags).to(emissions.dtype)


def crf_metrics(crf: CRF, tag_vocab: Vocab) -> dict:
    """``token_accuracy`` and ``entity_f1`` for :func:`lstm_utils.training.fit`, on the Viterbi paths."""
    entity_f1 = entity_f1_metric(tag_vocab)
    return {
        "token_accuracy": lambda emissions, tags: token_accuracy(crf.one_hot(emissions, tags), tags),
        "entity_f1": lambda emissions, tags: entity_f1(crf.one_hot(emissions, tags), tags),
    }
