"""Test support shared by every app: the standard world, personas and the access matrix."""

from jiaozheng.core.testing import factories  # noqa: E402,F401  (registers the matrix factories)
