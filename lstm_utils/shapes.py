"""Shape and size checks with messages that name what was expected and what was given; shape tables."""

from __future__ import annotations

from typing import Mapping, Sequence

import torch

Dim = int | str | None


def _format(expected: Sequence[Dim], bound: Mapping[str, int]) -> str:
    parts = [str(d) if isinstance(d, int) else (str(bound.get(d, d)) if d else "*") for d in expected]
    return "(" + ", ".join(parts) + ")"


def check_shape(
    tensor: torch.Tensor,
    expected: Sequence[Dim],
    name: str = "input",
    bound: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """Check ``tensor.shape`` against ``expected``; return the sizes bound to named dimensions.

    Each entry of ``expected`` is an ``int`` (that exact size), a ``str`` naming a dimension
    (any size, but the same everywhere that name appears, and equal to ``bound[name]`` if given),
    or ``None`` (any size). On a mismatch the error names both shapes, e.g.
    ``expected input of shape (seq, batch, 32), got (20, 8, 16)``.
    """
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"expected {name} to be a torch.Tensor of shape {_format(expected, {})}, got {type(tensor).__name__}")
    sizes: dict[str, int] = dict(bound or {})
    ok = tensor.dim() == len(expected)
    if ok:
        for dim, size in zip(expected, tensor.shape):
            if isinstance(dim, int):
                ok &= size == dim
            elif isinstance(dim, str):
                ok &= sizes.setdefault(dim, size) == size
    if not ok:
        raise ValueError(f"expected {name} of shape {_format(expected, bound or {})}, got {tuple(tensor.shape)}")
    return sizes


def check_int(value, name: str, minimum: int, *, optional: bool = False) -> int | None:
    """``value`` as an ``int`` when it is an integer (``int``, ``np.int64``, …; not ``bool``) of at least
    ``minimum``, or ``None`` when ``optional``; else ``TypeError``/``ValueError`` naming expected and given."""
    if optional and value is None:
        return None
    or_none = " or None" if optional else ""
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(f"expected an int {name}{or_none}, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"expected {name} >= {minimum}{or_none}, got {value}")
    return int(value)


def check_ids(ids: torch.Tensor, vocab_size: int | None, name: str = "token ids") -> None:
    """``ids`` must be an integer tensor with every id in ``0..vocab_size - 1`` (what ``nn.Embedding`` can look up;
    any id when ``vocab_size`` is None);
    else ``TypeError``/``ValueError`` naming the range and what was given, instead of ``index out of range in self``."""
    if not isinstance(ids, torch.Tensor):
        raise TypeError(f"expected {name} as a torch.Tensor, got {type(ids).__name__}")
    if ids.dtype.is_floating_point or ids.dtype.is_complex or ids.dtype == torch.bool:
        raise TypeError(f"expected {name} of an integer dtype, got {ids.dtype}")
    if ids.numel() and vocab_size is not None:
        low, high = int(ids.min()), int(ids.max())
        if low < 0 or high >= vocab_size:
            raise ValueError(f"expected {name} in 0..{vocab_size - 1}, got {low if low == high else f'{low}..{high}'}")


def shape_table(**tensors: torch.Tensor | tuple) -> "pandas.DataFrame":  # noqa: F821
    """A table with one row per named tensor: its shape (as a tuple) and dtype."""
    import pandas as pd

    rows = []
    for name, value in tensors.items():
        if isinstance(value, torch.Tensor):
            rows.append({"tensor": name, "shape": tuple(value.shape), "dtype": str(value.dtype).replace("torch.", "")})
        else:
            rows.append({"tensor": name, "shape": tuple(value), "dtype": ""})
    return pd.DataFrame(rows).set_index("tensor")
