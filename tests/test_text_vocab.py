"""Vocab: bad input is refused with what was expected and what was given."""

import pytest
import torch

from lstm_utils.text.vocab import Vocab


def test_build_refuses_a_string_instead_of_token_lists():
    with pytest.raises(TypeError, match="expected an iterable of token lists, got a str"):
        Vocab.build("a string")
    with pytest.raises(TypeError, match=r"expected a list of tokens at index 1, got a str \('bad film'\)"):
        Vocab.build([["good"], "bad film"])


def test_build_refuses_negative_or_non_integer_max_size():
    with pytest.raises(ValueError, match="expected max_size >= 0 or None, got -1"):
        Vocab.build([["a", "b"]], max_size=-1)
    with pytest.raises(TypeError, match="expected an int max_size or None, got float"):
        Vocab.build([["a", "b"]], max_size=2.5)
    with pytest.raises(TypeError, match="expected an int min_freq, got str"):
        Vocab.build([["a", "b"]], min_freq="2")
    with pytest.raises(TypeError, match="expected an iterable of token lists, got NoneType"):
        Vocab.build(None)


def test_constructor_refuses_strings_for_tokens_or_specials():
    with pytest.raises(TypeError, match="expected a sequence of tokens, got a str"):
        Vocab("abc")
    with pytest.raises(TypeError, match="expected a sequence of special tokens, got a str"):
        Vocab(["a"], specials="<pad>")


def test_encode_refuses_a_string_and_decode_refuses_ids_out_of_range():
    vocab = Vocab(["good", "film"])
    with pytest.raises(TypeError, match="expected a list of tokens, got a str"):
        vocab.encode("good film")
    with pytest.raises(TypeError, match=r"expected tokens as str, got list at position 0"):
        vocab.encode([["good"]])
    with pytest.raises(IndexError, match=r"expected ids in 0\.\.3, got -1 at position 1"):
        vocab.decode([2, -1])  # a negative id used to wrap round to the last token
    with pytest.raises(IndexError, match=r"expected ids in 0\.\.3, got 4 at position 0"):
        vocab.decode([4])
    with pytest.raises(TypeError, match=r"expected integer ids, got float \(2\.7\) at position 0"):
        vocab.decode([2.7])
    assert vocab.decode(torch.tensor([2, 3])) == ["good", "film"]


def test_constructor_refuses_none():
    with pytest.raises(TypeError, match="expected a sequence of tokens, got NoneType"):
        Vocab(None)
