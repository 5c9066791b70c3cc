"""Saving and loading model weights: written atomically, loaded with ``weights_only=True``."""

from __future__ import annotations

import io
import os
import pickle
import re
import tempfile
from pathlib import Path
from typing import Any

import torch
from torch import nn


def _check_module(model: Any) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"expected an nn.Module, got {type(model).__name__}")


def _refused_global(error: Exception) -> str | None:
    """The global that ``weights_only=True`` refused, from torch's message."""
    found = re.search(r"Unsupported global: GLOBAL (\S+)", str(error))
    return found.group(1) if found else None


def _check_loadable(extra: dict[str, Any]) -> None:
    """Raise ``TypeError`` naming the first entry of ``extra`` that ``weights_only=True`` cannot read."""
    for key, value in extra.items():
        buffer = io.BytesIO()
        try:
            torch.save({key: value}, buffer)
        except (pickle.PicklingError, AttributeError, TypeError) as error:
            raise TypeError(
                f"extra entry {key!r} holds {type(value).__name__}, which cannot be saved ({error}); "
                "expected plain data (numbers, strings, lists, dicts, tensors)"
            ) from None
        buffer.seek(0)
        try:
            torch.load(buffer, weights_only=True)
        except pickle.UnpicklingError as error:
            found, kind = _refused_global(error), type(value)
            raise TypeError(
                f"extra entry {key!r} holds {kind.__module__}.{kind.__qualname__}"
                + (f" (needs {found})" if found else "")
                + ", which load_checkpoint (weights_only=True) cannot read; expected plain data "
                "(numbers, strings, lists, dicts, tensors), e.g. torch.as_tensor(...) or .tolist()"
            ) from None


def save_checkpoint(path: str | os.PathLike, model: nn.Module, **extra: Any) -> Path:
    """Write ``{"model": state_dict, **extra}`` to ``path`` via a temporary file and an atomic rename.

    ``extra`` must hold plain data (numbers, strings, lists, dicts, tensors) so that
    :func:`load_checkpoint` can read it back with ``weights_only=True``; anything else is refused
    with a ``TypeError`` before a file is touched, so a good checkpoint is never replaced by one
    that cannot be loaded.
    """
    path = Path(path)
    _check_module(model)
    if path.is_dir():
        raise IsADirectoryError(f"expected a file path for the checkpoint, got the folder {path}")
    for folder in path.parents:
        if folder.exists():
            if not folder.is_dir():
                raise NotADirectoryError(f"expected a folder for the checkpoint, got the file {folder}")
            break
    _check_loadable(extra)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    try:
        torch.save({"model": model.state_dict(), **extra}, tmp_name)
        os.replace(tmp_name, path)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
    return path


def load_checkpoint(path: str | os.PathLike, model: nn.Module, map_location: Any = "cpu") -> dict[str, Any]:
    """Load weights saved by :func:`save_checkpoint` into ``model``; return the extra entries.

    Uses ``torch.load(weights_only=True)``: a checkpoint cannot run code when it is read.
    """
    _check_module(model)
    if Path(path).is_dir():
        raise IsADirectoryError(f"expected a checkpoint file, got the folder {path}")
    if not Path(path).exists():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as error:  # code or classes that weights_only refuses, or garbage
        found = _refused_global(error)
        if found is None and "Weights only load failed" not in str(error):
            raise ValueError(
                f"{path}: expected a checkpoint written by save_checkpoint, got an unreadable file ({error})"
            ) from None
        raise pickle.UnpicklingError(
            f"{path}: weights_only=True refused {found or 'its content'}; expected a checkpoint of plain "
            "data written by save_checkpoint (load it with torch.load(weights_only=False) only if you trust it)"
        ) from None
    except Exception as error:  # noqa: BLE001 (garbage fails in many ways: KeyError, struct.error, ...)
        problem = "an empty file" if os.path.getsize(path) == 0 else f"an unreadable file ({error!r})"
        raise ValueError(f"{path}: expected a checkpoint written by save_checkpoint, got {problem}") from None
    if not isinstance(payload, dict) or "model" not in payload:
        raise ValueError(f"{path}: expected a checkpoint written by save_checkpoint (a dict with 'model')")
    try:
        model.load_state_dict(payload.pop("model"))
    except RuntimeError as error:
        raise RuntimeError(f"{path}: the weights do not fit the model: {error}") from None
    return payload
