"""Assignments: one marker rule, safe writing, student versions that fail exactly at the exercises,
the chapters' exercises in step with their grading modules, and the nbgrader and otter exports."""

from __future__ import annotations

import ast
import os

import nbformat
import pytest
import torch
from nbclient import NotebookClient

from lstm_utils.assignments import STUB, is_solution_cell, strip_solutions, student_notebook
from lstm_utils.assignments.__main__ import main
from lstm_utils.assignments.exercises import cell_ast, chapter_exercises, exercises_for
from lstm_utils.assignments.markers import replace_blocks, solution_blocks
from lstm_utils.assignments.student import has_solutions
from lstm_utils.assignments.to_nbgrader import nbgrader_notebook
from lstm_utils.assignments.to_otter import otter_notebook
from grading_course import REPO, WRONG
from notebook_files import NOTEBOOKS

TEACHER = """def gru_cell(x, h):
    ### BEGIN SOLUTION
    return x + h
    ### END SOLUTION

answer = 42"""


def test_strip_solutions_keeps_indentation_and_the_rest():
    assert strip_solutions(TEACHER) == f"def gru_cell(x, h):\n    {STUB}\n\nanswer = 42"


@pytest.mark.parametrize(
    "source,problem",
    [("### BEGIN SOLUTION\nx = 1", "without ### END"), ("x = 1\n### END SOLUTION", "without ### BEGIN"),
     ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another")],
)
def test_unbalanced_markers_are_reported(source, problem):
    with pytest.raises(ValueError, match=problem):
        strip_solutions(source, where="nb, cell 3")


def test_command_writes_student_versions(tmp_path, capsys):
    assert main([str(NOTEBOOKS[0].parent), str(tmp_path)]) == 0
    written = sorted(tmp_path.glob("*.ipynb"))
    assert written and "wrote" in capsys.readouterr().out
    for path in written:
        nb = nbformat.read(path, as_version=4)
        assert not any("### BEGIN SOLUTION" in cell.source for cell in nb.cells)
        assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code")


def _errors_by_cell(nb: nbformat.NotebookNode, cwd) -> dict[int, str]:
    client = NotebookClient(nb, timeout=900, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return {i: output["ename"] for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for output in cell.outputs if output.get("output_type") == "error"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_student_version_fails_exactly_at_the_exercises(path, monkeypatch):
    monkeypatch.setenv("LSTM_BOOK_PROFILE", "ci")
    teacher = nbformat.read(path, as_version=4)
    student = student_notebook(teacher, path.name)
    code = [i for i, cell in enumerate(student.cells) if cell.cell_type == "code"]
    solutions = [i for i in code if is_solution_cell(teacher.cells[i])]
    checks = [code[code.index(i) + 1] for i in solutions if code.index(i) + 1 < len(code)]
    errors = _errors_by_cell(student, path.parent)
    unexpected = {i: e for i, e in errors.items() if i not in solutions + checks}
    assert not unexpected, f"the student version fails outside the exercises: {unexpected}"
    assert set(errors.values()) <= {"NotImplementedError", "CheckFailed", "NameError"}, errors
    for solution, check in zip(solutions, checks):
        assert solution in errors or check in errors, f"exercise in cell {solution} does not fail in the student version"


# --- one rule for finding and stripping solutions (issue 22, item 2) -----------------------------


def test_trailing_hashes_are_a_marker_and_are_stripped():
    source = "def f():\n    ### BEGIN SOLUTION ###\n    return 42\n    ### END SOLUTION ###"
    assert strip_solutions(source) == f"def f():\n    {STUB}"
    assert "42" not in strip_solutions(source)


@pytest.mark.parametrize("line", ["### Begin Solution", "# begin solution", "x = 1  ### BEGIN SOLUTION"])
def test_a_marker_in_another_case_or_after_code_is_refused(line):
    with pytest.raises(ValueError, match=r"nb, cell 3, line 1: expected a marker line"):
        strip_solutions(f"{line}\nx = 2\n### END SOLUTION", where="nb, cell 3")


@pytest.mark.parametrize("source", ["### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "### Begin Solution\nx",
                                    "y = 0\n### BEGIN SOLUTION ###\nx = 1\n### END SOLUTION ###"])
def test_the_detector_finds_every_cell_the_stripper_would_touch(source):
    cell = nbformat.v4.new_code_cell(source)
    try:
        stripped = strip_solutions(source)
    except ValueError:
        with pytest.raises(ValueError):
            is_solution_cell(cell)
    else:
        assert is_solution_cell(cell) and stripped != source


def _notebooks(folder, *sources):
    folder.mkdir()
    for number, source in enumerate(sources):
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)]), folder / f"{number:02d}_x.ipynb")
    return folder


def test_an_unmatched_marker_in_a_later_notebook_writes_nothing(tmp_path, capsys):
    source = _notebooks(tmp_path / "src", "### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "### BEGIN SOLUTION\nx = 1")
    assert main([str(source), str(tmp_path / "out")]) == 1
    assert "01_x.ipynb, cell 0, line 1: ### BEGIN SOLUTION without ### END SOLUTION" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_missing_source_folder_is_an_error(tmp_path, capsys):
    assert main([str(tmp_path / "nowhere"), str(tmp_path / "out")]) == 1
    assert "expected a folder of chapter notebooks" in capsys.readouterr().err


def test_a_folder_without_exercises_is_an_error(tmp_path, capsys):
    assert main([str(_notebooks(tmp_path / "src", "x = 1")), str(tmp_path / "out")]) == 1
    assert "no notebook with ### BEGIN SOLUTION blocks" in capsys.readouterr().err


# --- never lose the teacher's notebooks (issue 22, item 1) ----------------------------------------


@pytest.mark.parametrize("out", [".", "student", "a/b"])
def test_an_output_folder_that_is_or_is_inside_the_source_is_refused(tmp_path, capsys, out):
    teacher = "### BEGIN SOLUTION\nx = 1\n### END SOLUTION"
    source = _notebooks(tmp_path / "src", teacher)
    assert main([str(source), str(source / out)]) == 1
    assert "expected an output folder outside the source" in capsys.readouterr().err
    assert nbformat.read(source / "00_x.ipynb", as_version=4).cells[0].source == teacher
    assert sorted(p.name for p in source.rglob("*")) == ["00_x.ipynb"]


def test_a_notebook_with_solutions_is_never_replaced(tmp_path, capsys):
    source = _notebooks(tmp_path / "src", "### BEGIN SOLUTION\nx = 1\n### END SOLUTION")
    other = _notebooks(tmp_path / "out", "### BEGIN SOLUTION\nsecret = 2\n### END SOLUTION")
    assert main([str(source), str(other)]) == 1
    assert "holds solutions and was not written by this command" in capsys.readouterr().err
    assert "secret = 2" in nbformat.read(other / "00_x.ipynb", as_version=4).cells[0].source


def test_an_export_may_replace_what_it_wrote(tmp_path):
    source = _notebooks(tmp_path / "src", "### BEGIN SOLUTION\nx = 1\n### END SOLUTION")
    assert main(["--format", "nbgrader", str(source), str(tmp_path / "out")]) == 1  # no grading module
    assert main([str(source), str(tmp_path / "out")]) == 0
    assert main([str(source), str(tmp_path / "out")]) == 0


# --- the chapters' exercises and their grading modules --------------------------------------------

EXERCISE_NOTEBOOKS = [p for p in NOTEBOOKS if has_solutions(nbformat.read(p, as_version=4), p.name)]


@pytest.mark.parametrize("path", EXERCISE_NOTEBOOKS, ids=[p.name for p in EXERCISE_NOTEBOOKS])
def test_every_exercise_has_points_a_check_and_a_hidden_test(path):
    located = chapter_exercises(path, nbformat.read(path, as_version=4))
    assert [item.exercise.name for item in located] == [e.name for e in exercises_for(path)]
    for item in located:
        e = item.exercise
        assert e.points > 0 and e.hidden_points > 0 and e.minutes > 0 and e.topic
        compile(e.hidden_source(), e.name, "exec")  # pasted into a cell: must stand alone


def test_a_solution_cell_out_of_step_with_the_grading_module_is_named(tmp_path):
    path = NOTEBOOKS[1]
    nb = nbformat.read(path, as_version=4)
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and "### BEGIN SOLUTION" in c.source]
    cell.source = cell.source.replace("def gru_step(", "def gru_cell(")
    with pytest.raises(ValueError, match=r"01_rnn_to_lstm.ipynb, cell \d+: expected the solution of 'gru_step'"):
        chapter_exercises(path, nb)
    nb.cells.remove(cell)
    with pytest.raises(ValueError, match="expected 1 solution cells for \\['gru_step'\\], got 0"):
        chapter_exercises(path, nb)


NEEDS_NOTEBOOK = {"run_bidirectional", "mean_forget", "all_o_accuracy"}  # graded end to end only


def _imports(nb) -> dict:
    """A namespace holding what the notebook's cells import (the solutions use those names)."""
    namespace: dict = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            imports = [node for node in cell_ast(cell.source).body if isinstance(node, (ast.Import, ast.ImportFrom))]
            exec(compile(ast.Module(imports, type_ignores=[]), "imports", "exec"), namespace)
    return namespace


def _solution(path, name, wrong=None):
    """The teacher's solution of ``name`` (with ``wrong``'s change made), defined outside the notebook."""
    nb = nbformat.read(path, as_version=4)
    (item,) = [i for i in chapter_exercises(path, nb) if i.exercise.name == name]
    source = nb.cells[item.solution].source
    code = replace_blocks(source, solution_blocks(source), None, None, None)
    if wrong is not None:
        assert wrong.old in code, f"{path.name}: the wrong answer expects {wrong.old!r} in {name}"
        code = code.replace(wrong.old, wrong.new)
    namespace = _imports(nb)
    exec(code, namespace)
    return namespace[name]


FUNCTION_EXERCISES = [(p, e) for p in EXERCISE_NOTEBOOKS for e in exercises_for(p)]


@pytest.mark.parametrize("path,exercise", FUNCTION_EXERCISES, ids=[e.name for _, e in FUNCTION_EXERCISES])
def test_the_hidden_test_passes_the_reference_solution(path, exercise):
    if exercise.name in NEEDS_NOTEBOOK:
        pytest.skip(f"{exercise.name} needs the notebook's state: graded end to end only")
    exercise.hidden(_solution(path, exercise.name))
    with pytest.raises(Exception):
        exercise.hidden(lambda *args: None)


def test_the_hidden_test_catches_a_gru_step_that_only_fits_the_visible_check():
    from lstm_utils.checks.cells import check_gru_step

    (exercise,) = exercises_for(NOTEBOOKS[1])
    reference = _solution(NOTEBOOKS[1], "gru_step")
    hard_coded = lambda x, h, W, U, bW, bU: reference(x, h, W[:15], U[:15], bW[:15], bU[:15])  # noqa: E731
    check_gru_step(hard_coded)  # the visible check (hidden size 5) cannot tell
    with pytest.raises(Exception):
        exercise.hidden(hard_coded)
    exercise.hidden(reference)


# --- exports ----------------------------------------------------------------------------------------


def test_nbgrader_export_marks_solutions_checks_hidden_tests_and_locks_the_rest():
    path = NOTEBOOKS[2]
    out = nbgrader_notebook(path, nbformat.read(path, as_version=4))
    meta = [c.metadata["nbgrader"] for c in out.cells]
    solutions = [m["grade_id"] for m in meta if m["solution"]]
    graded = {m["grade_id"]: m["points"] for m in meta if m["grade"]}
    assert solutions == [e.name for e in exercises_for(path)]
    assert graded == {f"{e.name}-{part}": points for e in exercises_for(path)
                      for part, points in (("check", e.points), ("hidden", e.hidden_points))}
    assert all(m["locked"] for m in meta if not m["solution"])
    hidden = [c.source for c, m in zip(out.cells, meta) if m["grade_id"].endswith("-hidden")]
    assert all(s.startswith("### BEGIN HIDDEN TESTS\n") and s.endswith("\n### END HIDDEN TESTS") for s in hidden)


def test_otter_export_rewrites_the_markers_and_adds_a_question_per_exercise():
    path = NOTEBOOKS[2]
    out = otter_notebook(path, nbformat.read(path, as_version=4))
    code = "\n".join(c.source for c in out.cells if c.cell_type == "code")
    assert "### BEGIN SOLUTION" not in code and "    # BEGIN SOLUTION" in code
    questions = [c.source for c in out.cells if c.cell_type == "raw" and c.source.startswith("# BEGIN QUESTION")]
    assert questions == [f"# BEGIN QUESTION\nname: {e.name}\npoints: [{e.points}, {e.hidden_points}]"
                         for e in exercises_for(path)]
    assert out.cells[0].source.startswith("# ASSIGNMENT CONFIG")


@pytest.mark.parametrize("chapter", sorted(WRONG))
def test_the_hidden_test_rejects_the_wrong_answer_graded_end_to_end(chapter):
    path = REPO / "notebooks" / f"{chapter}.ipynb"
    wrong = WRONG[chapter]
    (exercise,) = [e for e in exercises_for(path) if e.name == wrong.exercise]
    assert "hidden" in wrong.fails
    with pytest.raises(Exception):
        exercise.hidden(_solution(path, wrong.exercise, wrong))
