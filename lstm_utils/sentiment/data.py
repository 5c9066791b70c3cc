"""The IMDB Large Movie Review Dataset (Maas et al., ACL 2011): 25,000 train and 25,000 test reviews.

Three ways in, tried in this order by :func:`load_imdb`:

1. a local ``aclImdb/`` tree (the official layout ``<split>/<pos|neg>/<id>_<rating>.txt``) in
   ``data_dir("imdb")``;
2. a local CSV ``imdb_reviews.csv[.gz]`` with the columns ``split,label,id,rating,text`` in the same folder;
3. the official archive ``aclImdb_v1.tar.gz`` downloaded (sha256 checked) and safely extracted.

Every reader returns a ``pandas.DataFrame`` with the columns ``split`` (``train``/``test``: the
official split is kept), ``label`` (1 = positive, 0 = negative), ``id``, ``rating`` and ``text``.
The unlabelled ``train/unsup`` reviews are not read.

Embedded default for the sentiment chapter: short movie reviews whose label depends on word order.

Every review has one **verdict** sentence, which alone sets the label, surrounded by 0–2 neutral
sentences (``i watched it on a sunday .``). The grammar of a verdict (``|`` = one of, ``[x]`` = optional)::

    clause(p)   = the ASPECT was [INTENSITY] ADJ(p)          polarity p = +1 or −1
                | the ASPECT was not ADJ(−p)                 negation flips the adjective
                | ADJ(p) ASPECT                              noun phrase: "good acting"
    plain       = clause(p) .                                       label = p
    negation    = the ASPECT was not ADJ(−p) .                      label = p
    contrast    = clause(q) but clause(p) .                         label = p   (q = −p; two
                                                                        different aspects)
                | although clause(q) , clause(p) .
    intensity   = the A1 was STRONG ADJ(p) and the A2 was WEAK ADJ(−p) .      label = p
                | the A1 was WEAK ADJ(−p) and the A2 was STRONG ADJ(p) .

``ADJ(+1)`` is a positive adjective (good, superb, …), ``ADJ(−1)`` a negative one (dull, awful, …),
STRONG ∈ {extremely, very, …} and WEAK ∈ {slightly, somewhat, …}. The four kinds are equally common
and each kind has as many positive as negative reviews.

Why a bag of words fails: in ``contrast`` and ``intensity`` reviews, swapping the two clauses gives
exactly the same multiset of words with the opposite label, so any order-blind model is at chance on
them; in ``negation`` reviews the label is the XOR of "has `not`" and "adjective is positive", which
no linear function of word counts can represent: since each adjective appears as often in ``plain``
as in ``negation`` reviews, a linear bag of words gets at most one of the two kinds right.
A model that reads the words in order (the LSTM) can learn all four kinds.
"""

from __future__ import annotations

import gzip
import os
import random
import re
import zlib
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from lstm_utils.data.archives import safe_extract
from lstm_utils.data.cache import DatasetUnavailable, data_dir, download
from lstm_utils.data.sources import Loaded, load_first
from lstm_utils.shapes import check_int


URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
COLUMNS = ["split", "label", "id", "rating", "text"]
LABELS = {"neg": 0, "pos": 1}
SPLITS = ("train", "test")
FILE_NAME = re.compile(r"(\d+)_(\d+)\.txt")


def _check_text(text: str, where: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{where}: expected a non-empty review, got {text!r}")
    return text


def read_acl_imdb(root: str | os.PathLike, splits: tuple[str, ...] = SPLITS) -> pd.DataFrame:
    """Read an ``aclImdb/`` tree: ``root/<split>/<pos|neg>/<id>_<rating>.txt``; ``unsup`` is skipped."""
    root = Path(root)
    if not root.is_dir():
        raise DatasetUnavailable(f"no aclImdb folder at {root}")
    rows = []
    for split in splits:
        split_dir = root / split
        if not split_dir.is_dir():
            raise DatasetUnavailable(f"expected a folder {split_dir} (splits {list(splits)}), found none")
        for folder in sorted(p for p in split_dir.iterdir() if p.is_dir()):
            if folder.name == "unsup":
                continue
            if folder.name not in LABELS:
                raise ValueError(f"{folder}: expected label folders {sorted(LABELS)} (and unsup), got {folder.name!r}")
            for path in sorted(folder.glob("*.txt")):
                match = FILE_NAME.fullmatch(path.name)
                if match is None:
                    raise ValueError(f"{path}: expected a file name <id>_<rating>.txt, got {path.name!r}")
                try:
                    text = _check_text(path.read_text(encoding="utf-8"), str(path))
                except UnicodeDecodeError:
                    raise not_utf8(path, path.read_bytes()) from None
                rows.append((split, LABELS[folder.name], int(match[1]), int(match[2]), text))
    if not rows:
        raise DatasetUnavailable(f"{root}: found no reviews in {list(splits)}")
    return pd.DataFrame(rows, columns=COLUMNS)


def _read_csv(path: Path) -> pd.DataFrame:
    """``pd.read_csv`` whose errors name the file (and the line, for bytes that are not UTF-8)."""
    try:
        return pd.read_csv(path, dtype={"split": str, "label": str, "id": str, "rating": str, "text": str},
                           keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path}: expected a header {','.join(COLUMNS)}, got an empty file") from None
    except pd.errors.ParserError as error:
        raise ValueError(f"{path}: expected {len(COLUMNS)} fields {COLUMNS} a row, got a malformed row: {error}") from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise ValueError(f"{path}: expected a complete gzip file, got a corrupt or truncated one ({error})") from None
    except UnicodeDecodeError:
        raise not_utf8(path, gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()) from None


def not_utf8(path: Path, raw: bytes) -> ValueError:
    """The error for a file whose bytes ``raw`` are not UTF-8, naming the line and the first bad byte.

    Readers decode in chunks, so their own error cannot say the line; this finds it in the whole file.
    """
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        return ValueError(f"{path}:{line}: expected UTF-8 text, got byte {raw[error.start:error.start + 1]!r} "
                          f"({error.reason})")
    return ValueError(f"{path}: expected UTF-8 text, got bytes that are not")


def read_imdb_csv(path: str | os.PathLike) -> pd.DataFrame:
    """Read the CSV form (columns ``split,label,id,rating,text``, labels ``pos``/``neg``; ``.gz`` allowed)."""
    path = Path(path)
    if not path.is_file():
        raise DatasetUnavailable(f"no IMDB CSV at {path}")
    frame = _read_csv(path)
    if list(frame.columns) != COLUMNS:
        raise ValueError(f"{path}: expected the columns {COLUMNS}, got {list(frame.columns)}")
    if not isinstance(frame.index, pd.RangeIndex):  # pandas made an index of the extra leading fields
        raise ValueError(f"{path}: expected {len(COLUMNS)} fields a row {COLUMNS}, got rows with more fields")
    for column in ("id", "rating"):
        numbers = pd.to_numeric(frame[column], errors="coerce")
        bad = frame.index[numbers.isna() | (numbers != numbers.round())]
        if len(bad):
            raise ValueError(f"{path}: expected an integer {column!r} in every row, "
                             f"got {frame[column][bad[0]]!r} in data row {bad[0] + 1}")
        frame[column] = numbers.astype("int64")
    unknown = sorted(set(frame["label"]) - set(LABELS))
    if unknown:
        raise ValueError(f"{path}: expected labels {sorted(LABELS)}, got also {unknown}")
    bad_splits = sorted(set(frame["split"]) - set(SPLITS))
    if bad_splits:
        raise ValueError(f"{path}: expected splits {list(SPLITS)}, got also {bad_splits}")
    empty = frame.index[frame["text"].str.strip() == ""]
    if len(empty):
        raise ValueError(f"{path}: expected a non-empty review in every row, got an empty one in data row {empty[0] + 1}")
    frame["label"] = frame["label"].map(LABELS)
    return frame


def download_imdb(folder: Path) -> pd.DataFrame:
    """Download ``aclImdb_v1.tar.gz`` (84 MB; sha256 checked), extract it safely, read it."""
    archive = download(URL, folder / "aclImdb_v1.tar.gz", SHA256)
    if not (folder / "aclImdb").is_dir():
        safe_extract(archive, folder)
    return read_acl_imdb(folder / "aclImdb")


def load_imdb(folder: str | os.PathLike | None = None) -> Loaded[pd.DataFrame]:
    """IMDB from the first source that works (see the module docstring); ``print`` the result to see which."""
    folder = Path(folder) if folder is not None else data_dir("imdb")

    def from_csv() -> pd.DataFrame:
        for name in ("imdb_reviews.csv", "imdb_reviews.csv.gz"):
            if (folder / name).is_file():
                return read_imdb_csv(folder / name)
        raise DatasetUnavailable(f"no imdb_reviews.csv[.gz] in {folder}")

    return load_first([
        (f"IMDB (Maas et al. 2011), local aclImdb/ tree in {folder}", lambda: read_acl_imdb(folder / "aclImdb")),
        (f"IMDB (Maas et al. 2011), local CSV in {folder}", from_csv),
        (f"IMDB (Maas et al. 2011), downloaded from {URL}", lambda: download_imdb(folder)),
    ])


def _check_frame(frame: pd.DataFrame) -> None:
    if not isinstance(frame, pd.DataFrame) or {"split", "label"} - set(frame.columns):
        columns = list(frame.columns) if isinstance(frame, pd.DataFrame) else type(frame).__name__
        raise ValueError(f"expected a DataFrame with columns 'split' and 'label', got {columns}")


def split_dev(frame: pd.DataFrame, fraction: float, seed: int = 0) -> pd.DataFrame:
    """Move a random ``fraction`` of the ``train`` rows to a new ``dev`` split (the test split is untouched)."""
    if not 0 < fraction < 1:
        raise ValueError(f"expected 0 < fraction < 1, got {fraction}")
    _check_frame(frame)
    frame = frame.copy()
    train = frame.index[frame["split"] == "train"]
    if len(train) < 2:
        raise ValueError(f"expected at least 2 train rows to hold some out as dev, got {len(train)}")
    dev = frame.loc[train].sample(frac=fraction, random_state=seed).index
    frame.loc[dev, "split"] = "dev"
    return frame


def subsample(frame: pd.DataFrame, per_split: dict[str, int], seed: int = 0) -> pd.DataFrame:
    """At most ``per_split[split]`` rows of each split, balanced over labels, drawn with ``seed``."""
    _check_frame(frame)
    unknown = sorted(set(per_split) - set(frame["split"]))
    if unknown:
        raise ValueError(f"expected splits among {sorted(set(frame['split']))}, got also {unknown}")
    parts = []
    for split, n in per_split.items():
        check_int(n, f"per_split[{split!r}]", 0)
        rows = frame[frame["split"] == split]
        parts += [g.sample(n=min(len(g), n // 2), random_state=seed) for _, g in rows.groupby("label")]
    return pd.concat(parts).sample(frac=1.0, random_state=seed).reset_index(drop=True)


ASPECTS = ("acting", "plot", "script", "soundtrack", "pacing", "dialogue", "cast", "ending",
           "story", "direction", "photography", "music", "humour", "editing")
POSITIVE = ("good", "great", "superb", "moving", "clever", "gripping", "charming", "brilliant",
            "wonderful", "fun", "excellent", "beautiful")
NEGATIVE = ("bad", "dull", "boring", "awful", "clumsy", "weak", "tedious", "messy", "flat",
            "terrible", "poor", "silly")
STRONG = ("extremely", "very", "incredibly", "truly", "really")
WEAK = ("slightly", "somewhat", "mildly", "fairly", "a bit")
FILLER = (
    "i watched it on a sunday .", "my friend picked this film .", "it runs about two hours .",
    "i saw it in a small cinema .", "the film came out last year .", "we rented it on a rainy night .",
    "it is based on a novel .", "the director also wrote it .", "i had not read any reviews .",
    "it was shown on television .", "there is a long scene on a train .", "the film is in colour .",
)
KINDS = ("plain", "negation", "contrast", "intensity")


def _adjective(rng: random.Random, polarity: int) -> str:
    return rng.choice(POSITIVE if polarity > 0 else NEGATIVE)


def _clause(rng: random.Random, polarity: int, aspect: str) -> str:
    """A clause about ``aspect`` of the given polarity, in one of the three clause forms."""
    form = rng.randrange(3)
    if form == 0:
        intensity = f"{rng.choice(STRONG + WEAK)} " if rng.random() < 0.3 else ""
        return f"the {aspect} was {intensity}{_adjective(rng, polarity)}"
    if form == 1:
        return f"the {aspect} was not {_adjective(rng, -polarity)}"
    return f"{_adjective(rng, polarity)} {aspect}"


def verdict(rng: random.Random, kind: str, label: int) -> str:
    """One verdict sentence of ``kind`` whose sentiment is ``label`` (1 positive, 0 negative)."""
    if label not in (0, 1) or isinstance(label, float):
        raise ValueError(f"expected label 0 (negative) or 1 (positive), got {label!r}")
    p = 1 if label == 1 else -1
    if kind == "plain":
        intensity = f"{rng.choice(STRONG + WEAK)} " if rng.random() < 0.3 else ""
        return f"the {rng.choice(ASPECTS)} was {intensity}{_adjective(rng, p)} ."
    if kind == "negation":
        return f"the {rng.choice(ASPECTS)} was not {_adjective(rng, -p)} ."
    if kind == "contrast":
        a1, a2 = rng.sample(ASPECTS, 2)
        first, second = _clause(rng, -p, a1), _clause(rng, p, a2)
        return f"{first} but {second} ." if rng.random() < 0.7 else f"although {first} , {second} ."
    if kind == "intensity":
        a1, a2 = rng.sample(ASPECTS, 2)
        strong = f"the {a1} was {rng.choice(STRONG)} {_adjective(rng, p)}"
        weak = f"the {a2} was {rng.choice(WEAK)} {_adjective(rng, -p)}"
        return f"{strong} and {weak} ." if rng.random() < 0.5 else f"{weak} and {strong} ."
    raise ValueError(f"expected a kind in {KINDS}, got {kind!r}")


def generate_reviews(n: int, seed: int = 0, split: str = "train") -> pd.DataFrame:
    """``n`` reviews (columns ``split, label, kind, text``), balanced over kinds and labels, from ``seed``.

    The same ``(n, seed)`` always gives the same reviews: only :mod:`random` with word lists of this
    module is used.
    """
    if isinstance(n, bool) or not hasattr(n, "__index__") or n < 0:
        error = ValueError if hasattr(n, "__index__") else TypeError
        raise error(f"expected n >= 0 reviews, got {n!r} (an int is needed)")
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        kind, label = KINDS[(i // 2) % len(KINDS)], i % 2
        sentences = [verdict(rng, kind, label)]
        for _ in range(rng.randrange(3)):
            sentences.insert(rng.randrange(len(sentences) + 1), rng.choice(FILLER))
        rows.append((split, label, kind, " ".join(sentences)))
    frame = pd.DataFrame(rows, columns=["split", "label", "kind", "text"])
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def review_splits(n_train: int, n_dev: int, n_test: int, seed: int = 0) -> pd.DataFrame:
    """Train, dev and test reviews from three different seeds derived from ``seed``, in one frame."""
    return pd.concat(
        [generate_reviews(n_train, 3 * seed, "train"), generate_reviews(n_dev, 3 * seed + 1, "dev"),
         generate_reviews(n_test, 3 * seed + 2, "test")],
        ignore_index=True,
    )


def load_sentiment_data(source: str, sizes: dict[str, int] | None, seed: int = 0, dev_fraction: float = 0.3):
    """The chapter's data as one frame with splits ``train``/``dev``/``test``, and where it came from.

    ``source="reviews"``: the embedded generator with ``sizes`` reviews per split.
    ``source="imdb"``: IMDB (:func:`lstm_utils.sentiment.data.load_imdb`), a ``dev_fraction`` of the official
    train split held out as dev (the seed's 70/30), then at most ``sizes`` reviews per split (all when
    ``sizes`` is None); falls back to the embedded generator when IMDB is unavailable.
    """
    if source not in ("reviews", "imdb"):
        raise ValueError(f"expected source 'reviews' or 'imdb', got {source!r}")
    sizes = sizes or {}
    generated = (
        f"embedded order-dependent reviews (lstm_utils.sentiment.data, seed {seed})",
        lambda: review_splits(sizes.get("train", 5000), sizes.get("dev", 1000), sizes.get("test", 2000), seed),
    )
    if source == "reviews":
        return load_first([generated])
    try:
        imdb = load_imdb()
    except DatasetUnavailable as error:
        fallback = load_first([generated])
        fallback.skipped.insert(0, f"IMDB: {error}")
        return fallback
    frame = split_dev(imdb.data, dev_fraction, seed)
    frame = subsample(frame, sizes, seed) if sizes else frame
    held_out = f"{dev_fraction:.0%} of train held out as dev" + (f", subsampled to {sizes}" if sizes else "")
    return Loaded(frame, f"{imdb.source} ({held_out})", imdb.skipped)


def keep_ends(tokens: Sequence[str], max_length: int | None) -> list[str]:
    """At most ``max_length`` tokens of a review: its first half and its last half, the middle cut.

    Long reviews often open with the plot and close with the verdict, so the cut falls in the middle
    rather than at the end. ``None`` keeps everything.
    """
    if max_length is not None and (isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 2):
        raise ValueError(f"expected max_length >= 2 or None, got {max_length!r}")
    if max_length is None or len(tokens) <= max_length:
        return list(tokens)
    head = (max_length + 1) // 2
    return list(tokens[:head]) + list(tokens[len(tokens) - (max_length - head):])
