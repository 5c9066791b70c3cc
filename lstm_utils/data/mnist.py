"""Handwritten digits as sequences of rows: MNIST {cite:p}`lecun1998mnist`, or scikit-learn's 8×8 digits.

An image of ``rows × cols`` pixels becomes a sequence of ``T = rows`` steps whose input at step ``t``
is row ``t``: ``x_t ∈ [0, 1]^{cols}`` (28 steps of 28 pixels for MNIST, 8 steps of 8 for the digits).

Where the data comes from, in the order :func:`load_digit_images` tries:

1. **local IDX files** in ``data_dir("MNIST", "raw")`` (torchvision's layout; ``.gz`` or extracted),
   read here with :func:`read_idx`, which checks the magic number, the counts and the payload size;
2. **a download** by ``torchvision.datasets.MNIST`` (it checks each file's MD5) into the same folder;
3. **the embedded default**: scikit-learn's ``load_digits`` (1,797 real handwritten digits, 8×8,
   grey levels 0..16, shipped inside the package) with a fixed, seeded, stratified train/test split.
"""

from __future__ import annotations

import gzip
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import TensorDataset

from lstm_utils.data.cache import OFFLINE_VAR, DatasetUnavailable, data_dir
from lstm_utils.data.sources import Loaded, load_first

NUM_CLASSES = 10
IDX_UBYTE = 0x08  # the IDX type code of unsigned bytes, the only one MNIST uses
LABELS_MAGIC, IMAGES_MAGIC = 2049, 2051  # 0x00000801 (1 dimension), 0x00000803 (3 dimensions)
FILES = {  # torchvision's names, without the optional ".gz"
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
DIGITS_TEST_SIZE = 0.25  # share of scikit-learn's digits held out for the test set


class IdxFormatError(ValueError):
    """An IDX file is corrupt or truncated; the message names the file and what was wrong."""


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when its name ends in ``.gz``."""
    if path.suffix != ".gz":
        return path.read_bytes()
    try:
        with gzip.open(path, "rb") as f:
            return f.read()
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise IdxFormatError(f"{path}: expected a complete gzip file, got a corrupt or truncated one ({error}); "
                             "delete it and download it again") from None


def read_idx(path: str | os.PathLike, expected_magic: int | None = None) -> np.ndarray:
    """Read an IDX file of unsigned bytes (``.gz`` or not) into a ``uint8`` array of its shape.

    The format: a 4-byte magic number ``0x00 0x00 0x08 d`` (type code 8 = unsigned byte, ``d`` dimensions),
    then ``d`` big-endian 32-bit sizes ``n_1 … n_d``, then exactly ``n_1 × … × n_d`` bytes of data.
    Anything else (wrong magic, short header, missing or extra bytes) raises :class:`IdxFormatError`.
    """
    path = Path(path)
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise IdxFormatError(f"{path}: expected an IDX header of at least 4 bytes, got {len(raw)} bytes")
    magic = int.from_bytes(raw[:4], "big")
    zeros, type_code, ndim = raw[:2], raw[2], raw[3]
    if zeros != b"\x00\x00" or type_code != IDX_UBYTE or (expected_magic is not None and magic != expected_magic):
        wanted = expected_magic if expected_magic is not None else "0x0000080d (d = dimensions)"
        raise IdxFormatError(f"{path}: expected IDX magic number {wanted}, got {magic} ({raw[:4].hex()}): "
                             "not an MNIST IDX file of unsigned bytes")
    if ndim == 0:
        raise IdxFormatError(f"{path}: expected an IDX file of at least 1 dimension, got 0 dimensions "
                             f"(magic {raw[:4].hex()}): a scalar is not an image or label file")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IdxFormatError(f"{path}: expected a {header}-byte header for {ndim} dimensions, got {len(raw)} bytes")
    shape = tuple(int.from_bytes(raw[4 + 4 * k: 8 + 4 * k], "big") for k in range(ndim))
    expected = int(np.prod(shape, dtype=np.int64))
    got = len(raw) - header
    if got != expected:
        what = "truncated" if got < expected else "longer than its header says"
        raise IdxFormatError(f"{path}: expected {expected} data bytes for shape {shape}, got {got}: the file is {what}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape).copy()  # writable


def _find(folder: Path, name: str) -> Path:
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    raise DatasetUnavailable(f"no {name} or {name}.gz in {folder}")


def read_mnist_split(folder: str | os.PathLike, split: str) -> tuple[np.ndarray, np.ndarray]:
    """``(images, labels)`` of MNIST's ``"train"`` or ``"test"`` split from the IDX files in ``folder``.

    ``images`` is ``uint8`` ``(n, 28, 28)``, ``labels`` is ``uint8`` ``(n,)``. Missing files raise
    :class:`DatasetUnavailable`; corrupt ones :class:`IdxFormatError`.
    """
    if split not in FILES:
        raise ValueError(f"expected split 'train' or 'test', got {split!r}")
    folder = Path(folder)
    images_name, labels_name = FILES[split]
    images_path, labels_path = _find(folder, images_name), _find(folder, labels_name)
    images = read_idx(images_path, IMAGES_MAGIC)  # (n, rows, cols)
    labels = read_idx(labels_path, LABELS_MAGIC)  # (n,)
    if len(images) != len(labels):
        raise IdxFormatError(f"{images_path} holds {len(images)} images but {labels_path} holds {len(labels)} labels: "
                             "expected the same number")
    if labels.size and labels.max() >= NUM_CLASSES:
        raise IdxFormatError(f"{labels_path}: expected labels 0..9, got a {labels.max()}")
    return images, labels


@dataclass
class DigitImages:
    """Train and test images (``uint8``/``int``, ``(n, rows, cols)``) with labels, and their grey scale."""

    train_images: np.ndarray  # (n_train, rows, cols)
    train_labels: np.ndarray  # (n_train,)
    test_images: np.ndarray  # (n_test, rows, cols)
    test_labels: np.ndarray  # (n_test,)
    max_value: int  # 255 for MNIST, 16 for scikit-learn's digits
    name: str

    @property
    def rows(self) -> int:
        """Number of rows: the sequence length ``T``."""
        return self.train_images.shape[1]

    @property
    def cols(self) -> int:
        """Number of pixels per row: the LSTM's ``input_size``."""
        return self.train_images.shape[2]

    def as_sequences(self, images: np.ndarray) -> torch.Tensor:
        """``float32`` ``(n, rows, cols)`` in [0, 1]: step ``t`` of sequence ``k`` is row ``t`` of image ``k``."""
        return torch.as_tensor(np.asarray(images, dtype=np.float32) / self.max_value)

    def datasets(self, dev_size: float = 0.1, max_train: int | None = None, seed: int = 0) -> dict[str, TensorDataset]:
        """``{"train", "dev", "test"}`` ``TensorDataset(x, y)``; ``x`` ``(n, rows, cols)`` float, ``y`` int64.

        The dev set is a seeded random ``dev_size`` share of the training images (the test set is only
        looked at once, at the end). ``max_train`` keeps a seeded random subset of the training images first.
        """
        if not 0 < dev_size < 1:
            raise ValueError(f"expected 0 < dev_size < 1, got {dev_size}")
        order = np.random.default_rng(seed).permutation(len(self.train_labels))
        if max_train is not None:
            if isinstance(max_train, bool) or not isinstance(max_train, (int, np.integer)) or max_train < 2:
                raise ValueError(f"expected an int max_train >= 2, got {max_train!r}")
            order = order[:max_train]
        n_dev = max(1, round(dev_size * len(order)))
        if n_dev >= len(order):
            raise ValueError(f"expected dev_size={dev_size} to leave training images, got {n_dev} dev images "
                             f"out of {len(order)}")
        parts = {"train": order[n_dev:], "dev": order[:n_dev]}

        def dataset(images: np.ndarray, labels: np.ndarray) -> TensorDataset:
            return TensorDataset(self.as_sequences(images), torch.as_tensor(labels, dtype=torch.int64))

        result = {name: dataset(self.train_images[idx], self.train_labels[idx]) for name, idx in parts.items()}
        result["test"] = dataset(self.test_images, self.test_labels)
        return result


def read_mnist(folder: str | os.PathLike | None = None) -> DigitImages:
    """MNIST from the IDX files in ``folder`` (default: ``data_dir("MNIST", "raw")``), read and checked here."""
    folder = Path(folder) if folder is not None else data_dir("MNIST", "raw", create=False)
    train_images, train_labels = read_mnist_split(folder, "train")
    test_images, test_labels = read_mnist_split(folder, "test")
    return DigitImages(train_images, train_labels, test_images, test_labels, 255, "MNIST")


def download_mnist(root: str | os.PathLike | None = None) -> DigitImages:
    """MNIST downloaded by ``torchvision.datasets.MNIST`` into ``root/MNIST/raw`` (default root: :func:`data_dir`).

    torchvision checks each file's MD5. Raises :class:`DatasetUnavailable` when offline
    (``$LSTM_UTILS_OFFLINE``), when torchvision is not installed, or when the download fails.
    """
    if os.environ.get(OFFLINE_VAR, "") not in ("", "0"):
        raise DatasetUnavailable(f"not downloading MNIST: offline mode (${OFFLINE_VAR} is set)")
    try:
        from torchvision.datasets import MNIST
    except ImportError:
        raise DatasetUnavailable("torchvision is not installed (pip install 'lstm-utils[vision]')") from None
    root = Path(root) if root is not None else data_dir()
    try:
        train, test = MNIST(root, train=True, download=True), MNIST(root, train=False, download=True)
    except (RuntimeError, OSError) as error:  # torchvision raises RuntimeError when every mirror failed
        raise DatasetUnavailable(f"could not download MNIST into {root}/MNIST/raw ({error})") from None
    return DigitImages(train.data.numpy(), train.targets.numpy(), test.data.numpy(), test.targets.numpy(), 255, "MNIST")


def load_sklearn_digits(test_size: float = DIGITS_TEST_SIZE, seed: int = 0) -> DigitImages:
    """scikit-learn's 1,797 digits (8×8, grey levels 0..16), split into train/test, stratified by class and seeded."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    train_x, test_x, train_y, test_y = train_test_split(
        digits.images.astype(np.uint8), digits.target.astype(np.int64),
        test_size=test_size, stratify=digits.target, random_state=seed,
    )
    return DigitImages(train_x, train_y, test_x, test_y, 16, "scikit-learn digits")


def load_digit_images(embedded_only: bool = False, folder: str | os.PathLike | None = None) -> Loaded[DigitImages]:
    """Local MNIST IDX files → MNIST downloaded by torchvision → scikit-learn's digits; says which was used.

    ``embedded_only=True`` (the ``ci`` profile) goes straight to the digits. ``folder`` overrides where
    the local IDX files are looked for (default ``data_dir("MNIST", "raw")``).
    """
    local = Path(folder) if folder is not None else data_dir("MNIST", "raw", create=False)

    def skip() -> DigitImages:
        raise DatasetUnavailable("only the embedded default is used at this profile")

    return load_first([
        (f"MNIST, local IDX files in {local}", skip if embedded_only else lambda: read_mnist(local)),
        ("MNIST, downloaded by torchvision", skip if embedded_only else download_mnist),
        ("scikit-learn digits, 8x8 (embedded default)", load_sklearn_digits),
    ])
