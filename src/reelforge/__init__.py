"""reelforge: an open, self-hostable video generation studio."""

__version__ = "0.1.0"
