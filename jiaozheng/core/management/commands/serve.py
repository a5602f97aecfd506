"""Serve the platform: the web server (granian, WSGI) and the Huey worker, until Ctrl-C.

``jiaozheng serve [--host 127.0.0.1] [--port 8000] [--workers N] [--no-worker]``

SIGTERM (``kill``, systemd, Docker) and SIGHUP (the terminal closed; not under ``nohup``) stop it like
Ctrl-C: the web server and the worker are sent SIGINT and waited for. Each runs in a process group of its
own, so a Ctrl-C in the terminal reaches this process only (which stops them in order), and one that does
not stop in time is killed with its own children. On Linux the two children also get SIGTERM from the
kernel if this process dies without cleaning up (``kill -9``, out of memory), so no server is left
holding the port.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand

from jiaozheng.core.server import granian_command

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
STOP_SECONDS = 10  # how long the children have to stop before they are killed
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _raise_keyboard_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def parent_death_signal(sig: int = signal.SIGTERM) -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the kernel send ``sig`` to the child when this process dies, or None
    where prctl(2) is not available (not Linux). Runs in the child between fork and exec."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def set_death_signal() -> None:
        prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), sig)

    return set_death_signal


class Command(BaseCommand):
    help = "Run the web server and the background worker (Ctrl-C stops both)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("JZ_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("JZ_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("JZ_WEB_WORKERS", "2")))
        parser.add_argument("--no-worker", action="store_true", help="Do not start the Huey worker")

    def handle(self, *args, **options):
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", "jiaozheng.settings.base")
        preexec_fn = parent_death_signal()
        children: list[subprocess.Popen] = []
        previous = _catch_stop_signals()
        try:
            if not options["no_worker"]:
                worker = subprocess.Popen(
                    [sys.executable, "-m", "jiaozheng.cli", "run_huey", "--quiet"],
                    env=env,
                    preexec_fn=preexec_fn,
                    process_group=0,
                )
                children.append(worker)
                self.stdout.write(f"Background worker started (pid {worker.pid}).")
            url = f"http://{options['host']}:{options['port']}/"
            self.stdout.write(f"Serving on {url}  (Ctrl-C to stop)")
            web = subprocess.Popen(
                granian_command(
                    host=options["host"],
                    port=options["port"],
                    workers=options["workers"],
                    backpressure=4,
                    log_level="warning",
                ),
                env=env,
                preexec_fn=preexec_fn,
                process_group=0,
            )
            children.insert(0, web)
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for sig in previous:  # a second Ctrl-C or SIGTERM must not cut the cleanup short
                signal.signal(sig, signal.SIG_IGN)
            try:
                _stop(children)
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)


def _catch_stop_signals() -> dict[int, Any]:
    """Have the stop signals raise KeyboardInterrupt; returns the handlers they had. A SIGHUP ignored
    (``nohup``) stays ignored. The children start with the default action for each caught signal
    (a Python handler is not inherited across exec), so the SIGINT that stops them is not ignored."""
    previous: dict[int, Any] = {}
    for sig in STOP_SIGNALS:
        handler = signal.getsignal(sig)
        if handler is None or (sig == signal.SIGHUP and handler == signal.SIG_IGN):
            continue
        previous[sig] = signal.signal(sig, _raise_keyboard_interrupt)
    return previous


def _stop(children: list[subprocess.Popen]) -> None:
    """Send SIGINT to each child still running, then kill the process groups of those that have not ended
    after STOP_SECONDS (with the web server's own worker processes). Only the web server's main process is
    signalled: granian stops its workers itself, and may hang if they get the SIGINT too."""
    running = [proc for proc in children if proc.poll() is None]
    for proc in running:
        proc.send_signal(signal.SIGINT)
    deadline = time.monotonic() + STOP_SECONDS
    for proc in running:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait()


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    """The child was started with ``process_group=0`` and is not reaped yet: its pid is its group's id."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
