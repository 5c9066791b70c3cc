"""Many-to-many: one tag per token. The seed's one-sentence ``LSTMTagger`` and a batched bidirectional tagger.

A sentence of word ids ``w_1 … w_T`` is embedded (``x_t = E[w_t]``), read by an LSTM, and every hidden
state is mapped to tag scores ``s_t = W_{out} h_t + b_{out}``. A bidirectional layer
{cite:p}`graves2012supervised` reads the sentence both ways and concatenates the two states,
``h_t = [\\overrightarrow{h}_t ; \\overleftarrow{h}_t]``, so the tag of ``w_t`` can depend on the words
after it, as in the BiLSTM taggers of {cite:p}`huang2015bilstmcrf` and {cite:p}`lample2016ner`.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from lstm_utils.metrics import IGNORE_INDEX, decode_batch
from lstm_utils.ner.crf import CRF
from lstm_utils.ner.data import SHAPES, encode_chars, encode_sentence, pad_batch
from lstm_utils.shapes import check_ids, check_shape
from lstm_utils.text.batching import pack, pad_sequences
from lstm_utils.text.vocab import Vocab
from lstm_utils.training import evaluating, to_device


class LSTMTagger(nn.Module):
    """The seed's baseline: ``embedding → one-directional LSTM → linear → log-softmax``, one sentence at a time.

    ``forward(sentence)`` takes ``(seq,)`` word ids and returns ``(seq, tags)`` log-probabilities
    ``\\log \\mathrm{softmax}(W_{out} h_t + b_{out})``, where ``h_t`` has read only ``w_1 … w_t``.
    """

    def __init__(self, embedding_dim: int, hidden_dim: int, vocab_size: int, tagset_size: int):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim)
        self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

    def forward(self, sentence: torch.Tensor) -> torch.Tensor:
        if sentence.dim() != 1 or len(sentence) == 0:
            raise ValueError(f"expected one sentence of word ids, shape (seq,), got {tuple(sentence.shape)}"
                             + (" (an empty sentence)" if sentence.dim() == 1 else ""))
        check_ids(sentence, self.word_embeddings.num_embeddings, "word ids")
        embeds = self.word_embeddings(sentence)  # (seq, embedding)
        lstm_out, _ = self.lstm(embeds.unsqueeze(1))  # (seq, 1, hidden)
        tag_space = self.hidden2tag(lstm_out.squeeze(1))  # (seq, tags)
        return F.log_softmax(tag_space, dim=-1)


class CharCNN(nn.Module):
    """A word's characters → one vector (Ma and Hovy, 2016): embed each character, convolve
    (width 3), take the maximum of each filter over the word.

    ``forward(chars)``: ``(batch, seq, max_chars)`` ids, 0 = padding; returns ``(batch, seq, filters)``,
    zeros for padding words. Suffixes (*-ian*, *-stan*) and capitals tell an entity's type even when
    the word itself is unknown.
    """

    def __init__(self, num_chars: int, char_dim: int = 25, filters: int = 30, dropout: float = 0.0):
        super().__init__()
        self.embedding = nn.Embedding(num_chars, char_dim, padding_idx=0)
        self.conv = nn.Conv1d(char_dim, filters, kernel_size=3, padding=1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, chars: torch.Tensor) -> torch.Tensor:
        if chars.dim() != 3:
            raise ValueError(f"expected chars (batch, seq, max_chars), got {tuple(chars.shape)}")
        check_ids(chars, self.embedding.num_embeddings, "character ids")
        batch, seq, width = chars.shape
        flat = chars.reshape(batch * seq, width)
        x = self.dropout(self.embedding(flat)).transpose(1, 2)  # (words, char_dim, width)
        h = self.conv(x).masked_fill((flat == 0).unsqueeze(1), -1e4)  # (words, filters, width)
        h = h.max(dim=-1).values.masked_fill((flat == 0).all(1, keepdim=True), 0.0)
        return h.reshape(batch, seq, -1)  # (batch, seq, filters)


class BiLSTMTagger(nn.Module):
    """``embedding [+ word shape] [+ characters] → dropout → bidirectional LSTM → dropout → linear [→ CRF]``.

    ``forward(words, lengths, shapes=None, chars=None)``: ``words`` ``(batch, seq)`` padded ids,
    ``lengths`` ``(batch,)`` true lengths; returns logits ``(batch, seq, tags)``. The sequences are
    packed, so the backward direction starts at each sentence's last real word and padding never
    reaches a real token's state. The optional word-shape embedding (``shape_dim > 0``; lower, Title,
    UPPER, digit, other) tells the model about capitals even for words the vocabulary maps to
    ``<unk>``; the optional character CNN (``char_filters > 0``, :class:`CharCNN`) reads the spelling.
    ``crf=True`` adds a :class:`~lstm_utils.ner.crf.CRF` (``self.crf``): the logits are then its
    emission scores, trained with ``self.crf.nll`` and decoded with Viterbi.
    """

    def __init__(self, vocab_size: int, num_tags: int, *, embedding_dim: int = 64, hidden_size: int = 64,
                 num_layers: int = 1, dropout: float = 0.3, shape_dim: int = 0, pad_index: int = 0,
                 num_chars: int = 0, char_dim: int = 25, char_filters: int = 0, crf: bool = False):
        super().__init__()
        if char_filters and num_chars < 2:
            raise ValueError(f"char_filters > 0 needs the size of a character vocabulary, got num_chars={num_chars}")
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_index)
        self.shape_embedding = nn.Embedding(len(SHAPES), shape_dim, padding_idx=0) if shape_dim else None
        self.chars = CharCNN(num_chars, char_dim, char_filters, dropout) if char_filters else None
        self.rnn = nn.LSTM(embedding_dim + shape_dim + char_filters, hidden_size, num_layers=num_layers,
                           batch_first=True, bidirectional=True, dropout=dropout if num_layers > 1 else 0.0)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(2 * hidden_size, num_tags)
        self.crf = CRF(num_tags) if crf else None

    def forward(self, words: torch.Tensor, lengths: torch.Tensor, shapes: torch.Tensor | None = None,
                chars: torch.Tensor | None = None) -> torch.Tensor:
        if words.dim() != 2 or lengths.shape != words.shape[:1]:
            raise ValueError(f"expected words (batch, seq) and lengths (batch,), got {tuple(words.shape)} "
                             f"and {tuple(lengths.shape)}")
        check_ids(words, self.embedding.num_embeddings, "word ids")
        parts = [self.embedding(words)]  # (batch, seq, embedding)
        if self.shape_embedding is not None:
            if shapes is None:
                raise ValueError("this tagger was built with shape_dim > 0: expected shapes (batch, seq), got None")
            check_shape(shapes, tuple(words.shape), name="shapes")
            check_ids(shapes, len(SHAPES), "shape ids")
            parts.append(self.shape_embedding(shapes))  # (batch, seq, shape)
        if self.chars is not None:
            if chars is None:
                raise ValueError("this tagger was built with char_filters > 0: expected chars "
                                 "(batch, seq, max_chars), got None")
            check_shape(chars, (*words.shape, None), name="chars")
            parts.append(self.chars(chars))  # (batch, seq, char_filters)
        x = torch.cat(parts, dim=-1)
        packed = pack(self.dropout(x), lengths)  # checks lengths: integers in 1..seq, at least one row
        out, _ = self.rnn(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=words.shape[1])
        return self.head(self.dropout(out))  # (batch, seq, tags)


def masked_cross_entropy(logits: torch.Tensor, tags: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over the real tokens only: padding (``tags == IGNORE_INDEX``) is left out.

    $$\\mathcal{L} = -\\frac{1}{\\sum_{b,t} m_{bt}} \\sum_{b,t} m_{bt} \\log \\mathrm{softmax}(s_{bt})_{y_{bt}},
    \\quad m_{bt} = [y_{bt} \\ne \\text{pad}]$$

    ``logits`` ``(batch, seq, tags)`` (log-probabilities work too), ``tags`` ``(batch, seq)``.
    """
    if logits.shape[:-1] != tags.shape:
        raise ValueError(f"expected tags of shape {tuple(logits.shape[:-1])}, got {tuple(tags.shape)}")
    real = tags[tags != IGNORE_INDEX]
    check_ids(real, logits.shape[-1], f"tags (or {IGNORE_INDEX} for padding)")
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tags.reshape(-1), ignore_index=IGNORE_INDEX)


def tagger_forward(model: nn.Module, batch: Any, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """``forward=`` for :func:`lstm_utils.training.fit` with batches ``(words, shapes, lengths, tags)``
    or, with characters, ``(words, shapes, chars, lengths, tags)``."""
    if len(batch) == 5:
        words, shapes, chars, lengths, tags = to_device(batch, device)
        return model(words, lengths, shapes, chars), tags
    words, shapes, lengths, tags = to_device(batch, device)
    return model(words, lengths, shapes), tags


def sentence_forward(model: nn.Module, batch: Any, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """``forward=`` for the one-sentence :class:`LSTMTagger`: it reads each sentence of the batch on its own.

    Returns log-probabilities ``(batch, seq, tags)``, zeros at padding (which the loss and metrics skip).
    Train it with ``batch_size=1`` to update after every sentence, as the seed did. Batches with
    characters (``(words, shapes, chars, lengths, tags)``) work too: it reads only the words.
    """
    batch = to_device(batch, device)
    words, lengths, tags = batch[0], batch[-2], batch[-1]
    rows = [model(sentence[:n]) for sentence, n in zip(words, lengths.tolist())]  # each (n, tags)
    return pad_sequences(rows, 0.0), tags  # (batch, seq, tags)


@torch.no_grad()
def predict(model: nn.Module, loader, tag_vocab: Vocab, forward=tagger_forward):
    """True and predicted tag strings of every sentence in ``loader``, padding removed.

    A model with a CRF (``model.crf``) predicts its Viterbi paths; any other the best tag of each word.
    """
    device = next(model.parameters()).device
    crf = getattr(model, "crf", None)
    true, pred = [], []
    with evaluating(model):
        for batch in loader:
            logits, tags = forward(model, batch, device)
            if crf is not None:
                logits = crf.one_hot(logits, tags)
            t, p = decode_batch(logits, tags, tag_vocab)
            true += t
            pred += p
    return true, pred


TOKEN = re.compile(r"(?:[A-Z]\.)+|(?:Mr|Mrs|Ms|Dr|Jr|St)\.|\w+(?:[-'’]\w+)*|[^\w\s]")


def tokenize(text: str) -> list[str]:
    """Split text into words and punctuation as the GMB does: ``"Mr. Okafor's U.S. trip."`` →
    ``["Mr.", "Okafor's", "U.S.", "trip", "."]``."""
    if not isinstance(text, str):
        raise TypeError(f"expected text as a str, got {type(text).__name__}")
    return TOKEN.findall(text)


@torch.no_grad()
def tag_sentence(model: nn.Module, text: str | Sequence[str], word_vocab: Vocab, tag_vocab: Vocab,
                 forward=tagger_forward, *, lower: bool = False, chars: Vocab | None = None
                 ) -> list[tuple[str, str]]:
    """Tag a sentence given as text (tokenized with :func:`tokenize`) or as a list of tokens.

    Returns ``[(word, tag), …]``; unknown words go through ``<unk>``. ``lower`` and ``chars``: as the
    model's training data was encoded (:class:`~lstm_utils.ner.data.TaggingDataset`). A model with a
    CRF tags the sentence with its Viterbi path.
    """
    if not isinstance(text, str) and not (isinstance(text, Sequence) and all(isinstance(w, str) for w in text)):
        raise TypeError(f"expected a sentence as a str or a list of str tokens, got {text!r:.60}")
    words = tokenize(text) if isinstance(text, str) else list(text)
    if not words:
        raise ValueError(f"expected a sentence with at least one word, got {text!r}")
    item = encode_sentence(words, word_vocab, lower=lower)
    if chars is not None:
        item = (item[0], item[1], encode_chars(words, chars), item[2])
    batch = pad_batch([item], pad_index=word_vocab.pad_index or 0)
    with evaluating(model):
        logits, _ = forward(model, batch, next(model.parameters()).device)
    crf = getattr(model, "crf", None)
    if crf is not None:
        best = crf.decode(logits, torch.ones(logits.shape[:2], dtype=torch.bool, device=logits.device))[0]
    else:
        best = logits[0].argmax(-1)
    return list(zip(words, tag_vocab.decode(best.tolist())))
