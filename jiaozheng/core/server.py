"""The command line of the web server (granian, WSGI) as `jiaozheng serve`, `make bench` and `make faults` run it."""

from __future__ import annotations

import sys


def granian_command(
    *, host: str, port: int, workers: int, log_level: str, backpressure: int | None = None
) -> list[str]:
    args = [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host, "--port", str(port)]
    args += ["--workers", str(workers)]
    if backpressure is not None:
        args += ["--backpressure", str(backpressure)]
    return [*args, "--log-level", log_level, "jiaozheng.wsgi:application"]
