"""The benchmark runs in --quick mode and prints a well-formed ratio table."""

from __future__ import annotations

import math

import pytest
import torch

from lstm_utils import bench


def test_quick_benchmark_prints_a_well_formed_table(capsys):
    results = bench.main(["--quick", "--no-compile", "--device", "cpu"])
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert lines[0].startswith(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    header = lines[1].split()
    assert header == ["device", "size", "shape", "mode", "contender", "median", "ms", "x", "nn.LSTM", "compile", "s"]
    expected_rows = {(mode, name) for mode in bench.MODES for name in ("per-gate", "fused", "hand-bwd", "nn.LSTM")}
    assert set(zip(results["mode"], results["contender"])) == expected_rows
    assert len(lines) == 2 + len(expected_rows)
    assert (results["median_ms"] > 0).all() and results["median_ms"].map(math.isfinite).all()
    baseline = results[results["contender"] == "nn.LSTM"]
    assert (baseline["ratio"] == 1.0).all()
    for _, row in results.iterrows():
        nn_lstm = baseline[baseline["mode"] == row["mode"]]["median_ms"].item()
        assert row["ratio"] == pytest.approx(row["median_ms"] / nn_lstm)
    for line in lines[2:]:
        assert line.split()[:3] == ["cpu", "tiny", "B4"], line


def test_compiled_contender_reports_compile_time_apart():
    results = bench.run_benchmark(["tiny"], ["forward"], ["compiled", "nn.LSTM"], "cpu", repeats=2,
                                  sample_seconds=0.005, progress=lambda text: None)
    compiled = results[results["contender"].str.startswith("compiled")].iloc[0]
    if compiled["contender"] != "compiled":
        pytest.skip(f"torch.compile is unavailable here ({compiled['contender']})")
    assert compiled["compile_s"] > 0.1  # a compilation takes seconds, not the milliseconds of a call
    assert compiled["median_ms"] < 1e3 * compiled["compile_s"]


def test_alternating_timer_rotates_the_order_and_takes_medians():
    order = []
    steps = {name: (lambda name=name: order.append(name)) for name in "abc"}
    medians, first = bench.time_alternating(steps, torch.device("cpu"), repeats=3, sample_seconds=0)
    assert set(medians) == set(first) == set("abc")
    timed = order[6:]  # after the two warm-up calls of each
    assert timed == list("abc") + list("bca") + list("cab")


def test_bad_options_are_refused_with_what_was_expected():
    with pytest.raises(ValueError, match=r"expected sizes among .*got 'huge'"):
        bench.run_benchmark(["huge"], ["forward"], ["nn.LSTM"], "cpu")
    with pytest.raises(ValueError, match=r"expected contenders among .*got \['cudnn'\]"):
        bench.build_contenders(bench.QUICK["tiny"], torch.device("cpu"), ["cudnn"])
    with pytest.raises(ValueError, match=r"expected mode in .*got 'backward'"):
        bench.make_step(torch.nn.LSTM(2, 2), "backward", torch.randn(3, 1, 2))


@pytest.mark.parametrize("repeats", ["0", "-1", "two"])
def test_cli_refuses_repeats_that_are_not_positive(repeats, capsys):
    with pytest.raises(SystemExit):
        bench.parse_args(["--quick", "--repeats", repeats])
    assert f"argument --repeats: expected a positive int, got '{repeats}'" in capsys.readouterr().err


def test_timer_refuses_zero_repeats():
    with pytest.raises(ValueError, match="expected repeats to be a positive int, got 0"):
        bench.time_alternating({"a": lambda: None}, torch.device("cpu"), repeats=0)


def test_cli_refuses_a_csv_in_a_missing_folder_before_running(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(bench, "run_benchmark", lambda *a, **k: pytest.fail("the benchmark ran"))
    target = tmp_path / "missing" / "results.csv"
    with pytest.raises(SystemExit):
        bench.main(["--quick", "--csv", str(target)])
    assert f"expected --csv in an existing folder, got '{target}'" in capsys.readouterr().err


def test_cpu_clock_counts_work_not_waiting():
    import time

    steps = {"sleep": lambda: time.sleep(0.002), "work": lambda: sum(range(20_000))}
    wall, _ = bench.time_alternating(steps, torch.device("cpu"), repeats=3, sample_seconds=0.01)
    cpu, _ = bench.time_alternating(steps, torch.device("cpu"), repeats=3, sample_seconds=0.01, clock="cpu")
    assert wall["sleep"] > 0.0015 and cpu["sleep"] < 0.5 * wall["sleep"]
    with pytest.raises(ValueError, match="expected clock in"):
        bench.time_alternating(steps, torch.device("cpu"), repeats=1, clock="gpu")


def test_plot_steps_draws_one_line_per_case_in_the_chapters_order():
    import matplotlib

    matplotlib.use("Agg")
    results = bench.run_benchmark(["tiny"], ["forward"], ["fused", "per-gate", "nn.LSTM"], "cpu", repeats=1,
                                  sample_seconds=0.001, progress=lambda text: None)
    ax = bench.plot_steps(results)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["per-gate", "fused"]
    assert len(ax.get_lines()) == 2  # the case's line and the line at 1


def test_native_stderr_is_set_aside_and_written_back_on_failure(capfd):
    import os

    with bench.native_stderr_aside():
        os.write(2, b"kineto: profiler_start\n")
    assert "profiler_start" not in capfd.readouterr().err
    with pytest.raises(RuntimeError, match="boom"):
        with bench.native_stderr_aside():
            os.write(2, b"the reason it failed\n")
            raise RuntimeError("boom")
    assert "the reason it failed" in capfd.readouterr().err


def test_profile_breakdown_prints_nothing_on_stderr(capfd):
    model = torch.nn.LSTM(3, 4)
    table = bench.profile_breakdown(model, "forward", torch.randn(5, 2, 3), rows=3)
    assert "Self CPU" in table
    assert capfd.readouterr().err == ""
