"""The cell diagrams: files in book/figures drawn by scripts/draw_diagrams.py, embedded copies in notebooks."""

from __future__ import annotations

import base64
import importlib.metadata
import importlib.util
import re

import nbformat
import pytest

from notebook_files import NOTEBOOKS, REPO

_spec = importlib.util.spec_from_file_location("draw_diagrams", REPO / "scripts" / "draw_diagrams.py")
draw_diagrams = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(draw_diagrams)

CHAPTER_1 = REPO / "notebooks" / "01_rnn_to_lstm.ipynb"


def _embedded(path):
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown":
            for match in re.finditer(r'\(data:image/png;base64,([A-Za-z0-9+/=]+) "([\w.-]+\.png)"\)', cell.source):
                yield match.group(2), base64.b64decode(match.group(1))


def test_chapter_1_shows_the_rnn_lstm_gru_and_unrolled_diagrams():
    assert {name for name, _ in _embedded(CHAPTER_1)} == set(draw_diagrams.FIGURES_TO_DRAW)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_embedded_figures_equal_their_files(path):
    for name, png in _embedded(path):
        assert png == (draw_diagrams.FIGURES / name).read_bytes(), (
            f"{path.name} embeds an old {name}: run python scripts/draw_diagrams.py")


def _pinned_matplotlib():
    constraints = (REPO / "requirements" / "constraints.txt").read_text()
    match = re.search(r"^matplotlib==(\S+)", constraints, re.M)
    return match and match.group(1)


@pytest.mark.skipif(importlib.metadata.version("matplotlib") != _pinned_matplotlib(),
                    reason="the committed figures are drawn with the matplotlib of requirements/constraints.txt")
@pytest.mark.parametrize("name", sorted(draw_diagrams.FIGURES_TO_DRAW))
def test_figure_files_are_what_the_script_draws(name):
    png = draw_diagrams.render(draw_diagrams.FIGURES_TO_DRAW[name])
    assert png == (draw_diagrams.FIGURES / name).read_bytes(), f"run python scripts/draw_diagrams.py ({name} is stale)"
