"""Named-entity data: the Kaggle/GMB ``ner_dataset.csv`` {cite:p}`bos2017gmb`, splits, vocabularies, padded batches.

The file (Kaggle: *abhinavwalia95/entity-annotated-corpus*) has one row per token and four columns
``Sentence #, Word, POS, Tag``. Its quirks, all handled by :func:`read_ner_csv`:

* it is **ISO-8859-1**, not UTF-8 (a UTF-8 copy is detected and read as UTF-8), with **CRLF** line ends
  and standard CSV quoting (``"10,000"``);
* ``Sentence #`` (``Sentence: 17``) is filled only on a sentence's **first** token: forward-fill it;
* ``Tag`` is in the **IOB** scheme {cite:p}`ramshaw1995chunking`: ``B-geo`` begins a place, ``I-geo``
  continues it, ``O`` is outside every entity (types: geo, gpe, per, org, tim, art, eve, nat).

It can be read as is or straight from Kaggle's ``ner_dataset.csv.zip``. Kaggle offers no stable public
download URL, so there is no download step: put the file in ``data_dir("ner")`` yourself, or the
chapter falls back to :mod:`lstm_utils.ner.data`.

The chapter's embedded default: news-like sentences with IOB-tagged entities, generated from a seed.

The entity types follow the GMB corpus {cite:p}`bos2017gmb`: ``per`` (persons), ``geo`` (places),
``org`` (organisations), ``gpe`` (nationalities, "geo-political" adjectives) and ``tim`` (dates and
times). Every word comes from the lists below (no Faker: its output changes between versions), and
every choice from NumPy's ``default_rng(seed)``, so the same seed gives the same sentences anywhere.

Context matters, on purpose:

* some words are a person in one sentence and a place in another (``Jordan said …`` vs.
  ``Jordan borders …``), and only the words **after** them tell which; a left-to-right tagger has to guess;
* a place name inside an organisation (``Bank of Japan``) is ``I-org``, not ``geo``;
* titles (``President``, ``Mr.``) begin a person, lower-case words around entities are ``O``;
* many names are **coined** from syllables (``Velomir``, ``Tarisa``), so most of them are new at test
  time: the tagger must tell a new person from a new place or organisation by the words around it.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import torch

from lstm_utils.data.cache import DatasetUnavailable, data_dir
from lstm_utils.data.sources import load_first
from lstm_utils.metrics import IGNORE_INDEX
from lstm_utils.text.batching import pad_sequences
from lstm_utils.text.vocab import Vocab


ENCODING = "ISO-8859-1"
SENTENCE, WORD, POS, TAG = "Sentence #", "Word", "POS", "Tag"
REQUIRED_COLUMNS = (SENTENCE, WORD, TAG)
LOCAL_NAMES = ("ner_dataset.csv", "ner_dataset.csv.zip")
TAG_PATTERN = re.compile(r"^(O|[BI]-[A-Za-z]+)$")
MAX_CHARS = 20  # characters per word the character features read (longer words are cut)
SHAPES = ("<pad>", "lower", "Title", "UPPER", "digit", "other")  # word-shape ids (0 = padding)


@dataclass
class TaggedSentence:
    """One sentence: its id (``"Sentence: 1"``), tokens and IOB tags (same length)."""

    id: str
    words: list[str]
    tags: list[str]

    def __len__(self) -> int:
        return len(self.words)


def _decode(raw: bytes) -> str:
    """``raw`` as text: UTF-8 when every byte sequence is valid UTF-8, else ISO-8859-1 (the GMB file).

    A Latin-1 file is almost never valid UTF-8 (its accented letters are single bytes above 0x7F), so
    strict UTF-8 first tells the two apart; without that, ``Café`` saved as UTF-8 would come out ``CafÃ©``.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode(ENCODING)


def _open_text(path: Path) -> io.TextIOBase:
    """The CSV as text, from the file itself or from the single ``.csv`` member of a ``.zip``.

    The encoding is detected (:func:`_decode`): UTF-8 when the bytes are valid UTF-8, else ISO-8859-1.
    """
    if path.suffix.lower() != ".zip":
        return io.StringIO(_decode(path.read_bytes()), newline="")
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise ValueError(f"{path}: expected a zip archive holding ner_dataset.csv, got a corrupt one ({error})") from None
    with archive:
        members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
        if len(members) != 1:
            raise ValueError(f"{path}: expected exactly one .csv member in the zip, got {members}")
        try:
            raw = archive.read(members[0])
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise ValueError(f"{path}: expected a readable member {members[0]!r}, got a corrupt one ({error})") from None
    return io.StringIO(_decode(raw), newline="")


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


def _check_sentences(sentences: Sequence[TaggedSentence], name: str = "sentences", items: bool = True) -> None:
    """A non-empty list of :class:`TaggedSentence` (a str is refused by name); ``items``: check each has words and tags."""
    if isinstance(sentences, str) or not isinstance(sentences, Sequence) or not sentences:
        raise ValueError(f"expected {name} as a non-empty list of TaggedSentence, got {sentences!r:.60}")
    if not items:
        return
    wrong = next((i for i, s in enumerate(sentences) if not (hasattr(s, "words") and hasattr(s, "tags"))), None)
    if wrong is not None:
        raise TypeError(f"expected {name} as TaggedSentence items (with words and tags), "
                        f"got {type(sentences[wrong]).__name__} at index {wrong}")


def split_sentences(
    sentences: Sequence[TaggedSentence], fractions: tuple[float, float, float] = (0.8, 0.1, 0.1), seed: int = 0
) -> dict[str, list[TaggedSentence]]:
    """Shuffle whole sentences with ``seed`` and cut them into ``train``/``dev``/``test`` by ``fractions``.

    Splitting by sentence (never by token) keeps each sentence's context in one split.
    """
    if len(fractions) != 3 or min(fractions) < 0 or not np.isclose(sum(fractions), 1.0):
        raise ValueError(f"expected three non-negative fractions summing to 1, got {fractions}")
    _check_sentences(sentences, items=False)
    order = np.random.default_rng(seed).permutation(len(sentences))
    n_train = int(round(fractions[0] * len(sentences)))
    n_dev = int(round(fractions[1] * len(sentences)))
    cuts = {"train": order[:n_train], "dev": order[n_train:n_train + n_dev], "test": order[n_train + n_dev:]}
    return {name: [sentences[i] for i in index] for name, index in cuts.items()}


def build_vocabs(train: Sequence[TaggedSentence], min_freq: int = 1, lower: bool = False,
                 extra: Iterable[str] = ()) -> tuple[Vocab, Vocab]:
    """Word vocabulary (``<pad>`` = 0, ``<unk>`` = 1, words seen ``min_freq`` times) and tag vocabulary
    (no specials: padding is marked by :data:`IGNORE_INDEX` in the targets instead).

    ``lower``: words are counted lower-cased (``The`` and ``the`` share an id; :func:`word_shape` keeps
    the capitals). ``extra``: words added after the counted ones whatever their count (the words a
    pretrained table such as GloVe knows).
    """
    _check_sentences(train, "train")
    words = Vocab.build((_cased(s.words, lower) for s in train), min_freq=min_freq)
    if not isinstance(extra, str):
        extra = [w for w in extra if w not in words.stoi]
    if extra:
        words = Vocab([*words.itos[2:], *sorted(set(extra))])
    tags = Vocab.build((s.tags for s in train), specials=())
    return words, tags


def _cased(words: Sequence[str], lower: bool) -> list[str]:
    return [w.lower() for w in words] if lower else list(words)


def char_vocab(train: Sequence[TaggedSentence]) -> Vocab:
    """Every character of the training words (``<pad>`` = 0, ``<unk>`` = 1 for a character never seen)."""
    _check_sentences(train, "train")
    return Vocab.build(([c for w in s.words for c in w] for s in train))


def encode_chars(words: Sequence[str], chars: Vocab, max_chars: int = MAX_CHARS) -> torch.Tensor:
    """``(seq, max_chars)`` character ids of each word, cut at ``max_chars`` and padded with 0."""
    out = torch.zeros(len(words), max_chars, dtype=torch.long)
    for i, word in enumerate(words):
        ids = chars.encode(list(word[:max_chars]))
        out[i, :len(ids)] = torch.tensor(ids, dtype=torch.long)
    return out


def word_shape(word: str) -> int:
    """Index in :data:`SHAPES` of ``word``'s capitalisation: lower, Title, UPPER, digit or other."""
    if not isinstance(word, str) or not word:
        raise ValueError(f"expected a non-empty str word, got {word!r}")
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
                    tag_vocab: Vocab | None = None, lower: bool = False) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(word ids, shape ids, tag ids)``, each ``(seq,)`` int64; tag ids are :data:`IGNORE_INDEX` without tags.

    ``lower``: look the words up lower-cased (a vocabulary built with ``lower=True``); shapes keep the case.
    """
    ids = torch.tensor(word_vocab.encode(_cased(words, lower)), dtype=torch.long)
    shapes = torch.tensor([word_shape(w) for w in words], dtype=torch.long)
    if tags is None:
        return ids, shapes, torch.full_like(ids, IGNORE_INDEX)
    if isinstance(tags, str) or len(tags) != len(words) or tag_vocab is None:
        raise ValueError(f"expected a list of {len(words)} tags (one per word) and a tag_vocab, got "
                         f"{tags!r:.60} and {tag_vocab!r:.40}")
    unknown = sorted(set(tags) - set(tag_vocab.itos))
    if unknown:
        raise ValueError(f"expected tags among {tag_vocab.itos}, got unknown tag(s) {unknown}")
    return ids, shapes, torch.tensor(tag_vocab.encode(tags), dtype=torch.long)


class TaggingDataset(torch.utils.data.Dataset):
    """Encoded sentences for a ``DataLoader`` with ``collate_fn=pad_batch``.

    ``lower``: words looked up lower-cased. ``chars``: a character vocabulary (:func:`char_vocab`);
    then every item also holds the ``(seq, max_chars)`` character ids, ``(words, shapes, chars, tags)``.
    """

    def __init__(self, sentences: Sequence[TaggedSentence], word_vocab: Vocab, tag_vocab: Vocab,
                 lower: bool = False, chars: Vocab | None = None, max_chars: int = MAX_CHARS):
        _check_sentences(sentences)
        self.items = [encode_sentence(s.words, word_vocab, s.tags, tag_vocab, lower) for s in sentences]
        if chars is not None:
            self.items = [(w, sh, encode_chars(s.words, chars, max_chars), t)
                          for s, (w, sh, t) in zip(sentences, self.items)]

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return self.items[index]


def pad_batch(items: Sequence[tuple[torch.Tensor, ...]], pad_index: int = 0):
    """Pad a list of ``(word ids, shape ids, tag ids)`` to the longest sentence.

    Returns ``(words, shapes, lengths, tags)``: ``words``/``shapes`` ``(batch, seq)`` padded with
    ``pad_index``, ``lengths`` ``(batch,)``, ``tags`` ``(batch, seq)`` padded with :data:`IGNORE_INDEX`.
    Items ``(word ids, shape ids, char ids, tag ids)`` (a dataset with ``chars``) give
    ``(words, shapes, chars, lengths, tags)``, ``chars`` ``(batch, seq, max_chars)`` padded with 0.
    """
    size = len(items[0]) if items and isinstance(items[0], (tuple, list)) else None
    bad = next((i for i, item in enumerate(items)
                if not (isinstance(item, (tuple, list)) and len(item) == size and size in (3, 4))), None)
    if not items or bad is not None:
        raise ValueError(f"expected items (word ids, shape ids, tag ids) from encode_sentence, got "
                         f"{type(items[bad or 0]).__name__ if items else 'no items'} at index {bad or 0}")
    lengths = torch.tensor([len(item[0]) for item in items], dtype=torch.long)
    if (lengths == 0).any():
        raise ValueError("expected every sentence to have at least one token, got an empty one")
    words = pad_sequences([item[0] for item in items], pad_index)  # (batch, seq)
    shapes = pad_sequences([item[1] for item in items], 0)  # (batch, seq)
    tags = pad_sequences([item[-1] for item in items], IGNORE_INDEX)  # (batch, seq)
    if size == 3:
        return words, shapes, lengths, tags
    chars = torch.zeros(len(items), words.shape[1], items[0][2].shape[1], dtype=torch.long)
    for row, item in enumerate(items):
        chars[row, :len(item[2])] = item[2]
    return words, shapes, chars, lengths, tags


class BucketSampler(torch.utils.data.Sampler):
    """Batches of sentences of similar length, in random order: less padding, so cheaper epochs.

    Each epoch shuffles the sentences (with ``generator``), sorts each run of ``batch_size * pool``
    of them by length, cuts the runs into batches and shuffles the batches. Use it as a
    ``DataLoader``'s ``batch_sampler``.
    """

    def __init__(self, lengths: Sequence[int], batch_size: int, generator: torch.Generator | None = None,
                 pool: int = 50):
        if not isinstance(batch_size, int) or batch_size < 1 or not isinstance(pool, int) or pool < 1:
            raise ValueError(f"expected a positive batch_size and pool, got {batch_size!r} and {pool!r}")
        self.lengths, self.batch_size, self.generator, self.pool = list(lengths), batch_size, generator, pool

    def __len__(self) -> int:
        runs, rest = divmod(len(self.lengths), self.batch_size * self.pool)
        return runs * self.pool + -(-rest // self.batch_size)

    def __iter__(self):
        order = torch.randperm(len(self.lengths), generator=self.generator).tolist()
        run = self.batch_size * self.pool
        batches = []
        for start in range(0, len(order), run):
            chunk = sorted(order[start:start + run], key=self.lengths.__getitem__)
            batches += [chunk[i:i + self.batch_size] for i in range(0, len(chunk), self.batch_size)]
        for i in torch.randperm(len(batches), generator=self.generator).tolist():
            yield batches[i]


def load_ner_sentences(synthetic_size: int = 2000, seed: int = 0, folder: str | os.PathLike | None = None):
    """GMB from a local copy (``folder``, default ``data_dir("ner")``) → the embedded synthetic default.

    Returns a :class:`~lstm_utils.data.sources.Loaded` whose ``data`` is the list of sentences and whose
    ``print`` says which source was used. There is no download step (Kaggle has no stable public URL).
    """
    return load_first([
        ("GMB ner_dataset.csv (Kaggle), local copy", lambda: read_ner_csv(local_ner_path(folder))),
        (f"synthetic news sentences (embedded default, {synthetic_size} sentences, seed {seed})",
         lambda: generate_sentences(synthetic_size, seed)),
    ])


FIRST = ("Anna", "Omar", "Lena", "Rafael", "Mei", "Tomasz", "Amara", "Kofi", "Ingrid", "Diego", "Priya", "Yusuf",
         "Hana", "Pavel", "Nadia", "Samuel", "Elif", "Mateo", "Aiko", "Bjorn", "Leila", "Carlos", "Zainab", "Viktor")
LAST = ("Okafor", "Lindqvist", "Haddad", "Moreau", "Tanaka", "Kowalski", "Mensah", "Ferreira", "Novak", "Rahman",
        "Schmidt", "Castillo", "Ivanova", "Abebe", "Nguyen", "Park", "Osei", "Romano", "Khalil", "Brandt")
TITLES = ("President", "Minister", "Mr.", "Mrs.", "General", "Senator", "Dr.", "Chancellor")
PLACES = ("France", "Kenya", "Peru", "Japan", "Norway", "Egypt", "Brazil", "Vietnam", "Ghana", "Poland", "Canada",
          "Paris", "Nairobi", "Lima", "Tokyo", "Oslo", "Cairo", "Hanoi", "Accra", "Warsaw", "Baghdad", "Kabul",
          "New Delhi", "South Africa", "Buenos Aires", "Sri Lanka", "New Zealand", "Gaza Strip")
AMBIGUOUS = ("Jordan", "Georgia", "Chad", "Victoria", "Washington", "Sydney", "Lincoln", "Florence", "Austin")
NATIONALITIES = ("French", "Kenyan", "Peruvian", "Japanese", "Norwegian", "Egyptian", "Brazilian", "Polish",
                 "Canadian", "Iraqi", "Afghan", "Indian", "Chinese", "American", "British", "German")
ORGS = ("United Nations", "World Bank", "Red Cross", "European Union", "NATO", "Reuters", "Interpol",
        "World Health Organization", "African Union", "OPEC", "Amnesty International", "Greenpeace")
ORG_OF = ("Bank", "University", "Ministry of Health", "Supreme Court", "Central Bank")
SYLLABLES = ("ka", "lo", "mir", "ven", "ta", "dor", "ri", "sa", "bel", "on", "zu", "mar", "nel", "pa", "gor",
             "li", "vi", "ran", "tes", "ul", "bo", "kes", "ar", "min", "fa", "tu")
ORG_SUFFIXES = ("Group", "Party", "Council", "Holdings", "Front", "Institute", "Alliance", "Airlines")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
SUBJECTS = ("police", "the government", "rebels", "officials", "protesters", "the army", "witnesses",
            "aid workers", "local media", "the company", "investors", "farmers")
NOUNS = ("talks", "elections", "the budget", "trade", "security", "the economy", "a new law", "oil prices",
         "the floods", "the ceasefire", "refugees", "the vaccine")
CLAUSES = {  # what follows "Velomir , who/which …" and tells which kind of name it was
    "per": ("who leads the opposition", "who heads the delegation", "who was born in the north", "who resigned"),
    "geo": ("which borders the sea", "which lies in the north", "which produces oil", "which has few roads"),
    "org": ("which represents farmers", "which runs the airline", "which employs thousands", "which lends money"),
}
VERBS = ("discussed", "criticized", "welcomed", "rejected", "supported", "announced", "postponed", "approved")

TEMPLATES = (
    "{per} said {tim} that {subject} {verb} {noun} in {geo} .",
    "{ambper} told reporters in {geo} on {tim} that {subject} {verb} {noun} .",
    "{ambper} said the {gpe} delegation {verb} {noun} .",
    "{ambgeo} borders {geo} and has {number} million people .",
    "{ambgeo} is a {gpe} ally , officials in {geo} said {tim} .",
    "{subject} in {ambgeo} {verb} {noun} on {tim} .",
    "{title} {last} met {per} in {geo} to discuss {noun} .",
    "The {org} says {subject} in {geo} {verb} {noun} .",
    "{gpe} troops arrived in {geo} on {tim} , the {org} said .",
    "A spokesman for the {orgof} said {noun} would be {verb} {tim} .",
    "{per} , a {gpe} official , {verb} {noun} at the {org} meeting .",
    "On {tim} , {subject} {verb} {noun} near {geo} .",
    "{title} {last} of {geo} {verb} the {org} plan for {noun} .",
    "Talks between {per} and {ambper} ended {tim} in {ambgeo} .",
    "The {orgof} {verb} {noun} after {gpe} {subject} complained .",
    "{subject} {verb} {noun} , {per} told the {org} .",
    "In {geo} , {number} people were hurt when {subject} clashed with police {tim} .",
    "{ambper} and {per} visited {geo} and {ambgeo} in {tim} .",
    "{anyone} [also] {verb} {noun} {tim} .",
    "{who} , {verb} {noun} [again] on {tim} .",
    "[Meanwhile] {subject} said {who} , had {verb} {noun} .",
    "{subject} in {geo} [also] {verb} the {gpe} plan for {noun} .",
)
SLOT = re.compile(r"^\{(\w+)\}$")
OPTIONAL = re.compile(r"^\[(.+)\]$")  # "[also]": the word is there in half of the sentences


def _tagged(words: str, kind: str | None) -> list[tuple[str, str]]:
    """``"New Delhi", "geo"`` → ``[("New", "B-geo"), ("Delhi", "I-geo")]``; ``kind=None`` tags everything ``O``."""
    tokens = words.split()
    if kind is None:
        return [(t, "O") for t in tokens]
    return [(t, ("B-" if i == 0 else "I-") + kind) for i, t in enumerate(tokens)]


def _coined(rng: np.random.Generator) -> str:
    """A made-up name of 2 or 3 syllables, ``"Velomir"``: the same kind of word for people, places and groups."""
    return "".join(rng.choice(SYLLABLES, size=rng.integers(2, 4))).capitalize()


def _time(rng: np.random.Generator) -> str:
    """A date or time phrase: a weekday, ``March 3``, ``2004``, ``March 2004`` or ``Tuesday night``."""
    form = rng.integers(5)
    if form == 0:
        return str(rng.choice(WEEKDAYS))
    if form == 1:
        return f"{rng.choice(MONTHS)} {rng.integers(1, 29)}"
    if form == 2:
        return str(rng.integers(1990, 2024))
    if form == 3:
        return f"{rng.choice(MONTHS)} {rng.integers(1990, 2024)}"
    return f"{rng.choice(WEEKDAYS)} {rng.choice(('night', 'morning'))}"


def _who(rng: np.random.Generator) -> list[tuple[str, str]]:
    """A coined name and a clause that tells its type, several words later: ``Velomir , which lends money``."""
    kind = str(rng.choice(("per", "geo", "org")))
    return _tagged(_coined(rng), kind) + _tagged(", " + str(rng.choice(CLAUSES[kind])), None)


def _fill(slot: str, rng: np.random.Generator) -> list[tuple[str, str]]:
    """The tokens and tags for one ``{slot}`` of a template."""
    pick = lambda words: str(rng.choice(words))  # noqa: E731
    either = lambda words, p_coined: _coined(rng) if rng.random() < p_coined else pick(words)  # noqa: E731
    if slot == "per":
        if rng.random() < 0.3:
            return _tagged(f"{pick(TITLES)} {pick(FIRST)} {either(LAST, 0.5)}", "per")
        return _tagged(f"{pick(FIRST)} {either(LAST, 0.5)}", "per")
    fillers = {
        "title": lambda: _tagged(pick(TITLES), "per"),
        "last": lambda: [(either(LAST, 0.5), "I-per")],  # always follows {title}, which began the person
        "ambper": lambda: _tagged(either(AMBIGUOUS, 0.5), "per"),  # a name alone: "Jordan said", "Velomir said"
        "ambgeo": lambda: _tagged(either(AMBIGUOUS, 0.5), "geo"),  # a place alone: "Jordan borders", "in Velomir"
        "geo": lambda: _tagged(either(PLACES, 0.4), "geo"),
        "gpe": lambda: _tagged(pick(NATIONALITIES), "gpe"),
        "org": lambda: _tagged(pick(ORGS) if rng.random() < 0.5 else f"{_coined(rng)} {pick(ORG_SUFFIXES)}", "org"),
        "orgof": lambda: _tagged(f"{pick(ORG_OF)} of {either(PLACES, 0.4)}", "org"),
        "tim": lambda: _tagged(_time(rng), "tim"),
        "anyone": lambda: _tagged(_coined(rng), str(rng.choice(("per", "per", "geo", "org")))),  # no clue at all
        "who": lambda: _who(rng),
        "subject": lambda: _tagged(pick(SUBJECTS), None),
        "noun": lambda: _tagged(pick(NOUNS), None),
        "verb": lambda: _tagged(pick(VERBS), None),
        "number": lambda: _tagged(str(rng.integers(2, 90)), None),
    }
    if slot not in fillers:
        raise ValueError(f"unknown template slot {{{slot}}}; expected one of {sorted([*fillers, 'per'])}")
    return fillers[slot]()


def generate_sentence(template: str, rng: np.random.Generator, sentence_id: str = "synthetic") -> TaggedSentence:
    """Fill every ``{slot}`` of ``template`` (space-separated tokens); plain tokens are tagged ``O``."""
    pairs: list[tuple[str, str]] = []
    for token in template.split():
        optional = OPTIONAL.match(token)
        if optional:
            pairs += [(optional.group(1), "O")] if rng.random() < 0.5 else []
            continue
        match = SLOT.match(token)
        pairs += _fill(match.group(1), rng) if match else [(token, "O")]
    words, tags = (list(x) for x in zip(*pairs))
    words[0] = words[0][:1].upper() + words[0][1:]  # "the army said …" → "The army said …"
    return TaggedSentence(sentence_id, words, tags)


def generate_sentences(n: int, seed: int = 0) -> list[TaggedSentence]:
    """``n`` sentences, templates drawn uniformly; the same ``(n, seed)`` always gives the same list."""
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"expected a positive number of sentences, got {n!r}")
    rng = np.random.default_rng(seed)
    return [generate_sentence(TEMPLATES[rng.integers(len(TEMPLATES))], rng, f"Sentence: {i + 1}") for i in range(n)]
