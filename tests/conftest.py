"""Fixtures shared by the tests.

Real data samples live in ``../shared/data`` beside the checkout (see its SOURCES.md). Tests that
read them take the ``shared_data`` fixture and skip cleanly when the folder is absent.
``$LSTM_BOOK_SHARED_DATA`` points elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    return Path(os.environ.get("LSTM_BOOK_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data`` (read-only); the test is skipped when it does not exist."""
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"real data samples not available: {path} does not exist")
    return path


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    """Each test gets its own empty data folder and no network downloads, unless it asks otherwise."""
    monkeypatch.setenv("LSTM_UTILS_DATA", str(tmp_path_factory.mktemp("lstm_utils_data")))
    monkeypatch.setenv("LSTM_UTILS_OFFLINE", "1")


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    """One thread per test process: ``make test`` runs two pytest workers on two cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
