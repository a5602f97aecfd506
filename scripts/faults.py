"""`make faults`: location ingest under failures; every fix the client saw acknowledged is stored exactly once.

1. A fresh PostgreSQL database (jiaozheng_faults) with a county, persons and enrolled phones.
2. The web server (granian, WSGI, 2 workers) in its own process group.
3. Client threads post batches of fixes with client ids; a batch counts as acknowledged only when the
   server answered 200 with its counts. Unanswered or failed batches are resent with the same ids.
4. During the load: the server is killed with SIGKILL and restarted, and PostgreSQL is restarted.
5. Afterwards: every acknowledged (device, client id) is in the table exactly once, and no fix appears twice.

Prints `FAULTS acked=... stored_once=... missing=... duplicated=... kills=... pg_restarts=... result=PASS`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from jiaozheng.core.server import granian_command

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("JZ_FAULTS_PORT", "18777"))
PG_URL = os.environ.get("JZ_FAULTS_PG_URL", "postgresql://postgres@127.0.0.1:5432/jiaozheng_faults")
DURATION = float(os.environ.get("JZ_FAULTS_SECONDS", "40"))
CLIENTS = 6
BATCH = 50


def env() -> dict[str, str]:
    e = dict(os.environ)
    e.update(
        DATABASE_URL=PG_URL,
        DJANGO_SETTINGS_MODULE="jiaozheng.settings.base",
        JZ_VAR_DIR=str(ROOT / "bench-results" / "faults-var"),
        JZ_CONN_MAX_AGE="0",
    )
    return e


def reset_database() -> None:
    import psycopg

    name = PG_URL.rsplit("/", 1)[1]
    admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.check_call(
        [sys.executable, "-m", "jiaozheng.cli", "migrate", "--noinput", "-v0"], env=env(), cwd=ROOT
    )


SETUP = r"""
import json
from jiaozheng.audit.context import acting_as
from jiaozheng.core.testing.world import make_world, person_data
from jiaozheng.location.services import device_enrol
from jiaozheng.people.services import person_create
world = make_world()
tokens = []
with acting_as(world.bureau_admin, "cli"):
    for i in range(12):
        p = person_create(actor=world.bureau_admin, data=person_data(squadron=world.squadron_a, township=world.township_a))
        _device, token = device_enrol(actor=world.bureau_admin, person=p, platform="jz_app")
        tokens.append(token)
print(json.dumps(tokens))
"""


def setup_devices() -> list[str]:
    out = subprocess.check_output(
        [sys.executable, "-m", "jiaozheng.cli", "shell", "-c", SETUP], env=env(), cwd=ROOT
    )
    return json.loads(out.decode().strip().splitlines()[-1])


def start_server() -> subprocess.Popen:
    return subprocess.Popen(
        granian_command(host="127.0.0.1", port=PORT, workers=2, backpressure=16, log_level="error"),
        env=env(),
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_up(timeout: float = 30) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health/", timeout=2)
            return True
        except Exception:
            time.sleep(0.2)
    return False


def restart_postgresql() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        capture_output=True,
    )


class Client(threading.Thread):
    def __init__(self, token: str, index: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.token, self.index, self.stop_event = token, index, stop
        self.acked: set[str] = set()
        self.attempts = self.failures = 0
        self.rng = random.Random(index)

    def batch(self, n: int) -> tuple[list[str], bytes]:
        now = dt.datetime.now(dt.UTC)
        ids, fixes = [], []
        for k in range(BATCH):
            cid = f"c{self.index}-{n}-{k}"
            ids.append(cid)
            fixes.append(
                {
                    "id": cid,
                    "time": (now - dt.timedelta(seconds=BATCH - k)).isoformat(),
                    "lat": 27.91 + self.rng.random() * 0.01,
                    "lon": 110.6 + self.rng.random() * 0.01,
                    "accuracy": 12,
                    "source": "gps",
                }
            )
        return ids, json.dumps({"fixes": fixes}).encode()

    def run(self) -> None:
        n = 0
        pending: tuple[list[str], bytes] | None = None
        while not self.stop_event.is_set() or pending is not None:
            if pending is None:
                pending = self.batch(n)
                n += 1
            ids, body = pending
            request = urllib.request.Request(
                f"http://127.0.0.1:{PORT}/api/v1/location/fixes",
                data=body,
                method="POST",
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
            )
            self.attempts += 1
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    answer = json.loads(response.read())
                if response.status == 200 and not answer.get("rejected"):
                    self.acked.update(ids)  # acknowledged: stored now, or stored by an earlier attempt
                    pending = None
                    continue
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError, ValueError):
                pass
            self.failures += 1
            if self.stop_event.is_set() and self.failures > 2000:
                return  # give up: the unacknowledged batch is not counted
            time.sleep(0.3)


def main() -> int:
    print("preparing the database", flush=True)
    reset_database()
    tokens = setup_devices()
    server = start_server()
    if not wait_up():
        print("the server did not start")
        return 1
    stop = threading.Event()
    clients = [Client(tokens[i % len(tokens)], i, stop) for i in range(CLIENTS)]
    for client in clients:
        client.start()
    kills = pg_restarts = 0
    started = time.monotonic()
    schedule = [(DURATION * 0.25, "kill"), (DURATION * 0.5, "pg"), (DURATION * 0.75, "kill")]
    for at, what in schedule:
        time.sleep(max(0, started + at - time.monotonic()))
        if what == "kill":
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
            kills += 1
            print(f"{time.monotonic() - started:5.1f}s SIGKILL to the web server; restarting", flush=True)
            server = start_server()
            wait_up()
        else:
            print(f"{time.monotonic() - started:5.1f}s restarting PostgreSQL", flush=True)
            restart_postgresql()
            pg_restarts += 1
    time.sleep(max(0, started + DURATION - time.monotonic()))
    stop.set()
    for client in clients:
        client.join(timeout=120)
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)
    acked = {cid for c in clients for cid in c.acked}
    import psycopg

    with psycopg.connect(PG_URL) as conn:
        rows = conn.execute(
            "SELECT client_id, count(*) FROM location_fix GROUP BY device_id, client_id"
        ).fetchall()
    counts = dict(rows)
    missing = [cid for cid in acked if counts.get(cid, 0) == 0]
    duplicated = [cid for cid, n in counts.items() if n > 1]
    stored_once = sum(1 for cid in acked if counts.get(cid) == 1)
    attempts = sum(c.attempts for c in clients)
    failures = sum(c.failures for c in clients)
    ok = not missing and not duplicated and stored_once == len(acked) and kills == 2 and pg_restarts == 1
    print(
        f"FAULTS acked={len(acked)} stored_once={stored_once} missing={len(missing)} duplicated={len(duplicated)} "
        f"requests={attempts} failed_requests={failures} kills={kills} pg_restarts={pg_restarts} "
        f"result={'PASS' if ok else 'FAIL'}",
        flush=True,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
