"""`make bench`: runs every app's bench.py (``def bench(report)``) and prints BENCH lines.

Each module measures its own targets (see the issues: P1-P7; P8: supervision due lists, issue 15). ``report(line)`` prints a line of the form
``BENCH Pn key=value ...`` and collects it into bench-results/latest.txt. Run on SQLite by default; with
``DATABASE_URL`` set (make bench sets it for the PostgreSQL pass), on PostgreSQL.
Usage: python scripts/bench.py [--only APP[,APP]] [--db sqlite|postgresql|both]

The bench uses its own databases (bench-results/var/ for SQLite, jiaozheng_bench on PostgreSQL), migrated
before the run; each app's bench creates the data it measures.
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("JZ_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/jiaozheng_bench")


def _ensure_pg_database(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def run_pass(db: str, only: list[str]) -> int:
    env = dict(os.environ)
    env["JZ_BENCH_DB"] = db
    # The bench never touches the demo database of `make run`: its own SQLite file or PostgreSQL database.
    env["JZ_VAR_DIR"] = str(ROOT / "bench-results" / "var")
    if db == "postgresql":
        env["DATABASE_URL"] = PG_URL
        _ensure_pg_database(PG_URL)
    else:
        env.pop("DATABASE_URL", None)
    subprocess.check_call(
        [sys.executable, "-m", "jiaozheng.cli", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT
    )
    args = [sys.executable, __file__, "--inner"] + (["--only", ",".join(only)] if only else [])
    return subprocess.call(args, env=env, cwd=ROOT)


def inner(only: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiaozheng.settings.base")
    import django

    django.setup()
    from jiaozheng.core.registry import platform_apps

    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    db = os.environ.get("JZ_BENCH_DB", "sqlite")

    def report(line: str) -> None:
        print(line, flush=True)
        with open(out / "latest.txt", "a", encoding="utf-8") as handle:
            handle.write(f"{time.strftime('%Y-%m-%d %H:%M')} {line}\n")

    for cfg in platform_apps():
        if only and cfg.label not in only:
            continue
        try:
            module = importlib.import_module(f"{cfg.name}.bench")
        except ModuleNotFoundError as exc:
            if exc.name == f"{cfg.name}.bench":
                continue
            raise
        print(f"-- {cfg.label} ({db})", flush=True)
        module.bench(report)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="")
    parser.add_argument("--db", default="both", choices=["sqlite", "postgresql", "both"])
    parser.add_argument("--inner", action="store_true")
    args = parser.parse_args()
    only = [a for a in args.only.split(",") if a]
    if args.inner:
        inner(only)
        return
    code = 0
    for db in ["sqlite", "postgresql"] if args.db == "both" else [args.db]:
        code |= run_pass(db, only)
    sys.exit(code)


if __name__ == "__main__":
    main()
