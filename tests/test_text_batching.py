import pytest
import torch
from torch import nn

from lstm_utils.reproducibility import seed_everything
from lstm_utils.text.batching import (BucketBatchSampler, collate, make_loader, numericalize, pack,
                                      padding_share)
from lstm_utils.text.vocab import Vocab


def test_vocab_has_pad_and_unk_and_honours_min_freq_and_max_size():
    vocab = Vocab.build([["a", "b", "a"], ["c", "a", "b"], ["d"]], min_freq=2, max_size=1)
    assert vocab.itos == ["<pad>", "<unk>", "a"]
    assert vocab.encode(["a", "b", "zzz"]) == [2, 1, 1]


def test_numericalize_maps_unknown_tokens_truncates_and_refuses_empty_sequences():
    vocab = Vocab(["good", "film"])
    assert numericalize([["good", "film", "zzz"]], vocab) == [[2, 3, 1]]
    assert numericalize([["good", "film", "zzz"]], vocab, max_length=2) == [[2, 3]]
    with pytest.raises(ValueError, match="empty sequence at index 1"):
        numericalize([["good"], []], vocab)


def test_collate_pads_with_pad_index_and_returns_lengths_and_float_labels():
    ids, lengths, labels = collate([(torch.tensor([5, 6, 7]), torch.tensor(1.0)), (torch.tensor([8]), torch.tensor(0.0))], pad_index=0)
    assert ids.tolist() == [[5, 6, 7], [8, 0, 0]]
    assert lengths.tolist() == [3, 1] and labels.dtype == torch.float and labels.tolist() == [1.0, 0.0]


def test_bucketing_covers_every_index_once_and_needs_less_padding_than_random_batches():
    lengths = [int(n) for n in torch.randint(1, 200, (1000,), generator=torch.Generator().manual_seed(0))]
    sampler = BucketBatchSampler(lengths, 20, generator=torch.Generator().manual_seed(1))
    batches = list(sampler)
    assert sorted(i for b in batches for i in b) == list(range(1000)) and len(batches) == len(sampler)
    random_batches = [list(range(k, k + 20)) for k in range(0, 1000, 20)]
    assert padding_share(lengths, batches) < 0.2 * padding_share(lengths, random_batches)


def test_bucketed_order_repeats_with_the_same_seed_and_changes_with_another():
    lengths = list(range(1, 101))
    runs = [list(BucketBatchSampler(lengths, 8, generator=torch.Generator().manual_seed(s))) for s in (3, 3, 4)]
    assert runs[0] == runs[1] and runs[0] != runs[2]


def test_unshuffled_batches_are_sorted_by_length():
    batches = list(BucketBatchSampler([3, 1, 2, 5], 2, shuffle=False))
    assert batches == [[1, 2], [0, 3]]


def test_padding_share_matches_hand_count():
    # batch [0, 1]: longest 4, 2 padded of 8; batch [2]: no padding
    assert padding_share([4, 2, 3], [[0, 1], [2]]) == pytest.approx(2 / 11)


def test_packed_lstm_final_states_ignore_padding():
    seed_everything(0)
    lstm = nn.LSTM(4, 3, num_layers=2, bidirectional=True, batch_first=True)
    x = torch.randn(3, 6, 4)  # (batch, seq, features)
    lengths = torch.tensor([6, 2, 4])
    padded = x.clone()
    for b, n in enumerate(lengths):
        padded[b, n:] = 1e3  # garbage where padding is: it must not matter
    _, (h_n, c_n) = lstm(pack(padded, lengths))
    for b, n in enumerate(lengths):
        _, (h_b, c_b) = lstm(x[b : b + 1, :n])
        torch.testing.assert_close(h_n[:, b], h_b[:, 0])
        torch.testing.assert_close(c_n[:, b], c_b[:, 0])


def test_pack_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match=r"expected embedded \(batch, seq, features\) and lengths \(batch,\), got \(2, 5\)"):
        pack(torch.zeros(2, 5), torch.tensor([5, 5]))


def test_loader_yields_ids_lengths_labels_and_every_review_once():
    ids = [[1] * n for n in (5, 1, 3, 2, 4)]
    loader = make_loader(ids, [0, 1, 0, 1, 0], batch_size=2, generator=torch.Generator().manual_seed(0))
    seen = 0
    for batch_ids, lengths, labels in loader:
        assert batch_ids.shape == (len(lengths), int(lengths.max())) and labels.shape == lengths.shape
        seen += len(lengths)
    assert seen == 5


def test_numericalize_refuses_strings_and_negative_max_length():
    vocab = Vocab(["good", "film"])
    with pytest.raises(TypeError, match="expected a list of token lists, got a str"):
        numericalize("good film", vocab)
    with pytest.raises(TypeError, match=r"expected a list of tokens at index 0, got a str \('good film'\)"):
        numericalize(["good film"], vocab)
    with pytest.raises(ValueError, match="expected max_length >= 1 or None, got -1"):
        numericalize([["good", "film"]], vocab, max_length=-1)


@pytest.mark.parametrize(
    "lengths, message",
    [
        (torch.tensor([9, 2]), r"expected lengths in 1\.\.4 \(the padded length\), got 9 at row 0"),
        (torch.tensor([4, 0]), r"expected lengths in 1\.\.4 \(the padded length\), got 0 at row 1"),
        (torch.tensor([4, -2]), r"expected lengths in 1\.\.4 \(the padded length\), got -2 at row 1"),
        (torch.tensor([3.7, 2.0]), r"expected integer lengths, got torch\.float32"),
        (torch.tensor([True, True]), r"expected integer lengths, got torch\.bool"),
        (torch.tensor([4, 2, 1]), r"expected lengths of shape \(batch,\) = \(2,\), got \(3,\)"),
    ],
)
def test_pack_refuses_bad_lengths(lengths, message):
    with pytest.raises(ValueError, match=message):
        pack(torch.zeros(2, 4, 3), lengths)


def test_pack_refuses_an_empty_batch_and_non_tensors():
    with pytest.raises(ValueError, match=r"expected at least one sequence, got embedded of shape \(0, 4, 3\)"):
        pack(torch.zeros(0, 4, 3), torch.zeros(0, dtype=torch.long))
    with pytest.raises(TypeError, match="expected embedded as a tensor, got list"):
        pack([[[0.0]]], torch.tensor([1]))
    packed = pack(torch.zeros(2, 4, 3), [4, 2])  # a list of ints is fine
    assert packed.batch_sizes.tolist() == [2, 2, 1, 1]


def test_collate_refuses_an_empty_batch_and_items_that_are_not_id_tensors():
    with pytest.raises(ValueError, match="expected at least one .ids, label. pair, got an empty batch"):
        collate([])
    with pytest.raises(TypeError, match=r"expected batch items \(ids, label\), got int at index 0"):
        collate([3])
    with pytest.raises(TypeError, match=r"expected ids as a 1-D integer tensor, got list at index 0"):
        collate([([1, 2], torch.tensor(1.0))])
    with pytest.raises(ValueError, match=r"expected ids as a 1-D integer tensor, got shape \(1, 2\) of torch\.int64 at index 0"):
        collate([(torch.tensor([[1, 2]]), torch.tensor(1.0))])


def test_sequence_dataset_refuses_fractional_ids():
    with pytest.raises(TypeError, match=r"expected integer ids, got float32 in sequence 1"):
        make_loader([[1, 2], [1.5, 2.0]], [0, 1], batch_size=2)


def test_bucket_sampler_refuses_bad_batch_size_and_pool_factor():
    with pytest.raises(ValueError, match="expected pool_factor >= 1, got 0"):
        BucketBatchSampler([1, 2, 3], 2, pool_factor=0)
    with pytest.raises(TypeError, match="expected an int batch_size, got float"):
        BucketBatchSampler([1, 2, 3], 2.5)
    with pytest.raises(ValueError, match=r"expected sequence lengths >= 0, got -1 at index 2"):
        BucketBatchSampler([1, 2, -1], 2)


def test_padding_share_refuses_empty_batches_and_unknown_indices():
    with pytest.raises(ValueError, match="expected non-empty batches, got an empty batch at position 1"):
        padding_share([1, 2], [[0], []])
    with pytest.raises(IndexError, match=r"expected indices in 0\.\.1, got 5 in batch 0"):
        padding_share([1, 2], [[0, 5]])


def test_numericalize_and_the_dataset_name_a_missing_vocab_empty_sequences_and_text_labels():
    with pytest.raises(TypeError, match="expected a Vocab, got NoneType"):
        numericalize([["good"]], None)
    with pytest.raises(ValueError, match="expected at least one id in every sequence, got an empty sequence at index 1"):
        make_loader([[1], []], [0, 1], batch_size=2)
    with pytest.raises(TypeError, match=r"expected numeric labels \(0 or 1\), got str"):
        make_loader([[1], [2]], ["pos", "neg"], batch_size=2)
    with pytest.raises(ValueError, match=r"expected sequences of length >= 1, got an empty one at index 1"):
        collate([(torch.tensor([1]), torch.tensor(1.0)), (torch.tensor([], dtype=torch.long), torch.tensor(0.0))])
    with pytest.raises(ValueError, match=r"expected labels of one shape, got shapes \[\(\), \(2,\)\]"):
        collate([(torch.tensor([1]), torch.tensor(1.0)), (torch.tensor([2]), torch.tensor([1.0, 0.0]))])


def test_pack_and_the_sampler_refuse_lengths_that_are_not_ints():
    with pytest.raises(TypeError, match="expected lengths as a tensor or a list of ints, got str"):
        pack(torch.zeros(2, 4, 3), "ab")
    with pytest.raises(TypeError, match="expected a sequence of int lengths, got NoneType"):
        BucketBatchSampler(None, 2)
    with pytest.raises(TypeError, match="expected int sequence lengths, got str at index 0"):
        BucketBatchSampler(["a"], 2)
