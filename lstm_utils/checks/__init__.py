"""Automatic checks for the exercises: specific feedback (which tensor, which shape, largest difference).

Each chapter's exercises call a check in the cell after the reader's solution: from a module here
(``lstm_utils.checks.cells``, ``lstm_utils.checks.fast_lstm``) or from the chapter's own module
(``lstm_utils.memory``, ``lstm_utils.ner``, …), all built on :mod:`lstm_utils.checks.core`. A check prints ``✓ …`` when the answer is right and raises
:class:`~lstm_utils.checks.core.CheckFailed` with a message a student can act on when it is not.
"""

from lstm_utils.checks.core import CheckFailed, call_answer, check_close, check_true, passed

__all__ = ["CheckFailed", "call_answer", "check_close", "check_true", "passed"]
