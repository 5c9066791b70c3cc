import pytest
import torch

from lstm_utils.shapes import check_shape, shape_table


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
