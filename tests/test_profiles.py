"""Profiles: the full profile says plainly when it runs without a GPU."""

from __future__ import annotations

import pytest
import torch

from lstm_utils.profiles import resolve_profile


@pytest.fixture
def cpu_only(monkeypatch):
    monkeypatch.delenv("LSTM_BOOK_PROFILE", raising=False)
    monkeypatch.delenv("LSTM_UTILS_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


def test_full_profile_on_a_cpu_runtime_warns_that_it_expects_a_gpu(cpu_only, capsys):
    assert resolve_profile("full") == "full"
    out = capsys.readouterr().out
    assert 'PROFILE = "full" expects a GPU' in out and 'PROFILE = "cpu"' in out


def test_full_profile_from_the_environment_on_a_cpu_runtime_warns(cpu_only, monkeypatch, capsys):
    monkeypatch.setenv("LSTM_BOOK_PROFILE", "full")
    assert resolve_profile("ci") == "full"
    assert "expects a GPU" in capsys.readouterr().out


def test_full_profile_with_a_gpu_is_silent(cpu_only, monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_profile("full") == "full"
    assert capsys.readouterr().out == ""


def test_full_profile_warns_when_the_cpu_is_chosen_beside_a_gpu(cpu_only, monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setenv("LSTM_UTILS_DEVICE", "cpu")
    resolve_profile("full")
    assert "expects a GPU" in capsys.readouterr().out


@pytest.mark.parametrize("profile", ["ci", "cpu"])
def test_small_profiles_on_a_cpu_are_silent(cpu_only, profile, capsys):
    assert resolve_profile(profile) == profile
    assert capsys.readouterr().out == ""
