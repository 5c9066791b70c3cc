"""Try data sources in order and remember which one was used.

A chapter's loader lists its attempts, e.g. local copy → download → embedded default::

    loaded = load_first([
        ("MNIST, local copy in ~/.cache/lstm_utils", lambda: read_local()),
        ("MNIST, downloaded", lambda: download_and_read()),
        ("scikit-learn digits (embedded default)", lambda: load_digits_dataset()),
    ])
    print(loaded)          # says which data the notebook uses, and why the others were skipped

Only :class:`~lstm_utils.data.cache.DatasetUnavailable` moves on to the next attempt;
any other error is a bug and propagates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Generic, Sequence, TypeVar

from lstm_utils.data.cache import DatasetUnavailable

T = TypeVar("T")


@dataclass
class Loaded(Generic[T]):
    """Data together with a plain description of where it came from."""

    data: T
    source: str
    skipped: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"Data used: {self.source}"]
        lines += [f"  (skipped {reason})" for reason in self.skipped]
        # the home folder as ~: the same on every machine, and no user's path on a published page
        return "\n".join(lines).replace(str(Path.home()) + "/", "~/")


def load_first(attempts: Sequence[tuple[str, Callable[[], T]]]) -> Loaded[T]:
    """Call each ``(description, loader)`` in turn; return the first that does not raise ``DatasetUnavailable``.

    Every pair is checked (a str and a callable) before any loader runs.
    """
    if isinstance(attempts, str) or not hasattr(attempts, "__iter__"):
        raise TypeError(f"expected a list of (description, loader) pairs, got {type(attempts).__name__}")
    attempts = list(attempts)
    if not attempts:
        raise ValueError("expected at least one (description, loader) attempt, got none")
    for n, attempt in enumerate(attempts):
        if not isinstance(attempt, (tuple, list)) or len(attempt) != 2:
            raise TypeError(f"expected (description, loader) pairs, got {type(attempt).__name__} at index {n}")
        if not isinstance(attempt[0], str):
            raise TypeError(f"expected a str description at index {n}, got {type(attempt[0]).__name__}")
        if not callable(attempt[1]):
            raise TypeError(f"expected a callable loader at index {n}, got {type(attempt[1]).__name__}")
    skipped: list[str] = []
    for description, loader in attempts:
        try:
            return Loaded(loader(), description, skipped)
        except DatasetUnavailable as error:
            skipped.append(f"{description}: {error}")
    raise DatasetUnavailable("no data source worked:\n" + "\n".join(skipped))
