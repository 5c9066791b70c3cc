"""Execute chapter notebooks at the ``ci`` profile and store only the outputs nbval compares.

Usage: python scripts/refresh_notebook.py notebooks/03_memory.ipynb [...]

Cells nbval checks (tag ``nbval-check-output``, or a ``# NBVAL_CHECK_OUTPUT`` line) keep their
outputs (nbval compares them in CI); every other output is cleared, and volatile metadata dropped,
so that diffs stay small and reviewable. The book build executes the notebooks again and shows every output.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from tag_cells import checks_output  # scripts/tag_cells.py

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def refresh(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    os.environ.update(LSTM_BOOK_PROFILE="ci", LSTM_UTILS_OFFLINE="1", OMP_NUM_THREADS="1")  # as `make test` runs it
    NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if not checks_output(cell):
            cell.outputs = []
            cell.execution_count = None
        for output in cell.get("outputs", []):
            output.pop("execution_count", None) if output.get("output_type") != "execute_result" else None
            output.get("metadata", {}).pop("execution", None)
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    nbformat.validate(nb)
    nbformat.write(nb, path)
    print(f"refreshed {path}")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        refresh(Path(arg))
