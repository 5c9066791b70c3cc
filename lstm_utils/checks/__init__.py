"""Automatic checks for the exercises: specific feedback (which tensor, which shape, largest difference).

Each chapter's exercises call a function from a module here (e.g. ``lstm_utils.checks.cells``) in the
cell after the reader's solution. A check prints ``✓ …`` when the answer is right and raises
:class:`~lstm_utils.checks.core.CheckFailed` with a message a student can act on when it is not.
"""

from lstm_utils.checks.core import CheckFailed, call_answer, check_close, check_true, passed

__all__ = ["CheckFailed", "call_answer", "check_close", "check_true", "passed"]
