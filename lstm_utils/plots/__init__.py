"""Plotting helpers: one module per kind of figure."""
