"""Student versions: solutions stubbed out, failing exactly at the exercises and nowhere else."""

from __future__ import annotations

import os

import nbformat
import pytest
from nbclient import NotebookClient

from lstm_utils.assignments import STUB, is_solution_cell, main, strip_solutions, student_notebook
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
