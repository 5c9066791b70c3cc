"""Safe extraction of ``.zip`` and ``.tar(.gz|.bz2|.xz)`` archives.

Every member is checked before anything is written. An archive is refused whole
(:class:`UnsafeArchiveError`) if one member has an absolute path, climbs out with ``..``,
is a link whose target lies outside the destination, or is a device or FIFO.
"""

from __future__ import annotations

import os
import tarfile
import zipfile
from pathlib import Path, PurePosixPath


class UnsafeArchiveError(ValueError):
    """An archive member would be written outside the destination folder (or is not a plain file)."""


def _inside(target: Path, name: str) -> bool:
    """Whether ``target / name`` stays inside ``target`` (lexically, before anything exists)."""
    if PurePosixPath(name).is_absolute() or Path(name).is_absolute() or name.startswith(("/", "\\")):
        return False
    resolved = Path(os.path.normpath(target / name))
    return resolved == target or target in resolved.parents


def _check_tar_member(target: Path, member: tarfile.TarInfo, archive: Path) -> None:
    if not _inside(target, member.name):
        raise UnsafeArchiveError(f"{archive}: member {member.name!r} would be written outside {target}")
    if member.issym():
        link_target = os.path.join(os.path.dirname(member.name), member.linkname)
        if os.path.isabs(member.linkname) or not _inside(target, link_target):
            raise UnsafeArchiveError(
                f"{archive}: symlink {member.name!r} -> {member.linkname!r} points outside {target}"
            )
    elif member.islnk():
        if not _inside(target, member.linkname):
            raise UnsafeArchiveError(
                f"{archive}: hard link {member.name!r} -> {member.linkname!r} points outside {target}"
            )
    elif not (member.isfile() or member.isdir()):
        raise UnsafeArchiveError(f"{archive}: member {member.name!r} is a device or FIFO, not a file")


def safe_extract(archive: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Extract ``archive`` into ``target`` after checking every member; return ``target``."""
    archive, target = Path(archive), Path(target).resolve()
    target.mkdir(parents=True, exist_ok=True)
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                mode = info.external_attr >> 16
                if not _inside(target, info.filename):
                    raise UnsafeArchiveError(f"{archive}: member {info.filename!r} would be written outside {target}")
                if mode and (mode & 0o170000) == 0o120000:
                    raise UnsafeArchiveError(f"{archive}: member {info.filename!r} is a symlink; refused")
            zf.extractall(target)
        return target
    if tarfile.is_tarfile(archive):
        with tarfile.open(archive) as tf:
            members = tf.getmembers()
            for member in members:
                _check_tar_member(target, member, archive)
            if hasattr(tarfile, "data_filter"):
                tf.extractall(target, members=members, filter="data")
            else:  # Python without extraction filters: the checks above already ran.
                tf.extractall(target, members=members)
        return target
    raise ValueError(f"{archive}: expected a .zip or .tar archive, found neither")
