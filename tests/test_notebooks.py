"""Every chapter notebook has the structure readers, Colab users and teachers rely on."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from notebook_files import NOTEBOOKS, REPO, REPOSITORY_URL, tag_cells, toc_files

IDS = [path.name for path in NOTEBOOKS]


def _code_cells(nb):
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def test_there_are_chapters():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_name_is_number_and_topic(path):
    assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name), f"{path.name}: expected NN_topic.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_opens_with_goal_then_colab_cell_then_parameters(path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "the first cell must be the title in markdown"
    assert "Goal" in first.source and "Run time" in first.source, "the first cell states the goal and the run time per profile"
    colab, parameters = _code_cells(nb)[:2]
    assert '"google.colab" in sys.modules' in colab.source, "the first code cell must be the Colab set-up cell"
    assert f"git+{REPOSITORY_URL}" in colab.source, f"the Colab cell must install from {REPOSITORY_URL} (_config.yml)"
    assert "parameters" in parameters.metadata.get("tags", []), "the second code cell must be tagged 'parameters'"
    assert re.search(r'^PROFILE = "ci"', parameters.source, re.M), 'the parameters cell must set PROFILE = "ci"'


# A chapter's Colab cell installs exactly the extras of the optional code the chapter calls; no other.
EXTRAS_BY_CALL = {"load_glove(": "glove", "load_digit_images(": "vision", "reference.available(": "xlstm"}
COLAB_INSTALL = re.compile(r'^if "google\.colab" in sys\.modules:\n +%pip install --quiet '
                           r'"lstm-utils(?:\[([a-z,]+)\])? @ git\+(\S+)"$', re.M)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_colab_cell_installs_only_in_colab_exactly_the_extras_the_chapter_needs(path):
    colab, *rest = _code_cells(nbformat.read(path, as_version=4))
    installs = COLAB_INSTALL.findall(colab.source)
    assert len(installs) == 1 and colab.source.count("%pip") == 1, (
        f'expected one `%pip install --quiet "lstm-utils[...] @ git+..."` under '
        f'`if "google.colab" in sys.modules:`, got:\n{colab.source}')
    extras, url = installs[0]
    assert url == REPOSITORY_URL, f"the Colab cell must install from {REPOSITORY_URL} (_config.yml), not {url}"
    code = "\n".join(cell.source for cell in rest)
    needed = sorted({extra for call, extra in EXTRAS_BY_CALL.items() if call in code})
    assert sorted(filter(None, extras.split(","))) == needed, f"expected the extras {needed}, got [{extras}]"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_uses_the_profile_and_a_seed(path):
    source = "\n".join(cell.source for cell in _code_cells(nbformat.read(path, as_version=4)))
    assert "resolve_profile(PROFILE)" in source
    assert "seed_everything(" in source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stored_outputs_are_small_and_error_free(path):
    nb = nbformat.read(path, as_version=4)
    for cell in _code_cells(nb):
        assert all(output.get("output_type") != "error" for output in cell.outputs), "a stored output is an error"
        if not tag_cells.checks_output(cell):
            assert not cell.outputs, ("only cells nbval checks (tag nbval-check-output, or # NBVAL_CHECK_OUTPUT) "
                                      "keep outputs (run scripts/refresh_notebook.py)")
    assert len(json.dumps([cell.get("outputs", []) for cell in nb.cells])) < 200_000


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_has_exercises_with_checks(path):
    cells = nbformat.read(path, as_version=4).cells
    solutions = [i for i, cell in enumerate(cells) if cell.cell_type == "code" and "### BEGIN SOLUTION" in cell.source]
    assert solutions, "each chapter ends with at least one exercise marked ### BEGIN SOLUTION"
    for i in solutions:
        following = next((c for c in cells[i + 1:] if c.cell_type == "code"), None)
        assert following is not None and "check" in following.source, f"cell {i}: an exercise is followed by a check cell"


def test_toc_lists_every_notebook_and_only_existing_files():
    listed = toc_files()
    for path in NOTEBOOKS:
        assert f"notebooks/{path.stem}" in listed, f"{path.name} is not in _toc.yml"
    for entry in listed:
        assert any((REPO / f"{entry}{suffix}").exists() for suffix in (".md", ".ipynb")), f"_toc.yml lists missing {entry}"
