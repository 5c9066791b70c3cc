"""Benchmark: the readable LSTM, the fused one, the compiled one, the C++ one and ``nn.LSTM``, side by side.

Run ``python -m lstm_utils.bench`` (``--quick`` for a run of seconds, ``--help`` for the options).
For every size and mode (``forward`` under ``torch.no_grad()``; ``forward+backward``: the forward pass
and the gradients of every parameter and of the input), all contenders are timed **in one process,
alternating** (each repeat times every contender once, in a rotated order, so that a change in machine
load hits all of them alike); the table gives the **median** time per call and its ratio to
``nn.LSTM`` (oneDNN on CPU, cuDNN on CUDA). The compiled and C++ layers' compilation (``torch.compile``
per shape; the C++ build once per process, or read from the build cache) is timed apart and reported in
the ``compile s`` column, never inside the median. ``--threads`` sets ``torch.set_num_threads``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from lstm_utils.cpp_lstm import CppLSTM
from lstm_utils.fast_lstm import CompiledLSTM, FusedLSTM
from lstm_utils.layers import LSTM as PerGateLSTM

CONTENDERS = ("per-gate", "fused", "hand-bwd", "compiled", "c++", "nn.LSTM")  # the chapter's steps, in order
MODES = ("forward", "forward+backward")


@dataclass(frozen=True)
class Size:
    """One benchmark configuration: ``nn.LSTM(input, hidden, layers, bidirectional=...)`` on (seq, batch, input)."""

    name: str
    batch: int
    seq: int
    input: int
    hidden: int
    layers: int = 1
    bidirectional: bool = False


SIZES = {
    "small": Size("small", 8, 20, 32, 32),
    "large": Size("large", 64, 100, 128, 256),
    # the book's training shapes: memory (digit sums, L up to 35), MNIST rows (28 rows of 28 pixels,
    # batch 128, hidden 128), IMDB (GloVe 50-d, hidden 128, batch 64, reviews of up to 300 tokens, both ways)
    "memory": Size("memory", 8, 35, 32, 32),
    "mnist": Size("mnist", 128, 28, 28, 128),
    "imdb": Size("imdb", 64, 300, 50, 128, bidirectional=True),
}
QUICK = {"tiny": Size("tiny", 4, 6, 8, 8)}
DEFAULT_SIZES = ("small", "large")  # the targets' sizes; --sizes small,large,mnist,imdb adds the chapters' shapes
CHAPTER_SIZES = ("mnist", "imdb")


def build_contenders(size: Size, device: torch.device, names=CONTENDERS, seed: int = 0) -> dict[str, nn.Module]:
    """The contenders, all holding the same weights as one seeded ``nn.LSTM``."""
    torch.manual_seed(seed)
    reference = nn.LSTM(size.input, size.hidden, size.layers, bidirectional=size.bidirectional).to(device)
    makers = {"per-gate": PerGateLSTM.from_torch, "fused": FusedLSTM.from_torch,
              "hand-bwd": lambda m: CompiledLSTM.from_torch(m, compile=False), "compiled": CompiledLSTM.from_torch,
              "c++": CppLSTM.from_torch, "nn.LSTM": lambda m: m}  # fmt: skip
    unknown = set(names) - set(makers)
    if unknown:
        raise ValueError(f"expected contenders among {CONTENDERS}, got {sorted(unknown)}")
    return {name: makers[name](reference) for name in names}


def make_step(model: nn.Module, mode: str, x: torch.Tensor) -> Callable[[], None]:
    """One timed call: a forward pass without autograd, or a forward pass and all gradients."""
    if mode == "forward":
        model.eval()

        def step() -> None:
            with torch.no_grad():
                model(x)

        return step
    if mode != "forward+backward":
        raise ValueError(f"expected mode in {MODES}, got {mode!r}")
    model.train()
    x = x.detach().requires_grad_(True)
    inputs = [x, *model.parameters()]
    grad_out = torch.ones(x.shape[0], x.shape[1], model.hidden_size * (2 if model.bidirectional else 1), device=x.device)

    def step() -> None:
        output, _ = model(x)
        torch.autograd.grad(output, inputs, grad_out)

    return step


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}  # cpu: this process's CPU time, all threads


def _clock(step: Callable[[], None], calls: int, device: torch.device, clock: str = "wall") -> float:
    """Seconds per call, averaged over ``calls`` back-to-back calls (device synchronised)."""
    now = CLOCKS[clock]
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    start = now()
    for _ in range(calls):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return (now() - start) / calls


def time_alternating(steps: dict[str, Callable[[], None]], device: torch.device, repeats: int = 7,
                     sample_seconds: float = 0.05, clock: str = "wall") -> tuple[dict[str, float], dict[str, float]]:
    """Median seconds per call of each step, timed alternately; and the time of each one's first call.

    The first call (where ``torch.compile`` compiles) and a second warm-up call are timed apart; the
    second fixes how many calls make one sample (about ``sample_seconds``). Each of the ``repeats``
    rounds then times every step once, starting with a different step each round. ``clock="cpu"``
    counts the process's CPU time instead of wall time: steadier on a machine shared with other jobs
    (it leaves out the time spent waiting for a core), wrong for a GPU.
    """
    if not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"expected repeats to be a positive int, got {repeats!r}")
    if clock not in CLOCKS or (clock == "cpu" and device.type != "cpu"):
        raise ValueError(f"expected clock in {sorted(CLOCKS)} (cpu only on the CPU), got {clock!r} on {device.type}")
    first, calls = {}, {}
    for name, step in steps.items():
        first[name] = _clock(step, 1, device, clock)
        calls[name] = max(1, round(sample_seconds / max(_clock(step, 1, device, clock), 1e-7)))
    samples: dict[str, list[float]] = {name: [] for name in steps}
    names = list(steps)
    for r in range(repeats):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            samples[name].append(_clock(steps[name], calls[name], device, clock))
    return {name: statistics.median(values) for name, values in samples.items()}, first


def run_benchmark(sizes=DEFAULT_SIZES, modes=MODES, contenders=CONTENDERS, device="cpu", repeats: int = 7,
                  sample_seconds: float = 0.05, compile_options: dict | None = None, progress=print,
                  clock: str = "wall"):
    """Time every contender at every size and mode; return a ``pandas.DataFrame``, one row per measurement.

    Columns: ``device``, ``size``, ``batch``, ``seq``, ``input``, ``hidden``, ``layers``, ``bidirectional``,
    ``mode``, ``contender``, ``median_ms``, ``ratio`` (median over ``nn.LSTM``'s median at the same size
    and mode) and ``compile_s`` (compiled and C++ layers: their ``compile_seconds``; else 0).
    """
    import pandas as pd

    device = torch.device(device)
    known = {**SIZES, **QUICK}
    rows = []
    for size_name in sizes:
        if size_name not in known:
            raise ValueError(f"expected sizes among {sorted(known)}, got {size_name!r}")
        size = known[size_name]
        for mode in modes:
            models = build_contenders(size, device, contenders)
            if "compiled" in models and compile_options is not None:
                models["compiled"].compile_options = dict(compile_options)
            x = torch.randn(size.seq, size.batch, size.input, device=device)
            steps = {name: make_step(model, mode, x) for name, model in models.items()}
            progress(f"timing {size.name} {mode} on {device.type}: {', '.join(steps)}")
            medians, first = time_alternating(steps, device, repeats, sample_seconds, clock)
            baseline = medians.get("nn.LSTM")
            for name, median in medians.items():
                compiled = models[name]
                fallback = isinstance(compiled, CompiledLSTM) and compiled.compile_error is not None
                rows.append({
                    "device": device.type, "size": size.name, "batch": size.batch, "seq": size.seq,
                    "input": size.input, "hidden": size.hidden, "layers": size.layers,
                    "bidirectional": size.bidirectional, "mode": mode,
                    "contender": name + (" (eager fallback)" if fallback else ""),
                    "median_ms": median * 1e3, "ratio": median / baseline if baseline else float("nan"),
                    "compile_s": compiled.compile_seconds if isinstance(compiled, CompiledLSTM) else 0.0,
                })  # fmt: skip
    return pd.DataFrame(rows)


def format_table(results) -> str:
    """The results as a text table: one row per size, mode and contender, with headers."""
    table = results.assign(
        shape=results.apply(lambda r: f"B{r.batch} T{r.seq} I{r.input} H{r.hidden}"
                            + (f" L{r.layers}" if r.layers > 1 else "") + (" bi" if r.bidirectional else ""), axis=1)
    )[["device", "size", "shape", "mode", "contender", "median_ms", "ratio", "compile_s"]]
    table = table.rename(columns={"median_ms": "median ms", "ratio": "x nn.LSTM", "compile_s": "compile s"})
    return table.to_string(index=False, float_format=lambda v: f"{v:.3f}")


def plot_steps(results, ax=None):
    """The ratio to ``nn.LSTM`` after each step of the chapter (one line per size, mode and device; log scale)."""
    import matplotlib.pyplot as plt

    steps = [c for c in CONTENDERS if c != "nn.LSTM" and c in set(results["contender"])]
    table = results[results["contender"].isin(steps)].assign(
        case=results["size"] + " " + results["mode"] + " " + results["device"])
    table = table.pivot_table(index="contender", columns="case", values="ratio", sort=False).reindex(steps)
    ax = ax or plt.subplots(figsize=(8, 4))[1]
    table.plot(ax=ax, marker="o", logy=True)
    ax.axhline(1.0, color="black", linewidth=1, linestyle="--")
    ax.set_xticks(range(len(steps)), steps)
    ax.set_title("Time over nn.LSTM's after each step (median per call; 1 = as fast)")
    ax.set_xlabel("step of the chapter (contender)")
    ax.set_ylabel("time / nn.LSTM's time (×, log scale)")
    ax.legend(title="size, mode, device", fontsize="small")
    return ax


@contextlib.contextmanager
def native_stderr_aside():
    """Send what native code writes to file descriptor 2 to a temporary file while the block runs.

    The profiler's Kineto library logs its start and stop there, below Python's ``sys.stderr``, and a
    notebook would show those lines as stderr output. If the block raises, the lines are written back
    to ``sys.stderr``, so that nothing that explains a failure is lost.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as aside:
        os.dup2(aside.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            aside.seek(0)
            sys.stderr.write(aside.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def profile_breakdown(model: nn.Module, mode: str, x: torch.Tensor, rows: int = 8) -> str:
    """Where the time of one call goes: ``torch.profiler``'s table of the operators with most self CPU time.

    The profiler's own log lines on stderr are set aside (:func:`native_stderr_aside`).
    """
    from torch.profiler import ProfilerActivity, profile

    step = make_step(model, mode, x)
    step()  # warm up (and compile) outside the profile
    with native_stderr_aside(), profile(activities=[ProfilerActivity.CPU]) as prof:
        step()
    return prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=rows)


def describe_machine() -> str:
    """One line: torch version, threads, CPU count, load average (the machine may be shared), CUDA device."""
    load = "/".join(f"{v:.1f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    cuda = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    return (f"torch {torch.__version__}, {torch.get_num_threads()} threads "
            f"(OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}), {os.cpu_count()} CPUs, "
            f"load average {load}, CUDA: {cuda}")  # fmt: skip


def _positive_int(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive int, got {text!r}")
    return int(text)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m lstm_utils.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one tiny size and 3 repeats (seconds; for CI)")
    parser.add_argument("--sizes", default=None, help=f"comma-separated, from {sorted({**SIZES, **QUICK})}")
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, from {MODES}")
    parser.add_argument("--contenders", default=",".join(CONTENDERS), help=f"comma-separated, from {CONTENDERS}")
    parser.add_argument("--no-compile", action="store_true", help="leave out the compiled and C++ contenders")
    parser.add_argument("--threads", type=_positive_int, default=None, help="torch.set_num_threads (default: torch's)")
    parser.add_argument("--repeats", type=_positive_int, default=None, help="alternating rounds (default 7, quick 3)")
    parser.add_argument("--device", default="auto", help="cpu, cuda, or auto (the CPU, and CUDA when present)")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                        help="wall time (default) or the process's CPU time (steadier on a shared machine)")
    parser.add_argument("--csv", default=None, help="also write the results to this CSV file")
    args = parser.parse_args(argv)
    folder = os.path.dirname(os.path.abspath(args.csv)) if args.csv else None
    if folder and not os.path.isdir(folder):  # fail now, not after the whole run
        parser.error(f"expected --csv in an existing folder, got {args.csv!r} ({folder} does not exist)")
    return args


def main(argv=None) -> "pandas.DataFrame":  # noqa: F821
    args = parse_args(argv)
    sizes = args.sizes.split(",") if args.sizes else (list(QUICK) if args.quick else list(DEFAULT_SIZES))
    contenders = [c for c in args.contenders.split(",") if not (args.no_compile and c in ("compiled", "c++"))]
    if args.threads:
        torch.set_num_threads(args.threads)
    repeats = args.repeats or (3 if args.quick else 7)
    if args.device == "auto":
        devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    else:
        devices = [args.device]
    print(describe_machine() + f", clock: {args.clock}", flush=True)
    import pandas as pd

    progress = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    results = pd.concat([
        run_benchmark(sizes, args.modes.split(","), contenders, device, repeats,
                      sample_seconds=0.01 if args.quick else 0.05, progress=progress,
                      clock="cpu" if args.clock == "cpu" and device == "cpu" else "wall")
        for device in devices
    ], ignore_index=True)  # fmt: skip
    print(format_table(results))
    if args.csv:
        results.to_csv(args.csv, index=False)
    return results


if __name__ == "__main__":
    main()
