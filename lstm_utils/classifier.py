"""Many-to-one: read a sequence with a recurrent layer, classify from its last hidden state."""

from __future__ import annotations

import torch
from torch import nn


def last_hidden(h_n: torch.Tensor, num_layers: int, bidirectional: bool) -> torch.Tensor:
    """The last layer's final hidden state from ``h_n`` of shape ``(layers × directions, batch, hidden)``.

    For a bidirectional layer the forward state (finished at the last step) and the backward state
    (finished at the first step) are concatenated: ``(batch, 2 × hidden)``; else ``(batch, hidden)``.
    """
    directions = 2 if bidirectional else 1
    last = h_n.view(num_layers, directions, *h_n.shape[1:])[-1]  # (directions, batch, hidden)
    return torch.cat(list(last), dim=-1)


class LastStateClassifier(nn.Module):
    """``[embedding →] recurrent layer → last hidden state → [dropout →] linear``.

    ``rnn`` is any layer with ``nn.RNN``/``nn.LSTM``/``nn.GRU``'s signature and ``batch_first=True``
    (PyTorch's or the book's hand-written ones). Inputs are ``(batch, seq)`` token ids when
    ``embedding`` is given, else ``(batch, seq, features)``; the output is ``(batch, num_classes)`` logits.
    """

    def __init__(self, rnn: nn.Module, num_classes: int, embedding: nn.Embedding | None = None, dropout: float = 0.0):
        super().__init__()
        if not getattr(rnn, "batch_first", False):
            raise ValueError("expected a recurrent layer built with batch_first=True")
        self.embedding = embedding
        self.rnn = rnn
        self.dropout = nn.Dropout(dropout)
        directions = 2 if rnn.bidirectional else 1
        self.head = nn.Linear(directions * rnn.hidden_size, num_classes)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        x = self.embedding(inputs) if self.embedding is not None else inputs  # (batch, seq, features)
        _, state = self.rnn(x)
        h_n = state[0] if isinstance(state, tuple) else state  # LSTMs return (h_n, c_n)
        return self.head(self.dropout(last_hidden(h_n, self.rnn.num_layers, self.rnn.bidirectional)))
