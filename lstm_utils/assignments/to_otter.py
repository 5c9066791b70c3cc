"""Export a chapter in otter-grader's assignment format, ready for ``otter assign``.

One question per exercise: the solution cell (markers rewritten to otter's ``# BEGIN SOLUTION`` /
``# END SOLUTION``: otter does not read ``###``), then two exception-based tests, the visible
check (``points``) and the hidden test (``hidden_points``). The notebook's check cell stays where it
was, after the question, so the student still sees its feedback.
"""

from __future__ import annotations

import ast
import builtins
import textwrap
from pathlib import Path

import nbformat

from lstm_utils.assignments.exercises import chapter_exercises, check_calls
from lstm_utils.assignments.markers import replace_blocks, solution_blocks


def _raw(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_raw_cell(source)


def visible_test(name: str, check_cell: str) -> str:
    """The check cell's imports and ``check_…`` calls as one test function; the notebook names it
    uses become its parameters (otter passes them from the graded notebook)."""
    body = check_calls(check_cell)
    tree = ast.parse(body)
    imported = {alias.asname or alias.name for node in tree.body if isinstance(node, ast.ImportFrom)
                for alias in node.names}
    used = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
    params = list(dict.fromkeys(n for n in used if n not in imported and not hasattr(builtins, n)))
    return f"def test_{name}({', '.join(params)}):\n{textwrap.indent(body, '    ')}"


def otter_notebook(path: Path, nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    located = {item.solution: item for item in chapter_exercises(path, nb)}
    out = nbformat.from_dict(nb)
    config = (f"# ASSIGNMENT CONFIG\nname: {path.stem}\nexport_cell: false\nrun_tests: false\n"
              "tests:\n  ok_format: false\n")
    cells = [_raw(config)]
    for index, cell in enumerate(out.cells):
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if index not in located:
            cells.append(cell)
            continue
        item = located[index]
        e = item.exercise
        where = f"{path.name}, cell {index}"
        cell.source = replace_blocks(cell.source, solution_blocks(cell.source, where),
                                     "# BEGIN SOLUTION", "# END SOLUTION", None)
        check = nbformat.v4.new_code_cell(visible_test(e.name, nb.cells[item.check].source))
        hidden = nbformat.v4.new_code_cell(f"# HIDDEN\n{e.hidden_source()}")
        cells += [_raw(f"# BEGIN QUESTION\nname: {e.name}\npoints: [{e.points}, {e.hidden_points}]"),
                  _raw("# BEGIN SOLUTION"), cell, _raw("# END SOLUTION"),
                  _raw("# BEGIN TESTS"), check, hidden, _raw("# END TESTS"), _raw("# END QUESTION")]
    out.cells = cells
    return out


def convert(path: Path, nb: nbformat.NotebookNode) -> dict[Path, nbformat.NotebookNode]:
    return {Path(path.stem) / path.name: otter_notebook(path, nb)}
