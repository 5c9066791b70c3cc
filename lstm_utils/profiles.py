"""Size profiles: the same notebook runs small in CI, meaningfully on a laptop, and at full size on a GPU.

Every chapter's ``parameters`` cell (papermill convention) sets ``PROFILE = "ci"``.
The environment variable ``LSTM_BOOK_PROFILE`` overrides it, so that
``LSTM_BOOK_PROFILE=cpu make book`` builds the whole book at the ``cpu`` size.

=========  ==========================================================
``ci``     seconds per notebook on a 2-core CPU; checks that it runs
``cpu``    meaningful results on a laptop CPU in minutes
``full``   the published edition: real data at full size (``make publish``)
=========  ==========================================================

:func:`resolve_profile` prints one line first, saying how the numbers below it were produced:
the profile, the data folder, the date and the machine (see :func:`describe_run`).
"""

from __future__ import annotations

import datetime
import os
import platform
from pathlib import Path
from typing import TypeVar

PROFILES = ("ci", "cpu", "full")
ENV_VAR = "LSTM_BOOK_PROFILE"

T = TypeVar("T")


def resolve_profile(profile: str) -> str:
    """Return the profile to use: ``$LSTM_BOOK_PROFILE`` when set, else ``profile``; checked.

    Prints :func:`describe_run`'s line, so that a chapter's first output says how it was run.

    ``full`` on a machine that trains on the CPU (a Colab CPU runtime, a laptop) prints a note
    that it expects a GPU: it still runs, only slower (minutes per chapter instead of seconds).
    """
    chosen = os.environ.get(ENV_VAR) or profile
    if chosen not in PROFILES:
        raise ValueError(f"expected a profile in {PROFILES}, got {chosen!r}")
    print(describe_run(chosen))
    if chosen == "full":
        from lstm_utils.reproducibility import get_device

        if get_device().type == "cpu":
            print(
                'Note: PROFILE = "full" expects a GPU or minutes of patience: this runtime has '
                "no GPU, so the chapter trains on the CPU (the run-time table in the appendix "
                'says how long the published edition took). Choose PROFILE = "cpu" for a '
                "quicker run, or a GPU runtime (in Colab: Runtime > Change runtime type)."
            )
    return chosen


def pick(profile: str, *, ci: T, cpu: T, full: T) -> T:
    """The value for ``profile``: ``pick(PROFILE, ci=2, cpu=20, full=500)``."""
    if profile not in PROFILES:
        raise ValueError(f"expected a profile in {PROFILES}, got {profile!r}")
    return {"ci": ci, "cpu": cpu, "full": full}[profile]


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _count(n: int, noun: str) -> str:
    """``"1 torch thread"``, ``"2 torch threads"``."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def describe_run(profile: str) -> str:
    """One line: the profile, where the data comes from, when, and on what hardware.

    >>> describe_run("ci")  # doctest: +SKIP
    'Run: profile ci; data folder .../lstm_utils (offline); 2026-12-01 04:10 UTC; Linux, ...'
    """
    import torch

    from lstm_utils.data.cache import ENV_VAR as DATA_VAR

    folder = os.environ.get(DATA_VAR)
    # the folder's last two parts only: a page must not show the build machine's paths
    where = ".../" + "/".join(Path(folder).parts[-2:]) if folder else "~/.cache/lstm_utils"
    network = "offline" if os.environ.get("LSTM_UTILS_OFFLINE") else "downloads allowed"
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    accelerator = "no GPU"
    if torch.cuda.is_available():
        try:
            accelerator = f"GPU {torch.cuda.get_device_name(0)}"
        except (RuntimeError, AssertionError):  # a driver that cannot name it
            accelerator = "a GPU"
    return (
        f"Run: profile {profile}; data folder {where} ({network}); {now}; "
        f"{platform.system()}, {_count(os.cpu_count() or 1, 'CPU core')} ({_cpu_name()}), "
        f"{_count(torch.get_num_threads(), 'torch thread')}, {accelerator}; torch {torch.__version__}"
    )
