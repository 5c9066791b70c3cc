"""Archive extraction refuses anything that would land outside the target, before writing anything."""

import io
import tarfile
import zipfile

import pytest

from lstm_utils.data.archives import UnsafeArchiveError, safe_extract


def _tar(path, members):
    """members: list of (TarInfo-kwargs, bytes or None)."""
    with tarfile.open(path, "w:gz") as tf:
        for info_kwargs, data in members:
            info = tarfile.TarInfo(info_kwargs.pop("name"))
            for key, value in info_kwargs.items():
                setattr(info, key, value)
            if data is not None:
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
            else:
                tf.addfile(info)
    return path


def test_extracts_a_plain_tar(tmp_path):
    archive = _tar(tmp_path / "ok.tar.gz", [({"name": "aclImdb/train/pos/0_9.txt"}, b"great")])
    target = safe_extract(archive, tmp_path / "out")
    assert (target / "aclImdb/train/pos/0_9.txt").read_bytes() == b"great"


def test_extracts_a_plain_zip(tmp_path):
    with zipfile.ZipFile(tmp_path / "ok.zip", "w") as zf:
        zf.writestr("ner_dataset.csv", "Sentence #,Word,POS,Tag\n")
    assert (safe_extract(tmp_path / "ok.zip", tmp_path / "out") / "ner_dataset.csv").exists()


@pytest.mark.parametrize("name", ["../evil.txt", "a/../../evil.txt", "/tmp/evil.txt"])
def test_tar_with_escaping_path_is_refused_whole(tmp_path, name):
    archive = _tar(tmp_path / "bad.tar.gz", [({"name": "fine.txt"}, b"ok"), ({"name": name}, b"x")])
    with pytest.raises(UnsafeArchiveError, match="outside"):
        safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "evil.txt").exists()
    assert not (tmp_path / "out" / "fine.txt").exists()  # nothing written before the check


def test_tar_symlink_escaping_target_is_refused(tmp_path):
    archive = _tar(tmp_path / "link.tar.gz", [({"name": "data/link", "type": tarfile.SYMTYPE, "linkname": "../../etc/passwd"}, None)])
    with pytest.raises(UnsafeArchiveError, match="symlink"):
        safe_extract(archive, tmp_path / "out")


def test_tar_absolute_symlink_is_refused(tmp_path):
    archive = _tar(tmp_path / "abs.tar.gz", [({"name": "link", "type": tarfile.SYMTYPE, "linkname": "/etc/passwd"}, None)])
    with pytest.raises(UnsafeArchiveError, match="symlink"):
        safe_extract(archive, tmp_path / "out")


def test_tar_hardlink_escaping_target_is_refused(tmp_path):
    archive = _tar(tmp_path / "hard.tar.gz", [({"name": "h", "type": tarfile.LNKTYPE, "linkname": "../outside"}, None)])
    with pytest.raises(UnsafeArchiveError, match="hard link"):
        safe_extract(archive, tmp_path / "out")


def test_tar_device_is_refused(tmp_path):
    archive = _tar(tmp_path / "dev.tar.gz", [({"name": "dev", "type": tarfile.CHRTYPE}, None)])
    with pytest.raises(UnsafeArchiveError, match="device"):
        safe_extract(archive, tmp_path / "out")


def test_tar_symlink_inside_target_is_allowed(tmp_path):
    archive = _tar(tmp_path / "in.tar.gz", [({"name": "a/file.txt"}, b"x"), ({"name": "a/link", "type": tarfile.SYMTYPE, "linkname": "file.txt"}, None)])
    target = safe_extract(archive, tmp_path / "out")
    assert (target / "a/link").read_bytes() == b"x"


def test_zip_with_escaping_path_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "bad.zip", "w") as zf:
        zf.writestr("ok.txt", "fine")
        zf.writestr("../evil.txt", "x")
    with pytest.raises(UnsafeArchiveError, match="outside"):
        safe_extract(tmp_path / "bad.zip", tmp_path / "out")
    assert not (tmp_path / "evil.txt").exists()
    assert not (tmp_path / "out" / "ok.txt").exists()


def test_not_an_archive_gets_a_clear_error(tmp_path):
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(ValueError, match="expected a .zip or .tar archive"):
        safe_extract(tmp_path / "x.txt", tmp_path / "out")
