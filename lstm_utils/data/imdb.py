"""The IMDB Large Movie Review Dataset (Maas et al., ACL 2011): 25,000 train and 25,000 test reviews.

Three ways in, tried in this order by :func:`load_imdb`:

1. a local ``aclImdb/`` tree (the official layout ``<split>/<pos|neg>/<id>_<rating>.txt``) in
   ``data_dir("imdb")``;
2. a local CSV ``imdb_reviews.csv[.gz]`` with the columns ``split,label,id,rating,text`` in the same folder;
3. the official archive ``aclImdb_v1.tar.gz`` downloaded (sha256 checked) and safely extracted.

Every reader returns a ``pandas.DataFrame`` with the columns ``split`` (``train``/``test``: the
official split is kept), ``label`` (1 = positive, 0 = negative), ``id``, ``rating`` and ``text``.
The unlabelled ``train/unsup`` reviews are not read.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from lstm_utils.data.archives import safe_extract
from lstm_utils.data.cache import DatasetUnavailable, data_dir, download
from lstm_utils.data.sources import Loaded, load_first

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
                text = _check_text(path.read_text(encoding="utf-8"), str(path))
                rows.append((split, LABELS[folder.name], int(match[1]), int(match[2]), text))
    if not rows:
        raise DatasetUnavailable(f"{root}: found no reviews in {list(splits)}")
    return pd.DataFrame(rows, columns=COLUMNS)


def read_imdb_csv(path: str | os.PathLike) -> pd.DataFrame:
    """Read the CSV form (columns ``split,label,id,rating,text``, labels ``pos``/``neg``; ``.gz`` allowed)."""
    path = Path(path)
    if not path.is_file():
        raise DatasetUnavailable(f"no IMDB CSV at {path}")
    frame = pd.read_csv(path, dtype={"split": str, "label": str, "text": str}, keep_default_na=False)
    if list(frame.columns) != COLUMNS:
        raise ValueError(f"{path}: expected the columns {COLUMNS}, got {list(frame.columns)}")
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


def split_dev(frame: pd.DataFrame, fraction: float, seed: int = 0) -> pd.DataFrame:
    """Move a random ``fraction`` of the ``train`` rows to a new ``dev`` split (the test split is untouched)."""
    if not 0 < fraction < 1:
        raise ValueError(f"expected 0 < fraction < 1, got {fraction}")
    frame = frame.copy()
    train = frame.index[frame["split"] == "train"]
    dev = frame.loc[train].sample(frac=fraction, random_state=seed).index
    frame.loc[dev, "split"] = "dev"
    return frame


def subsample(frame: pd.DataFrame, per_split: dict[str, int], seed: int = 0) -> pd.DataFrame:
    """At most ``per_split[split]`` rows of each split, balanced over labels, drawn with ``seed``."""
    parts = []
    for split, n in per_split.items():
        rows = frame[frame["split"] == split]
        parts += [g.sample(n=min(len(g), n // 2), random_state=seed) for _, g in rows.groupby("label")]
    return pd.concat(parts).sample(frac=1.0, random_state=seed).reset_index(drop=True)
