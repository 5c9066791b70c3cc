"""Shared code of the LSTM book.

Importing the package does nothing but define names: no seeding, no downloads.
Import the modules you need, e.g. ``from lstm_utils.training import fit``.
"""

__version__ = "0.1.0"
