"""Progress bars that suit where the code runs, without warnings.

``tqdm.auto`` picks the widget bar in every Jupyter kernel, and where ``ipywidgets`` is missing it
warns ("IProgress not found…", with the path of the file that imported it) before falling back to
the text bar on stderr. The book's build is such a place, so the warning used to land on the pages.
:func:`tqdm` decides once, quietly: the widget bar in a kernel that has ``ipywidgets`` (Colab,
JupyterLab); in a kernel without it, the text bar on **stdout**, so that a built page shows it as
ordinary output; in a terminal, the text bar on stderr, as ``tqdm`` always does.

Use it like ``tqdm.auto.tqdm``: ``for epoch in tqdm(range(epochs), desc="training"): ...``
(``TQDM_*`` environment variables, such as ``TQDM_MININTERVAL``, still apply).
"""

from __future__ import annotations

import importlib.util
import sys

from tqdm import std


def in_kernel() -> bool:
    """True inside a Jupyter kernel (a notebook, Colab, the book's build)."""
    return "ipykernel" in sys.modules


def has_widgets() -> bool:
    """True when ``ipywidgets`` can be imported, which the widget bar needs."""
    return importlib.util.find_spec("ipywidgets") is not None


def bar_class(kernel: bool, widgets: bool) -> tuple[type[std.tqdm], dict]:
    """The bar class and default keyword arguments for a kernel (or not) with widgets (or not)."""
    if kernel and widgets:
        from tqdm.notebook import tqdm as notebook_tqdm

        return notebook_tqdm, {}
    return std.tqdm, ({"file": sys.stdout} if kernel else {})


def tqdm(*args, **kwargs) -> std.tqdm:
    """A progress bar, as ``tqdm.auto.tqdm(*args, **kwargs)`` but without its warning (see above)."""
    cls, defaults = bar_class(in_kernel(), has_widgets())
    return cls(*args, **{**defaults, **kwargs})
