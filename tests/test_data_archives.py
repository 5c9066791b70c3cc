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


def test_symlink_chain_is_refused_before_anything_is_written(tmp_path):
    archive = _tar(tmp_path / "chain.tar.gz", [
        ({"name": "a", "type": tarfile.DIRTYPE}, None),
        ({"name": "a/l", "type": tarfile.SYMTYPE, "linkname": ".."}, None),
        ({"name": "a/l/m", "type": tarfile.SYMTYPE, "linkname": ".."}, None),
        ({"name": "a/l/m/escaped.txt"}, b"x"),
    ])
    with pytest.raises(UnsafeArchiveError, match=r"'a/l/m' lies under the symlink 'a/l'"):
        safe_extract(archive, tmp_path / "out" / "inner")
    assert not (tmp_path / "out").exists()  # not even the target folder
    assert not (tmp_path / "escaped.txt").exists()


def test_link_whose_target_goes_through_another_link_is_refused(tmp_path):
    archive = _tar(tmp_path / "via.tar.gz", [
        ({"name": "up", "type": tarfile.SYMTYPE, "linkname": "."}, None),
        ({"name": "x", "type": tarfile.SYMTYPE, "linkname": "up/file"}, None),
    ])
    with pytest.raises(UnsafeArchiveError, match=r"'x' -> 'up/file' goes through the symlink 'up'"):
        safe_extract(archive, tmp_path / "out")


def _zip_of_zeros(path, megabytes):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("zeros.bin", "w") as member:
            for _ in range(megabytes):
                member.write(bytes(1 << 20))
    return path


def test_zip_bomb_is_refused_before_writing(tmp_path):
    archive = _zip_of_zeros(tmp_path / "bomb.zip", 100)
    assert archive.stat().st_size < 200_000  # 100 MiB of zeros squeeze into about 100 KB
    with pytest.raises(UnsafeArchiveError, match=r"bomb\.zip: expands to 104857600 bytes, over 100 times its size of \d+ bytes"):
        safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_member_count_and_total_size_are_bounded(tmp_path):
    archive = _tar(tmp_path / "many.tar.gz", [({"name": f"f{n}.txt"}, b"0123456789") for n in range(5)])
    with pytest.raises(UnsafeArchiveError, match=r"many\.tar\.gz: expected at most 4 members \(max_members\), got more"):
        safe_extract(archive, tmp_path / "out", max_members=4)
    with pytest.raises(UnsafeArchiveError, match=r"many\.tar\.gz: expands to 50 bytes, over max_bytes = 49"):
        safe_extract(archive, tmp_path / "out", max_bytes=49)
    assert not (tmp_path / "out").exists()
    assert len(list(safe_extract(archive, tmp_path / "out", max_members=5, max_bytes=50).iterdir())) == 5


def test_missing_folder_or_truncated_archives_and_a_file_as_target_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"expected an archive at .*none\.zip, found nothing"):
        safe_extract(tmp_path / "none.zip", tmp_path / "out")
    with pytest.raises(IsADirectoryError, match=r"expected an archive file, got the folder"):
        safe_extract(tmp_path, tmp_path / "out")
    good = _tar(tmp_path / "ok.tar.gz", [({"name": f"f{n}.txt"}, bytes(range(256)) * 40) for n in range(20)])
    (tmp_path / "cut.tar.gz").write_bytes(good.read_bytes()[:-200])
    with pytest.raises(ValueError, match=r"cut\.tar\.gz: expected a complete tar archive, got a corrupt or truncated one"):
        safe_extract(tmp_path / "cut.tar.gz", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    (tmp_path / "file").write_text("in the way")
    with pytest.raises(NotADirectoryError, match=r"expected a folder to extract into, got the file .*file"):
        safe_extract(good, tmp_path / "file")


def test_real_ner_zip_passes_the_checks(shared_data, tmp_path):
    target = safe_extract(shared_data / "ner" / "ner_dataset.csv.zip", tmp_path / "out")
    assert (target / "ner_dataset.csv").stat().st_size > 0


@pytest.mark.parametrize(
    "limits, message",
    [
        ({"max_members": 0}, "expected max_members >= 1, got 0"),
        ({"max_bytes": -1}, "expected max_bytes >= 0, got -1"),
        ({"max_ratio": 0}, "expected max_ratio > 0, got 0"),
    ],
)
def test_limits_are_checked_before_anything_is_written(tmp_path, limits, message):
    archive = _tar(tmp_path / "ok.tar.gz", [({"name": "f.txt"}, b"x")])
    with pytest.raises(ValueError, match=message):
        safe_extract(archive, tmp_path / "out", **limits)
    assert not (tmp_path / "out").exists()
