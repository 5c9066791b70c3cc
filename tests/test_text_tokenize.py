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
