"""Images of 1–5 handwritten digits side by side, and the digit string they show.

An image → text task that needs no download: digits are taken from scikit-learn's ``load_digits``
(1,797 images of 8 × 8 pixels, shipped inside scikit-learn: the embedded default), or from MNIST
(28 × 28) when the caller passes MNIST's images and labels in.

A composite with ``k`` digits is ``k`` digit images placed left to right, then padded with blank
columns on the right to the width of ``max_digits`` digits, so every image of a data set has the same
shape ``(height, max_digits × width)``. Its label is the string of the ``k`` digits, left to right.
Training and test composites should be built from *disjoint* sets of digit images (the train and
test parts of :func:`lstm_utils.data.mnist.load_digit_images`), so that the test set holds
handwriting the model never saw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.utils.data import TensorDataset

SKLEARN_SIZE = (8, 8)
MNIST_SIZE = (28, 28)


@dataclass
class DigitStrings:
    """Composite ``images`` ``(n, height, max_digits × width)`` in ``[0, 1]`` and their ``texts``."""

    images: np.ndarray  # (n, height, width_total), float32
    texts: list[str]
    digit_size: tuple[int, int]
    max_digits: int

    def __len__(self) -> int:
        return len(self.texts)


def check_digits(images, labels, digit_size: tuple[int, int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Check ``images`` ``(n, height, width)`` and ``labels`` ``(n,)`` in 0..9; return them as arrays.

    MNIST's ``uint8`` pixels are scaled to ``[0, 1]``. With ``digit_size`` the images must have that size.
    """
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 3:
        raise ValueError(f"expected digit images of shape (n, height, width), got shape {images.shape}")
    if digit_size is not None and images.shape[1:] != tuple(digit_size):
        raise ValueError(
            f"expected digit images of size {digit_size[0]}x{digit_size[1]}, "
            f"got {images.shape[1]}x{images.shape[2]}"
        )
    if labels.shape != images.shape[:1]:
        raise ValueError(f"expected labels of shape ({len(images)},) for {len(images)} images, got {labels.shape}")
    if len(labels) and (labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"expected labels in 0..9, got values {labels.min()}..{labels.max()}")
    if images.dtype == np.uint8:
        images = images.astype(np.float32) / 255.0
    return images.astype(np.float32), labels.astype(np.int64)


def compose(
    images,
    labels,
    n: int,
    *,
    min_digits: int = 1,
    max_digits: int = 5,
    seed: int = 0,
    digit_size: tuple[int, int] | None = None,
) -> DigitStrings:
    """``n`` composites of ``min_digits``..``max_digits`` digits (count uniform), digits drawn with replacement.

    Digit ``j`` of composite ``r`` occupies columns ``j × width … (j + 1) × width - 1``; the rest is blank.
    """
    images, labels = check_digits(images, labels, digit_size)
    if not 1 <= min_digits <= max_digits:
        raise ValueError(f"expected 1 <= min_digits <= max_digits, got {min_digits} and {max_digits}")
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"expected n >= 1 composites, got {n!r}")
    if len(labels) == 0:
        raise ValueError("expected at least one digit image, got none")
    rng = np.random.default_rng(seed)
    height, width = images.shape[1:]
    counts = rng.integers(min_digits, max_digits + 1, size=n)
    picks = rng.integers(0, len(labels), size=(n, max_digits))  # only the first counts[r] are used
    out = np.zeros((n, height, max_digits * width), dtype=np.float32)  # (n, height, width_total)
    texts = []
    for r in range(n):
        chosen = picks[r, : counts[r]]
        out[r, :, : counts[r] * width] = np.concatenate(list(images[chosen]), axis=1)
        texts.append("".join(str(d) for d in labels[chosen]))
    return DigitStrings(out, texts, (height, width), max_digits)


def compose_mnist(images, labels, n: int, **kwargs) -> DigitStrings:
    """:func:`compose` for MNIST: the images must be 28 × 28 (``uint8`` 0..255 or floats in ``[0, 1]``)."""
    return compose(images, labels, n, digit_size=MNIST_SIZE, **kwargs)


def to_dataset(strings: DigitStrings, vocab) -> TensorDataset:
    """``TensorDataset(images, decoder_input, target)`` with the texts encoded as in :mod:`lstm_utils.data.addition`."""
    from lstm_utils.data.addition import encode_targets

    decoder_input, target = encode_targets(strings.texts, vocab)
    return TensorDataset(torch.as_tensor(strings.images), decoder_input, target)
