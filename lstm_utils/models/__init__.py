"""Models shared by several chapters."""
