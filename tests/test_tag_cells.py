"""scripts/tag_cells.py: tags for the website and nbval, idempotent, everything else kept."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from notebook_files import NOTEBOOKS, tag_cells

COLAB = '''import sys

if "google.colab" in sys.modules:
    %pip install --quiet lstm-utils'''


def _notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\n### BEGIN SOLUTION in prose is not a cell to fold"),
        nbformat.v4.new_code_cell(COLAB),
        nbformat.v4.new_code_cell('PROFILE = "ci"', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(1)\n# NBVAL_CHECK_OUTPUT in a comment below stays",
                                  outputs=[nbformat.v4.new_output("stream", name="stdout", text="1\n")]),
        nbformat.v4.new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"),
        nbformat.v4.new_code_cell("x = 1  # untouched"),
    ]
    return nb


def test_tags_colab_solutions_and_nbval_marker(tmp_path):
    path = tmp_path / "nb.ipynb"
    nbformat.write(_notebook(), path)
    assert tag_cells.tag_notebook(path) == 3
    cells = nbformat.read(path, as_version=4).cells
    assert cells[0].metadata == {} and cells[0].source.startswith("# Title")
    assert cells[1].metadata["tags"] == ["remove-input", "remove-output"] and cells[1].source == COLAB
    assert cells[2].metadata["tags"] == ["parameters"]
    assert cells[3].metadata["tags"] == ["nbval-check-output"]
    assert cells[3].source == "print(1)\n# NBVAL_CHECK_OUTPUT in a comment below stays"
    assert cells[3].outputs[0].text == "1\n", "outputs are kept"
    assert cells[4].metadata["tags"] == ["hide-input"] and "### BEGIN SOLUTION" in cells[4].source
    assert "tags" not in cells[5].metadata and cells[5].source == "x = 1  # untouched"
    assert all(tag_cells.checks_output(c) == (i == 3) for i, c in enumerate(cells) if c.cell_type == "code")


def test_second_run_changes_nothing(tmp_path):
    path = tmp_path / "nb.ipynb"
    nbformat.write(_notebook(), path)
    tag_cells.tag_notebook(path)
    first = path.read_bytes()
    assert tag_cells.tag_notebook(path) == 0
    assert path.read_bytes() == first
    assert tag_cells.main(["--check", str(path)]) == 0


def test_check_mode_reports_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "nb.ipynb"
    nbformat.write(_notebook(), path)
    before = path.read_bytes()
    assert tag_cells.main(["--check", str(path)]) == 1
    assert path.read_bytes() == before
    assert "3 cell(s) need tags" in capsys.readouterr().out


@pytest.mark.parametrize("source", NOTEBOOKS[:2], ids=[p.name for p in NOTEBOOKS[:2]])
def test_chapter_copy_keeps_everything_but_the_marker_lines(tmp_path, source):
    path = tmp_path / source.name
    shutil.copy(source, path)
    tag_cells.tag_notebook(path)
    before, after = nbformat.read(source, as_version=4), nbformat.read(path, as_version=4)
    assert len(before.cells) == len(after.cells)
    for old, new in zip(before.cells, after.cells):
        assert new.get("id") == old.get("id") and new.get("outputs") == old.get("outputs")
        assert new.source == old.source.removeprefix(tag_cells.MARK + "\n")
        assert tag_cells.checks_output(new) == tag_cells.checks_output(old)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_chapters_are_tagged(path):
    assert tag_cells.tag_notebook(path, check=True) == 0, f"run: python scripts/tag_cells.py {path}"
