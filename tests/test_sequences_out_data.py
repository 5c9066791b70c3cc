"""Tests of lstm_utils.sequences_out.data: addition problems and strings of digit images."""

import numpy as np
import pytest
import torch

from lstm_utils.data.mnist import load_sklearn_digits
from lstm_utils.sequences_out import data as A
from lstm_utils.sequences_out import data as D
from lstm_utils.sequences_out import data as addition


def test_vocab_has_pad_bos_eos_first_then_characters():
    vocab = A.make_vocab()
    assert vocab.itos[:3] == ["<pad>", "<bos>", "<eos>"]
    assert set("0123456789+") <= set(vocab.itos)
    assert len(vocab) == 14


def test_encode_decode_round_trip_and_decode_stops_at_eos():
    vocab = A.make_vocab()
    ids = A.encode("535+61", vocab)
    assert A.decode(ids, vocab) == "535+61"
    assert A.decode([vocab["<bos>"], *A.encode("596", vocab), vocab["<eos>"], vocab["7"]], vocab) == "596"


def test_problems_are_right_sums_and_seeded():
    problems = A.make_problems(500, max_digits=3, seed=4)
    assert len(problems) == 500 == len(set(problems.questions))
    for question, answer in zip(problems.questions, problems.answers):
        a, b = map(int, question.split("+"))
        assert int(answer) == a + b
    again = A.make_problems(500, max_digits=3, seed=4)
    assert again.questions == problems.questions
    assert A.make_problems(500, max_digits=3, seed=5).questions != problems.questions


def test_operand_lengths_follow_min_and_max_digits():
    short = A.make_problems(300, min_digits=1, max_digits=3, seed=0)
    long = A.make_problems(300, min_digits=4, max_digits=5, seed=0)
    assert {n for q in short.questions for n in A.operand_lengths(q)} == {1, 2, 3}
    assert {n for q in long.questions for n in A.operand_lengths(q)} == {4, 5}


def test_exclude_gives_a_held_out_set():
    train = A.make_problems(2000, min_digits=3, max_digits=3, seed=0)
    test = A.make_problems(500, min_digits=3, max_digits=3, seed=1, exclude=train.questions)
    assert not set(train.questions) & set(test.questions)


def test_teacher_forcing_tensors_are_shifted_by_one_and_padded():
    vocab = A.make_vocab()
    source, decoder_input, target = A.encode_batch(["535+61", "1+2"], ["596", "3"], vocab)
    assert source.shape == (2, 6) and decoder_input.shape == target.shape == (2, 4)
    pad, bos, eos = vocab["<pad>"], vocab["<bos>"], vocab["<eos>"]
    assert source[1].tolist() == [*A.encode("1+2", vocab), pad, pad, pad]
    assert decoder_input[0].tolist() == [bos, *A.encode("596", vocab)]
    assert target[0].tolist() == [*A.encode("596", vocab), eos]
    assert decoder_input[1].tolist() == [bos, vocab["3"], pad, pad]
    assert target[1].tolist() == [vocab["3"], eos, pad, pad]
    characters = (target[:, :-1] != pad) & (target[:, :-1] != eos)
    assert torch.equal(decoder_input[:, 1:][characters], target[:, :-1][characters])  # input = target shifted by one


@pytest.mark.parametrize("bad", ["", None])
def test_empty_string_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="expected a non-empty string"):
        A.encode(bad, A.make_vocab())


def test_character_outside_the_vocabulary_is_a_clear_error():
    with pytest.raises(ValueError, match=r"expected only the characters '0123456789\+', got \['-'\]"):
        A.encode("5-3", A.make_vocab())


def test_too_many_distinct_problems_is_a_clear_error():
    with pytest.raises(ValueError, match="expected n <= 100"):
        A.make_problems(101, min_digits=1, max_digits=1)


def _all_digits():
    """All 1,797 scikit-learn digits, ``(n, 8, 8)`` in [0, 1], as the chapter gets them (train part, then test)."""
    digits = load_sklearn_digits()
    images = np.concatenate([digits.train_images, digits.test_images]) / digits.max_value
    return images.astype(np.float32), np.concatenate([digits.train_labels, digits.test_labels])


def test_sklearn_digits_are_8x8_in_unit_range():
    images, labels = _all_digits()
    assert images.shape == (1797, 8, 8) and labels.shape == (1797,)
    assert images.min() >= 0 and images.max() <= 1


def test_labels_match_the_digit_images_placed_in_the_composite():
    images, labels = _all_digits()
    strings = D.compose(images, labels, 200, min_digits=1, max_digits=5, seed=3)
    assert strings.images.shape == (200, 8, 40)
    lookup = {images[i].tobytes(): labels[i] for i in range(len(labels))}  # the image bytes identify a digit
    for composite, text in zip(strings.images, strings.texts):
        assert 1 <= len(text) <= 5
        for j, character in enumerate(text):
            block = np.ascontiguousarray(composite[:, 8 * j : 8 * (j + 1)])
            assert str(lookup[block.tobytes()]) == character
        assert not composite[:, 8 * len(text) :].any()  # blank after the last digit


def test_mnist_composites_from_an_array_passed_in():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(30, 28, 28), dtype=np.uint8)
    labels = np.arange(30) % 10
    strings = D.compose_mnist(images, labels, 10, max_digits=3, seed=0)
    assert strings.images.shape == (10, 28, 84) and strings.images.max() <= 1.0
    first = strings.texts[0]
    index = [i for i in range(30) if np.allclose(images[i] / 255.0, strings.images[0][:, :28])]
    assert index and str(labels[index[0]]) == first[0]


def test_mnist_with_images_of_the_wrong_size_is_a_clear_error():
    images, labels = _all_digits()
    with pytest.raises(ValueError, match="expected digit images of size 28x28, got 8x8"):
        D.compose_mnist(images, labels, 5)


def test_wrong_rank_and_mismatched_labels_are_clear_errors():
    with pytest.raises(ValueError, match=r"expected digit images of shape \(n, height, width\), got shape \(5, 64\)"):
        D.compose(np.zeros((5, 64)), np.zeros(5, dtype=int), 3)
    with pytest.raises(ValueError, match=r"expected labels of shape \(5,\)"):
        D.compose(np.zeros((5, 8, 8)), np.zeros(4, dtype=int), 3)


def test_split_is_disjoint_and_composites_are_seeded():
    images, labels = _all_digits()
    digits = load_sklearn_digits()
    train_x, test_x = digits.train_images, digits.test_images
    assert len(train_x) + len(test_x) == 1797
    train_bytes = {x.tobytes() for x in train_x}
    assert sum(x.tobytes() in train_bytes for x in test_x) <= 2  # load_digits holds a few exact duplicates
    a = D.compose(images, labels, 20, seed=1)
    b = D.compose(images, labels, 20, seed=1)
    assert a.texts == b.texts and np.array_equal(a.images, b.images)


def test_dataset_targets_encode_the_texts():
    images, labels = _all_digits()
    strings = D.compose(images, labels, 4, seed=0)
    vocab = addition.make_vocab()
    x, decoder_input, target = D.to_dataset(strings, vocab).tensors
    assert x.shape == (4, 8, 40)
    assert [addition.decode(row, vocab) for row in target.tolist()] == strings.texts


def test_real_mnist_composites_match_their_labels(shared_data):
    from lstm_utils.data.mnist import read_mnist_split

    images, labels = read_mnist_split(shared_data / "MNIST" / "raw", "test")
    strings = D.compose_mnist(images[:500], labels[:500], 50, min_digits=1, max_digits=5, seed=0)
    assert strings.images.shape == (50, 28, 140) and strings.images.max() <= 1.0
    lookup = {(images[i].astype(np.float32) / 255.0).tobytes(): labels[i] for i in range(500)}
    for composite, text in zip(strings.images, strings.texts):
        for j, character in enumerate(text):
            block = np.ascontiguousarray(composite[:, 28 * j : 28 * (j + 1)])
            assert str(lookup[block.tobytes()]) == character


def test_a_bare_str_is_not_a_list_of_questions_or_answers():
    vocab = A.make_vocab()
    with pytest.raises(ValueError, match=r"expected a non-empty list of questions, got '1\+2'"):
        A.encode_sources("1+2", vocab)
    with pytest.raises(ValueError, match=r"expected a non-empty list of answers, got \[\]"):
        A.encode_targets([], vocab)


def test_addition_problems_concatenate_and_refuse_repeated_questions():
    mixed = A.make_problems(50, seed=0)
    three = A.make_problems(20, min_digits=3, max_digits=3, seed=5, exclude=mixed.questions)
    both = mixed + three
    assert len(both) == 70 and both.questions[50:] == three.questions and both.answers[:50] == mixed.answers
    assert {A.operand_lengths(q) for q in three.questions} == {(3, 3)}
    with pytest.raises(ValueError, match="disjoint"):
        mixed + mixed


def test_fresh_composites_new_each_read_and_reproducible():
    rng = np.random.default_rng(0)
    images, labels = rng.random((50, 28, 28)), np.arange(50) % 10
    vocab = D.make_vocab()
    ds = D.FreshComposites(images, labels, 20, vocab, max_digits=4, seed=1)
    first = [ds[i] for i in range(20)]
    second = [ds[i] for i in range(20)]
    assert len(ds) == 20
    image, decoder_input, target = first[0]
    assert image.shape == (28, 4 * 28) and decoder_input.shape == target.shape == (5,)
    assert decoder_input[0] == vocab[D.BOS]
    assert any(not torch.equal(a[0], b[0]) for a, b in zip(first, second))
    again = D.FreshComposites(images, labels, 20, vocab, max_digits=4, seed=1)
    assert all(torch.equal(again[i][0], first[i][0]) for i in range(20))
    with pytest.raises(ValueError):
        D.FreshComposites(images, labels, 0, vocab)
