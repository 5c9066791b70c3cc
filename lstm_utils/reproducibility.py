"""Seeds, deterministic kernels and device choice, so a notebook run twice prints the same results."""

from __future__ import annotations

import os
import random

import numpy as np
import torch


def seed_everything(seed: int = 0, deterministic: bool = True) -> torch.Generator:
    """Seed Python, NumPy and PyTorch (all devices) and return a seeded ``torch.Generator``.

    With ``deterministic=True`` PyTorch is asked for deterministic kernels
    (``torch.use_deterministic_algorithms(True, warn_only=True)``, cuDNN benchmark off),
    so that the same code on the same machine gives the same numbers.
    Pass the returned generator to ``DataLoader(generator=...)`` to fix the shuffling order.
    """
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"expected a non-negative int seed, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    if deterministic:
        # cuBLAS needs this to be deterministic on CUDA >= 10.2; harmless on CPU.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.backends.cudnn.benchmark = False
        torch.backends.cudnn.deterministic = True
    generator = torch.Generator()
    generator.manual_seed(seed)
    return generator


def get_device(prefer: str | None = None) -> torch.device:
    """The device to train on: ``prefer`` if given, else CUDA when available, else the CPU.

    The environment variable ``LSTM_UTILS_DEVICE`` (e.g. ``cpu``) overrides the automatic choice.
    """
    choice = prefer or os.environ.get("LSTM_UTILS_DEVICE")
    if choice:
        device = torch.device(choice)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise RuntimeError(f"device {choice!r} was asked for, but CUDA is not available here")
        return device
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
