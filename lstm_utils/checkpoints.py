"""Saving and loading model weights: written atomically, loaded with ``weights_only=True``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import torch
from torch import nn


def save_checkpoint(path: str | os.PathLike, model: nn.Module, **extra: Any) -> Path:
    """Write ``{"model": state_dict, **extra}`` to ``path`` via a temporary file and an atomic rename.

    ``extra`` must hold plain data (numbers, strings, lists, dicts, tensors) so that
    :func:`load_checkpoint` can read it back with ``weights_only=True``.
    """
    path = Path(path)
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
    payload = torch.load(path, map_location=map_location, weights_only=True)
    if not isinstance(payload, dict) or "model" not in payload:
        raise ValueError(f"{path}: expected a checkpoint written by save_checkpoint (a dict with 'model')")
    model.load_state_dict(payload.pop("model"))
    return payload
