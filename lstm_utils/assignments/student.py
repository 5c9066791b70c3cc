"""Student versions of the chapter notebooks, and the safe writing every export shares.

A student version keeps everything but the solution blocks (see :mod:`.markers`), each replaced by
``raise NotImplementedError  # your code here`` at the block's indentation; outputs are cleared.
The cell after an exercise calls a check from :mod:`lstm_utils.checks`, so a student sees at once
whether the answer is right and, if not, what differs.

Every export reads and converts all notebooks first and writes only when all of them are valid;
it refuses an output folder that is the source or inside it, and never replaces a notebook that
holds solutions unless this package wrote it (its metadata says so).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import nbformat

from lstm_utils.assignments.markers import is_solution_cell, strip_solutions

STAMP = "lstm_book_export"  # notebook metadata key of every notebook an export writes


def student_notebook(nb: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """A copy of ``nb`` with solutions stubbed out and outputs cleared."""
    student = nbformat.from_dict(nb)
    for index, cell in enumerate(student.cells):
        if cell.cell_type != "code":
            continue
        cell.source = strip_solutions(cell.source, where=f"{name}, cell {index}")
        cell.outputs, cell.execution_count = [], None
    return student


def has_solutions(nb: nbformat.NotebookNode, name: str = "notebook") -> bool:
    """Whether any code cell of ``nb`` holds a solution block."""
    return any(is_solution_cell(cell, f"{name}, cell {i}") for i, cell in enumerate(nb.cells))


def exercise_notebooks(source_dir: Path) -> dict[Path, nbformat.NotebookNode]:
    """Every notebook of ``source_dir`` with exercises, read and validated (all before any is used)."""
    if not source_dir.is_dir():
        raise FileNotFoundError(f"expected a folder of chapter notebooks, got {str(source_dir)!r} "
                                f"({'a file' if source_dir.exists() else 'missing'})")
    found = {}
    for path in sorted(source_dir.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if has_solutions(nb, path.name):
            found[path] = nb
    if not found:
        raise FileNotFoundError(f"no notebook with {'### BEGIN SOLUTION'} blocks in {str(source_dir)!r}")
    return found


def check_output_folder(source_dir: Path, out_dir: Path) -> None:
    """Refuse an output folder that is the source folder or inside it."""
    source, out = source_dir.resolve(), out_dir.resolve()
    if out == source or source in out.parents:
        raise ValueError(f"expected an output folder outside the source {str(source_dir)!r}, got "
                         f"{str(out_dir)!r}: writing there could replace the teacher's notebooks")


def write_all(source_dir: Path, out_dir: Path, outputs: dict[Path, nbformat.NotebookNode]) -> list[Path]:
    """Write ``outputs`` (paths relative to ``out_dir``) once every target has been checked."""
    check_output_folder(source_dir, out_dir)
    for relative in outputs:
        target = out_dir / relative
        if target.exists():
            old = nbformat.read(target, as_version=4)
            if STAMP not in old.metadata and has_solutions(old, str(target)):
                raise FileExistsError(f"{str(target)!r} holds solutions and was not written by this "
                                      "command: refusing to replace it")
    written = []
    for relative, nb in outputs.items():
        nb.metadata[STAMP] = True
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        written.append(target)
    return written


def export(source_dir: Path, out_dir: Path,
           convert: Callable[[Path, nbformat.NotebookNode], dict[Path, nbformat.NotebookNode]]) -> list[Path]:
    """Convert every exercise notebook of ``source_dir`` with ``convert``; write only if all succeed."""
    outputs: dict[Path, nbformat.NotebookNode] = {}
    for path, nb in exercise_notebooks(source_dir).items():
        outputs.update(convert(path, nb))
    return write_all(source_dir, out_dir, outputs)


def write_student_versions(source_dir: Path, out_dir: Path) -> list[Path]:
    """Write a student version of every notebook in ``source_dir`` that has exercises; return their paths."""
    return export(source_dir, out_dir, lambda path, nb: {Path(path.name): student_notebook(nb, path.name)})
