import pytest
import torch

from lstm_utils.shapes import check_ids, check_int, check_shape, shape_table


def test_check_shape_binds_named_dims():
    sizes = check_shape(torch.zeros(20, 8, 32), ("seq", "batch", 32))
    assert sizes == {"seq": 20, "batch": 8}


def test_check_shape_message_names_expected_and_given():
    with pytest.raises(ValueError, match=r"expected input of shape \(seq, batch, 32\), got \(20, 8, 16\)"):
        check_shape(torch.zeros(20, 8, 16), ("seq", "batch", 32))


def test_check_shape_same_name_must_agree():
    with pytest.raises(ValueError, match=r"expected h_0 of shape \(2, 8, 4\)"):
        check_shape(torch.zeros(2, 5, 4), (2, "batch", 4), name="h_0", bound={"batch": 8})


def test_check_shape_rejects_wrong_rank_and_non_tensors():
    with pytest.raises(ValueError, match="got \\(3,\\)"):
        check_shape(torch.zeros(3), ("batch", "hidden"))
    with pytest.raises(TypeError, match="torch.Tensor"):
        check_shape([1, 2], ("batch",))


def test_shape_table_lists_shapes_and_dtypes():
    table = shape_table(x=torch.zeros(2, 3), y=torch.zeros(4, dtype=torch.long))
    assert table.loc["x", "shape"] == (2, 3)
    assert table.loc["y", "dtype"] == "int64"


def test_check_int_accepts_any_integer_and_names_the_rest():
    import numpy as np

    assert check_int(np.int64(5), "max_len", 1) == 5 and type(check_int(np.int64(5), "max_len", 1)) is int
    assert check_int(None, "max_size", 0, optional=True) is None
    with pytest.raises(TypeError, match=r"expected an int width, got float 2.5"):
        check_int(2.5, "width", 1)
    with pytest.raises(TypeError, match=r"expected an int width, got bool True"):
        check_int(True, "width", 1)
    with pytest.raises(ValueError, match=r"expected width >= 1 or None, got 0"):
        check_int(0, "width", 1, optional=True)


def test_check_ids_names_the_range_and_the_ids_given():
    check_ids(torch.tensor([[0, 9]]), 10)
    with pytest.raises(ValueError, match=r"expected token ids in 0..9, got 10"):
        check_ids(torch.tensor([10, 10]), 10)
    with pytest.raises(ValueError, match=r"expected words in 0..9, got -1..4"):
        check_ids(torch.tensor([-1, 4]), 10, "words")
    with pytest.raises(TypeError, match=r"expected token ids of an integer dtype, got torch.float32"):
        check_ids(torch.zeros(2), 10)
