"""Jiaozheng (矫正): community-corrections service platform."""

__version__ = "0.1.0"
