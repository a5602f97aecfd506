"""`jiaozheng serve` stops its web server and worker when it is stopped, however it is stopped."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/task").is_dir(), reason="reads the process tree in /proc"
)

ROOT = Path(__file__).resolve().parents[3]


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(c) for c in (task / "children").read_text().split())
        except OSError:  # the task or the process ended meanwhile
            continue
    return found


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        new = _children(todo.pop()) - found
        found |= new
        todo.extend(new)
    return found


def _alive(pid: int) -> bool:
    """Running, and not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _answers(port: int) -> bool:
    """The web server answers (any status): its worker has started, not only its listening socket."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/login/")
        connection.getresponse().read()
    except OSError:
        return False
    finally:
        connection.close()
    return True


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def serve(tmp_path):
    """serve() -> (process, port): `jiaozheng serve` on a free port with its own var/ (SQLite), started
    once its web server answers and its worker runs. Whatever is left at the end is killed."""
    started: list[subprocess.Popen] = []
    seen: set[int] = set()

    def _start():
        port = _free_port()
        env = {
            k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "JZ_HUEY_IMMEDIATE")
        }
        env.update(
            DJANGO_SETTINGS_MODULE="jiaozheng.settings.base",
            JZ_VAR_DIR=str(tmp_path / "var"),
            PYTHONPATH=str(ROOT),
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "jiaozheng.cli", "serve", "--port", str(port), "--workers", "1"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(proc)
        # the worker and the web server, and the web server's own worker process, which answers
        ready = _wait(lambda: len(_descendants(proc.pid)) >= 3 and _answers(port), 20)
        seen.update(_descendants(proc.pid))
        assert ready, f"serve did not start: {proc.poll()=}, children {_descendants(proc.pid)}"
        assert len(_children(proc.pid)) == 2  # the web server and the worker
        return proc, port

    yield _start
    for proc in started:
        seen.update(_descendants(proc.pid))
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    for pid in seen:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_stopping_serve_stops_its_web_server_and_worker(serve, sig):
    # given a running `jiaozheng serve` with its web server and worker
    proc, port = serve()
    children = _descendants(proc.pid)

    # when it is sent SIGTERM (or killed outright, where it cannot clean up)
    proc.send_signal(sig)

    # then it ends, and within a few seconds none of its children is left running
    proc.wait(timeout=15)
    assert _wait(lambda: not any(_alive(pid) for pid in children), 5), [p for p in children if _alive(p)]
    assert not _listening(port)
    if sig == signal.SIGTERM:
        assert proc.returncode == 0  # a clean stop, as after Ctrl-C
