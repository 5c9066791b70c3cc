"""Size profiles: the same notebook runs small in CI, meaningfully on a laptop, and at full size on a GPU.

Every chapter's ``parameters`` cell (papermill convention) sets ``PROFILE = "ci"``.
The environment variable ``LSTM_BOOK_PROFILE`` overrides it, so that
``LSTM_BOOK_PROFILE=cpu make book`` builds the whole book at the ``cpu`` size.

=========  ==========================================================
``ci``     seconds per notebook on a 2-core CPU; checks that it runs
``cpu``    meaningful results on a laptop CPU in minutes
``full``   the published sizes; meant for a GPU
=========  ==========================================================
"""

from __future__ import annotations

import os
from typing import TypeVar

PROFILES = ("ci", "cpu", "full")
ENV_VAR = "LSTM_BOOK_PROFILE"

T = TypeVar("T")


def resolve_profile(profile: str) -> str:
    """Return the profile to use: ``$LSTM_BOOK_PROFILE`` when set, else ``profile``; checked.

    ``full`` on a machine that trains on the CPU (a Colab CPU runtime, a laptop) prints a warning
    that it expects a GPU: it still runs, for hours instead of minutes.
    """
    chosen = os.environ.get(ENV_VAR) or profile
    if chosen not in PROFILES:
        raise ValueError(f"expected a profile in {PROFILES}, got {chosen!r}")
    if chosen == "full":
        from lstm_utils.reproducibility import get_device

        if get_device().type == "cpu":
            print(
                'Warning: PROFILE = "full" expects a GPU, and this runtime has none: the chapter '
                'will run for hours. Choose PROFILE = "cpu", or a GPU runtime '
                "(in Colab: Runtime > Change runtime type)."
            )
    return chosen


def pick(profile: str, *, ci: T, cpu: T, full: T) -> T:
    """The value for ``profile``: ``pick(PROFILE, ci=2, cpu=20, full=500)``."""
    if profile not in PROFILES:
        raise ValueError(f"expected a profile in {PROFILES}, got {profile!r}")
    return {"ci": ci, "cpu": cpu, "full": full}[profile]
