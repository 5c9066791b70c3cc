"""Addition written as text: ``"535+61"`` → ``"596"``, the classic encoder–decoder exercise.

The task follows the Keras example "sequence to sequence learning for performing number addition"
(which reports about 99 % per-character accuracy on 3-digit sums): the model sees the question
character by character and must write the answer character by character. Nothing is downloaded:
every split is drawn from a seed.

* Each operand first gets a number of digits ``k``, uniform in ``[min_digits, max_digits]``, then a
  value uniform among the ``k``-digit numbers (``0..9`` for ``k = 1``). So short and long operands
  are equally common, as in the Keras example.
* The vocabulary is ``<pad>`` (id 0), ``<bos>``, ``<eos>``, the digits ``0``–``9`` and ``+``.
* A question is encoded as its characters (no ``<bos>``/``<eos>``), padded with ``<pad>`` on the right.
  An answer becomes the decoder's input ``<bos> y_1 … y_T`` and its target ``y_1 … y_T <eos>``
  (teacher forcing), both padded.

Training on operands of at most 3 digits and testing on 4–5 digits asks whether a model learned
*addition* or only the sums of the lengths it saw.

Images of 1–5 handwritten digits side by side, and the digit string they show.

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
from typing import Iterable, Sequence

import numpy as np
import torch
from torch.utils.data import TensorDataset

from lstm_utils.text.batching import pad_sequences
from lstm_utils.text.vocab import Vocab


PAD, BOS, EOS = "<pad>", "<bos>", "<eos>"
CHARACTERS = tuple("0123456789+")


def make_vocab() -> Vocab:
    """``<pad>`` = 0, ``<bos>`` = 1, ``<eos>`` = 2, then ``0``–``9`` and ``+``."""
    return Vocab(CHARACTERS, specials=(PAD, BOS, EOS))


def encode(text: str, vocab: Vocab) -> list[int]:
    """The ids of the characters of ``text``; a clear error for an empty string or an unknown character."""
    if not isinstance(text, str) or not text:
        raise ValueError(f"expected a non-empty string of the characters {''.join(CHARACTERS)!r}, got {text!r}")
    unknown = sorted({ch for ch in text if ch not in CHARACTERS or ch not in vocab})
    if unknown:
        raise ValueError(
            f"expected only the characters {''.join(CHARACTERS)!r}, got {unknown} in {text!r}"
        )
    return [vocab[ch] for ch in text]


def decode(ids: Iterable[int], vocab: Vocab) -> str:
    """The string of ``ids``, stopping at the first ``<eos>`` and skipping ``<pad>`` and ``<bos>``."""
    characters = []
    for token in vocab.decode(ids):
        if token == EOS:
            break
        if token not in (PAD, BOS):
            characters.append(token)
    return "".join(characters)


def random_operands(n: int, rng: np.random.Generator, min_digits: int = 1, max_digits: int = 3) -> np.ndarray:
    """``n`` numbers: a length ``k`` uniform in ``[min_digits, max_digits]``, then a ``k``-digit value."""
    if not 1 <= min_digits <= max_digits <= 18:
        raise ValueError(f"expected 1 <= min_digits <= max_digits <= 18, got {min_digits} and {max_digits}")
    k = rng.integers(min_digits, max_digits + 1, size=n)
    low = np.where(k == 1, 0, 10 ** (k - 1))  # smallest k-digit number (0 for one digit)
    high = 10**k  # one past the largest
    return rng.integers(low, high)


@dataclass
class AdditionProblems:
    """Questions ``"535+61"`` and their answers ``"596"``, as strings."""

    questions: list[str]
    answers: list[str]

    def __len__(self) -> int:
        return len(self.questions)

    def __add__(self, other: "AdditionProblems") -> "AdditionProblems":
        """The problems of ``self`` followed by those of ``other`` (which must not repeat a question)."""
        if not isinstance(other, AdditionProblems):
            return NotImplemented
        repeated = sorted(set(self.questions) & set(other.questions))
        if repeated:
            raise ValueError(f"expected disjoint sets of questions, got {len(repeated)} in both, e.g. {repeated[0]!r}")
        return AdditionProblems(self.questions + other.questions, self.answers + other.answers)

    def to_dataset(self, vocab: Vocab) -> TensorDataset:
        """``TensorDataset(source, decoder_input, target)``, padded: ``(n, S)``, ``(n, T + 1)``, ``(n, T + 1)``.

        ``decoder_input = <bos> y_1 … y_T`` and ``target = y_1 … y_T <eos>``: at step ``t`` the decoder
        sees the true previous character and must predict the next one (teacher forcing).
        """
        return TensorDataset(*encode_batch(self.questions, self.answers, vocab))


def encode_sources(questions: Sequence[str], vocab: Vocab) -> torch.Tensor:
    """The questions' character ids, padded with ``<pad>`` on the right: ``(n, S)``."""
    if isinstance(questions, str) or not questions:
        raise ValueError(f"expected a non-empty list of questions, got {questions!r:.40}")
    return pad_sequences([encode(q, vocab) for q in questions], vocab[PAD])  # (n, S)


def encode_targets(answers: Sequence[str], vocab: Vocab) -> tuple[torch.Tensor, torch.Tensor]:
    """``(decoder_input, target)``, each ``(n, T + 1)``: ``<bos> y_1 … y_T`` and ``y_1 … y_T <eos>``, padded."""
    if isinstance(answers, str) or not answers:
        raise ValueError(f"expected a non-empty list of answers, got {answers!r:.40}")
    pad, bos, eos = vocab[PAD], vocab[BOS], vocab[EOS]
    outputs = [encode(a, vocab) for a in answers]
    decoder_input = pad_sequences([[bos, *ids] for ids in outputs], pad)  # (n, T + 1)
    target = pad_sequences([[*ids, eos] for ids in outputs], pad)  # (n, T + 1)
    return decoder_input, target


def encode_batch(questions: Sequence[str], answers: Sequence[str], vocab: Vocab) -> tuple[torch.Tensor, ...]:
    """Pad and stack ``questions`` and ``answers`` into ``(source, decoder_input, target)`` id tensors."""
    if len(questions) != len(answers):
        raise ValueError(f"expected as many answers as questions ({len(questions)}), got {len(answers)}")
    return (encode_sources(questions, vocab), *encode_targets(answers, vocab))


def make_problems(
    n: int,
    *,
    min_digits: int = 1,
    max_digits: int = 3,
    seed: int = 0,
    exclude: Iterable[str] = (),
) -> AdditionProblems:
    """``n`` distinct questions ``"a+b"`` with operands of ``min_digits``..``max_digits`` digits, and answers.

    Questions in ``exclude`` are never drawn (pass the training questions to get a held-out test set).
    The same arguments give the same problems.
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"expected n >= 1 problems, got {n!r}")
    possible = sum(9 * 10 ** (k - 1) + (k == 1) for k in range(min_digits, max_digits + 1)) ** 2
    excluded = set(exclude)
    if n > possible - len(excluded):
        raise ValueError(
            f"expected n <= {possible - len(excluded)} (distinct questions with {min_digits}–{max_digits} digits "
            f"left after excluding {len(excluded)}), got {n}"
        )
    rng = np.random.default_rng([int(seed), min_digits, max_digits])
    seen: dict[str, str] = {}
    while len(seen) < n:
        a = random_operands(n, rng, min_digits, max_digits)
        b = random_operands(n, rng, min_digits, max_digits)
        for x, y in zip(a.tolist(), b.tolist()):
            question = f"{x}+{y}"
            if question not in excluded and question not in seen:
                seen[question] = str(x + y)
                if len(seen) == n:
                    break
    return AdditionProblems(list(seen), list(seen.values()))


def operand_lengths(question: str) -> tuple[int, int]:
    """The numbers of digits of the two operands of ``"a+b"``."""
    parts = question.split("+")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f"expected a question 'a+b' of two whole numbers, got {question!r}")
    return len(parts[0]), len(parts[1])


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
    """``TensorDataset(images, decoder_input, target)`` with the texts encoded as in :mod:`lstm_utils.sequences_out.data`."""
    decoder_input, target = encode_targets(strings.texts, vocab)
    return TensorDataset(torch.as_tensor(strings.images), decoder_input, target)


class FreshComposites(torch.utils.data.Dataset):
    """``n`` composites of the digit images ``images``, drawn afresh every time an index is read.

    Item ``i`` read for the ``k``-th time is composed (as by :func:`compose`) from a generator seeded
    with ``(seed, i, k)``: every epoch shows new combinations of the training digits, and two runs that
    read the items in the same order see the same composites. Items are ``(image, decoder_input,
    target)`` as in :func:`to_dataset`, the target padded to ``max_digits + 1`` tokens.
    """

    def __init__(self, images, labels, n: int, vocab, *, min_digits: int = 1, max_digits: int = 5,
                 seed: int = 0, digit_size: tuple[int, int] | None = MNIST_SIZE):
        self.images, self.labels = check_digits(images, labels, digit_size)
        if not 1 <= min_digits <= max_digits:
            raise ValueError(f"expected 1 <= min_digits <= max_digits, got {min_digits} and {max_digits}")
        if not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"expected n >= 1 composites, got {n!r}")
        self.n, self.vocab, self.seed = int(n), vocab, seed
        self.min_digits, self.max_digits = min_digits, max_digits
        self.reads = np.zeros(self.n, dtype=np.int64)

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int):
        rng = np.random.default_rng((self.seed, int(i), int(self.reads[i])))
        self.reads[i] += 1
        count = rng.integers(self.min_digits, self.max_digits + 1)
        chosen = rng.integers(0, len(self.labels), size=count)
        height, width = self.images.shape[1:]
        image = np.zeros((height, self.max_digits * width), dtype=np.float32)
        image[:, : count * width] = np.concatenate(list(self.images[chosen]), axis=1)
        text = "".join(str(d) for d in self.labels[chosen])
        pad, bos, eos = self.vocab[PAD], self.vocab[BOS], self.vocab[EOS]
        ids = encode(text, self.vocab)
        fill = [pad] * (self.max_digits - len(ids))
        decoder_input = torch.tensor([bos, *ids, *fill])  # (max_digits + 1,)
        target = torch.tensor([*ids, eos, *fill])  # (max_digits + 1,)
        return torch.as_tensor(image), decoder_input, target
