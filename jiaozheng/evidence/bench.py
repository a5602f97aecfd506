"""Benchmark P9 (``python scripts/bench.py --only evidence``): the evidence pack of the demo county-year.

The demo needs an empty database, so the bench keeps its own (bench-results/var-evidence/ for SQLite,
``jiaozheng_bench_evidence`` on PostgreSQL) and measures in fresh processes: the pack of XP-2020 as the demo
holds it, then again with ``EXTRA_PHOTOS`` photos (random, incompressible JPEGs) added to its sessions.
Peak memory is the measuring process's peak RSS: equal figures show memory flat in the number of photos.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
EXTRA_PHOTOS = int(os.environ.get("JZ_BENCH_PHOTOS", "400"))
PG_URL = os.environ.get(
    "JZ_BENCH_EVIDENCE_PG_URL", "postgresql://postgres@127.0.0.1:5432/jiaozheng_bench_evidence"
)


def _ensure_pg_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["JZ_VAR_DIR"] = str(ROOT / "bench-results" / "var-evidence")
    if os.environ.get("JZ_BENCH_DB") == "postgresql":
        _ensure_pg_database(PG_URL)
        env["DATABASE_URL"] = PG_URL
    else:
        env.pop("DATABASE_URL", None)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _run(env: dict[str, str], *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "jiaozheng.evidence.bench", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench(report: Any) -> None:
    env = _env()
    subprocess.check_call(
        [sys.executable, "-m", "jiaozheng.cli", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT
    )
    loaded = _run(env, "--load")
    base = _run(env, "--measure")
    _run(env, "--add-photos", str(EXTRA_PHOTOS))
    try:
        more = _run(env, "--measure")
    finally:
        _run(env, "--remove-photos")
    db = os.environ.get("JZ_BENCH_DB", "sqlite")
    for label, r in (("demo", base), (f"demo+{EXTRA_PHOTOS}photos", more)):
        report(
            f"BENCH P9 evidence_pack db={db} data={label} time_s={r['seconds']:.1f} size_mb={r['size_mb']:.1f} "
            f"peak_rss_mb={r['peak_rss_mb']:.0f} records={r['records']} files={r['files']} "
            f"photos={r['photos']} goal_s=120 demo_load_s={loaded['seconds']:.0f}"
        )


# --- the measuring process ------------------------------------------------------------------------------


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiaozheng.settings.base")
    import django

    django.setup()


def _load() -> dict[str, Any]:
    import io

    from django.core.management import call_command

    from jiaozheng.contracts.models import Contract

    started = time.perf_counter()
    if not Contract.objects.filter(code="XP-2020").exists():
        call_command("load_demo", stdout=io.StringIO())
    return {"seconds": time.perf_counter() - started}


BENCH_CAPTION = "bench-photo"


def _add_photos(n: int) -> dict[str, Any]:
    import io
    import random

    from django.core.files.base import ContentFile
    from PIL import Image

    from jiaozheng.audit.context import acting_as
    from jiaozheng.education.models import Session, SessionPhoto
    from jiaozheng.orgs.services import system_user

    sessions = list(
        Session.objects.filter(county__name="溆浦县", date__year=2020, status="held").order_by("pk")
    )
    rng = random.Random(9)
    with acting_as(system_user(), "cli"):
        for i in range(n):
            noise = Image.frombytes("RGB", (900, 675), rng.randbytes(900 * 675 * 3))
            out = io.BytesIO()
            noise.save(out, "JPEG", quality=85)
            photo = SessionPhoto(
                session=sessions[i % len(sessions)],
                name=f"{i}.jpg",
                caption=BENCH_CAPTION,
                sha256=f"{i:064d}",
            )
            photo.image.save("photo.jpg", ContentFile(out.getvalue()), save=False)
            photo.thumb.save("thumb.jpg", ContentFile(out.getvalue()[:1000]), save=False)
            photo.save()
    return {"added": n}


def _remove_photos() -> dict[str, Any]:
    from jiaozheng.education.models import SessionPhoto

    n = 0
    for photo in SessionPhoto.objects.filter(caption=BENCH_CAPTION).iterator():
        photo.image.delete(save=False)
        photo.thumb.delete(save=False)
        photo.delete()
        n += 1
    return {"removed": n}


def _measure() -> dict[str, Any]:
    import resource
    import tempfile

    from jiaozheng.contracts.models import Contract
    from jiaozheng.education.models import SessionPhoto
    from jiaozheng.evidence.services import pack_generate
    from jiaozheng.orgs.models import User

    contract = Contract.objects.get(code="XP-2020")
    officer = User.objects.get(username="xp_officer")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "pack.zip")
        started = time.perf_counter()
        result = pack_generate(actor=officer, contract=contract, year=2020, path=path)
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": seconds,
        "size_mb": result.size / 1e6,
        "peak_rss_mb": peak,
        "records": result.records,
        "files": result.attachments,
        "photos": SessionPhoto.objects.filter(session__date__year=2020).count(),
    }


def main(argv: list[str]) -> None:
    _setup()
    from jiaozheng.audit.context import acting_as
    from jiaozheng.orgs.services import system_user

    if argv[0] == "--load":
        result = _load()
    else:
        with acting_as(system_user(), "cli"):
            result = _command(argv)
    sys.stdout.write(json.dumps(result) + "\n")


def _command(argv: list[str]) -> dict[str, Any]:
    if argv[0] == "--add-photos":
        return _add_photos(int(argv[1]))
    if argv[0] == "--remove-photos":
        return _remove_photos()
    return _measure()


if __name__ == "__main__":
    main(sys.argv[1:])
