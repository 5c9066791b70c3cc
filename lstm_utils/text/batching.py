"""From token lists to padded, length-bucketed batches, and packing so padding never reaches the LSTM.

Replaces torchtext's legacy ``Field(include_lengths=True)`` + ``BucketIterator(sort_within_batch=True)``:

* :func:`numericalize` turns token lists into id lists with a :class:`~lstm_utils.text.vocab.Vocab`.
* :class:`BucketBatchSampler` groups sequences of similar length, so little padding is needed; the
  order is drawn from a seeded ``torch.Generator`` and repeats exactly.
* :func:`collate` pads a batch and returns ``(ids, lengths, labels)``.
* :func:`pack` wraps :func:`torch.nn.utils.rnn.pack_padded_sequence`: an LSTM fed a packed batch
  stops each sequence at its own length, so its final state ``h_T`` is that of the real last token.
"""

from __future__ import annotations

from typing import Iterator, Sequence

import torch
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_sequence
from torch.utils.data import DataLoader, Dataset, Sampler

from lstm_utils.text.vocab import Vocab, _check_int, _token_lists


def numericalize(token_lists: Sequence[Sequence[str]], vocab: Vocab, max_length: int | None = None) -> list[list[int]]:
    """Ids of each token list (unknown tokens → ``<unk>``), cut to the first ``max_length`` tokens."""
    if isinstance(token_lists, str):
        raise TypeError(f"expected a list of token lists, got a str ({token_lists[:30]!r})")
    _check_int(max_length, "max_length", 1, optional=True)
    if not callable(getattr(vocab, "encode", None)):
        raise TypeError(f"expected a Vocab, got {type(vocab).__name__}")
    ids = []
    for n, tokens in enumerate(_token_lists(token_lists)):
        if len(tokens) == 0:
            raise ValueError(f"expected at least one token in every sequence, got an empty sequence at index {n}")
        ids.append(vocab.encode(tokens[:max_length] if max_length is not None else tokens))
    return ids


def _id_tensor(sequence: Sequence[int], n: int) -> torch.Tensor:
    """``sequence`` as an int64 tensor; fractional or boolean ids are refused, not truncated."""
    tensor = torch.as_tensor(sequence)
    if tensor.numel() == 0:
        raise ValueError(f"expected at least one id in every sequence, got an empty sequence at index {n}")
    if tensor.numel() and (tensor.is_floating_point() or tensor.is_complex() or tensor.dtype == torch.bool):
        raise TypeError(f"expected integer ids, got {str(tensor.dtype).removeprefix('torch.')} in sequence {n}")
    if tensor.dim() != 1:
        raise ValueError(f"expected each sequence as a flat list of ids, got shape {tuple(tensor.shape)} in sequence {n}")
    return tensor.long()


class SequenceDataset(Dataset):
    """Pairs ``(ids, label)``: ids as an int64 tensor, the label as a float (for ``BCEWithLogitsLoss``)."""

    def __init__(self, ids: Sequence[Sequence[int]], labels: Sequence[int]):
        if len(ids) != len(labels):
            raise ValueError(f"expected as many labels as sequences ({len(ids)}), got {len(labels)}")
        self.ids = [_id_tensor(seq, n) for n, seq in enumerate(ids)]
        try:
            self.labels = torch.as_tensor(list(labels), dtype=torch.float)
        except (TypeError, ValueError, RuntimeError) as error:
            kinds = sorted({type(label).__name__ for label in labels})
            raise TypeError(f"expected numeric labels (0 or 1), got {', '.join(kinds)} ({error})") from None

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.ids[index], self.labels[index]

    def lengths(self) -> list[int]:
        return [len(seq) for seq in self.ids]


class BucketBatchSampler(Sampler[list[int]]):
    """Batches of indices whose sequences have similar lengths.

    Each epoch: shuffle all indices (with ``generator``), cut them into pools of ``pool_factor ×
    batch_size``, sort each pool by length, cut the pools into batches, and shuffle the batches.
    With ``shuffle=False`` the indices are simply sorted by length (for evaluation).
    """

    def __init__(
        self,
        lengths: Sequence[int],
        batch_size: int,
        *,
        shuffle: bool = True,
        generator: torch.Generator | None = None,
        pool_factor: int = 50,
    ):
        _check_int(batch_size, "batch_size", 1)
        _check_int(pool_factor, "pool_factor", 1)
        if isinstance(lengths, (str, bytes)) or not hasattr(lengths, "__iter__"):
            raise TypeError(f"expected a sequence of int lengths, got {type(lengths).__name__}")
        self.lengths = list(lengths)
        for i, n in enumerate(self.lengths):
            if isinstance(n, bool) or not hasattr(n, "__index__"):
                raise TypeError(f"expected int sequence lengths, got {type(n).__name__} at index {i}")
            if n < 0:
                raise ValueError(f"expected sequence lengths >= 0, got {n} at index {i}")
        self.batch_size, self.shuffle, self.generator, self.pool_factor = batch_size, shuffle, generator, pool_factor

    def __len__(self) -> int:
        return -(-len(self.lengths) // self.batch_size)

    def __iter__(self) -> Iterator[list[int]]:
        n, size = len(self.lengths), self.batch_size
        if not self.shuffle:
            order = sorted(range(n), key=lambda i: (self.lengths[i], i))
            yield from (order[k : k + size] for k in range(0, n, size))
            return
        order = torch.randperm(n, generator=self.generator).tolist()
        pool = size * self.pool_factor
        batches = []
        for start in range(0, n, pool):
            chunk = sorted(order[start : start + pool], key=lambda i: self.lengths[i])
            batches += [chunk[k : k + size] for k in range(0, len(chunk), size)]
        for b in torch.randperm(len(batches), generator=self.generator).tolist():
            yield batches[b]


def collate(batch: Sequence[tuple[torch.Tensor, torch.Tensor]], pad_index: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``[(ids, label), …]`` → ``(ids, lengths, labels)``, ids right-padded with ``pad_index``.

    Shapes: ids ``(batch, longest)`` int64, lengths ``(batch,)`` int64 (on the CPU, as packing needs),
    labels ``(batch,)`` float.
    """
    if len(batch) == 0:
        raise ValueError("expected at least one (ids, label) pair, got an empty batch")
    for n, item in enumerate(batch):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise TypeError(f"expected batch items (ids, label), got {type(item).__name__} at index {n}")
        if not isinstance(item[0], torch.Tensor):
            raise TypeError(f"expected ids as a 1-D integer tensor, got {type(item[0]).__name__} at index {n}")
        if item[0].dim() != 1 or item[0].is_floating_point():
            raise ValueError(
                f"expected ids as a 1-D integer tensor, got shape {tuple(item[0].shape)} "
                f"of {item[0].dtype} at index {n}"
            )
    sequences, labels = zip(*batch)
    lengths = torch.tensor([len(seq) for seq in sequences], dtype=torch.long)  # (batch,)
    if bool((lengths == 0).any()):
        raise ValueError(
            f"expected sequences of length >= 1, got an empty one at index {int(lengths.argmin())}; "
            "packing cannot handle it"
        )
    ids = pad_sequence(list(sequences), batch_first=True, padding_value=pad_index)  # (batch, longest)
    shapes = {tuple(torch.as_tensor(label).shape) for label in labels}
    if len(shapes) > 1:
        raise ValueError(f"expected labels of one shape, got shapes {sorted(shapes)} in one batch")
    return ids, lengths, torch.stack([torch.as_tensor(label) for label in labels])


def make_loader(
    ids: Sequence[Sequence[int]],
    labels: Sequence[int],
    *,
    batch_size: int,
    pad_index: int = 0,
    shuffle: bool = True,
    generator: torch.Generator | None = None,
) -> DataLoader:
    """A ``DataLoader`` of length-bucketed ``(ids, lengths, labels)`` batches."""
    dataset = SequenceDataset(ids, labels)
    sampler = BucketBatchSampler(dataset.lengths(), batch_size, shuffle=shuffle, generator=generator)
    return DataLoader(dataset, batch_sampler=sampler, collate_fn=lambda b: collate(b, pad_index))


def pack(embedded: torch.Tensor, lengths: torch.Tensor) -> PackedSequence:
    """Pack a padded batch ``(batch, seq, features)`` so that an LSTM reads only ``lengths[b]`` steps of row ``b``.

    ``lengths`` holds integers in ``1..seq`` (a tensor, or a list of ints).
    """
    if not isinstance(embedded, torch.Tensor):
        raise TypeError(f"expected embedded as a tensor, got {type(embedded).__name__}")
    try:
        lengths = torch.as_tensor(lengths)
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(f"expected lengths as a tensor or a list of ints, got {type(lengths).__name__}") from None
    if embedded.dim() != 3 or lengths.dim() != 1:
        raise ValueError(
            f"expected embedded (batch, seq, features) and lengths (batch,), got {tuple(embedded.shape)} and {tuple(lengths.shape)}"
        )
    batch, seq = embedded.shape[:2]
    if lengths.shape != (batch,):
        raise ValueError(f"expected lengths of shape (batch,) = ({batch},), got {tuple(lengths.shape)}")
    if batch == 0:
        raise ValueError(f"expected at least one sequence, got embedded of shape {tuple(embedded.shape)}")
    if lengths.is_floating_point() or lengths.is_complex() or lengths.dtype == torch.bool:
        raise ValueError(f"expected integer lengths, got {lengths.dtype}")
    bad = ((lengths < 1) | (lengths > seq)).nonzero()
    if len(bad):
        row = int(bad[0])
        raise ValueError(f"expected lengths in 1..{seq} (the padded length), got {int(lengths[row])} at row {row}")
    return pack_padded_sequence(embedded, lengths.cpu(), batch_first=True, enforce_sorted=False)


def padding_share(lengths: Sequence[int], batches: Sequence[Sequence[int]]) -> float:
    """Share of padded positions when each batch of indices is padded to its longest sequence.

    ``share = Σ_batches (|B|·max_{i∈B} len_i − Σ_{i∈B} len_i) / Σ_batches |B|·max_{i∈B} len_i``
    """
    for position, b in enumerate(batches):
        if len(b) == 0:
            raise ValueError(f"expected non-empty batches, got an empty batch at position {position}")
        for i in b:
            if not 0 <= i < len(lengths):
                raise IndexError(f"expected indices in 0..{len(lengths) - 1}, got {i} in batch {position}")
    total = sum(len(b) * max(lengths[i] for i in b) for b in batches)
    real = sum(lengths[i] for b in batches for i in b)
    return (total - real) / total if total else 0.0
