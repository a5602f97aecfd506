"""Benchmarks of location supervision (``python scripts/bench.py --only location --db both``).

- P1: ingestion over HTTP: granian WSGI (4 workers on PostgreSQL; 1 on SQLite, which has one writer), wrk
  with 16 connections posting batches of 100 and 500 fixes and single fixes; the fixes counted are
  stored, de-duplicated and evaluated against the fences (checked in the table afterwards);
  ``copy_ratio`` = the batch-500 rate ÷ a binary COPY (executemany on SQLite) of as many rows in one
  transaction, measured in the same run.
- P2: alert latency: the request carrying the fix that completes a breach (dwell and count reached),
  until the alert exists, p95 over 40 persons, with batch ingestion running in the background.
- P3: the lost-contact sweep over 700,000 persons in correction with phones: 97 % reporting, 2 % silent
  with an open 失联 already, 1 % newly silent (their alerts are raised in bulk in the timed sweep).
- P4: geofence classification (accuracy buckets, the county area) ÷ raw shapely ``contains_xy`` on the
  same 1,000,000 points (realistic fixes: mostly inside, some near the border, some outside).
- P8: alert volume: a county of 330 persons over 7 days of realistic phone behaviour (``simulate.py``:
  commutes, nights on the charger, battery deaths, a mountain dead zone, cell fixes) through the real
  ingestion and the sweep every 10 minutes, with the clock patched to simulated time. Target: at most 2
  urgent alerts per 100 persons per day, and each scripted real event (absconder, fake GPS, 越界 with
  dwell) raises its alert within P2's bound (the request or sweep that raises it takes ≤ 1,000 ms, and it
  is the first one after the condition is complete). Per-tier and per-type counts are printed.

Everything is created in a county of its own and removed afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from jiaozheng.core.server import granian_command

BENCH_CODE = "BENCH-LOC"
COUNTY_SEAT = (27.908, 110.595)
HECHENG = (27.55, 109.998)
ROOT = Path(__file__).resolve().parent.parent.parent


def _db() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:  # pragma: no cover
        return "?"


# --- the bench county ------------------------------------------------------------------------------


def cleanup() -> None:
    from jiaozheng.orgs.models import OrgUnit

    ids = list(OrgUnit.objects.filter(code=BENCH_CODE, kind="county").values_list("pk", flat=True))
    if not ids:
        return
    marks = ", ".join(str(i) for i in ids)
    persons = f"SELECT id FROM people_person WHERE county_id IN ({marks})"
    statements = [
        f"DELETE FROM location_alertevent WHERE alert_id IN (SELECT id FROM location_alert WHERE county_id IN ({marks}))",
        f"DELETE FROM location_alert WHERE county_id IN ({marks})",
        f"DELETE FROM audit_timelineevent WHERE person_id IN ({persons})",
        f"DELETE FROM audit_accesslog WHERE person_id IN ({persons})",
        f"DELETE FROM location_fix WHERE county_id IN ({marks})",
        f"DELETE FROM location_latest WHERE county_id IN ({marks})",
        f"DELETE FROM location_installrecord WHERE county_id IN ({marks})",
        f"DELETE FROM location_device WHERE county_id IN ({marks})",
        f"DELETE FROM people_person WHERE county_id IN ({marks})",
        f"DELETE FROM orgs_orgunit WHERE county_id IN ({marks}) AND kind <> 'county'",
        f"DELETE FROM orgs_orgunit WHERE id IN ({marks})",
    ]
    # Rows made by the bench only: referential checks are switched off while they go (hundreds of
    # thousands of persons would otherwise be checked against every table that may point at them).
    if _db() == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            for sql in statements:
                cursor.execute(sql)
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = OFF")
            try:
                with transaction.atomic():
                    for sql in statements:
                        cursor.execute(sql)
            finally:
                cursor.execute("PRAGMA foreign_keys = ON")


def make_county() -> tuple[Any, Any]:
    from jiaozheng.orgs.models import OrgUnit

    county = OrgUnit.objects.create(
        kind="county", name="定位基准测试县", code=BENCH_CODE, boundary_code="431224"
    )
    squadron = OrgUnit.objects.create(kind="squadron", name="基准中队", parent=county)
    return county, squadron


def make_persons(county: Any, squadron: Any, n: int) -> None:
    """n persons in correction, cloned from one template row by set-based SQL (about a third strict,
    half ordinary, the rest lenient)."""
    from jiaozheng.people.models import Person

    today = timezone.localdate()
    template = Person(
        case_number=f"{BENCH_CODE}-T",
        name="基准",
        gender="male",
        birth_date=dt.date(1985, 1, 1),
        id_number="431224198501010011",
        education="junior_secondary",
        employment="farming",
        address="基准地址",
        county=county,
        squadron=squadron,
        correction_type="probation",
        offence_category="theft",
        term_start=today - dt.timedelta(days=100),
        term_end=today + dt.timedelta(days=300),
        intake_on=today - dt.timedelta(days=99),
        supervision_class="ordinary",
        status="in_correction",
    )
    template.save()
    cols = [f.column for f in Person._meta.concrete_fields if f.column != "id"]
    exprs = []
    for col in cols:
        if col == "case_number":
            exprs.append(f"'{BENCH_CODE}-' || CAST(g.n AS TEXT)")
        elif col == "supervision_class":
            exprs.append(
                "CASE WHEN g.n %% 10 < 3 THEN 'strict' WHEN g.n %% 10 < 8 THEN 'ordinary' ELSE 'lenient' END"
            )
        else:
            exprs.append(f"t.{col}")
    select = f"SELECT {', '.join(exprs)} FROM people_person t, g WHERE t.id = %s"
    with connection.cursor() as cursor:
        if _db() == "postgresql":
            cursor.execute(
                f"WITH g(n) AS (SELECT generate_series(1, %s)) INSERT INTO people_person ({', '.join(cols)}) {select}",
                [n, template.pk],
            )
        else:
            cursor.execute(
                "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %s) "
                f"INSERT INTO people_person ({', '.join(cols)}) {select}",
                [n, template.pk],
            )
        cursor.execute("DELETE FROM people_person WHERE id = %s", [template.pk])


def make_devices(county: Any, tokens: dict[int, str] | None = None) -> None:
    """One active device per bench person; ``tokens`` maps person ids to known tokens (for HTTP)."""
    from jiaozheng.location.auth import hash_token

    enrolled = timezone.now() - dt.timedelta(days=30)
    hash_expr = (
        "md5(CAST(p.id AS TEXT)) || md5(CAST(p.id + 7 AS TEXT))"
        if _db() == "postgresql"
        else "'b' || printf('%%063d', p.id)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO location_device (person_id, county_id, platform, label, token_hash, token_hint, status,"
            " enrolled_at, end_reason, imported, last_rejection)"
            f" SELECT p.id, p.county_id, 'traccar_client', '', {hash_expr}, '', 'active', %s, '', %s, ''"
            " FROM people_person p WHERE p.county_id = %s",
            [enrolled, False, county.pk],
        )
        for person_id, token in (tokens or {}).items():
            cursor.execute(
                "UPDATE location_device SET token_hash = %s WHERE person_id = %s",
                [hash_token(token), person_id],
            )


def bench_person_ids(county: Any) -> list[int]:
    from jiaozheng.people.models import Person

    return list(Person.objects.filter(county=county).order_by("pk").values_list("pk", flat=True))


# --- P4: geofence classification versus raw contains_xy --------------------------------------------


def p4(report: Any) -> None:
    import numpy as np
    import shapely

    from jiaozheng.core.geo import county_geometry
    from jiaozheng.location.fences import FenceSet, _county_area, params_for

    geometry = county_geometry("431224")
    minx, miny, maxx, maxy = geometry.bounds
    params = params_for(None)
    area, widened = _county_area("431224", params["county_buffer_m"], params["max_accuracy_m"])
    fences = FenceSet(person_id=0, version=0, county_area=area, county_geometry_deg=widened, params=params)
    rng = np.random.default_rng(20200101)
    n = 1_000_000
    # realistic fixes: 90 % around places inside, 5 % within 2 km of the border, 5 % anywhere in the box
    core = geometry.buffer(-0.02)
    shapely.prepare(core)
    cand = np.column_stack([rng.uniform(minx, maxx, 4000), rng.uniform(miny, maxy, 4000)])
    inside_pts = cand[shapely.contains_xy(core, cand[:, 0], cand[:, 1])][:400]
    k_in, k_border = int(n * 0.90), int(n * 0.05)
    centres = inside_pts[rng.integers(0, len(inside_pts), k_in)]
    pts_in = centres + rng.normal(0, 0.01, (k_in, 2))
    border = shapely.get_coordinates(
        shapely.line_interpolate_point(geometry.boundary, rng.random(k_border), normalized=True)
    )
    pts_border = border + rng.normal(0, 0.01, (k_border, 2))
    pts_box = np.column_stack(
        [rng.uniform(minx, maxx, n - k_in - k_border), rng.uniform(miny, maxy, n - k_in - k_border)]
    )
    pts = np.vstack([pts_in, pts_border, pts_box])
    rng.shuffle(pts)
    lon, lat = pts[:, 0].copy(), pts[:, 1].copy()
    roll = rng.random(n)
    acc = np.where(
        roll < 0.85,
        rng.uniform(4, 25, n),
        np.where(roll < 0.96, rng.uniform(30, 90, n), rng.uniform(300, 1200, n)),
    )
    epoch = np.full(n, time.time())
    shapely.prepare(geometry)

    def timed(func: Any, repeat: int = 3) -> float:
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            func()
            best = min(best, time.perf_counter() - start)
        return best

    raw = timed(lambda: shapely.contains_xy(geometry, lon, lat))
    full = timed(lambda: fences.classify(epoch, lon, lat, acc))
    # the uniform box (60 % of points outside or near the border) for comparison
    ulon, ulat = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
    raw_u = timed(lambda: shapely.contains_xy(geometry, ulon, ulat))
    full_u = timed(lambda: fences.classify(epoch, ulon, ulat, acc))
    report(
        f"BENCH P4 db={_db()} geofence_ratio={raw / full:.2f} points={n} raw_mpts_s={n / raw / 1e6:.2f}"
        f" classify_mpts_s={n / full / 1e6:.2f} uniform_box_ratio={raw_u / full_u:.2f} load={_load()}"
    )


# --- P1 / P2: HTTP ingestion ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(workers: int) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "jiaozheng.settings.base")
    env["JZ_LOG_LEVEL"] = "ERROR"
    proc = subprocess.Popen(
        granian_command(host="127.0.0.1", port=port, workers=workers, log_level="error"),
        env=env,
        cwd=str(ROOT),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/api/v1/location/fixes", timeout=1)
        except urllib.error.HTTPError:
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("granian did not start")


LUA = r"""
local tokens = {TOKENS}
local batch = {BATCH}
local counter = 0
local template = ""
local thread_no = 0

function setup(thread)
  thread_no = thread_no + 1
  thread:set("tid", thread_no)
end

function init(args)
  local parts = {}
  local t0 = os.time() - 600
  for i = 1, batch do
    local lat = 27.90 + (i % 50) * 0.0004
    local lon = 110.59 + (i % 37) * 0.0004
    local ts = os.date("!%Y-%m-%dT%H:%M:%SZ", t0 + i)
    parts[#parts + 1] = string.format('{"id":"@@-%d","time":"%s","lat":%.6f,"lon":%.6f,"accuracy":12.5,"source":"gps","battery":0.8}', i, ts, lat, lon)
  end
  template = '{"fixes":[' .. table.concat(parts, ",") .. ']}'
end

function request()
  -- tid is a global set per thread by setup(): a local would hide it and two threads would send the
  -- same client ids (the de-duplication would then rightly store half of them)
  local me = tid or 0
  counter = counter + 1
  local token = tokens[((counter * 7 + me) % #tokens) + 1]
  local body = template:gsub("@@", me .. "r" .. counter .. "x" .. RUN)
  return wrk.format("POST", "/api/v1/location/fixes",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
"""


def _wrk(url: str, tokens: list[str], batch: int, seconds: int, connections: int, run: str) -> dict[str, Any]:
    script = LUA.replace("{TOKENS}", "{" + ",".join(f'"{t}"' for t in tokens) + "}")
    script = script.replace("{BATCH}", str(batch)).replace("RUN", f'"{run}"')
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
        path = handle.name
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", path, url],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(path)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    factor = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {
        "requests": requests,
        "errors": int(errors.group(1)) if errors else 0,
        "req_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p99_ms": float(p99.group(1)) * factor[p99.group(2)] if p99 else float("nan"),
        "raw": out,
    }


def _warm(url: str, tokens: list[str], workers: int) -> None:
    """Fill every worker's caches (boundary dataset, fences, device tokens) before measuring: one
    heartbeat per token, a few rounds so that each worker process sees each person."""
    from concurrent.futures import ThreadPoolExecutor

    def beat(token: str) -> None:
        _post(url, token, [])

    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(workers * 2):
            list(pool.map(beat, tokens))


def _fix_count(county: Any) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM location_fix WHERE county_id = %s", [county.pk])
        return cursor.fetchone()[0]


def _rate(url: str, county: Any, tokens: list[str], batch: int, seconds: int, run: str) -> tuple[float, dict]:
    before = _fix_count(county)
    started = time.perf_counter()
    result = _wrk(url, tokens, batch, seconds, 16, run)
    elapsed = time.perf_counter() - started
    stored = _fix_count(county) - before
    expected = (result["requests"] - result["errors"]) * batch
    if stored < expected:
        raise RuntimeError(f"acknowledged fixes missing: stored {stored}, acknowledged {expected}")
    return stored / min(elapsed, seconds + 0.5), result


def _commit_ms() -> float:
    """Median time of a one-row durable commit on this machine now (the floor of a single-fix request)."""
    samples = []
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS location_bench_commit (x integer)")
    for _ in range(30):
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO location_bench_commit (x) VALUES (1)")
        samples.append((time.perf_counter() - start) * 1000)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE location_bench_commit")
    return statistics.median(samples)


def _copy_rate(county: Any, device_id: int, person_id: int, rows: int) -> float:
    from jiaozheng.location import storage

    now = timezone.now()
    data = [
        (
            county.pk,
            person_id,
            device_id,
            f"copy{i}",
            now - dt.timedelta(seconds=i % 3600),
            now,
            27.9 + (i % 50) * 0.0004,
            110.59 + (i % 37) * 0.0004,
            12.5,
            None,
            None,
            None,
            0.8,
            None,
            None,
            1,
            1,
            0,
            None,
        )
        for i in range(rows)
    ]
    start = time.perf_counter()
    with transaction.atomic():
        storage.copy_rows(data)
    return rows / (time.perf_counter() - start)


def p1_p2(report: Any, county: Any) -> None:
    if shutil.which("wrk") is None:
        report(f"BENCH P1 db={_db()} skipped=wrk-not-installed")
        return
    persons = bench_person_ids(county)
    load_persons, alert_persons = persons[:200], persons[200:240]
    tokens = {pk: f"jzbench{pk:028d}" for pk in load_persons + alert_persons}
    from jiaozheng.location.models import Device

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM location_device WHERE county_id = %s", [county.pk])
    make_devices(county, tokens)
    load_tokens = [tokens[pk] for pk in load_persons]
    workers = 4 if _db() == "postgresql" else 1
    seconds = int(os.environ.get("JZ_BENCH_SECONDS", "10"))
    server, url = _start_server(workers)
    try:
        _warm(url, load_tokens + [tokens[pk] for pk in alert_persons], workers)
        _wrk(url, load_tokens, 100, 3, 16, "warm")
        rate100, r100 = _rate(url, county, load_tokens, 100, seconds, "b100")
        rate500, r500 = _rate(url, county, load_tokens, 500, seconds, "b500")
        single = _wrk(url, load_tokens, 1, seconds, 16, "one")
        device = Device.objects.filter(county=county).values_list("pk", "person_id").first()
        copy = _copy_rate(county, device[0], device[1], max(50_000, int(rate500 * 2)))
        commit_ms = _commit_ms()
        report(
            f"BENCH P1 db={_db()} fixes_per_s_batch100={rate100:.0f} fixes_per_s_batch500={rate500:.0f}"
            f" copy_ratio={rate500 / copy:.2f} single_req_per_s={single['req_s']:.0f}"
            f" single_p99_ms={single['p99_ms']:.1f} batch100_p99_ms={r100['p99_ms']:.0f}"
            f" batch500_p99_ms={r500['p99_ms']:.0f} copy_rows_per_s={copy:.0f} workers={workers}"
            f" errors={r100['errors'] + r500['errors'] + single['errors']} commit_ms={commit_ms:.2f} load={_load()}"
        )
        p2(report, url, county, [tokens[pk] for pk in alert_persons], alert_persons, load_tokens)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def _post(url: str, token: str, fixes: list[dict[str, Any]]) -> int:
    body = json.dumps({"fixes": fixes}).encode()
    req = urllib.request.Request(
        url + "/api/v1/location/fixes",
        data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=30) as response:
        return response.status


def p2(
    report: Any, url: str, county: Any, tokens: list[str], persons: list[int], load_tokens: list[str]
) -> None:
    from jiaozheng.location.models import Alert

    now = timezone.now()

    def outside(cid: str, minutes_ago: float) -> dict[str, Any]:
        t = now - dt.timedelta(minutes=minutes_ago)
        return {
            "id": cid,
            "time": t.isoformat(),
            "lat": HECHENG[0],
            "lon": HECHENG[1],
            "accuracy": 10,
            "source": "gps",
        }

    for token in tokens:  # the first two fixes of each breach: an episode opens, no alert yet
        _post(url, token, [outside("o1", 14), outside("o2", 7)])
    background = subprocess.Popen(
        ["wrk", "-t1", "-c8", "-d60s", "-s", _background_script(load_tokens), url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    latencies = []
    try:
        time.sleep(1.0)
        for token, person_id in zip(tokens, persons, strict=True):
            start = time.perf_counter()
            status = _post(url, token, [outside("o3", 0.2)])
            while not Alert.objects.filter(person_id=person_id, alert_type="geofence_breach").exists():
                if time.perf_counter() - start > 10:
                    break
                time.sleep(0.002)
            latencies.append((time.perf_counter() - start) * 1000)
            if status != 200:
                raise RuntimeError(f"trigger answered {status}")
    finally:
        background.terminate()
        background.wait(timeout=10)
    raised = Alert.objects.filter(person_id__in=persons, alert_type="geofence_breach").count()
    p95 = statistics.quantiles(latencies, n=20)[18]
    report(
        f"BENCH P2 db={_db()} alert_p95_ms={p95:.0f} alert_median_ms={statistics.median(latencies):.0f}"
        f" alerts={raised}/{len(persons)} background=wrk-batch100-8conn load={_load()}"
    )


def _background_script(tokens: list[str]) -> str:
    script = LUA.replace("{TOKENS}", "{" + ",".join(f'"{t}"' for t in tokens) + "}")
    script = script.replace("{BATCH}", "100").replace("RUN", '"bg"')
    handle = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    handle.write(script)
    handle.close()
    return handle.name


# --- P3: the lost-contact sweep over 700,000 persons ----------------------------------------------


def p3(report: Any, county: Any) -> None:
    from jiaozheng.location.sweeps import sweep_lost_contact

    n = int(os.environ.get("JZ_BENCH_P3_PERSONS", "700000"))
    started = time.perf_counter()
    with transaction.atomic():
        _, squadron = county, county.children.first()
        make_persons(county, squadron, n)
        make_devices(county)
        now = timezone.now()
        recent, silent, long_silent = (
            now - dt.timedelta(minutes=10),
            now - dt.timedelta(hours=3),
            now - dt.timedelta(days=3),
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO location_latest (person_id, county_id, device_id, fix_time, received_at, last_seen_at,"
                " expected_since, latitude, longitude, source, flags, device_state, fence_state, fence_version)"
                " SELECT d.person_id, d.county_id, d.id, v.t, v.t, v.t, d.enrolled_at, 27.9, 110.6, 1, 0, '{}', '{}', 0"
                " FROM location_device d JOIN (SELECT id, CASE WHEN id %% 100 = 0 THEN %s WHEN id %% 100 IN (1, 2)"
                " THEN %s ELSE %s END AS t FROM location_device WHERE county_id = %s) v ON v.id = d.id",
                [silent, long_silent, recent, county.pk],
            )
            cursor.execute(
                "INSERT INTO location_alert (person_id, county_id, alert_type, severity, status, title, evidence,"
                " occurred_at, raised_at, last_event_at, event_count, late, source_model, source_id, outcome,"
                " resolution_note) SELECT person_id, county_id, 'lost_contact', 'high', 'new', 'bench', '{}', %s, %s,"
                " %s, 1, %s, '', '', '', '' FROM location_device WHERE county_id = %s AND id %% 100 IN (1, 2)",
                [long_silent, long_silent, long_silent, False, county.pk],
            )
    setup_s = time.perf_counter() - started
    from django.urls import reverse

    reverse("location:alert_list")  # a running worker has its URL configuration loaded already
    if _db() == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE people_person; ANALYZE location_device; ANALYZE location_latest; ANALYZE location_alert"
            )
    start = time.perf_counter()
    first = sweep_lost_contact()
    sweep_s = time.perf_counter() - start
    start = time.perf_counter()
    second = sweep_lost_contact()
    steady_s = time.perf_counter() - start
    report(
        f"BENCH P3 db={_db()} persons={n} sweep_s={sweep_s:.2f} new_alerts={first['raised']}"
        f" candidates={first['candidates']} steady_sweep_s={steady_s:.2f} steady_new={second['raised']}"
        f" setup_s={setup_s:.0f} load={_load()}"
    )


# --- entry point ------------------------------------------------------------------------------------


def bench(report: Any) -> None:
    from jiaozheng.location import auth, fences

    fences.forget()
    auth.forget_device()
    cleanup()
    p4(report)
    county, squadron = make_county()
    try:
        make_persons(county, squadron, 240)
        p1_p2(report, county)
    finally:
        cleanup()
    county, squadron = make_county()
    try:
        p3(report, county)
    finally:
        cleanup()
    p8(report)


# --- P8: alert volume of a simulated county ----------------------------------------------------------

P8_PERSONS = int(os.environ.get("JZ_BENCH_P8_PERSONS", "330"))
P8_DAYS = int(os.environ.get("JZ_BENCH_P8_DAYS", "7"))
P2_BOUND_MS = 1000.0
URGENT_PER_100_PER_DAY = 2.0


def p8(report: Any, persons: int = P8_PERSONS, days: int = P8_DAYS) -> dict[str, Any]:
    from jiaozheng.location import auth, fences

    fences.forget()
    auth.forget_device()
    cleanup()
    county, squadron = make_county()
    try:
        make_persons(county, squadron, persons)
        make_devices(county)
        return _p8_run(report, county, persons, days)
    finally:
        cleanup()


def _p8_run(report: Any, county: Any, persons: int, days: int) -> dict[str, Any]:
    from django.db.models import Count

    from jiaozheng.audit.context import acting_as
    from jiaozheng.core.geo import county_geometry
    from jiaozheng.location.models import FLAG_OUTSIDE, Alert, Device, Fix
    from jiaozheng.location.simulate import Simulation
    from jiaozheng.orgs.services import system_user

    rows = list(
        Device.objects.filter(county=county, status="active")
        .order_by("person_id")
        .values_list("person_id", "county_id", "pk", "person__supervision_class")
    )
    ordinary = [r[0] for r in rows if r[3] == "ordinary"]
    scripts = {ordinary[0]: "absconder", ordinary[1]: "fake_gps", ordinary[2]: "breach"}
    tz = timezone.get_default_timezone()
    first_day = timezone.localdate() - dt.timedelta(days=days + 1)
    start = dt.datetime.combine(first_day, dt.time(0), tzinfo=tz)
    end = start + dt.timedelta(days=days)
    script_days = {
        "fake_gps": first_day + dt.timedelta(days=min(1, days - 1)),
        "absconder": first_day + dt.timedelta(days=min(2, days - 1)),
        "breach": first_day + dt.timedelta(days=min(3, days - 1)),
    }
    centre = county_geometry(county.boundary_code).representative_point()
    sim = Simulation(rows, centre=(centre.y, centre.x), scripts=scripts, script_days=script_days)
    absconder = next(pid for pid, kind in scripts.items() if kind == "absconder")
    sweep_ms: list[float] = []

    def on_sweep(at: dt.datetime, result: dict[str, Any], elapsed: float) -> None:
        sweep_ms.append(elapsed)
        event = sim.events[absconder]
        if event.raised_at is None and Alert.objects.filter(person_id=absconder, raised_at__lte=at).exists():
            event.raised_at, event.processing_ms = at, elapsed

    began = time.perf_counter()
    with acting_as(system_user(), "job"):
        sim.run(start, end, on_sweep=on_sweep)
    wall = time.perf_counter() - began

    alerts = Alert.objects.filter(county=county)
    urgent = alerts.filter(severity="urgent").count()
    per_100_day = urgent / (persons / 100) / days
    tiers = dict(
        alerts.filter(tier__isnull=False).values_list("tier").annotate(n=Count("id")).values_list("tier", "n")
    )
    by_type = dict(alerts.values_list("alert_type").annotate(n=Count("id")).values_list("alert_type", "n"))
    by_severity = dict(alerts.values_list("severity").annotate(n=Count("id")).values_list("severity", "n"))
    # breach: the condition is complete once the dwell has passed since the first confident fix outside
    breach_pid = next(pid for pid, kind in scripts.items() if kind == "breach")
    first_out = (
        Fix.objects.filter(person_id=breach_pid, flags__gte=FLAG_OUTSIDE)
        .extra(where=["(flags & 2) = 2"])
        .order_by("fix_time")
        .values_list("fix_time", flat=True)
        .first()
    )
    if first_out is not None:
        sim.events[breach_pid].due_at = first_out + dt.timedelta(minutes=10)
    checks = []
    for event in sim.events.values():
        wanted = {
            "absconder": ("device_offline", "lost_contact"),
            "fake_gps": ("mock_location",),
            "breach": ("geofence_breach",),
        }[event.kind]
        kind_ok = alerts.filter(person_id=event.person_id, alert_type__in=wanted).exists()
        bound = {"absconder": 60 + 10, "fake_gps": 5, "breach": 35}[event.kind]  # minutes of simulated time
        delay = (
            (event.raised_at - event.due_at).total_seconds() / 60
            if event.raised_at is not None and event.due_at is not None
            else None
        )
        ok = (
            kind_ok
            and event.processing_ms is not None
            and event.processing_ms <= P2_BOUND_MS
            and delay is not None
            and delay <= bound
        )
        checks.append((event.kind, ok, event.processing_ms, delay))
    absconder_tier = alerts.filter(person_id=absconder).values_list("tier", flat=True).first()
    scripted = scripts
    urgent_why: dict[str, int] = {}
    for a in alerts.filter(severity="urgent"):
        key = scripted.get(a.person_id) or f"{a.alert_type}:{(a.evidence or {}).get('cause') or '-'}"
        urgent_why[key] = urgent_why.get(key, 0) + 1
    if os.environ.get("JZ_BENCH_P8_DEBUG"):
        for a in alerts.filter(severity="urgent").exclude(person_id__in=list(scripts)):
            ev = a.evidence or {}
            report(f"P8 urgent {a.person_id} {a.alert_type} {a.title} {ev.get('last_seen_at')}")
    events_ok = sum(1 for c in checks if c[1])
    target_ok = per_100_day <= URGENT_PER_100_PER_DAY and events_ok == len(checks)
    details = " ".join(
        f"{kind}={'ok' if ok else 'FAIL'}({(ms or 0):.0f}ms,{'?' if d is None else f'{d:.0f}'}min)"
        for kind, ok, ms, d in checks
    )
    report(
        f"BENCH P8 db={_db()} persons={persons} days={days} urgent={urgent}"
        f" urgent_per_100_per_day={per_100_day:.2f} (target <= {URGENT_PER_100_PER_DAY})"
        f" tier1_not_reporting={tiers.get(1, 0)} tier2_lost_contact={tiers.get(2, 0)}"
        f" tier3_absconding={tiers.get(3, 0)} alerts={alerts.count()}"
        f" by_type={json.dumps(by_type, sort_keys=True)} by_severity={json.dumps(by_severity, sort_keys=True)}"
        f" urgent_from={json.dumps(urgent_why, sort_keys=True, ensure_ascii=False)}"
        f" events={events_ok}/{len(checks)} {details} absconder_tier={absconder_tier}"
        f" requests={sim.requests} max_request_ms={sim.max_request_ms:.0f}"
        f" sweep_p95_ms={(statistics.quantiles(sweep_ms, n=20)[-1] if len(sweep_ms) > 1 else 0):.0f}"
        f" wall_s={wall:.0f} {'PASS' if target_ok else 'FAIL'}"
    )
    return {"urgent_per_100_per_day": per_100_day, "tiers": tiers, "checks": checks, "ok": target_ok}
