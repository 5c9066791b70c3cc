"""Many-to-one: read a sequence with a recurrent layer, classify from its last hidden state."""

from __future__ import annotations

import torch
from torch import nn

from lstm_utils.shapes import check_ids, check_int, check_shape


def last_hidden(h_n: torch.Tensor, num_layers: int, bidirectional: bool) -> torch.Tensor:
    """The last layer's final hidden state from ``h_n`` of shape ``(layers × directions, batch, hidden)``.

    For a bidirectional layer the forward state (finished at the last step) and the backward state
    (finished at the first step) are concatenated: ``(batch, 2 × hidden)``; else ``(batch, hidden)``.
    """
    directions = 2 if bidirectional else 1
    if not isinstance(h_n, torch.Tensor) or h_n.dim() != 3 or h_n.shape[0] != num_layers * directions:
        raise ValueError(f"expected h_n of shape ({num_layers * directions}, batch, hidden) for {num_layers} layer(s) "
                         f"x {directions} direction(s), got {tuple(getattr(h_n, 'shape', ()))}")
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
        missing = [name for name in ("hidden_size", "num_layers", "bidirectional") if not hasattr(rnn, name)]
        if not isinstance(rnn, nn.Module) or missing:
            raise TypeError(f"expected a recurrent layer like nn.LSTM (with hidden_size, num_layers, bidirectional), "
                            f"got {type(rnn).__name__}")
        if not getattr(rnn, "batch_first", False):
            raise ValueError("expected a recurrent layer built with batch_first=True")
        check_int(num_classes, "num_classes", 1)
        self.embedding = embedding
        self.rnn = rnn
        self.dropout = nn.Dropout(dropout)
        directions = 2 if rnn.bidirectional else 1
        self.head = nn.Linear(directions * rnn.hidden_size, num_classes)

    def check_inputs(self, inputs: torch.Tensor) -> None:
        """Token ids ``(batch, seq)`` in the embedding's range, or features ``(batch, seq, input_size)``; seq >= 1."""
        if self.embedding is not None:
            check_shape(inputs, ("batch", "seq"), name="inputs (token ids)")
            check_ids(inputs, self.embedding.num_embeddings, "inputs (token ids)")
        else:
            check_shape(inputs, ("batch", "seq", getattr(self.rnn, "input_size", "features")), name="inputs")
        if inputs.shape[1] == 0:
            raise ValueError(f"expected sequences of at least one step, got inputs of shape {tuple(inputs.shape)}")

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        self.check_inputs(inputs)
        x = self.embedding(inputs) if self.embedding is not None else inputs  # (batch, seq, features)
        _, state = self.rnn(x)
        h_n = state[0] if isinstance(state, tuple) else state  # LSTMs return (h_n, c_n)
        return self.head(self.dropout(last_hidden(h_n, self.rnn.num_layers, self.rnn.bidirectional)))
