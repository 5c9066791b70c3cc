"""A course run end to end with nbgrader and otter-grader, for tests/test_grading_e2e.py.

Three fake submissions per chapter: the reference solution, the released notebook untouched
(every exercise still raises NotImplementedError) and a plausible wrong one (:data:`WRONG`).
Both tools run from the grading venv (``make grading-venv``) in a temporary course folder.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from lstm_utils.assignments.exercises import chapter_exercises, defined_names
from lstm_utils.assignments.markers import replace_blocks, solution_blocks

REPO = Path(__file__).resolve().parents[1]
GRADING_BIN = (REPO / os.environ.get("LSTM_GRADING_VENV", "_build/venv-grading")).resolve() / "bin"
STUDENTS = ("reference", "empty", "wrong")
TIMINGS: list[tuple[str, float, float]] = []  # (command, wall seconds, CPU seconds of its processes)


@dataclass(frozen=True)
class Wrong:
    """A plausible wrong answer: ``old`` replaced by ``new`` in ``exercise``'s solution; ``fails``
    names the graded parts it loses (``"check"``: the visible check, ``"hidden"``: the hidden test)."""

    exercise: str
    old: str
    new: str
    fails: tuple[str, ...]


WRONG = {
    # Forgets the second direction in h_n and c_n.
    "00_pytorch_recurrent_layers": Wrong("lstm_shapes", "state = (num_layers * directions,", "state = (num_layers,",
                                         ("check", "hidden")),
    # Hard-codes the visible check's hidden size 5: passes the check, the hidden test (H = 2, 6) catches it.
    "01_rnn_to_lstm": Wrong("gru_step", "weight_ih.chunk(3)", "weight_ih.split(5)", ("hidden",)),
    # Forgets the path through h_t = o tanh(c_t): both the check and the hidden test catch it.
    "02_lstm_by_hand": Wrong("cell_state_backward", "(dc + dh * o * (1 - torch.tanh(c) ** 2)) * f",
                             "dc * f", ("check", "hidden")),
    # Counts the test labels instead of the training labels.
    "03_memory": Wrong("majority_baseline", "np.bincount(np.asarray(train_labels))",
                       "np.bincount(np.asarray(test_labels))", ("check", "hidden")),
    # Reverses the pixels in each row instead of the rows.
    "04_mnist_rows": Wrong("bottom_up", "return x.flip(1)", "return x.flip(2)", ("check", "hidden")),
    # Divides the padding by the real tokens instead of all positions.
    "05_sentiment": Wrong("my_padding_share", "return (padded - real) / padded", "return (padded - real) / real",
                          ("check", "hidden")),
    # Ends each span one token late (exclusive instead of inclusive).
    "06_ner": Wrong("iob_spans", "spans.append((tags[start][2:], start, i - 1))",
                    "spans.append((tags[start][2:], start, i))", ("check", "hidden")),
    # Takes the error as forecast minus truth: the loss of level 1 - tau.
    "07_forecasting": Wrong("pinball", "error = y - q", "error = q - y", ("check", "hidden")),
    # Leaves <eos> off the target.
    "08_sequences_out": Wrong("make_pair", "[*answer_ids, eos]", "[*answer_ids]", ("check", "hidden")),
    # Averages the steps' gradients instead of adding them.
    "09_fast_lstm": Wrong("weight_gradient", "h_prev.reshape(seq * batch, -1)",
                          "h_prev.reshape(seq * batch, -1) / seq", ("check", "hidden")),
}
# What CI grades end to end (about 2.5 CPU-minutes); $LSTM_GRADING_CHAPTERS="all" or a list of chapters for more.
CI_CHAPTERS = ("01_rnn_to_lstm", "02_lstm_by_hand")


# A kernel that could not start: jupyter_client picks free TCP ports before the kernel binds them,
# and another kernel starting at that moment may take one. Not the grading's fault: try once more.
KERNEL_START_RACE = ("Address already in use", "Kernel died before replying to kernel_info")


def run(*command: str | Path, cwd: Path, tries: int = 2) -> str:
    """Run a grading tool in ``cwd``; its output on failure."""
    env = {**os.environ, "PATH": f"{GRADING_BIN}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
           "OMP_NUM_THREADS": "1", "LSTM_BOOK_PROFILE": "ci", "LSTM_UTILS_OFFLINE": "1"}
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen([str(c) for c in command], cwd=cwd, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(process.pid, 0)  # this command's CPU time, its kernels' included
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read()
    name = " ".join(Path(str(c)).name for c in command[:3])
    TIMINGS.append((name, time.perf_counter() - start, usage.ru_utime + usage.ru_stime))
    if process.returncode and tries > 1 and any(sign in output for sign in KERNEL_START_RACE):
        TIMINGS.append((f"  (again: a kernel did not start) {name}", 0.0, 0.0))
        return run(*command, cwd=cwd, tries=tries - 1)
    assert process.returncode == 0, f"{' '.join(map(str, command))} failed:\n{output[-5000:]}"
    return output


def export(kind: str, out: Path) -> None:
    run(sys.executable, "-m", "lstm_utils.assignments", "--format", kind, REPO / "notebooks", out, cwd=REPO)


def expected_scores(chapter: str) -> dict[str, dict[str, float]]:
    """Per student, per exercise: the points it should get."""
    path = REPO / "notebooks" / f"{chapter}.ipynb"
    exercises = [item.exercise for item in chapter_exercises(path, nbformat.read(path, as_version=4))]
    wrong = WRONG[chapter]
    scores = {"reference": {e.name: e.points + e.hidden_points for e in exercises},
              "empty": {e.name: 0 for e in exercises}}
    scores["wrong"] = {e.name: e.points * (e.name != wrong.exercise or "check" not in wrong.fails)
                       + e.hidden_points * (e.name != wrong.exercise or "hidden" not in wrong.fails)
                       for e in exercises}
    return scores


def answer(source: str, chapter: str, exercise: str, student: str, where: str) -> str:
    """A solution cell as ``student`` hands it in (markers of either tool dropped)."""
    code = replace_blocks(source, solution_blocks(source, where), None, None, None)
    wrong = WRONG[chapter]
    if student == "wrong" and exercise == wrong.exercise:
        assert wrong.old in code, f"{where}: the wrong answer expects {wrong.old!r} in the solution"
        code = code.replace(wrong.old, wrong.new)
    return code


def nbgrader_scores(course: Path, chapters: list[str]) -> dict[str, dict[str, float]]:
    """Generate, hand in three submissions, autograde, export: {chapter: {student: score}}."""
    export("nbgrader", course)
    for chapter in chapters:
        run("nbgrader", "generate_assignment", chapter, "--force", cwd=course)
        source = nbformat.read(course / "source" / chapter / f"{chapter}.ipynb", as_version=4)
        solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
                     if c.metadata["nbgrader"]["solution"]}
        for student in STUDENTS:
            nb = nbformat.read(course / "release" / chapter / f"{chapter}.ipynb", as_version=4)
            for cell in nb.cells:
                grade_id = cell.metadata["nbgrader"]["grade_id"]
                if grade_id in solutions and student != "empty":
                    cell.source = answer(solutions[grade_id], chapter, grade_id, student, grade_id)
            target = course / "submitted" / student / chapter / f"{chapter}.ipynb"
            target.parent.mkdir(parents=True)
            nbformat.write(nb, target)
        run("nbgrader", "autograde", chapter, "--force", cwd=course)
    run("nbgrader", "export", "--to", "grades.csv", cwd=course)
    scores: dict[str, dict[str, float]] = {}
    with open(course / "grades.csv", newline="") as grades:
        for row in csv.DictReader(grades):
            scores.setdefault(row["assignment"], {})[row["student_id"]] = float(row["score"])
    return scores


def otter_scores(folder: Path, chapters: list[str]) -> dict[str, dict[str, dict]]:
    """otter assign, then otter run on three submissions: {chapter: {student: results.json}}."""
    export("otter", folder)
    results: dict[str, dict[str, dict]] = {}
    for chapter in chapters:
        dist = folder / "dist" / chapter
        run("otter", "assign", folder / chapter / f"{chapter}.ipynb", dist, cwd=folder)
        (zip_file,) = (dist / "autograder").glob("*.zip")
        solved = nbformat.read(dist / "autograder" / f"{chapter}.ipynb", as_version=4)
        wrong = WRONG[chapter]
        for student in STUDENTS:
            nb = nbformat.read(dist / "student" / f"{chapter}.ipynb", as_version=4)
            if student != "empty":
                nb = nbformat.from_dict(solved)
            if student == "wrong":
                (cell,) = [c for c in nb.cells if c.cell_type == "code"
                           and wrong.exercise in defined_names(c.source)]
                assert wrong.old in cell.source, f"the wrong answer expects {wrong.old!r} in {wrong.exercise}"
                cell.source = cell.source.replace(wrong.old, wrong.new)
            path = folder / "submissions" / chapter / f"{student}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, path)
            out = folder / "results" / chapter / student
            out.mkdir(parents=True, exist_ok=True)
            run("otter", "run", "--no-logo", "-a", zip_file, "-o", out, path, cwd=folder)
            results.setdefault(chapter, {})[student] = json.loads((out / "results.json").read_text())
    return results


def otter_question_scores(result: dict) -> dict[str, float]:
    """{question: score} from otter's results.json (the summary entry 'Public Tests' has no score)."""
    return {test["name"]: float(test["score"]) for test in result["tests"] if "score" in test}
