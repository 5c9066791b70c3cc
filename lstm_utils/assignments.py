"""Student versions of the chapter notebooks, for teachers.

Exercise solutions are marked as in nbgrader::

    def gru_cell(x, h, ...):
        ### BEGIN SOLUTION
        ...the teacher's code...
        ### END SOLUTION

A student version keeps everything else and replaces each marked block by
``raise NotImplementedError  # your code here`` at the block's indentation; outputs are cleared.
The cell after an exercise calls a check from :mod:`lstm_utils.checks`, so a student sees at once
whether the answer is right and, if not, what differs. Usage::

    python -m lstm_utils.assignments notebooks/ _build/student/
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = "raise NotImplementedError  # your code here"
_BEGIN_LINE = re.compile(r"^(\s*)### BEGIN SOLUTION\s*$")


def strip_solutions(source: str, where: str = "cell") -> str:
    """Replace every ``### BEGIN SOLUTION`` … ``### END SOLUTION`` block of ``source`` by a stub."""
    out: list[str] = []
    indent: str | None = None
    for number, line in enumerate(source.splitlines(), start=1):
        begin = _BEGIN_LINE.match(line)
        if begin:
            if indent is not None:
                raise ValueError(f"{where}, line {number}: {BEGIN} inside another solution block")
            indent = begin.group(1)
            out.append(indent + STUB)
        elif line.strip() == END:
            if indent is None:
                raise ValueError(f"{where}, line {number}: {END} without {BEGIN}")
            indent = None
        elif indent is None:
            out.append(line)
    if indent is not None:
        raise ValueError(f"{where}: {BEGIN} without {END}")
    return "\n".join(out)


def is_solution_cell(cell) -> bool:
    return cell.cell_type == "code" and BEGIN in cell.source


def student_notebook(nb: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """A copy of ``nb`` with solutions stubbed out and outputs cleared."""
    student = nbformat.from_dict(nb)
    for index, cell in enumerate(student.cells):
        if cell.cell_type != "code":
            continue
        cell.source = strip_solutions(cell.source, where=f"{name}, cell {index}")
        cell.outputs, cell.execution_count = [], None
    return student


def write_student_versions(source_dir: Path, out_dir: Path) -> list[Path]:
    """Write a student version of every notebook in ``source_dir`` that has exercises; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(source_dir.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if not any(is_solution_cell(cell) for cell in nb.cells):
            continue
        target = out_dir / path.name
        nbformat.write(student_notebook(nb, path.name), target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write student versions of the chapter notebooks.")
    parser.add_argument("source", type=Path, help="folder of teacher notebooks (e.g. notebooks/)")
    parser.add_argument("out", type=Path, help="folder for the student versions")
    args = parser.parse_args(argv)
    for path in write_student_versions(args.source, args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
