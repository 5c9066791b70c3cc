import pytest

from lstm_utils.text.tokenize import tokenize


def test_lower_cases_and_splits_punctuation():
    assert tokenize("A GREAT film, really!") == ["a", "great", "film", ",", "really", "!"]


def test_html_line_breaks_become_spaces_in_every_spelling():
    assert tokenize("Good.<br /><br />Bad<BR>worse<br/>end") == ["good", ".", "bad", "worse", "end"]


def test_negation_and_clitics_are_split_like_glove():
    assert tokenize("It isn't bad, I can't say it's dull") == [
        "it", "is", "n't", "bad", ",", "i", "ca", "n't", "say", "it", "'s", "dull"]
    assert tokenize("didn\u2019t") == ["did", "n't"]


def test_hyphenated_words_stay_whole_and_each_punctuation_mark_is_a_token():
    assert tokenize("well-made 7/10!!!") == ["well-made", "7", "/", "10", "!", "!", "!"]


def test_empty_and_blank_text_give_no_tokens():
    assert tokenize("") == [] and tokenize(" <br /> ") == []


def test_non_string_is_refused_with_its_type():
    with pytest.raises(TypeError, match="expected a str to tokenize, got float"):
        tokenize(float("nan"))


def test_control_and_zero_width_characters_are_dropped_not_kept_as_tokens():
    text = "good\u200b film\u200c\u200d \ufeffreally\u2060 bad\x00 end\x07!\x1b"
    assert tokenize(text) == ["good", "film", "really", "bad", "end", "!"]
    assert tokenize("wo\u200brd") == ["word"]  # a format character inside a word: the word stays whole
    assert tokenize("1950\x961960 good\x97bad") == ["1950", "1960", "good", "bad"]  # a control separates
    assert tokenize("tab\tnew\nline\r") == ["tab", "new", "line"]  # whitespace controls still separate


def test_bytes_are_refused_with_a_hint_to_decode():
    with pytest.raises(TypeError, match=r"expected a str to tokenize, got bytes \(decode it first"):
        tokenize(b"good film")
