"""Tests of lstm_utils.memory: the digit-sum task, the experiment, its plots and checks."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from lstm_utils.checks.core import CheckFailed
from lstm_utils.memory import (
    EXAMPLE, LENGTHS, NUM_CLASSES, baseline_rows, build_classifier, check_majority_baseline,
    check_mean_forget_gate, digit_sum_label, generate_split, load_split, load_splits, majority_class,
    make_splits, plot_gate_heatmaps, plot_metric_vs, results_frame, save_split, save_splits, trace_panel,
    train_digit_sum,
)

matplotlib.use("Agg")


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


@pytest.mark.parametrize("lines, message", [
    ("6 7 0 0\t13\n6 x 0 0\t6\n", r"bad.txt:2: expected whole numbers \(digits, then the label\), got '6 x 0 0\\t6'"),
    ("6 7 0 0\tthirteen\n", r"bad.txt:1: expected whole numbers .* got '6 7 0 0\\tthirteen'"),
    ("6 7 0 0\t13\n6 17 0 0\t23\n", r"bad.txt:2: expected digits in 0..9, got values 0..17"),
    ("6 7\t13\n", r"bad.txt:1: expected one sequence of at least 3 digits"),
    ("6 7 0 0\t13\n6 7 0\t13\n", r"bad.txt:2: expected 4 digits, got 3"),
    ("", r"bad.txt: expected at least one example, got an empty file"),
])
def test_load_split_names_the_bad_line(tmp_path, lines, message):
    (tmp_path / "bad.txt").write_text(lines)
    with pytest.raises(ValueError, match=message):
        load_split(tmp_path / "bad.txt")


def test_load_splits_names_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"expected a digit-sum split file .* got no file at .*train.txt"):
        load_splits(tmp_path)


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


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models train fastest on one thread; two threads on a busy 2-core machine are many times slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_build_classifier_maps_digit_sequences_to_19_logits():
    model = build_classifier(nn.LSTM, hidden_size=16, embedding_dim=8)
    assert model(torch.zeros(4, 12, dtype=torch.long)).shape == (4, 19)
    assert model.embedding.num_embeddings == 10 and model.rnn.hidden_size == 16


def test_training_is_repeatable_and_reports_dev_and_test_accuracy():
    splits = make_splits(5, seed=0)
    a = train_digit_sum("LSTM", nn.LSTM, splits, epochs=2, hidden_size=8, embedding_dim=4, progress=False)
    b = train_digit_sum("LSTM", nn.LSTM, splits, epochs=2, hidden_size=8, embedding_dim=4, progress=False)
    assert a.history["train_loss"] == b.history["train_loss"]
    assert a.test_accuracy == b.test_accuracy and 0 <= a.test_accuracy <= 1
    assert a.history.best_epoch in (1, 2)
    assert a.dev_accuracy == a.history.best["dev_accuracy"]  # the best-on-dev weights were restored


def test_the_lstm_learns_the_task_at_a_short_length():
    # on L=3 the pair is one step away: a few epochs take the LSTM far above the 10 % baseline
    splits = make_splits(3, seed=0)
    result = train_digit_sum("LSTM", nn.LSTM, splits, epochs=20, progress=False)
    assert result.test_accuracy > 0.25


def test_baseline_is_the_majority_class_accuracy():
    frame = baseline_rows({10: make_splits(10), 20: make_splits(20)})
    assert frame["L"].tolist() == [10, 20]
    np.testing.assert_allclose(frame["test accuracy"], [0.1, 0.1])


def test_results_frame_has_one_row_per_run():
    splits = make_splits(4)
    runs = [train_digit_sum(kind, layer, splits, epochs=1, hidden_size=4, embedding_dim=4, progress=False)
            for kind, layer in (("SRN", nn.RNN), ("LSTM", nn.LSTM))]
    frame = results_frame(runs)
    assert frame["model"].tolist() == ["SRN", "LSTM"] and (frame["L"] == 4).all()
    assert {"dev accuracy", "test accuracy", "best epoch"} <= set(frame.columns)


def test_missing_split_is_named():
    splits = make_splits(4)
    del splits["dev"]
    with pytest.raises(ValueError, match=r"expected splits train, dev and test, got \['test', 'train'\]"):
        train_digit_sum("SRN", nn.RNN, splits, epochs=1, progress=False)


def fake_trace(seq=5, batch=2, hidden=3):
    torch.manual_seed(0)
    return {key: torch.rand(seq, batch, hidden) for key in "ifgoch"}


def test_trace_panel_puts_units_on_rows_and_time_on_columns():
    trace = fake_trace()
    panel = trace_panel(trace, "f", batch_index=1)
    assert panel.shape == (3, 5)
    np.testing.assert_array_equal(panel[:, 2], trace["f"][2, 1].numpy())


def test_heatmaps_label_time_with_the_input_digits():
    fig = plot_gate_heatmaps(fake_trace(), [6, 7, 0, 1, 0], keys=("i", "c"))
    axes = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in axes] == ["input gate $i_t$", "cell state $c_t$"]
    assert [t.get_text() for t in axes[0].get_xticklabels()] == ["6", "7", "0", "1", "0"]
    assert "input digit" in axes[0].get_xlabel() and axes[0].get_ylabel() == "hidden unit"
    plt.close(fig)


def test_heatmaps_reject_wrong_token_count_and_unknown_keys():
    with pytest.raises(ValueError, match="expected 5 tokens .*got 3"):
        plot_gate_heatmaps(fake_trace(), [1, 2, 3])
    with pytest.raises(KeyError, match="got 'z'"):
        trace_panel(fake_trace(), "z")


def test_metric_vs_draws_dev_and_test_per_model_and_the_baseline():
    frame = pd.DataFrame({"model": ["SRN", "SRN", "LSTM", "LSTM"], "L": [10, 20, 10, 20],
                          "dev accuracy": [0.5, 0.2, 0.9, 0.8], "test accuracy": [0.4, 0.1, 0.9, 0.7]})
    base = pd.DataFrame({"model": ["majority"] * 2, "L": [10, 20], "dev accuracy": [0.1, 0.1], "test accuracy": [0.1, 0.1]})
    ax = plot_metric_vs(frame, "L", baseline=base, title="t", xlabel="length")
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["SRN, dev", "SRN, test", "LSTM, dev", "LSTM, test", "majority, test"]
    assert ax.get_lines()[1].get_ydata().tolist() == [0.4, 0.1]
    plt.close(ax.figure)


def test_metric_vs_names_missing_columns():
    with pytest.raises(KeyError, match="expected columns \\['dev accuracy'\\]"):
        plot_metric_vs(pd.DataFrame({"model": [], "L": [], "test accuracy": []}), "L")


def right_baseline(train, test):
    return float((np.asarray(test) == np.bincount(train).argmax()).mean())


def test_majority_baseline_check_accepts_the_right_answer(capsys):
    check_majority_baseline(right_baseline)
    assert "✓" in capsys.readouterr().out


def test_majority_baseline_check_explains_a_guess_from_the_test_labels():
    def from_test(train, test):
        return float((np.asarray(test) == np.bincount(test).argmax()).mean())

    with pytest.raises(CheckFailed, match="expected accuracy 0.25, got 0.75 \\(the guess comes from the training labels\\)"):
        check_majority_baseline(from_test)


def test_majority_baseline_check_wants_a_number():
    with pytest.raises(CheckFailed, match="expected a number .*got ndarray"):
        check_majority_baseline(lambda train, test: np.asarray(test) == 3)


def test_mean_forget_gate_check():
    trace = {"f": torch.rand(6, 2, 4)}
    check_mean_forget_gate(trace["f"][:, 0].mean(-1), trace)
    with pytest.raises(CheckFailed, match=r"expected one number per time step, shape \(6,\), got \(6, 4\)"):
        check_mean_forget_gate(trace["f"].mean(1), trace)
    with pytest.raises(CheckFailed, match="differs from the reference"):
        check_mean_forget_gate(trace["f"][:, 1].mean(-1), trace)


@pytest.mark.parametrize("labels", [[], [1.5, 2.0], [-1, 2], [[1, 2]]])
def test_majority_class_names_labels_that_are_not_class_ids(labels):
    with pytest.raises(ValueError, match=r"expected a non-empty 1-D array of labels >= 0 \(ints\), got shape"):
        majority_class(labels)


def test_digits_copies_splits_and_batch_index_are_checked():
    with pytest.raises(ValueError, match=r"expected integer digits, got dtype float64"):
        digit_sum_label([1.5, 2, 0])
    with pytest.raises(TypeError, match=r"expected an int copies, got float 1.5"):
        generate_split(10, 1.5, np.random.default_rng(0))
    with pytest.raises(TypeError, match=r"expected each split to be a DigitSumSplit .* got \{'train': 'int'"):
        train_digit_sum("x", nn.LSTM, {"train": 1, "dev": 2, "test": 3}, epochs=1, progress=False)
    with pytest.raises(ValueError, match=r"expected splits train, dev and test for L=5, got \['train'\]"):
        baseline_rows({5: {"train": make_splits(5)["train"]}})
    with pytest.raises(ValueError, match=r"expected batch_index in \[0, 3\) \(the batch of trace\['i'\]\), got 5"):
        trace_panel({"i": torch.zeros(2, 3, 4)}, "i", batch_index=5)
    with pytest.raises(KeyError, match=r"expected one of \[\] in the trace, got 'f'"):
        check_mean_forget_gate(0.5, {})


def test_saving_checks_every_split_before_writing_anything(tmp_path):
    splits = make_splits(5)
    with pytest.raises(TypeError, match=r"expected each split to be a DigitSumSplit .* got \{'test': 'list'\}"):
        save_splits({**splits, "test": [1, 2]}, tmp_path / "5")
    assert not (tmp_path / "5").exists()
    with pytest.raises(IsADirectoryError, match=r"expected a file path for the split, got the folder"):
        save_split(splits["dev"], tmp_path)


def test_shuffled_batches_give_every_training_sequence_once_per_epoch_in_a_seeded_order():
    from lstm_utils.memory import ShuffledBatches

    split = make_splits(6, seed=0)["train"]
    batches = ShuffledBatches(split, 8, torch.Generator().manual_seed(0))
    first, second = list(batches), list(batches)
    assert len(batches) == len(first) == 38 and [len(y) for _, y in first][-1] == 300 - 37 * 8
    x = torch.cat([x for x, _ in first])  # (300, 6)
    assert sorted(map(tuple, x.tolist())) == sorted(map(tuple, split.sequences.tolist()))
    assert not torch.equal(x, torch.cat([x for x, _ in second]))  # a new order each epoch
    again = list(ShuffledBatches(split, 8, torch.Generator().manual_seed(0)))
    assert all(torch.equal(a, b) for (a, _), (b, _) in zip(first, again))
    np.testing.assert_array_equal(torch.cat([y for _, y in first]).numpy(), x.numpy()[:, :2].sum(1))
