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
import re
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from lstm_utils.progress import tqdm

ENV_VAR = "LSTM_UTILS_DATA"
OFFLINE_VAR = "LSTM_UTILS_OFFLINE"
CHUNK = 1 << 16
SCHEMES = ("http", "https", "ftp", "file")


class DatasetUnavailable(RuntimeError):
    """The data could not be obtained (offline, server error, bad checksum, missing local copy)."""


class ChecksumMismatch(DatasetUnavailable):
    """A downloaded or local file does not have the expected sha256."""


def data_dir(*parts: str, create: bool = True) -> Path:
    """The book's data directory (``$LSTM_UTILS_DATA`` or ``~/.cache/lstm_utils``), joined with ``parts``.

    ``parts`` are folder names inside it (no absolute paths, no ``..``). A folder that cannot be
    created (read-only, a file in the way) raises :class:`DatasetUnavailable`.
    """
    for part in parts:
        if not isinstance(part, str) or Path(part).is_absolute() or ".." in Path(part).parts:
            raise ValueError(f"expected folder names inside the data folder, got {part!r}")
    root = os.environ.get(ENV_VAR)
    if root:
        base = Path(root).expanduser()
    else:
        cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        base = Path(cache) / "lstm_utils"
    path = base.joinpath(*parts)
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatasetUnavailable(
                f"cannot create the data folder {path} ({error}); point ${ENV_VAR} at a writable folder"
            ) from None
    return path


def sha256sum(path: str | os.PathLike) -> str:
    """Hex sha256 of a file, read in chunks."""
    if os.path.isdir(path):
        raise IsADirectoryError(f"expected a file to hash, got the folder {path}")
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: str | os.PathLike, sha256: str | None, size: int | None = None) -> None:
    """Raise :class:`ChecksumMismatch` unless ``path`` has ``size`` bytes and the sha256 ``sha256``.

    ``None`` skips that check. A size alone is a weak check, for files whose sha256 is not yet known.
    """
    _check_expectations(sha256, size)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no file to verify at {path}")
    if size is not None and os.path.getsize(path) != size:
        raise ChecksumMismatch(f"{path}: expected {size} bytes, got {os.path.getsize(path)}")
    if sha256 is None:
        return
    actual = sha256sum(path)
    if actual != sha256.lower():
        raise ChecksumMismatch(f"{path}: expected sha256 {sha256}, got {actual}")


def _check_expectations(sha256: str | None, size: int | None) -> None:
    """Refuse a malformed sha256 or size: it would make every copy look corrupt."""
    if sha256 is not None and not (isinstance(sha256, str) and re.fullmatch(r"[0-9a-fA-F]{64}", sha256)):
        raise ValueError(f"expected sha256 as 64 hex digits, got {sha256!r}")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        raise ValueError(f"expected size >= 0 bytes or None, got {size!r}")


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
    :class:`DatasetUnavailable` (or its subclass :class:`ChecksumMismatch`) says why: a folder at
    ``dest`` or a folder that cannot be written into (read-only) included, so that
    :func:`~lstm_utils.data.sources.load_first` moves on to the next source. Malformed arguments
    (a url without a scheme, a sha256 that is not 64 hex digits, ``retries < 1``) are bugs in the
    caller and raise ``ValueError``/``TypeError`` before anything else.
    """
    if not isinstance(url, str):
        raise TypeError(f"expected url as a str, got {type(url).__name__}")
    if url.split("://", 1)[0].lower() not in SCHEMES or "://" not in url:
        raise ValueError(f"expected an http(s), ftp or file url, got {url!r}")
    _check_expectations(sha256, size)
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 1:
        raise ValueError(f"expected retries >= 1, got {retries!r}")
    if not timeout > 0:
        raise ValueError(f"expected timeout > 0 seconds, got {timeout!r}")
    if not isinstance(dest, (str, os.PathLike)):
        raise TypeError(f"expected dest as a file path, got {type(dest).__name__}")
    dest = Path(dest)
    if dest.is_dir():
        raise DatasetUnavailable(
            f"expected the path of a file, got the folder {dest} (e.g. {dest / Path(url).name})"
        )
    if dest.exists():
        verify(dest, sha256, size)
        return dest
    if os.environ.get(OFFLINE_VAR, "") not in ("", "0"):
        raise DatasetUnavailable(f"not downloading {url}: offline mode (${OFFLINE_VAR} is set)")
    last_error: Exception | None = None
    for attempt in range(retries):
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
        except OSError as error:
            raise DatasetUnavailable(
                f"cannot write into {dest.parent} ({error}); point ${ENV_VAR} at a writable folder"
            ) from None
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
