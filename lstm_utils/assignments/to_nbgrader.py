"""Export a chapter as an nbgrader assignment: ``source/<chapter>/<chapter>.ipynb``.

Solution cells keep their ``### BEGIN SOLUTION`` markers (nbgrader's own) and are marked
``solution``; the check after each exercise becomes a graded test cell worth ``points``; a new
graded cell worth ``hidden_points`` follows it, with the hidden test between nbgrader's
``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` (removed from the released notebook,
restored by ``nbgrader autograde``); every other cell is locked.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from lstm_utils.assignments.exercises import chapter_exercises

SCHEMA_VERSION = 3
# nbgrader_config.py for a course made from the book (written next to source/).
COURSE_CONFIG = '''\
c = get_config()  # noqa: F821 (defined by nbgrader)
c.CourseDirectory.course_id = "lstm_book"
# The book's own stub, as in `make student`.
c.ClearSolutions.code_stub = {"python": "raise NotImplementedError  # your code here"}
# A chapter trains small models: allow a cell more than nbgrader's default 30 s.
c.Execute.timeout = 600
'''


def _meta(grade_id: str, *, solution=False, grade=False, locked=True, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return meta


def nbgrader_notebook(path: Path, nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` with nbgrader metadata on every cell and a hidden test after each exercise's check."""
    located = {item.solution: item for item in chapter_exercises(path, nb)}
    checks = {item.check: item for item in located.values()}
    out = nbformat.from_dict(nb)
    cells = []
    for index, cell in enumerate(out.cells):
        cell.metadata.pop("nbgrader", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if index in located:
            cell.metadata["nbgrader"] = _meta(located[index].exercise.name, solution=True, locked=False)
        elif index in checks:
            e = checks[index].exercise
            cell.metadata["nbgrader"] = _meta(f"{e.name}-check", grade=True, points=e.points)
        else:
            cell.metadata["nbgrader"] = _meta(f"cell-{index}")
        cells.append(cell)
        if index in checks:
            e = checks[index].exercise
            hidden = nbformat.v4.new_code_cell(
                f"### BEGIN HIDDEN TESTS\n{e.hidden_source()}\n### END HIDDEN TESTS")
            hidden.metadata["nbgrader"] = _meta(f"{e.name}-hidden", grade=True, points=e.hidden_points)
            cells.append(hidden)
    out.cells = cells
    return out


def convert(path: Path, nb: nbformat.NotebookNode) -> dict[Path, nbformat.NotebookNode]:
    return {Path("source") / path.stem / path.name: nbgrader_notebook(path, nb)}
