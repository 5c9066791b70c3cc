"""The building blocks of every exercise check."""

from __future__ import annotations

from typing import Any, Callable

import torch


class CheckFailed(AssertionError):
    """A reader's answer is not right yet; the message says what differs."""


def passed(message: str) -> None:
    """Tell the reader a check passed."""
    print(f"✓ {message}")


def call_answer(fn: Callable, *args: Any, name: str) -> Any:
    """Call the reader's ``fn``; a stub still raising ``NotImplementedError`` becomes a clear :class:`CheckFailed`."""
    try:
        return fn(*args)
    except NotImplementedError:
        raise CheckFailed(f"{name} still raises NotImplementedError: replace it with your code") from None


def check_true(condition: bool, message: str) -> None:
    """Raise :class:`CheckFailed` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailed(message)


def check_close(
    got: object,
    expected: torch.Tensor,
    *,
    name: str,
    atol: float = 1e-5,
    rtol: float = 1e-5,
) -> float:
    """Check that ``got`` is a tensor of ``expected``'s shape and values; return the largest difference.

    The failure message names ``name`` and says what is wrong: not a tensor, the shapes
    (``expected h of shape (3, 4), got (4, 3)``), or the largest difference and where it is.
    """
    if not isinstance(got, torch.Tensor):
        raise CheckFailed(f"expected {name} to be a torch.Tensor, got {type(got).__name__}")
    if got.shape != expected.shape:
        raise CheckFailed(f"expected {name} of shape {tuple(expected.shape)}, got {tuple(got.shape)}")
    got, expected = got.detach().to(expected.dtype), expected.detach()
    diff = (got - expected).abs()
    largest = float(diff.max()) if diff.numel() else 0.0
    tolerance = atol + rtol * expected.abs()
    if diff.numel() and not bool((diff <= tolerance).all()):
        where = tuple(int(i) for i in torch.nonzero(diff == diff.max())[0])
        raise CheckFailed(
            f"{name} differs from the reference: largest difference {largest:.3g} at index {where} "
            f"(got {float(got.flatten()[diff.flatten().argmax()]):.6g}, "
            f"expected {float(expected.flatten()[diff.flatten().argmax()]):.6g})"
        )
    return largest
