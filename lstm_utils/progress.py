"""Progress bars that suit where the code runs, without warnings.

``tqdm.auto`` picks the widget bar in every Jupyter kernel, and where ``ipywidgets`` is missing it
warns ("IProgress not found…", with the path of the file that imported it) before falling back to
the text bar on stderr. The book's build is such a place, so the warning used to land on the pages.
:func:`tqdm` decides once, quietly: the widget bar in a kernel that has ``ipywidgets`` (Colab,
JupyterLab); in a kernel without it, the text bar on **stdout**, so that a built page shows it as
ordinary output; in a terminal, the text bar on stderr, as ``tqdm`` always does.

Use it like ``tqdm.auto.tqdm``: ``for epoch in tqdm(range(epochs), desc="training"): ...``
(``TQDM_*`` environment variables still apply). With ``LSTM_UTILS_PROGRESS=final`` in the
environment, as the book's build sets it, a text bar is drawn once, when it closes: a static page
keeps every redraw as a line of its own, so it shows the finished bar only.
"""

from __future__ import annotations

import importlib.util
import os
import sys

from tqdm import std


def in_kernel() -> bool:
    """True inside a Jupyter kernel (a notebook, Colab, the book's build)."""
    return "ipykernel" in sys.modules


def has_widgets() -> bool:
    """True when ``ipywidgets`` can be imported, which the widget bar needs."""
    return importlib.util.find_spec("ipywidgets") is not None


class FinalBar(std.tqdm):
    """A text bar that draws only its final state, when it closes."""

    _closing = False

    def display(self, msg=None, pos=None):
        return super().display(msg, pos) if self._closing else True

    def close(self):
        self._closing = True
        super().close()


def bar_class(kernel: bool, widgets: bool, final_only: bool = False) -> tuple[type[std.tqdm], dict]:
    """The bar class and default keyword arguments for a kernel (or not) with widgets (or not)."""
    if kernel and widgets and not final_only:
        from tqdm.notebook import tqdm as notebook_tqdm

        return notebook_tqdm, {}
    return FinalBar if final_only else std.tqdm, ({"file": sys.stdout} if kernel else {})


def tqdm(*args, **kwargs) -> std.tqdm:
    """A progress bar, as ``tqdm.auto.tqdm(*args, **kwargs)`` but without its warning (see above)."""
    final_only = os.environ.get("LSTM_UTILS_PROGRESS") == "final"
    cls, defaults = bar_class(in_kernel(), has_widgets(), final_only)
    return cls(*args, **{**defaults, **kwargs})
