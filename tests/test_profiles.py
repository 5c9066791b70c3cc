"""Profiles: each run says how it was made; the full profile says plainly when it runs without a GPU."""

from __future__ import annotations

import pytest
import torch

from lstm_utils.profiles import describe_run, resolve_profile


@pytest.fixture
def cpu_only(monkeypatch):
    monkeypatch.delenv("LSTM_BOOK_PROFILE", raising=False)
    monkeypatch.delenv("LSTM_UTILS_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


def test_full_profile_on_a_cpu_runtime_warns_that_it_expects_a_gpu(cpu_only, capsys):
    assert resolve_profile("full") == "full"
    out = capsys.readouterr().out
    assert 'PROFILE = "full" expects a GPU' in out and 'PROFILE = "cpu"' in out
    assert out.startswith("Run: profile full;")


def test_full_profile_from_the_environment_on_a_cpu_runtime_warns(cpu_only, monkeypatch, capsys):
    monkeypatch.setenv("LSTM_BOOK_PROFILE", "full")
    assert resolve_profile("ci") == "full"
    assert "expects a GPU" in capsys.readouterr().out


def test_full_profile_with_a_gpu_is_silent(cpu_only, monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_profile("full") == "full"
    assert "GPU" not in capsys.readouterr().out.split("\n", 1)[1]


def test_full_profile_warns_when_the_cpu_is_chosen_beside_a_gpu(cpu_only, monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setenv("LSTM_UTILS_DEVICE", "cpu")
    resolve_profile("full")
    assert "expects a GPU" in capsys.readouterr().out


@pytest.mark.parametrize("profile", ["ci", "cpu"])
def test_small_profiles_print_only_how_they_run(cpu_only, profile, capsys):
    assert resolve_profile(profile) == profile
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Run: profile {profile};")


def test_the_run_line_names_data_date_and_machine_but_no_full_path(monkeypatch, tmp_path):
    folder = tmp_path / "shared" / "data"
    monkeypatch.setenv("LSTM_UTILS_DATA", str(folder))
    monkeypatch.setenv("LSTM_UTILS_OFFLINE", "1")
    line = describe_run("full")
    assert "data folder .../shared/data (offline)" in line
    assert str(tmp_path) not in line
    assert " UTC;" in line and "CPU core" in line and f"torch {torch.__version__}" in line
    monkeypatch.delenv("LSTM_UTILS_DATA")
    monkeypatch.delenv("LSTM_UTILS_OFFLINE")
    assert "data folder ~/.cache/lstm_utils (downloads allowed)" in describe_run("ci")


@pytest.mark.parametrize(
    "n, cores, threads",
    [(1, ", 1 CPU core (", ", 1 torch thread,"), (2, ", 2 CPU cores (", ", 2 torch threads,")],
)
def test_the_run_line_counts_cores_and_threads_in_good_english(monkeypatch, n, cores, threads):
    monkeypatch.setattr(torch, "get_num_threads", lambda: n)
    monkeypatch.setattr("os.cpu_count", lambda: n)
    line = describe_run("ci")
    assert cores in line and threads in line
