"""A course end to end: nbgrader and otter-grader grade three submissions per chapter.

Runs on :data:`grading_course.CI_CHAPTERS` (``$LSTM_GRADING_CHAPTERS``: other chapters, or ``all``)
from the grading venv that ``make test`` builds (``make grading-venv``); skipped without it, except in CI.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from grading_course import CI_CHAPTERS, GRADING_BIN, TIMINGS, WRONG, expected_scores, nbgrader_scores, otter_question_scores, otter_scores

CHOSEN = os.environ.get("LSTM_GRADING_CHAPTERS", " ".join(CI_CHAPTERS))
CHAPTERS = list(WRONG) if CHOSEN == "all" else CHOSEN.split()

if not (GRADING_BIN / "nbgrader").exists() and not os.environ.get("CI"):
    pytest.skip(f"no grading venv at {GRADING_BIN.parent} (make grading-venv)", allow_module_level=True)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Both tools side by side, each in its own temporary course folder: {tool: scores}."""
    with ThreadPoolExecutor(2) as pool:
        nbgrader = pool.submit(nbgrader_scores, tmp_path_factory.mktemp("course"), CHAPTERS)
        otter = pool.submit(otter_scores, tmp_path_factory.mktemp("otter"), CHAPTERS)
        return {"nbgrader": nbgrader.result(), "otter": otter.result()}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_nbgrader_gives_full_zero_and_partial_scores(chapter, graded):
    expected = {student: sum(parts.values()) for student, parts in expected_scores(chapter).items()}
    assert graded["nbgrader"][chapter] == expected
    assert expected["reference"] > expected["wrong"] > expected["empty"] == 0


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_otter_scores_each_question_as_nbgrader_does(chapter, graded):
    for student, parts in expected_scores(chapter).items():
        assert otter_question_scores(graded["otter"][chapter][student]) == parts, student


@pytest.fixture(scope="module", autouse=True)
def _report_timings():
    """With ``-s``: how long each tool's step took (wall and CPU seconds)."""
    yield
    for command, wall, cpu in TIMINGS:
        print(f"{command:45s} {wall:6.1f} s wall {cpu:6.1f} s CPU")
