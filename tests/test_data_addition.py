import pytest
import torch

from lstm_utils.sequences_out import data as A


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
