r"""Encoder–decoder LSTMs: read a sequence, then write another one token by token.

* :class:`Encoder` reads the source (token ids, or feature vectors such as the columns of an image)
  with ``nn.LSTM`` and hands over its outputs :math:`k_1 … k_S` (the *memory*) and its final state.
* :class:`Decoder` starts from that state and, at each step, reads the previous token
  :math:`y_{t-1}` with the book's hand-written :class:`lstm_utils.cells.LSTMCell` and scores the next one.
* :class:`AdditiveAttention` (Bahdanau et al.) lets each decoder step look back at every source position
  instead of relying on the final state alone.

The decoding algorithms (:mod:`lstm_utils.decoding`) only need :meth:`Seq2Seq.encode` and
:meth:`Seq2Seq.step`; training with teacher forcing calls :meth:`Seq2Seq.forward`.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor, nn

from lstm_utils.cells import LSTMCell

State = tuple[Tensor, Tensor]  # (h, c), each (batch, hidden)


class Memory(NamedTuple):
    """What the encoder hands to the decoder."""

    keys: Tensor  # (batch, S, hidden): the encoder's output at every source position
    mask: Tensor  # (batch, S): True where the source holds a real token (False on padding)
    state: State  # the encoder's final (h, c), each (batch, hidden)


class Encoder(nn.Module):
    """``[embedding →] nn.LSTM``: token ids ``(batch, S)`` or features ``(batch, S, input_size)`` → :class:`Memory`.

    With ``vocab_size`` the input is token ids and ``pad_index`` marks padding; otherwise every position is real.
    With ``bidirectional=True`` each direction has ``hidden_size / 2`` units and their outputs and final
    states are concatenated, so that :math:`k_s` describes the whole source around position :math:`s`.
    """

    def __init__(
        self, input_size: int, hidden_size: int, vocab_size: int | None = None, pad_index: int = 0, bidirectional: bool = False
    ):
        super().__init__()
        if bidirectional and hidden_size % 2:
            raise ValueError(f"expected an even hidden_size for a bidirectional encoder, got {hidden_size}")
        self.embedding = nn.Embedding(vocab_size, input_size, padding_idx=pad_index) if vocab_size else None
        self.pad_index = pad_index
        units = hidden_size // 2 if bidirectional else hidden_size
        self.rnn = nn.LSTM(input_size, units, batch_first=True, bidirectional=bidirectional)

    def forward(self, source: Tensor) -> Memory:
        if self.embedding is not None:
            mask = source != self.pad_index  # (batch, S)
            x = self.embedding(source)  # (batch, S, input_size)
        else:
            mask = torch.ones(source.shape[:2], dtype=torch.bool, device=source.device)
            x = source
        lengths = mask.sum(1).clamp(min=1).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, (h_n, c_n) = self.rnn(packed)  # final state read at each sequence's own last token
        keys, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])  # (batch, S, hidden)
        h, c = (torch.cat(list(state), dim=-1) for state in (h_n, c_n))  # (batch, hidden): directions side by side
        return Memory(keys, mask, (h, c))


class ImageEncoder(Encoder):
    """Reads an image ``(batch, height, width)`` left to right, ``columns_per_step`` pixel columns per step.

    Step :math:`s` reads columns :math:`s k … s k + k - 1` (``k = columns_per_step``) as one vector of
    ``k × height`` pixels, so the encoder takes ``width / k`` steps.
    """

    def __init__(self, height: int, hidden_size: int, columns_per_step: int = 1, bidirectional: bool = False):
        super().__init__(height * columns_per_step, hidden_size, bidirectional=bidirectional)
        self.height, self.columns_per_step = height, columns_per_step

    def forward(self, images: Tensor) -> Memory:
        k = self.columns_per_step
        if images.dim() != 3 or images.shape[1] != self.height or images.shape[2] % k:
            multiple = f" with width a multiple of {k}" if k > 1 else ""
            raise ValueError(f"expected images of shape (batch, {self.height}, width){multiple}, got {tuple(images.shape)}")
        columns = images.transpose(1, 2)  # (batch, width, height): columns as steps
        return super().forward(columns.reshape(images.shape[0], -1, k * self.height))  # (batch, width / k, k × height)


class AdditiveAttention(nn.Module):
    r"""Additive attention {cite:p}`bahdanau2015attention`: which source positions the decoder reads now.

    For the decoder state :math:`h_{t-1}` and the encoder outputs :math:`k_1 … k_S`:

    .. math::
        e_{t,s} = v^\top \tanh(W_q h_{t-1} + W_k k_s), \qquad
        \alpha_{t,s} = \frac{\exp e_{t,s}}{\sum_{s'} \exp e_{t,s'}}, \qquad
        \text{context}_t = \sum_s \alpha_{t,s} k_s

    Padding positions get :math:`e_{t,s} = -\infty`, hence weight 0. Returns ``(context, weights)``.
    """

    def __init__(self, query_size: int, key_size: int, attention_size: int):
        super().__init__()
        self.W_q = nn.Linear(query_size, attention_size, bias=False)
        self.W_k = nn.Linear(key_size, attention_size, bias=True)
        self.v = nn.Linear(attention_size, 1, bias=False)

    def scores(self, query: Tensor, keys: Tensor) -> Tensor:
        r""":math:`e_{t,s} = v^\top \tanh(W_q h_{t-1} + W_k k_s)`: ``(batch, S)``."""
        return self.v(torch.tanh(self.W_q(query).unsqueeze(1) + self.W_k(keys))).squeeze(-1)  # (batch, S)

    def forward(self, query: Tensor, keys: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
        e = self.scores(query, keys).masked_fill(~mask, float("-inf"))  # (batch, S)
        weights = torch.softmax(e, dim=-1)  # alpha_{t,s}, (batch, S)
        context = torch.bmm(weights.unsqueeze(1), keys).squeeze(1)  # (batch, hidden)
        return context, weights


class Decoder(nn.Module):
    r"""One step: :math:`(h_t, c_t) = \text{LSTMCell}([E y_{t-1}; \text{context}_t], (h_{t-1}, c_{t-1}))`.

    Without attention the input is :math:`E y_{t-1}` alone and the scores are :math:`W_y h_t + b_y`;
    with attention the context read from the source joins both the input and the scores
    (:math:`W_y [h_t; \text{context}_t] + b_y`).
    """

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int, attention: AdditiveAttention | None = None):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.attention = attention
        extra = hidden_size if attention is not None else 0
        self.cell = LSTMCell(embed_size + extra, hidden_size)
        self.out = nn.Linear(hidden_size + extra, vocab_size)

    def forward(self, token: Tensor, state: State, memory: Memory) -> tuple[Tensor, State, Tensor | None]:
        """``token`` ``(batch,)`` → ``(logits (batch, vocab), new state, attention weights (batch, S) or None)``."""
        x = self.embedding(token)  # (batch, embed)
        weights = None
        if self.attention is not None:
            context, weights = self.attention(state[0], memory.keys, memory.mask)  # (batch, hidden), (batch, S)
            x = torch.cat([x, context], dim=-1)
        h, c = self.cell(x, state)  # (batch, hidden) each
        features = h if self.attention is None else torch.cat([h, context], dim=-1)
        return self.out(features), (h, c), weights


class Seq2Seq(nn.Module):
    """An :class:`Encoder` and a :class:`Decoder`; ``forward`` is the teacher-forced pass used in training."""

    def __init__(self, encoder: Encoder, decoder: Decoder):
        super().__init__()
        self.encoder, self.decoder = encoder, decoder

    def encode(self, source: Tensor) -> Memory:
        return self.encoder(source)

    def step(self, token: Tensor, state: State, memory: Memory) -> tuple[Tensor, State, Tensor | None]:
        return self.decoder(token, state, memory)

    def forward(self, source: Tensor, decoder_input: Tensor, return_attention: bool = False):
        """Teacher forcing: at step ``t`` the decoder reads the *true* token ``decoder_input[:, t]``.

        Returns logits ``(batch, T, vocab)`` (and the attention weights ``(batch, T, S)`` when asked).
        """
        memory = self.encode(source)
        state = memory.state
        logits, weights = [], []
        for t in range(decoder_input.shape[1]):
            step_logits, state, w = self.step(decoder_input[:, t], state, memory)
            logits.append(step_logits)
            weights.append(w)
        logits = torch.stack(logits, dim=1)  # (batch, T, vocab)
        if not return_attention:
            return logits
        return logits, (torch.stack(weights, dim=1) if weights[0] is not None else None)  # (batch, T, S)


def make_seq2seq(
    vocab_size: int,
    hidden_size: int = 128,
    embed_size: int = 32,
    *,
    attention: bool = False,
    source_vocab_size: int | None = None,
    image_height: int | None = None,
    columns_per_step: int = 1,
    bidirectional: bool = False,
    pad_index: int = 0,
) -> Seq2Seq:
    """A :class:`Seq2Seq` reading token ids (``source_vocab_size``, default ``vocab_size``) or images (``image_height``)."""
    if image_height is not None:
        encoder: Encoder = ImageEncoder(image_height, hidden_size, columns_per_step, bidirectional)
    else:
        encoder = Encoder(embed_size, hidden_size, source_vocab_size or vocab_size, pad_index, bidirectional)
    attend = AdditiveAttention(hidden_size, hidden_size, hidden_size) if attention else None
    return Seq2Seq(encoder, Decoder(vocab_size, embed_size, hidden_size, attend))


def teacher_forcing(model: nn.Module, batch, device: torch.device) -> tuple[Tensor, Tensor]:
    """``forward=`` for :func:`lstm_utils.training.fit`: a batch ``(source, decoder_input, target)``
    → ``(logits (batch, T, vocab), target (batch, T))``."""
    source, decoder_input, target = (t.to(device) for t in batch)
    return model(source, decoder_input), target


def sequence_loss(logits: Tensor, target: Tensor, pad_index: int = 0) -> Tensor:
    r"""Cross-entropy per output token, padding left out: :math:`-\frac{1}{N}\sum_{t:\,y_t \ne pad} \log p(y_t \mid y_{<t}, x)`."""
    return nn.functional.cross_entropy(logits.transpose(1, 2), target, ignore_index=pad_index)  # logits as (batch, vocab, T)
