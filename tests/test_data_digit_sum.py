import numpy as np
import pytest
import torch

from lstm_utils.memory import (
    EXAMPLE,
    LENGTHS,
    NUM_CLASSES,
    digit_sum_label,
    generate_split,
    load_split,
    load_splits,
    majority_class,
    make_splits,
    save_split,
    save_splits,
)


@pytest.mark.parametrize("length", LENGTHS)
def test_splits_have_300_100_100_sequences_of_length_L(length):
    splits = make_splits(length, seed=0)
    assert {name: split.sequences.shape for name, split in splits.items()} == {
        "train": (300, length),
        "dev": (100, length),
        "test": (100, length),
    }
    for split in splits.values():
        assert split.sequences.dtype == np.int64 and split.labels.shape == (len(split),)
        assert split.sequences.min() >= 0 and split.sequences.max() <= 9


@pytest.mark.parametrize("length", [3, 10, 35])
def test_label_is_the_sum_of_the_first_two_digits_in_0_to_18(length):
    for split in make_splits(length, seed=1).values():
        np.testing.assert_array_equal(split.labels, split.sequences[:, 0] + split.sequences[:, 1])
        assert split.labels.min() == 0 and split.labels.max() == NUM_CLASSES - 1


@pytest.mark.parametrize("length", [3, 10, 35])
def test_exactly_one_noise_position_in_2_to_L_the_rest_zero(length):
    for split in make_splits(length, seed=2).values():
        rows = np.arange(len(split))
        assert ((split.noise_positions >= 2) & (split.noise_positions < length)).all()
        assert ((split.noise_values >= 0) & (split.noise_values <= 9)).all()
        np.testing.assert_array_equal(split.sequences[rows, split.noise_positions], split.noise_values)
        tail = split.sequences.copy()
        tail[rows, split.noise_positions] = 0
        assert (tail[:, 2:] == 0).all()  # nothing but the noise after the pair


def test_noise_positions_and_values_cover_their_ranges():
    train = make_splits(10, seed=0)["train"]
    assert set(train.noise_positions.tolist()) == set(range(2, 10))
    assert set(train.noise_values.tolist()) == set(range(10))
    assert (train.noise_values == 0).any()  # the noise may itself be 0


def test_each_pair_three_times_in_train_once_in_dev_and_test():
    splits = make_splits(15, seed=0)
    for name, copies in (("train", 3), ("dev", 1), ("test", 1)):
        pairs = splits[name].sequences[:, 0] * 10 + splits[name].sequences[:, 1]
        np.testing.assert_array_equal(np.bincount(pairs, minlength=100), np.full(100, copies))


def test_same_seed_same_data_other_seed_or_length_other_noise():
    a, b, c = make_splits(20, seed=5), make_splits(20, seed=5), make_splits(20, seed=6)
    for name in a:
        np.testing.assert_array_equal(a[name].sequences, b[name].sequences)
    assert not np.array_equal(a["train"].sequences, c["train"].sequences)
    assert not np.array_equal(a["dev"].noise_positions, a["test"].noise_positions)  # independent noise


def test_worked_example_is_a_sequence_of_the_task():
    sequence, label = EXAMPLE
    assert len(sequence) == 10 and digit_sum_label(sequence) == label == 13
    # the generator makes exactly this kind of sequence: pair (6, 7), one noise digit after it
    split = generate_split(10, copies=1, rng=np.random.default_rng(0))
    row = 10 * 6 + 7
    assert split.sequences[row, :2].tolist() == [6, 7] and split.labels[row] == 13
    assert np.count_nonzero(np.asarray(sequence)[2:]) <= 1 and np.count_nonzero(split.sequences[row, 2:]) <= 1


def test_to_dataset_gives_long_tensors():
    x, y = make_splits(10)["dev"].to_dataset()[:]
    assert x.shape == (100, 10) and y.shape == (100,) and x.dtype == y.dtype == torch.int64


def test_majority_class_of_the_balanced_pairs_is_9():
    # 10 of the 100 pairs sum to 9, more than any other sum; the baseline gets 10% right
    labels = make_splits(10)["test"].labels
    assert majority_class(labels) == 9
    assert (labels == 9).mean() == pytest.approx(0.1)


def test_save_and_load_round_trip_in_the_original_text_format(tmp_path):
    splits = make_splits(10, seed=3)
    save_splits(splits, tmp_path / "10")
    first = (tmp_path / "10" / "train.txt").read_text().splitlines()[0]
    assert first == " ".join(map(str, splits["train"].sequences[0])) + "\t" + str(splits["train"].labels[0])
    loaded = load_splits(tmp_path / "10")
    for name in splits:
        np.testing.assert_array_equal(loaded[name].sequences, splits[name].sequences)
        np.testing.assert_array_equal(loaded[name].labels, splits[name].labels)


def test_load_reads_the_worked_example_and_rejects_a_wrong_label(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("6 7 0 0 1 0 0 0 0 0\t13\n")
    split = load_split(good)
    assert split.sequences.tolist() == [EXAMPLE[0]] and split.labels.tolist() == [13]
    bad = tmp_path / "bad.txt"
    bad.write_text("6 7 0 0 1 0 0 0 0 0\t14\n")
    with pytest.raises(ValueError, match=r"expected label 13 \(n1 \+ n2\), got 14"):
        load_split(bad)
    with pytest.raises(ValueError, match="expected 'digits<TAB>label'"):
        (tmp_path / "x.txt").write_text("6 7 0 13\n")
        load_split(tmp_path / "x.txt")


def test_bad_arguments_name_expected_and_given():
    with pytest.raises(ValueError, match="expected a sequence length L >= 3.*got 2"):
        make_splits(2)
    with pytest.raises(ValueError, match="expected a non-negative int seed, got -1"):
        make_splits(10, seed=-1)
    with pytest.raises(ValueError, match=r"expected digits in 0..9, got values 0..12"):
        digit_sum_label([12, 0, 0])


def test_save_split_writes_one_line_per_example(tmp_path):
    split = make_splits(12)["dev"]
    path = save_split(split, tmp_path / "dev.txt")
    lines = path.read_text().splitlines()
    assert len(lines) == 100 and all(len(line.split("\t")[0].split()) == 12 for line in lines)
