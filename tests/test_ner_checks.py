"""The NER chapter's exercise checks accept right answers and explain wrong ones."""

import pytest

from lstm_utils.checks import CheckFailed
from lstm_utils.ner.checks import check_all_o_baseline, check_iob_spans


def _spans(tags):
    spans, start = [], None
    for i, tag in enumerate([*tags, "O"]):
        if start is not None and not tag.startswith("I-"):
            spans.append((tags[start][2:], start, i - 1))
            start = None
        if tag.startswith("B-"):
            start = i
    return spans


def test_iob_spans_check_accepts_a_right_answer_and_names_the_failing_case(capsys):
    check_iob_spans(_spans)
    assert "✓" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match=r"for tags \['B-per', 'I-per', 'O', 'B-geo'\]: expected .*inclusive"):
        check_iob_spans(lambda tags: [(t, s, e + 1) for t, s, e in _spans(tags)])


def test_all_o_check():
    true = [["O", "B-geo", "O", "O"], ["O", "O"]]
    check_all_o_baseline(5 / 6, 0.0, true)
    with pytest.raises(CheckFailed, match=r"expected 0.8333 \(share of O tokens\), got 1.0000"):
        check_all_o_baseline(1.0, 0.0, true)
    with pytest.raises(CheckFailed, match="entity F1 of the all-O tagger"):
        check_all_o_baseline(5 / 6, 0.5, true)
