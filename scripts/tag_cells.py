"""Tag the cells of chapter notebooks for the website and for nbval; idempotent.

Usage: python scripts/tag_cells.py notebooks/*.ipynb           # rewrites what needs tags
       python scripts/tag_cells.py --check notebooks/*.ipynb   # exits 1 and lists what is untagged

- The Colab set-up cell gets ``remove-input`` and ``remove-output``: only Colab needs it, so the
  website hides the cell and its output (Colab ignores the tags and runs it).
- Exercise solution cells (``### BEGIN SOLUTION``) get ``hide-input``: on the website the solution is
  folded behind a toggle under its prompt. Student versions are made from the source as before.
- A first line ``# NBVAL_CHECK_OUTPUT`` becomes nbval's cell tag ``nbval-check-output`` (nbval reads
  both, see ``nbval.plugin.metadata_tags``), so the marker no longer shows on the page.

Everything else (sources, outputs, ids, other tags) is kept as it is.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

MARK = "# NBVAL_CHECK_OUTPUT"
CHECK_TAG = "nbval-check-output"
COLAB = '"google.colab" in sys.modules'
SOLUTION = "### BEGIN SOLUTION"


def checks_output(cell) -> bool:
    """True when nbval compares this cell's outputs: the tag, or the marker comment in the source."""
    return CHECK_TAG in cell.get("metadata", {}).get("tags", []) or MARK in cell.source


def tag_cell(cell) -> bool:
    """Add the tags ``cell`` needs (and drop a leading NBVAL marker line); True when it changed."""
    if cell.cell_type != "code":
        return False
    tags = list(cell.metadata.get("tags", []))
    wanted = []
    if COLAB in cell.source:
        wanted += ["remove-input", "remove-output"]
    if SOLUTION in cell.source:
        wanted.append("hide-input")
    first, _, rest = cell.source.partition("\n")
    source = cell.source
    if first.strip() == MARK:
        source = rest
        wanted.append(CHECK_TAG)
    new_tags = tags + [tag for tag in wanted if tag not in tags]
    if new_tags == tags and source == cell.source:
        return False
    cell.source = source
    cell.metadata["tags"] = new_tags
    return True


def tag_notebook(path: Path, check: bool = False) -> int:
    """Tag every cell of ``path``; returns how many cells changed (or would, with ``check``)."""
    nb = nbformat.read(path, as_version=4)
    changed = sum(tag_cell(cell) for cell in nb.cells)
    if changed and not check:
        nbformat.write(nb, path)
    return changed


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(arg) for arg in argv if arg != "--check"]
    if not paths:
        print(__doc__)
        return 2
    untagged = 0
    for path in paths:
        changed = tag_notebook(path, check=check)
        untagged += changed
        if changed:
            print(f"{path}: {changed} cell(s) {'need tags' if check else 'tagged'}")
    return 1 if check and untagged else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
