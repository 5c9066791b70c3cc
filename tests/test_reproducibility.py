import random

import numpy as np
import pytest
import torch

from lstm_utils.profiles import pick, resolve_profile
from lstm_utils.reproducibility import get_device, seed_everything


def test_seed_everything_repeats_every_generator():
    def draw():
        generator = seed_everything(123)
        return random.random(), np.random.rand(), torch.rand(1).item(), torch.rand(1, generator=generator).item()

    assert draw() == draw()
    assert torch.are_deterministic_algorithms_enabled()


def test_seed_everything_rejects_bad_seed():
    with pytest.raises(ValueError, match="non-negative int"):
        seed_everything(-1)


def test_get_device_honours_choice(monkeypatch):
    assert get_device("cpu").type == "cpu"
    monkeypatch.setenv("LSTM_UTILS_DEVICE", "cpu")
    assert get_device().type == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            get_device("cuda")


def test_profiles_resolve_and_pick(monkeypatch):
    monkeypatch.delenv("LSTM_BOOK_PROFILE", raising=False)
    assert resolve_profile("ci") == "ci"
    monkeypatch.setenv("LSTM_BOOK_PROFILE", "cpu")
    assert resolve_profile("ci") == "cpu"
    assert pick("full", ci=1, cpu=2, full=3) == 3
    monkeypatch.setenv("LSTM_BOOK_PROFILE", "huge")
    with pytest.raises(ValueError, match="expected a profile in"):
        resolve_profile("ci")
    with pytest.raises(ValueError):
        pick("huge", ci=1, cpu=2, full=3)
