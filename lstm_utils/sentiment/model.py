"""The sentiment chapter's models: the seed's bidirectional LSTM and an order-blind bag-of-words baseline.

Both read a batch ``(ids, lengths)`` (padded ids ``(batch, seq)`` and true lengths ``(batch,)``) and
return one logit per review, :math:`z`, with :math:`P(\\text{positive}) = \\sigma(z)`, trained with
``nn.BCEWithLogitsLoss`` (binary cross-entropy on :math:`\\sigma(z)`, computed stably from :math:`z`).
"""

from __future__ import annotations

from typing import Callable, Sequence

import torch
from torch import nn

from lstm_utils.classifier import last_hidden
from lstm_utils.shapes import check_ids, check_shape
from lstm_utils.text.batching import collate, pack
from lstm_utils.text.tokenize import tokenize
from lstm_utils.text.vocab import Vocab
from lstm_utils.training import evaluating


class SentimentLSTM(nn.Module):
    """``embedding → dropout → packed bidirectional LSTM → [h_T^→ ; h_1^←] → dropout → linear``.

    The seed's sizes are the defaults: embedding 100, hidden 256, 2 layers, bidirectional, dropout 0.5.
    Packing (:func:`lstm_utils.text.batching.pack`) makes the forward direction stop at each review's
    last real token and the backward direction start there, so padding never enters :math:`h_t` or :math:`c_t`.
    """

    def __init__(self, vocab_size: int, embedding_dim: int = 100, hidden_size: int = 256, num_layers: int = 2,
                 bidirectional: bool = True, dropout: float = 0.5, pad_index: int = 0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_index)
        self.lstm = nn.LSTM(embedding_dim, hidden_size, num_layers=num_layers, bidirectional=bidirectional,
                            dropout=dropout if num_layers > 1 else 0.0, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size * (2 if bidirectional else 1), 1)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        check_shape(ids, ("batch", "seq"), name="ids")
        check_ids(ids, self.embedding.num_embeddings, "ids (the vocabulary)")
        embedded = self.dropout(self.embedding(ids))  # (batch, seq, embedding)
        _, (h_n, _) = self.lstm(pack(embedded, lengths))  # h_n: (layers × directions, batch, hidden)
        last = last_hidden(h_n, self.lstm.num_layers, self.lstm.bidirectional)  # (batch, directions × hidden)
        return self.head(self.dropout(last)).squeeze(-1)  # (batch,)


def reverse_within(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Row ``b``'s first ``lengths[b]`` steps in reverse order, its padding left in place: ``(batch, seq, …)``.

    Applied twice, it gives ``x`` back.
    """
    check_shape(x, ("batch", "seq", "features"), name="x")
    lengths = torch.as_tensor(lengths, device=x.device)
    steps = torch.arange(x.shape[1], device=x.device)  # (seq,)
    source = lengths[:, None] - 1 - steps  # (batch, seq): t ↦ L_b - 1 - t
    source = torch.where(source >= 0, source, steps)  # padding stays where it is
    return x.gather(1, source[..., None].expand_as(x))


def max_over_time(outputs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """:math:`\\max_{t \\le T_b} h_t` per feature: ``(batch, seq, features)`` → ``(batch, features)``.

    Row ``b`` takes the maximum over its first ``lengths[b]`` steps only: padded steps are set to
    :math:`-\\infty` first, so whatever a layer wrote there never wins.
    """
    check_shape(outputs, ("batch", "seq", "features"), name="outputs")
    lengths = torch.as_tensor(lengths, device=outputs.device)
    real = torch.arange(outputs.shape[1], device=outputs.device) < lengths[:, None]  # (batch, seq)
    return outputs.masked_fill(~real[..., None], float("-inf")).amax(dim=1)  # (batch, features)


class MaxPoolLSTM(nn.Module):
    """``embedding → dropout → bidirectional LSTM → max over time → dropout → linear``, without packing.

    The review's summary is, feature by feature, the largest :math:`[h_t^\\to ; h_t^\\leftarrow]` over
    its real steps (:func:`max_over_time`): a strong word anywhere in a long review reaches the head in
    one step instead of through every later step of the recurrence.

    Why no packing: on a CPU, PyTorch runs a packed batch of unequal lengths one step at a time, and
    its backward pass costs time quadratic in the length; a padded batch runs as one fused call. The
    two directions are two ``nn.LSTM`` s (``lstm`` and ``lstm_reverse``) so that padding never comes
    *before* a real token: ``lstm`` reads each review left to right and meets the padding only after
    its end; ``lstm_reverse`` reads it right to left (:func:`reverse_within`), padding again last. The
    outputs at padded steps are then left out of the maximum, so padding changes nothing, as with packing.
    """

    def __init__(self, vocab_size: int, embedding_dim: int = 50, hidden_size: int = 64, dropout: float = 0.3,
                 pad_index: int = 0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_index)
        self.lstm = nn.LSTM(embedding_dim, hidden_size, batch_first=True)
        self.lstm_reverse = nn.LSTM(embedding_dim, hidden_size, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(2 * hidden_size, 1)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        check_shape(ids, ("batch", "seq"), name="ids")
        check_ids(ids, self.embedding.num_embeddings, "ids (the vocabulary)")
        lengths = torch.as_tensor(lengths)
        embedded = self.dropout(self.embedding(ids))  # (batch, seq, embedding)
        forward, _ = self.lstm(embedded)  # (batch, seq, hidden)
        backward, _ = self.lstm_reverse(reverse_within(embedded, lengths))  # (batch, seq, hidden), reversed
        outputs = torch.cat([forward, reverse_within(backward, lengths)], dim=-1)  # (batch, seq, 2 × hidden)
        return self.head(self.dropout(max_over_time(outputs, lengths))).squeeze(-1)  # (batch,)


class BagOfWords(nn.Module):
    """Mean of the word embeddings, then a linear layer: :math:`z = w^\\top \\tfrac{1}{T}\\sum_t e_{x_t} + b`.

    Since :math:`w^\\top e_x` is one number per word, this is a linear model of the word frequencies
    (fastText-style): it cannot see word order at all. Padding is left out of the mean.
    """

    def __init__(self, vocab_size: int, embedding_dim: int = 100, pad_index: int = 0):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embedding_dim, mode="mean", padding_idx=pad_index)
        self.head = nn.Linear(embedding_dim, 1)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        check_shape(ids, ("batch", "seq"), name="ids")
        check_ids(ids, self.embedding.num_embeddings, "ids (the vocabulary)")
        return self.head(self.embedding(ids)).squeeze(-1)  # (batch,)


def sentiment_forward(model: nn.Module, batch, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """``forward=`` for :func:`lstm_utils.training.fit`: ``(ids, lengths, labels)`` → ``(logits, labels)``."""
    if not isinstance(batch, (tuple, list)) or len(batch) != 3:
        items = f" of {len(batch)} items" if isinstance(batch, (tuple, list)) else ""
        raise ValueError(f"expected a batch (ids, lengths, labels) from text.batching.collate, "
                         f"got {type(batch).__name__}{items}")
    ids, lengths, labels = batch
    return model(ids.to(device), lengths), labels.to(device)


@torch.no_grad()
def predict_sentiment(model: nn.Module, vocab: Vocab, text: str | Sequence[str],
                      tokenizer: Callable[[str], list[str]] = tokenize) -> float | list[float]:
    """:math:`P(\\text{positive})` for a review (a float) or for a list of reviews (a list of floats)."""
    if not isinstance(text, str) and not (isinstance(text, Sequence) and text and all(isinstance(t, str) for t in text)):
        raise TypeError(f"expected a review (str) or a non-empty list of reviews, got {text!r:.60}")
    texts = [text] if isinstance(text, str) else list(text)
    token_lists = [tokenizer(t) for t in texts]
    for t, tokens in zip(texts, token_lists):
        if not tokens:
            raise ValueError(f"expected a review with at least one token, got {t!r}")
    device = next(model.parameters()).device
    unlabelled = [(torch.tensor(vocab.encode(tokens)), torch.tensor(0.0)) for tokens in token_lists]
    ids, lengths, _ = collate(unlabelled, pad_index=vocab.pad_index or 0)  # (batch, seq), (batch,)
    with evaluating(model):
        probabilities = torch.sigmoid(model(ids.to(device), lengths)).tolist()
    return probabilities[0] if isinstance(text, str) else probabilities


@torch.no_grad()
def predict_logits(model: nn.Module, ids: Sequence[Sequence[int]], batch_size: int = 256) -> torch.Tensor:
    """One logit per review of ``ids`` (numericalized reviews), in their order: ``(len(ids),)``.

    Reviews are run in batches of similar length (sorted), so that a long test set costs one pass
    with little padding; :math:`P(\\text{positive}) = \\sigma(z)`.
    """
    if len(ids) == 0:
        raise ValueError("expected at least one numericalized review, got none")
    device = next(model.parameters()).device
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    logits = torch.empty(len(ids))
    with evaluating(model):
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            items = [(torch.as_tensor(ids[i], dtype=torch.long), torch.tensor(0.0)) for i in chunk]
            batch, lengths, _ = collate(items)  # (batch, seq), (batch,)
            logits[chunk] = model(batch.to(device), lengths).float().cpu()
    return logits
