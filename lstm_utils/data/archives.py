"""Safe extraction of ``.zip`` and ``.tar(.gz|.bz2|.xz)`` archives.

Every member is checked before anything is written, the target folder included. An archive is
refused whole (:class:`UnsafeArchiveError`) if one member has an absolute path, climbs out with
``..``, is a link whose target lies outside the destination, lies under a symlink of the archive or
links through one (``a/l -> ..`` then ``a/l/m -> ..`` would climb out step by step), or is a device
or FIFO. Bombs are refused too: more than ``max_members`` members, more than ``max_bytes`` once
extracted, or more than ``max_ratio`` times the archive's own size (past 16 MiB). The defaults
leave room for the book's largest archives (GloVe: 862 MB → 2.1 GB, 4 members; IMDB: 84 MB →
about 210 MB, about 100 000 members).
"""

from __future__ import annotations

import gzip
import lzma
import os
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MAX_MEMBERS = 200_000
MAX_BYTES = 4 << 30  # 4 GiB
MAX_RATIO = 100.0
RATIO_FLOOR = 16 << 20  # content below 16 MiB is never refused for its ratio


class UnsafeArchiveError(ValueError):
    """An archive member would be written outside the destination folder (or is not a plain file)."""


@dataclass
class _Member:
    name: str
    size: int
    kind: str  # "file", "dir", "symlink", "hardlink", "other"
    link: str = ""


def _inside(target: Path, name: str) -> bool:
    """Whether ``target / name`` stays inside ``target`` (lexically, before anything exists)."""
    if PurePosixPath(name).is_absolute() or Path(name).is_absolute() or name.startswith(("/", "\\")):
        return False
    resolved = Path(os.path.normpath(target / name))
    return resolved == target or target in resolved.parents


def _through(path: str, links: set[str]) -> str | None:
    """The first of ``links`` that ``path`` (normalised) is, or lies under; ``None`` if none."""
    parts = PurePosixPath(os.path.normpath(path)).parts
    for k in range(1, len(parts) + 1):
        prefix = "/".join(parts[:k])
        if prefix in links:
            return prefix
    return None


def _check_members(archive: Path, target: Path, members: list[_Member]) -> None:
    links = {os.path.normpath(m.name) for m in members if m.kind == "symlink"}
    for m in members:
        if not _inside(target, m.name):
            raise UnsafeArchiveError(f"{archive}: member {m.name!r} would be written outside {target}")
        parent = _through(os.path.dirname(os.path.normpath(m.name)), links)
        if parent is not None:
            raise UnsafeArchiveError(f"{archive}: member {m.name!r} lies under the symlink {parent!r}; refused")
        if m.kind == "symlink":
            link_target = os.path.join(os.path.dirname(m.name), m.link)
            if os.path.isabs(m.link) or not _inside(target, link_target):
                raise UnsafeArchiveError(f"{archive}: symlink {m.name!r} -> {m.link!r} points outside {target}")
        elif m.kind == "hardlink":
            link_target = m.link
            if not _inside(target, link_target):
                raise UnsafeArchiveError(f"{archive}: hard link {m.name!r} -> {m.link!r} points outside {target}")
        elif m.kind == "other":
            raise UnsafeArchiveError(f"{archive}: member {m.name!r} is a device or FIFO, not a file")
        else:
            continue
        via = _through(link_target, links - {os.path.normpath(m.name)})
        if via is not None:
            raise UnsafeArchiveError(f"{archive}: link {m.name!r} -> {m.link!r} goes through the symlink {via!r}; refused")


def _check_size(archive: Path, members: list[_Member], max_bytes: int, max_ratio: float) -> None:
    total, packed = sum(m.size for m in members), archive.stat().st_size
    if total > max_bytes:
        raise UnsafeArchiveError(f"{archive}: expands to {total} bytes, over max_bytes = {max_bytes}")
    if total > RATIO_FLOOR and total > max_ratio * packed:
        raise UnsafeArchiveError(
            f"{archive}: expands to {total} bytes, over {max_ratio:g} times its size of {packed} bytes "
            "(max_ratio); a compression bomb?"
        )


def _zip_members(zf: zipfile.ZipFile, archive: Path, max_members: int) -> list[_Member]:
    infos = zf.infolist()
    if len(infos) > max_members:
        raise UnsafeArchiveError(f"{archive}: expected at most {max_members} members (max_members), got more")
    members = []
    for info in infos:
        mode = info.external_attr >> 16
        if mode and (mode & 0o170000) == 0o120000:
            raise UnsafeArchiveError(f"{archive}: member {info.filename!r} is a symlink; refused")
        members.append(_Member(info.filename, info.file_size, "dir" if info.is_dir() else "file"))
    return members


def _tar_members(tf: tarfile.TarFile, archive: Path, max_members: int) -> list[tarfile.TarInfo]:
    """The members, read one header at a time so that a bomb of headers stops at ``max_members``."""
    infos = []
    for info in tf:
        if len(infos) == max_members:
            raise UnsafeArchiveError(f"{archive}: expected at most {max_members} members (max_members), got more")
        infos.append(info)
    return infos


def _tar_kind(info: tarfile.TarInfo) -> str:
    if info.issym():
        return "symlink"
    if info.islnk():
        return "hardlink"
    return "file" if info.isfile() else "dir" if info.isdir() else "other"


def _prepare(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"expected a folder to extract into, got the file {target}")


def safe_extract(
    archive: str | os.PathLike,
    target: str | os.PathLike,
    *,
    max_members: int = MAX_MEMBERS,
    max_bytes: int = MAX_BYTES,
    max_ratio: float = MAX_RATIO,
) -> Path:
    """Extract ``archive`` into ``target`` after checking every member; return ``target``.

    Nothing is written, not even ``target``, unless every member passes the checks of the module
    docstring. ``max_members``, ``max_bytes`` (extracted bytes in all) and ``max_ratio``
    (extracted bytes over the archive's bytes) bound what an archive may unpack to.
    """
    for name, value, minimum in (("max_members", max_members, 1), ("max_bytes", max_bytes, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"expected {name} >= {minimum}, got {value!r}")
    if not (isinstance(max_ratio, (int, float)) and max_ratio > 0):
        raise ValueError(f"expected max_ratio > 0, got {max_ratio!r}")
    archive, target = Path(archive), Path(target).resolve()
    if archive.is_dir():
        raise IsADirectoryError(f"expected an archive file, got the folder {archive}")
    if not archive.exists():
        raise FileNotFoundError(f"expected an archive at {archive}, found nothing")
    _prepare(target)
    if zipfile.is_zipfile(archive):
        try:
            with zipfile.ZipFile(archive) as zf:
                members = _zip_members(zf, archive, max_members)
                _check_members(archive, target, members)
                _check_size(archive, members, max_bytes, max_ratio)
                target.mkdir(parents=True, exist_ok=True)
                zf.extractall(target)
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise ValueError(f"{archive}: expected a complete zip archive, got a corrupt one ({error})") from None
        return target
    if tarfile.is_tarfile(archive):
        try:
            with tarfile.open(archive) as tf:
                infos = _tar_members(tf, archive, max_members)
                members = [_Member(i.name, i.size if i.isfile() else 0, _tar_kind(i), i.linkname) for i in infos]
                _check_members(archive, target, members)
                _check_size(archive, members, max_bytes, max_ratio)
                target.mkdir(parents=True, exist_ok=True)
                if hasattr(tarfile, "data_filter"):
                    tf.extractall(target, members=infos, filter="data")
                else:  # Python without extraction filters: the checks above already ran.
                    tf.extractall(target, members=infos)
        except (tarfile.ReadError, tarfile.CompressionError, gzip.BadGzipFile, lzma.LZMAError, zlib.error,
                EOFError) as error:
            raise ValueError(
                f"{archive}: expected a complete tar archive, got a corrupt or truncated one ({error})"
            ) from None
        return target
    raise ValueError(f"{archive}: expected a .zip or .tar archive, found neither")
