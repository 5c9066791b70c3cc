"""Downloads: verified, retried, atomic; offline gives one clear error; nothing partial is left."""

import hashlib
import http.server
import threading
from pathlib import Path

import pytest

from lstm_utils.data import cache
from lstm_utils.data.cache import ChecksumMismatch, DatasetUnavailable, data_dir, download, sha256sum

PAYLOAD = b"0123456789" * 1000
SHA = hashlib.sha256(PAYLOAD).hexdigest()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path == "/good.bin":
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAYLOAD)))
            self.end_headers()
            self.wfile.write(PAYLOAD)
        elif self.path == "/truncated.bin":
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAYLOAD)))
            self.end_headers()
            self.wfile.write(PAYLOAD[:100])  # then the connection closes early
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    monkeypatch.delenv("LSTM_UTILS_OFFLINE", raising=False)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_data_dir_follows_env(tmp_path, monkeypatch):
    monkeypatch.setenv("LSTM_UTILS_DATA", str(tmp_path / "data"))
    assert data_dir("mnist") == tmp_path / "data" / "mnist"
    assert (tmp_path / "data" / "mnist").is_dir()


def test_download_verifies_and_writes_file(server, tmp_path):
    dest = download(f"{server}/good.bin", tmp_path / "good.bin", SHA, progress=False)
    assert dest.read_bytes() == PAYLOAD
    assert _leftovers(tmp_path) == ["good.bin"]


def test_download_reuses_verified_local_copy_without_network(tmp_path, monkeypatch):
    monkeypatch.setenv("LSTM_UTILS_OFFLINE", "1")
    (tmp_path / "good.bin").write_bytes(PAYLOAD)
    assert download("http://127.0.0.1:9/never", tmp_path / "good.bin", SHA).read_bytes() == PAYLOAD


def test_download_wrong_checksum_leaves_nothing(server, tmp_path):
    with pytest.raises(ChecksumMismatch, match="expected sha256 0000"):
        download(f"{server}/good.bin", tmp_path / "good.bin", "0" * 64, progress=False)
    assert _leftovers(tmp_path) == []


def test_download_truncated_is_retried_then_fails_cleanly(server, tmp_path):
    with pytest.raises(DatasetUnavailable, match="could not download"):
        download(f"{server}/truncated.bin", tmp_path / "t.bin", SHA, retries=2, backoff=0, progress=False)
    assert _leftovers(tmp_path) == []


def test_download_http_error_is_dataset_unavailable(server, tmp_path):
    with pytest.raises(DatasetUnavailable, match="404"):
        download(f"{server}/missing.bin", tmp_path / "m.bin", retries=1, progress=False)
    assert _leftovers(tmp_path) == []


def test_download_unreachable_host_says_where_to_put_the_file(tmp_path, monkeypatch):
    monkeypatch.delenv("LSTM_UTILS_OFFLINE", raising=False)
    with pytest.raises(DatasetUnavailable, match=r"place the file at .*x\.bin"):
        download("http://127.0.0.1:9/x.bin", tmp_path / "x.bin", retries=1, timeout=2, progress=False)
    assert _leftovers(tmp_path) == []


def test_offline_mode_refuses_at_once(tmp_path):
    with pytest.raises(DatasetUnavailable, match="offline mode"):
        download("http://example.invalid/x.bin", tmp_path / "x.bin")


def test_local_copy_with_wrong_checksum_is_reported(tmp_path):
    (tmp_path / "bad.bin").write_bytes(b"not the payload")
    with pytest.raises(ChecksumMismatch, match="bad.bin"):
        download("http://example.invalid/bad.bin", tmp_path / "bad.bin", SHA)


def test_sha256sum_matches_hashlib(tmp_path):
    (tmp_path / "f").write_bytes(PAYLOAD)
    assert sha256sum(tmp_path / "f") == SHA
    assert cache.verify(tmp_path / "f", None) is None


def test_download_checks_size_when_no_checksum_is_known(server, tmp_path):
    with pytest.raises(ChecksumMismatch, match="expected 5 bytes, got 10000"):
        download(f"{server}/good.bin", tmp_path / "good.bin", size=5, progress=False)
    assert _leftovers(tmp_path) == []
    assert download(f"{server}/good.bin", tmp_path / "good.bin", size=len(PAYLOAD), progress=False).exists()


def _read_only(*args, **kwargs):
    """What creating a file or folder in a read-only data folder raises (root would not see it)."""
    raise PermissionError(13, "Permission denied", kwargs.get("dir", "ro"))


def test_read_only_folder_is_dataset_unavailable_so_load_first_falls_back(server, tmp_path, monkeypatch):
    from lstm_utils.data.sources import load_first

    monkeypatch.setattr(cache.tempfile, "mkstemp", _read_only)
    folder = tmp_path / "ro"
    folder.mkdir()
    with pytest.raises(DatasetUnavailable, match=r"cannot write into .*ro.*Permission denied"):
        download(f"{server}/good.bin", folder / "good.bin", SHA, progress=False)
    loaded = load_first([
        ("download", lambda: download(f"{server}/good.bin", folder / "good.bin", SHA, progress=False)),
        ("embedded default", lambda: b"default"),
    ])
    assert loaded.data == b"default" and "cannot write into" in loaded.skipped[0]
    monkeypatch.setattr(cache.Path, "mkdir", _read_only)
    with pytest.raises(DatasetUnavailable, match=r"cannot write into .*sub.*Permission denied"):
        download(f"{server}/good.bin", folder / "sub" / "good.bin", SHA, progress=False)
    assert _leftovers(folder) == []


def test_a_folder_at_the_destination_is_not_returned_as_the_file(tmp_path):
    (tmp_path / "glove").mkdir()
    with pytest.raises(DatasetUnavailable, match=r"expected the path of a file, got the folder .*glove"):
        download("http://example.invalid/glove.zip", tmp_path / "glove", None)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"sha256": "abc"}, ValueError, r"expected sha256 as 64 hex digits, got 'abc'"),
        ({"size": -5}, ValueError, r"expected size >= 0 bytes or None, got -5"),
        ({"retries": 0}, ValueError, r"expected retries >= 1, got 0"),
        ({"timeout": 0}, ValueError, r"expected timeout > 0 seconds, got 0"),
        ({"url": b"http://x"}, TypeError, r"expected url as a str, got bytes"),
        ({"url": "ftp.example.org/x.bin"}, ValueError, r"expected an http\(s\), ftp or file url, got 'ftp\.example\.org/x\.bin'"),
    ],
)
def test_download_arguments_are_checked_before_anything_else(tmp_path, kwargs, error, message):
    url = kwargs.pop("url", "http://example.invalid/x.bin")
    with pytest.raises(error, match=message):
        download(url, tmp_path / "x.bin", **kwargs)
    assert _leftovers(tmp_path) == []


def test_data_dir_refuses_escaping_parts_and_a_file_in_the_way(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match=r"expected folder names inside the data folder, got '\.\./x'"):
        data_dir("../x")
    with pytest.raises(ValueError, match=r"expected folder names inside the data folder, got '/etc'"):
        data_dir("/etc")
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("LSTM_UTILS_DATA", str(tmp_path / "file"))
    with pytest.raises(DatasetUnavailable, match=r"cannot create the data folder .*file.*LSTM_UTILS_DATA"):
        data_dir("mnist")


def test_verify_and_sha256sum_name_a_missing_file_or_a_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no file to verify at .*nothing"):
        cache.verify(tmp_path / "nothing", SHA)
    with pytest.raises(IsADirectoryError, match=r"expected a file to hash, got the folder"):
        sha256sum(tmp_path)


def test_download_refuses_a_dest_that_is_not_a_path(tmp_path):
    with pytest.raises(TypeError, match="expected dest as a file path, got NoneType"):
        download("http://example.invalid/x.bin", None)
