"""MNIST's IDX reader (on small files written here, and on the real files in ../shared/data) and the digits fallback."""

import gzip
import struct

import numpy as np
import pytest
import torch

from lstm_utils.data.cache import DatasetUnavailable
from lstm_utils.data.mnist import (
    IMAGES_MAGIC,
    LABELS_MAGIC,
    IdxFormatError,
    download_mnist,
    load_digit_images,
    load_sklearn_digits,
    read_idx,
    read_mnist,
    read_mnist_split,
)


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file of unsigned bytes: magic 0x00 0x00 0x08 ndim, big-endian sizes, then the data."""
    return bytes([0, 0, 8, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.astype(np.uint8).tobytes()


def write_split(folder, prefix, images, labels, compress):
    names = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
             "t10k": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}[prefix]
    paths = []
    for name, array in zip(names, (images, labels)):
        data = idx_bytes(array)
        path = folder / (name + (".gz" if compress else ""))
        path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
        paths.append(path)
    return paths


@pytest.fixture
def tiny_mnist(tmp_path):
    """A 5-image train split (gzip) and a 3-image test split (plain) of 4×3 images."""
    rng = np.random.default_rng(0)
    train = rng.integers(0, 256, (5, 4, 3)), np.array([5, 0, 4, 1, 9])
    test = rng.integers(0, 256, (3, 4, 3)), np.array([7, 2, 1])
    write_split(tmp_path, "train", *train, compress=True)
    write_split(tmp_path, "t10k", *test, compress=False)
    return tmp_path, train, test


@pytest.mark.parametrize("compress", [False, True])
def test_read_idx_round_trips_images_and_labels(tmp_path, compress):
    images = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    images_path, labels_path = write_split(tmp_path, "train", images, np.array([3, 8]), compress)
    got = read_idx(images_path, IMAGES_MAGIC)
    assert got.dtype == np.uint8 and got.shape == (2, 3, 4)
    np.testing.assert_array_equal(got, images)
    np.testing.assert_array_equal(read_idx(labels_path, LABELS_MAGIC), [3, 8])
    got[0, 0, 0] = 1  # the array is writable (torch.as_tensor would warn otherwise)


def test_read_mnist_reads_both_splits_gz_or_plain(tiny_mnist):
    folder, (train_x, train_y), (test_x, test_y) = tiny_mnist
    data = read_mnist(folder)
    np.testing.assert_array_equal(data.train_images, train_x)
    np.testing.assert_array_equal(data.test_labels, test_y)
    assert (data.rows, data.cols, data.max_value, data.name) == (4, 3, 255, "MNIST")


def test_truncated_payload_names_the_file_and_the_sizes(tmp_path):
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(idx_bytes(np.zeros((3, 4, 3)))[:-5])
    with pytest.raises(IdxFormatError, match=r"t10k-images-idx3-ubyte: expected 36 data bytes for shape \(3, 4, 3\), "
                                             r"got 31: the file is truncated"):
        read_idx(path, IMAGES_MAGIC)


def test_extra_bytes_and_short_header_are_errors(tmp_path):
    path = tmp_path / "labels"
    path.write_bytes(idx_bytes(np.zeros(4)) + b"\x00")
    with pytest.raises(IdxFormatError, match="longer than its header says"):
        read_idx(path, LABELS_MAGIC)
    path.write_bytes(b"\x00\x00\x08\x03\x00\x00")
    with pytest.raises(IdxFormatError, match=r"labels: expected a 16-byte header for 3 dimensions, got 6 bytes"):
        read_idx(path)


def test_a_zero_dimension_idx_file_is_refused_not_read_as_a_scalar(tmp_path):
    path = tmp_path / "scalar"
    path.write_bytes(b"\x00\x00\x08\x00\x05")  # magic with d = 0, then one byte: a valid-looking scalar
    with pytest.raises(IdxFormatError, match=r"scalar: expected an IDX file of at least 1 dimension, got 0"):
        read_idx(path)


def test_wrong_magic_number_names_expected_and_given(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(idx_bytes(np.zeros(4)))  # a labels file (2049) where images (2051) are expected
    with pytest.raises(IdxFormatError, match=r"train-images-idx3-ubyte: expected IDX magic number 2051, got 2049"):
        read_idx(path, IMAGES_MAGIC)
    path.write_bytes(b"PK\x03\x04" + bytes(20))  # not an IDX file at all
    with pytest.raises(IdxFormatError, match="not an MNIST IDX file"):
        read_idx(path)


def test_truncated_gzip_names_the_file(tmp_path):
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(1000) % 10))[:-30])
    with pytest.raises(IdxFormatError, match=r"train-labels-idx1-ubyte\.gz: expected a complete gzip file"):
        read_idx(path)


def test_mismatched_counts_and_bad_labels_are_errors(tmp_path):
    write_split(tmp_path, "train", np.zeros((3, 2, 2)), np.array([1, 2]), compress=False)
    with pytest.raises(IdxFormatError, match="holds 3 images but .* holds 2 labels"):
        read_mnist_split(tmp_path, "train")
    write_split(tmp_path, "train", np.zeros((2, 2, 2)), np.array([1, 12]), compress=False)
    with pytest.raises(IdxFormatError, match="expected labels 0..9, got a 12"):
        read_mnist_split(tmp_path, "train")
    with pytest.raises(ValueError, match="expected split 'train' or 'test', got 'dev'"):
        read_mnist_split(tmp_path, "dev")


def test_missing_files_are_unavailable_not_errors(tmp_path):
    with pytest.raises(DatasetUnavailable, match="no train-images-idx3-ubyte or train-images-idx3-ubyte.gz"):
        read_mnist(tmp_path)


def test_download_is_refused_offline():
    with pytest.raises(DatasetUnavailable, match="offline"):
        download_mnist()


def test_digits_fallback_shapes_split_and_scaling():
    digits = load_sklearn_digits()
    assert digits.train_images.shape == (1347, 8, 8) and digits.test_images.shape == (450, 8, 8)
    assert (digits.rows, digits.cols, digits.max_value) == (8, 8, 16)
    per_class = np.bincount(np.concatenate([digits.train_labels, digits.test_labels]))
    assert np.abs(np.bincount(digits.test_labels) - 0.25 * per_class).max() <= 1  # stratified: a quarter of each class
    np.testing.assert_array_equal(load_sklearn_digits().test_labels, digits.test_labels)  # seeded split
    sets = digits.datasets(dev_size=0.1)
    assert [len(sets[k]) for k in ("train", "dev", "test")] == [1212, 135, 450]
    x, y = sets["train"].tensors
    assert x.shape == (1212, 8, 8) and x.dtype == torch.float32 and y.dtype == torch.int64
    assert float(x.min()) == 0.0 and float(x.max()) == 1.0


def test_datasets_subsets_and_checks_its_arguments():
    digits = load_sklearn_digits()
    sets = digits.datasets(dev_size=0.25, max_train=100, seed=1)
    assert (len(sets["train"]), len(sets["dev"])) == (75, 25)
    with pytest.raises(ValueError, match="expected 0 < dev_size < 1, got 1.5"):
        digits.datasets(dev_size=1.5)
    with pytest.raises(ValueError, match=r"expected an int max_train >= 2, got 2.5"):
        digits.datasets(max_train=2.5)
    with pytest.raises(ValueError, match=r"expected dev_size=0.9 to leave training images, got 2 dev images out of 2"):
        digits.datasets(dev_size=0.9, max_train=2)


def test_loader_order_local_then_download_then_digits(tiny_mnist, tmp_path_factory):
    folder = tiny_mnist[0]
    assert load_digit_images(folder=folder).source.startswith("MNIST, local IDX files")
    empty = tmp_path_factory.mktemp("empty")
    loaded = load_digit_images(folder=empty)  # offline in the tests: the download is skipped too
    assert loaded.data.name == "scikit-learn digits" and len(loaded.skipped) == 2
    assert "offline" in loaded.skipped[1]
    only = load_digit_images(embedded_only=True, folder=folder)
    assert only.data.name == "scikit-learn digits" and "only the embedded default" in only.skipped[0]


@pytest.mark.shared_data
def test_real_mnist_from_shared_data(shared_data):
    folder = shared_data / "MNIST" / "raw"
    if not folder.is_dir():
        pytest.skip(f"{folder} does not exist")
    data = load_digit_images(folder=folder)
    assert data.source.startswith("MNIST, local IDX files")
    mnist = data.data
    assert mnist.train_images.shape == (60000, 28, 28) and mnist.test_images.shape == (10000, 28, 28)
    assert mnist.train_labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert mnist.test_labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(mnist.test_labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert mnist.train_images.max() == 255 and mnist.train_images.min() == 0


def test_a_corrupt_local_copy_stops_the_loader_instead_of_falling_back(tiny_mnist):
    folder = tiny_mnist[0]
    path = folder / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-12])  # cut the gzip trailer: a truncated download
    with pytest.raises(IdxFormatError, match=r"train-images-idx3-ubyte\.gz: expected a complete gzip file"):
        load_digit_images(folder=folder)
