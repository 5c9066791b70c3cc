"""The graded exercises of each chapter: points, student time and hidden tests, in one place per chapter.

Each chapter notebook ``notebooks/NN_topic.ipynb`` with exercises has a module
``lstm_utils/assignments/chapters/chNN_topic.py`` whose ``EXERCISES`` lists them in the notebook's
order. An exercise is found in the notebook by a name its solution cell defines (the function the
student writes, or the variable the cell computes); the check that follows it is the next code cell.
:func:`chapter_exercises` pairs the two and fails if they fall out of step.

A hidden test is a function whose parameters are names of the notebook (``hidden_gru_step(gru_step)``);
the exports paste its source into a cell the student never sees, followed by the call.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import nbformat

from lstm_utils.assignments.markers import is_solution_cell
from lstm_utils.assignments.student import exercise_notebooks


@dataclass(frozen=True)
class Exercise:
    """One exercise: ``name`` is defined by its solution cell; ``points`` go to the visible check,
    ``hidden_points`` to the hidden test; ``minutes`` is the time a student needs."""

    name: str
    topic: str
    points: int
    hidden_points: int
    minutes: int
    hidden: Callable[..., None]

    def hidden_source(self) -> str:
        """The hidden test as notebook code: the function's source, then its call on the notebook's names."""
        params = ", ".join(inspect.signature(self.hidden).parameters)
        source = textwrap.dedent(inspect.getsource(self.hidden)).rstrip()
        return f"{source}\n\n\n{self.hidden.__name__}({params})"


@dataclass(frozen=True)
class Located:
    """An exercise with the indices of its solution cell and of its check cell in the notebook."""

    exercise: Exercise
    solution: int
    check: int


def chapter_module_name(notebook: Path) -> str:
    return f"lstm_utils.assignments.chapters.ch{notebook.stem}"


def exercises_for(notebook: Path) -> list[Exercise]:
    """The ``EXERCISES`` of ``notebook``'s chapter module; ``LookupError`` when it has none."""
    name = chapter_module_name(notebook)
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError:
        raise LookupError(f"{notebook.name} has exercises but no grading module: expected {name} "
                          f"(lstm_utils/assignments/chapters/ch{notebook.stem}.py) with EXERCISES") from None
    return list(module.EXERCISES)


def cell_ast(source: str) -> ast.Module:
    """A code cell's syntax tree, its IPython magics (``%pip``, ``!ls``) read as ``pass``."""
    return ast.parse("\n".join(line[: len(line) - len(line.lstrip())] + "pass"
                               if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()))


def defined_names(source: str) -> set[str]:
    """Top-level names a cell defines: functions, classes and assignment targets."""
    names: set[str] = set()
    for node in cell_ast(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def chapter_exercises(notebook: Path, nb: nbformat.NotebookNode) -> list[Located]:
    """Pair the solution cells of ``nb`` with its chapter's ``EXERCISES``, in order; ``ValueError``
    naming the cell and the exercise when they do not match."""
    exercises = exercises_for(notebook)
    code = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    solutions = [i for i in code if is_solution_cell(nb.cells[i], f"{notebook.name}, cell {i}")]
    if len(solutions) != len(exercises):
        raise ValueError(f"{notebook.name}: expected {len(exercises)} solution cells for "
                         f"{[e.name for e in exercises]}, got {len(solutions)} (cells {solutions})")
    located = []
    for exercise, cell in zip(exercises, solutions):
        names = defined_names(nb.cells[cell].source)
        if exercise.name not in names:
            raise ValueError(f"{notebook.name}, cell {cell}: expected the solution of {exercise.name!r}, "
                             f"got a cell defining {sorted(names)}")
        later = [i for i in code if i > cell]
        if not later or "check_" not in nb.cells[later[0]].source:
            raise ValueError(f"{notebook.name}, cell {cell}: expected a check cell after {exercise.name!r}")
        located.append(Located(exercise, cell, later[0]))
    return located


def check_calls(source: str) -> str:
    """The lines of a check cell that import and call the checks (``check_…(…)``), and nothing else."""
    keep = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lstm_utils.checks"):
            keep.append(ast.get_source_segment(source, node))
        elif (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
              and isinstance(node.value.func, ast.Name) and node.value.func.id.startswith("check_")):
            keep.append(ast.get_source_segment(source, node))
    return "\n".join(keep)


def exercise_table(notebooks_dir: Path) -> list[dict]:
    """One row per exercise of the chapters in ``notebooks_dir``: chapter, exercise, what it covers,
    points of the visible check and of the hidden test, minutes a student needs."""
    rows = []
    for path, nb in exercise_notebooks(notebooks_dir).items():
        for item in chapter_exercises(path, nb):
            e = item.exercise
            rows.append({"chapter": path.stem, "exercise": e.name, "covers": e.topic,
                         "check points": e.points, "hidden points": e.hidden_points, "minutes": e.minutes})
    return rows
