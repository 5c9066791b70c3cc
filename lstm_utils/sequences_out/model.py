r"""Encoder–decoder LSTMs: read a sequence, then write another one token by token.

* :class:`Encoder` reads the source (token ids, or feature vectors such as the columns of an image)
  with ``nn.LSTM`` and hands over its outputs :math:`k_1 … k_S` (the *memory*) and its final state.
* :class:`Decoder` starts from that state and, at each step, reads the previous token
  :math:`y_{t-1}` with the book's hand-written :class:`lstm_utils.cells.LSTMCell` and scores the next one.
* :class:`AdditiveAttention` (Bahdanau et al.) lets each decoder step look back at every source position
  instead of relying on the final state alone.

The decoding algorithms (:mod:`lstm_utils.sequences_out.model`) only need :meth:`Seq2Seq.encode` and
:meth:`Seq2Seq.step`; training with teacher forcing calls :meth:`Seq2Seq.forward`.

Writing an output sequence with a trained decoder: greedy decoding and beam search.

Both start every sequence with ``<bos>``, stop a sequence at ``<eos>`` (which is not returned) or after
``max_len`` tokens, and only need a model with ``encode(source) -> memory`` and
``step(token, state, memory) -> (logits, state, attention)`` (see :class:`lstm_utils.sequences_out.model.Seq2Seq`).

* **Greedy:** at each step take the most probable token, :math:`\hat y_t = \arg\max_y p(y \mid \hat y_{<t}, x)`.
* **Beam search** keeps the ``beam_width`` prefixes with the highest
  :math:`\log p(y_{1:t} \mid x) = \sum_{\tau \le t} \log p(y_\tau \mid y_{<\tau}, x)`, extends each by every
  token, and keeps the best ``beam_width`` again {cite:p}`freitag2017beam`. With width 1 it *is* greedy decoding.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor, nn

from lstm_utils.cells import LSTMCell
from lstm_utils.shapes import check_ids, check_int, check_shape
from lstm_utils.training import evaluating


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
        self.check_source(source)
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


    def check_source(self, source: Tensor) -> None:
        """Token ids ``(batch, S)`` within the vocabulary, or features ``(batch, S, input_size)``; batch, S >= 1."""
        if self.embedding is not None:
            check_shape(source, ("batch", "S"), name="source token ids")
            check_ids(source, self.embedding.num_embeddings, "source ids (the encoder's vocabulary)")
        else:
            check_shape(source, ("batch", "S", self.rnn.input_size), name="source features")
        if source.shape[0] == 0 or source.shape[1] == 0:
            raise ValueError(f"expected at least one source of at least one step, got shape {tuple(source.shape)}")


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
        if images.dim() != 3 or images.shape[1] != self.height or images.shape[2] % k or images.shape[2] == 0:
            multiple = f" with width a multiple of {k}" if k > 1 else ""
            multiple += " and width >= 1" if images.dim() == 3 and images.shape[2] == 0 else ""
            raise ValueError(f"expected images of shape (batch, {self.height}, width){multiple}, got {tuple(images.shape)}")
        columns = images.transpose(1, 2)  # (batch, width, height): columns as steps
        return super().forward(columns.reshape(images.shape[0], -1, k * self.height))  # (batch, width / k, k × height)


class ConvImageEncoder(Encoder):
    """Two small convolutions read the pixels, then the LSTM reads their feature map column by column.

    Each block is ``Conv2d(3 × 3, stride 2) → ReLU`` (``Conv2d → BatchNorm2d → ReLU`` with ``batch_norm=True``), with ``channels`` then ``2 × channels`` filters;
    each halves the height and the width, so an image ``(batch, height, width)`` becomes a feature map
    ``(batch, 2 × channels, height / 4, width / 4)``: step :math:`s` of the LSTM reads its column
    :math:`s` (four pixel columns wide) as one vector of ``2 × channels × height / 4`` features.
    A convolutional encoder under a recurrent decoder is the pattern of image captioning
    {cite:p}`vinyals2015showtell`; the convolutions learn the strokes, the LSTM their order.
    """

    def __init__(
        self, height: int, hidden_size: int, channels: int = 16, bidirectional: bool = False, batch_norm: bool = False
    ):
        if height % 4 or height < 4:
            raise ValueError(f"expected an image height that is a multiple of 4, got {height}")
        super().__init__(2 * channels * (height // 4), hidden_size, bidirectional=bidirectional)
        self.height, self.columns_per_step = height, 4

        def block(n_in: int, n_out: int) -> list[nn.Module]:
            if not batch_norm:
                return [nn.Conv2d(n_in, n_out, 3, stride=2, padding=1), nn.ReLU()]
            # batch norm: each filter's output scaled to mean 0, variance 1 over the batch, then learned
            return [nn.Conv2d(n_in, n_out, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(n_out), nn.ReLU()]

        self.conv = nn.Sequential(*block(1, channels), *block(channels, 2 * channels))

    def forward(self, images: Tensor) -> Memory:
        if images.dim() != 3 or images.shape[1] != self.height or images.shape[2] % 4 or images.shape[2] == 0:
            raise ValueError(
                f"expected images of shape (batch, {self.height}, width) with width a positive multiple of 4, "
                f"got {tuple(images.shape)}"
            )
        features = self.conv(images.unsqueeze(1))  # (batch, 2 channels, height / 4, width / 4)
        columns = features.permute(0, 3, 1, 2).flatten(2)  # (batch, width / 4, 2 channels × height / 4)
        return super().forward(columns)


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
        check_shape(decoder_input, (source.shape[0] if isinstance(source, Tensor) else "batch", "T"),
                    name="decoder_input (batch, T)")
        if decoder_input.shape[1] == 0:
            raise ValueError(f"expected a decoder_input of at least one step, got shape {tuple(decoder_input.shape)}")
        _check_token_ids(self, decoder_input, "decoder_input")
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
    conv_channels: int | None = None,
    batch_norm: bool = False,
) -> Seq2Seq:
    """A :class:`Seq2Seq` reading token ids (``source_vocab_size``, default ``vocab_size``) or images (``image_height``).

    With ``conv_channels`` the images are read by a :class:`ConvImageEncoder` (``columns_per_step`` is
    then 4, set by its two strides of 2) instead of an :class:`ImageEncoder`; ``batch_norm`` adds batch
    normalisation to its convolutions.
    """
    if image_height is not None and conv_channels:
        encoder: Encoder = ConvImageEncoder(image_height, hidden_size, conv_channels, bidirectional, batch_norm)
    elif image_height is not None:
        encoder = ImageEncoder(image_height, hidden_size, columns_per_step, bidirectional)
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


def _check_token_ids(model: nn.Module, ids: Tensor, name: str) -> None:
    """Ids the decoder can embed: ``0 <= id < vocab`` when ``model.decoder.embedding`` says the vocabulary."""
    embedding = getattr(getattr(model, "decoder", None), "embedding", None)
    check_ids(ids, embedding.num_embeddings if isinstance(embedding, nn.Embedding) else None,
              f"{name} ids (the decoder's vocabulary)")


def _check(model: nn.Module, source: Tensor, bos: int, eos: int, max_len: int, beam_width: int = 1):
    """The decoding arguments as ints, once every one is valid; errors name what was expected and given."""
    max_len, beam_width = check_int(max_len, "max_len", 1), check_int(beam_width, "beam_width", 1)
    bos, eos = check_int(bos, "bos", 0), check_int(eos, "eos", 0)
    if not isinstance(source, Tensor):
        raise TypeError(f"expected source to be a torch.Tensor (batch, S, ...), got {type(source).__name__}")
    if source.dim() < 2 or source.shape[0] == 0 or source.shape[1] == 0:
        raise ValueError(f"expected a source batch (batch, S, ...) of at least one example of at least one step, "
                         f"got shape {tuple(source.shape)}")
    for name, token in (("bos", bos), ("eos", eos)):
        _check_token_ids(model, torch.tensor([token]), name)
    return bos, eos, max_len, beam_width


@torch.no_grad()
def greedy_decode(
    model: nn.Module, source: Tensor, *, bos: int, eos: int, max_len: int, return_attention: bool = False
):
    """The most probable token at each step, for a whole batch at once.

    Returns one list of token ids per example (without ``<bos>``/``<eos>``), and with ``return_attention``
    also one ``(steps, S)`` tensor of attention weights per example (``None`` without attention).
    """
    bos, eos, max_len, _ = _check(model, source, bos, eos, max_len)
    with evaluating(model):
        memory = model.encode(source)
        state = memory.state
        batch = source.shape[0]
        token = torch.full((batch,), bos, dtype=torch.long, device=source.device)
        done = torch.zeros(batch, dtype=torch.bool, device=source.device)
        tokens, weights = [], []
        for _ in range(max_len):
            logits, state, w = model.step(token, state, memory)
            token = logits.argmax(-1)  # (batch,)
            tokens.append(token)
            weights.append(w)
            done = done | (token == eos)
            if bool(done.all()):
                break
    steps = torch.stack(tokens, dim=1).tolist()  # (batch, steps)
    outputs = []
    for row in steps:
        outputs.append(row[: row.index(eos)] if eos in row else row)
    if not return_attention:
        return outputs
    if weights[0] is None:
        return outputs, [None] * batch
    stacked = torch.stack(weights, dim=1)  # (batch, steps, S)
    return outputs, [stacked[b, : len(out) + (len(out) < len(steps[b]))] for b, out in enumerate(outputs)]


def _select(memory: Memory, index: int, copies: int) -> Memory:
    """Example ``index`` of ``memory``, repeated ``copies`` times along the batch axis."""
    h, c = memory.state
    return Memory(
        memory.keys[index : index + 1].expand(copies, -1, -1),
        memory.mask[index : index + 1].expand(copies, -1),
        (h[index : index + 1].expand(copies, -1), c[index : index + 1].expand(copies, -1)),
    )


@torch.no_grad()
def beam_search(
    model: nn.Module, source: Tensor, *, bos: int, eos: int, max_len: int, beam_width: int = 3
) -> list[list[int]]:
    r"""The highest-:math:`\log p` sequence found by a beam of ``beam_width`` prefixes, one example at a time.

    A prefix that emits ``<eos>`` is finished and leaves the beam; the search of an example ends when the
    beam is empty or ``max_len`` tokens were written, and returns the best finished sequence (or the best
    unfinished one when none finished). Since :math:`\log p` only falls as a prefix grows, the search also
    stops as soon as a finished sequence beats every live prefix.
    """
    bos, eos, max_len, beam_width = _check(model, source, bos, eos, max_len, beam_width)
    with evaluating(model):
        memory = model.encode(source)
        results = []
        for b in range(source.shape[0]):
            prefixes: list[list[int]] = [[]]
            scores = torch.zeros(1, device=source.device)  # log p of each prefix, (beam,)
            state = _select(memory, b, 1).state
            finished: list[tuple[float, list[int]]] = []
            for _ in range(max_len):
                last = torch.tensor([p[-1] if p else bos for p in prefixes], device=source.device)
                logits, state, _ = model.step(last, state, _select(memory, b, len(prefixes)))
                total = scores.unsqueeze(1) + torch.log_softmax(logits, dim=-1)  # (beam, vocab)
                vocab = total.shape[1]
                best, flat = total.flatten().topk(min(beam_width, total.numel()))  # best extensions first
                keep_rows, keep_prefixes, keep_scores = [], [], []
                for score, index in zip(best.tolist(), flat.tolist()):
                    row, token = divmod(index, vocab)
                    if token == eos:
                        finished.append((score, prefixes[row]))
                    else:
                        keep_rows.append(row)
                        keep_prefixes.append(prefixes[row] + [token])
                        keep_scores.append(score)
                if not keep_prefixes or (finished and max(s for s, _ in finished) >= max(keep_scores)):
                    break  # every live prefix is already less probable than a finished one: it cannot catch up
                rows = torch.tensor(keep_rows, device=source.device)
                state = (state[0][rows], state[1][rows])
                prefixes, scores = keep_prefixes, torch.tensor(keep_scores, device=source.device)
            else:  # max_len tokens written: fall back on the unfinished prefixes only when none finished
                finished = finished or list(zip(scores.tolist(), prefixes))
            results.append(max(finished, key=lambda pair: pair[0])[1])
    return results
