"""Where data lives, and downloads that are verified and atomic.

* :func:`data_dir` is ``$LSTM_UTILS_DATA`` or, by default, ``~/.cache/lstm_utils``.
* :func:`download` streams to a temporary file beside the destination, checks the size and the
  sha256, and only then renames it into place: an interrupted or corrupt download never leaves a
  file that looks complete. Any failure to obtain the file raises :class:`DatasetUnavailable`.
* ``$LSTM_UTILS_OFFLINE=1`` makes every download fail at once with :class:`DatasetUnavailable`
  (the tests and the ``ci`` book build set it, so they never wait on the network).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from lstm_utils.progress import tqdm

ENV_VAR = "LSTM_UTILS_DATA"
OFFLINE_VAR = "LSTM_UTILS_OFFLINE"
CHUNK = 1 << 16


class DatasetUnavailable(RuntimeError):
    """The data could not be obtained (offline, server error, bad checksum, missing local copy)."""


class ChecksumMismatch(DatasetUnavailable):
    """A downloaded or local file does not have the expected sha256."""


def data_dir(*parts: str, create: bool = True) -> Path:
    """The book's data directory (``$LSTM_UTILS_DATA`` or ``~/.cache/lstm_utils``), joined with ``parts``."""
    root = os.environ.get(ENV_VAR)
    if root:
        base = Path(root).expanduser()
    else:
        cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        base = Path(cache) / "lstm_utils"
    path = base.joinpath(*parts)
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def sha256sum(path: str | os.PathLike) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: str | os.PathLike, sha256: str | None, size: int | None = None) -> None:
    """Raise :class:`ChecksumMismatch` unless ``path`` has ``size`` bytes and the sha256 ``sha256``.

    ``None`` skips that check. A size alone is a weak check, for files whose sha256 is not yet known.
    """
    if size is not None and os.path.getsize(path) != size:
        raise ChecksumMismatch(f"{path}: expected {size} bytes, got {os.path.getsize(path)}")
    if sha256 is None:
        return
    actual = sha256sum(path)
    if actual != sha256.lower():
        raise ChecksumMismatch(f"{path}: expected sha256 {sha256}, got {actual}")


def _fetch_to(url: str, tmp_path: Path, timeout: float, progress: bool) -> None:
    """Stream ``url`` into ``tmp_path``; raise ``OSError`` if fewer bytes arrive than announced."""
    request = urllib.request.Request(url, headers={"User-Agent": "lstm_utils"})
    with urllib.request.urlopen(request, timeout=timeout) as response, open(tmp_path, "wb") as out:
        announced = response.headers.get("Content-Length")
        total = int(announced) if announced else None
        received = 0
        with tqdm(total=total, unit="B", unit_scale=True, desc=Path(url).name, disable=not progress) as bar:
            for chunk in iter(lambda: response.read(CHUNK), b""):
                out.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
    if total is not None and received != total:
        raise OSError(f"truncated download: got {received} of {total} bytes")


def download(
    url: str,
    dest: str | os.PathLike,
    sha256: str | None = None,
    *,
    size: int | None = None,
    retries: int = 3,
    timeout: float = 30.0,
    backoff: float = 1.0,
    progress: bool = True,
) -> Path:
    """Download ``url`` to ``dest`` unless a verified copy is already there; return ``dest``.

    The bytes go to a temporary file in ``dest``'s folder, are checked (announced length, sha256),
    then renamed onto ``dest`` with :func:`os.replace`, which is atomic. ``size`` (bytes) is checked too
    when given. Network errors are retried
    ``retries`` times with exponential backoff. Whatever goes wrong, no partial file is left and
    :class:`DatasetUnavailable` (or its subclass :class:`ChecksumMismatch`) says why.
    """
    dest = Path(dest)
    if dest.exists():
        verify(dest, sha256, size)
        return dest
    if os.environ.get(OFFLINE_VAR, "") not in ("", "0"):
        raise DatasetUnavailable(f"not downloading {url}: offline mode (${OFFLINE_VAR} is set)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    last_error: Exception | None = None
    for attempt in range(max(1, retries)):
        fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
        os.close(fd)
        tmp_path = Path(tmp_name)
        try:
            _fetch_to(url, tmp_path, timeout, progress)
            verify(tmp_path, sha256, size)
            os.replace(tmp_path, dest)
            return dest
        except ChecksumMismatch as error:
            raise ChecksumMismatch(f"download of {url} is corrupt: {error}") from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            last_error = error
            if attempt + 1 < retries:
                time.sleep(backoff * 2**attempt)
        finally:
            tmp_path.unlink(missing_ok=True)
    raise DatasetUnavailable(
        f"could not download {url} ({last_error}). If you are offline, place the file at {dest} "
        f"(or point ${ENV_VAR} at a folder that holds it)."
    )
