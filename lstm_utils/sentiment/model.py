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
