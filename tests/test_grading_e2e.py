"""A course end to end: nbgrader and otter-grader grade three submissions per chapter.

Runs on the chapters of :data:`grading_course.WRONG` (``$LSTM_GRADING_CHAPTERS`` narrows them) from
the grading venv that ``make test`` builds (``make grading-venv``); skipped without it, except in CI.
"""

from __future__ import annotations

import os

import pytest

from grading_course import GRADING_BIN, TIMINGS, WRONG, expected_scores, nbgrader_scores, otter_question_scores, otter_scores

CHAPTERS = [c for c in WRONG if c in os.environ.get("LSTM_GRADING_CHAPTERS", " ".join(WRONG)).split()]

if not (GRADING_BIN / "nbgrader").exists() and not os.environ.get("CI"):
    pytest.skip(f"no grading venv at {GRADING_BIN.parent} (make grading-venv)", allow_module_level=True)


@pytest.fixture(scope="module")
def nbgrader_results(tmp_path_factory):
    return nbgrader_scores(tmp_path_factory.mktemp("course"), CHAPTERS)


@pytest.fixture(scope="module")
def otter_results(tmp_path_factory):
    return otter_scores(tmp_path_factory.mktemp("otter"), CHAPTERS)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_nbgrader_gives_full_zero_and_partial_scores(chapter, nbgrader_results):
    expected = {student: sum(parts.values()) for student, parts in expected_scores(chapter).items()}
    assert nbgrader_results[chapter] == expected
    assert expected["reference"] > expected["wrong"] > expected["empty"] == 0


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_otter_scores_each_question_as_nbgrader_does(chapter, otter_results):
    for student, parts in expected_scores(chapter).items():
        assert otter_question_scores(otter_results[chapter][student]) == parts, student


@pytest.fixture(scope="module", autouse=True)
def _report_timings():
    """With ``-s``: how long each tool's step took (wall and CPU seconds)."""
    yield
    for command, wall, cpu in TIMINGS:
        print(f"{command:45s} {wall:6.1f} s wall {cpu:6.1f} s CPU")
