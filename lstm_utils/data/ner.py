"""Named-entity data: the Kaggle/GMB ``ner_dataset.csv`` {cite:p}`bos2017gmb`, splits, vocabularies, padded batches.

The file (Kaggle: *abhinavwalia95/entity-annotated-corpus*) has one row per token and four columns
``Sentence #, Word, POS, Tag``. Its quirks, all handled by :func:`read_ner_csv`:

* it is **ISO-8859-1**, not UTF-8, with **CRLF** line ends and standard CSV quoting (``"10,000"``);
* ``Sentence #`` (``Sentence: 17``) is filled only on a sentence's **first** token: forward-fill it;
* ``Tag`` is in the **IOB** scheme {cite:p}`ramshaw1995chunking`: ``B-geo`` begins a place, ``I-geo``
  continues it, ``O`` is outside every entity (types: geo, gpe, per, org, tim, art, eve, nat).

It can be read as is or straight from Kaggle's ``ner_dataset.csv.zip``. Kaggle offers no stable public
download URL, so there is no download step: put the file in ``data_dir("ner")`` yourself, or the
chapter falls back to :mod:`lstm_utils.data.ner_synthetic`.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import torch

from lstm_utils.data.cache import DatasetUnavailable, data_dir
from lstm_utils.text.vocab import Vocab

ENCODING = "ISO-8859-1"
SENTENCE, WORD, POS, TAG = "Sentence #", "Word", "POS", "Tag"
REQUIRED_COLUMNS = (SENTENCE, WORD, TAG)
LOCAL_NAMES = ("ner_dataset.csv", "ner_dataset.csv.zip")
IGNORE_INDEX = -100  # the tag id of padding: nn.CrossEntropyLoss and the metrics skip it
TAG_PATTERN = re.compile(r"^(O|[BI]-[A-Za-z]+)$")
SHAPES = ("<pad>", "lower", "Title", "UPPER", "digit", "other")  # word-shape ids (0 = padding)


@dataclass
class TaggedSentence:
    """One sentence: its id (``"Sentence: 1"``), tokens and IOB tags (same length)."""

    id: str
    words: list[str]
    tags: list[str]

    def __len__(self) -> int:
        return len(self.words)


def _open_text(path: Path) -> io.TextIOBase:
    """The CSV as text: from the file itself, or from the single ``.csv`` member of a ``.zip``."""
    if path.suffix.lower() != ".zip":
        return open(path, encoding=ENCODING, newline="")
    archive = zipfile.ZipFile(path)
    members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
    if len(members) != 1:
        archive.close()
        raise ValueError(f"{path}: expected exactly one .csv member in the zip, got {members}")
    return io.TextIOWrapper(archive.open(members[0]), encoding=ENCODING, newline="")


def parse_ner_rows(rows: Iterable[Sequence[str]], source: str = "<rows>") -> list[TaggedSentence]:
    """Group CSV rows (header first) into sentences, forward-filling ``Sentence #``; every row is checked.

    Raises ``ValueError`` naming the line for a missing column, a row with the wrong number of fields,
    an empty word, a tag outside the IOB scheme, or a first row without a sentence id.
    """
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        raise ValueError(f"{source}: expected a header {list(REQUIRED_COLUMNS)}, got an empty file")
    header = [name.strip().lstrip("\ufeff") for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ValueError(f"{source}: missing column(s) {missing}; expected columns {list(REQUIRED_COLUMNS)} "
                         f"(and optionally {POS!r}), got {header}")
    at = {name: header.index(name) for name in REQUIRED_COLUMNS}
    sentences: list[TaggedSentence] = []
    for line, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise ValueError(f"{source}:{line}: expected {len(header)} fields {header}, got {len(row)}: {row}")
        sentence_id, word, tag = row[at[SENTENCE]].strip(), row[at[WORD]], row[at[TAG]].strip()
        if not TAG_PATTERN.match(tag):
            raise ValueError(f"{source}:{line}: expected an IOB tag (O, B-type or I-type), got {tag!r}")
        if word == "":
            raise ValueError(f"{source}:{line}: expected a word, got an empty {WORD!r} field")
        if sentence_id:  # a new sentence starts; the following rows leave the id empty (forward fill)
            sentences.append(TaggedSentence(sentence_id, [], []))
        elif not sentences:
            raise ValueError(f"{source}:{line}: expected the first row to carry a {SENTENCE!r} id, got an empty one")
        sentences[-1].words.append(word)
        sentences[-1].tags.append(tag)
    return sentences


def read_ner_csv(path: str | os.PathLike) -> list[TaggedSentence]:
    """Read ``ner_dataset.csv`` (or ``ner_dataset.csv.zip``) into sentences; see :func:`parse_ner_rows`."""
    path = Path(path)
    if not path.exists():
        raise DatasetUnavailable(f"{path} does not exist")
    with _open_text(path) as text:
        return parse_ner_rows(csv.reader(text), source=str(path))


def local_ner_path(folder: str | os.PathLike | None = None) -> Path:
    """The local copy in ``folder`` (default ``data_dir("ner")``): ``ner_dataset.csv`` or ``.csv.zip``."""
    folder = Path(folder) if folder is not None else data_dir("ner", create=False)
    for name in LOCAL_NAMES:
        if (folder / name).is_file():
            return folder / name
    raise DatasetUnavailable(f"no {' or '.join(LOCAL_NAMES)} in {folder} (Kaggle has no stable download URL: "
                             "download it from Kaggle by hand and place it there)")


def split_sentences(
    sentences: Sequence[TaggedSentence], fractions: tuple[float, float, float] = (0.8, 0.1, 0.1), seed: int = 0
) -> dict[str, list[TaggedSentence]]:
    """Shuffle whole sentences with ``seed`` and cut them into ``train``/``dev``/``test`` by ``fractions``.

    Splitting by sentence (never by token) keeps each sentence's context in one split.
    """
    if len(fractions) != 3 or min(fractions) < 0 or not np.isclose(sum(fractions), 1.0):
        raise ValueError(f"expected three non-negative fractions summing to 1, got {fractions}")
    order = np.random.default_rng(seed).permutation(len(sentences))
    n_train = int(round(fractions[0] * len(sentences)))
    n_dev = int(round(fractions[1] * len(sentences)))
    cuts = {"train": order[:n_train], "dev": order[n_train:n_train + n_dev], "test": order[n_train + n_dev:]}
    return {name: [sentences[i] for i in index] for name, index in cuts.items()}


def build_vocabs(train: Sequence[TaggedSentence], min_freq: int = 1) -> tuple[Vocab, Vocab]:
    """Word vocabulary (``<pad>`` = 0, ``<unk>`` = 1, words seen ``min_freq`` times) and tag vocabulary
    (no specials: padding is marked by :data:`IGNORE_INDEX` in the targets instead)."""
    words = Vocab.build((s.words for s in train), min_freq=min_freq)
    tags = Vocab.build((s.tags for s in train), specials=())
    return words, tags


def word_shape(word: str) -> int:
    """Index in :data:`SHAPES` of ``word``'s capitalisation: lower, Title, UPPER, digit or other."""
    if word.isdigit():
        return SHAPES.index("digit")
    if word.isalpha() and word.islower():
        return SHAPES.index("lower")
    if word.isalpha() and word.isupper() and len(word) > 1:
        return SHAPES.index("UPPER")
    if word[:1].isupper():
        return SHAPES.index("Title")
    return SHAPES.index("other")


def encode_sentence(words: Sequence[str], word_vocab: Vocab, tags: Sequence[str] | None = None,
                    tag_vocab: Vocab | None = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(word ids, shape ids, tag ids)``, each ``(seq,)`` int64; tag ids are :data:`IGNORE_INDEX` without tags."""
    ids = torch.tensor(word_vocab.encode(words), dtype=torch.long)
    shapes = torch.tensor([word_shape(w) for w in words], dtype=torch.long)
    if tags is None:
        return ids, shapes, torch.full_like(ids, IGNORE_INDEX)
    unknown = sorted(set(tags) - set(tag_vocab.itos))
    if unknown:
        raise ValueError(f"expected tags among {tag_vocab.itos}, got unknown tag(s) {unknown}")
    return ids, shapes, torch.tensor(tag_vocab.encode(tags), dtype=torch.long)


class TaggingDataset(torch.utils.data.Dataset):
    """Encoded sentences for a ``DataLoader`` with ``collate_fn=pad_batch``."""

    def __init__(self, sentences: Sequence[TaggedSentence], word_vocab: Vocab, tag_vocab: Vocab):
        self.items = [encode_sentence(s.words, word_vocab, s.tags, tag_vocab) for s in sentences]

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return self.items[index]


def pad_batch(items: Sequence[tuple[torch.Tensor, torch.Tensor, torch.Tensor]], pad_index: int = 0):
    """Pad a list of ``(word ids, shape ids, tag ids)`` to the longest sentence.

    Returns ``(words, shapes, lengths, tags)``: ``words``/``shapes`` ``(batch, seq)`` padded with
    ``pad_index``, ``lengths`` ``(batch,)``, ``tags`` ``(batch, seq)`` padded with :data:`IGNORE_INDEX`.
    """
    lengths = torch.tensor([len(words) for words, _, _ in items], dtype=torch.long)
    if (lengths == 0).any():
        raise ValueError("expected every sentence to have at least one token, got an empty one")
    pad = torch.nn.utils.rnn.pad_sequence
    words = pad([w for w, _, _ in items], batch_first=True, padding_value=pad_index)  # (batch, seq)
    shapes = pad([s for _, s, _ in items], batch_first=True, padding_value=0)  # (batch, seq)
    tags = pad([t for _, _, t in items], batch_first=True, padding_value=IGNORE_INDEX)  # (batch, seq)
    return words, shapes, lengths, tags


def load_ner_sentences(synthetic_size: int = 2000, seed: int = 0, folder: str | os.PathLike | None = None):
    """GMB from a local copy (``folder``, default ``data_dir("ner")``) → the embedded synthetic default.

    Returns a :class:`~lstm_utils.data.sources.Loaded` whose ``data`` is the list of sentences and whose
    ``print`` says which source was used. There is no download step (Kaggle has no stable public URL).
    """
    from lstm_utils.data.ner_synthetic import generate_sentences
    from lstm_utils.data.sources import load_first

    return load_first([
        ("GMB ner_dataset.csv (Kaggle), local copy", lambda: read_ner_csv(local_ner_path(folder))),
        (f"synthetic news sentences (embedded default, {synthetic_size} sentences, seed {seed})",
         lambda: generate_sentences(synthetic_size, seed)),
    ])
