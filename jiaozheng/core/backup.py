"""Backup and restore of the database and uploaded files, verified by row counts and content hashes.

A backup is one ``.tar.gz`` holding ``manifest.json`` (format, database vendor, time, the row count and a
SHA-256 over the rows of every table), the database (``db.sqlite3`` made with SQLite's online backup API,
or ``db.pgdump`` from ``pg_dump --format=custom``) and ``media/`` (uploads and generated files).
Restoring replaces the database content and the media files, then recomputes the counts and hashes and
refuses to report success unless they equal the manifest's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

FORMAT = "jiaozheng-backup-1"


def _tables() -> list[str]:
    names = connection.introspection.table_names(include_views=False)
    return sorted(n for n in names if not n.startswith("sqlite_"))


def table_digest(table: str) -> tuple[int, str]:
    """Rows and a SHA-256 over their content: in primary-key order, or of the sorted row hashes."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        pk = _primary_key(cursor, table)
        order = f" ORDER BY {qn(pk)}" if pk else ""
        cursor.execute(f"SELECT * FROM {qn(table)}{order}")
        digest = hashlib.sha256()
        unordered: list[bytes] = []
        count = 0
        while True:
            rows = cursor.fetchmany(2000)
            if not rows:
                break
            for row in rows:
                data = repr(tuple(_norm(v) for v in row)).encode("utf-8")
                if pk:
                    digest.update(data)
                else:
                    unordered.append(hashlib.sha256(data).digest())
                count += 1
    for item in sorted(unordered):
        digest.update(item)
    return count, digest.hexdigest()


def _norm(value: Any) -> Any:
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat()
    return value


def _primary_key(cursor: Any, table: str) -> str | None:
    try:
        constraints = connection.introspection.get_constraints(cursor, table)
    except Exception:
        return None
    for info in constraints.values():
        if info.get("primary_key") and len(info["columns"]) == 1:
            return info["columns"][0]
    return None


def digests() -> dict[str, dict[str, Any]]:
    return {t: dict(zip(("rows", "sha256"), table_digest(t), strict=True)) for t in _tables()}


@dataclass
class Result:
    path: Path
    tables: int
    rows: int


def create(output: Path) -> Result:
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    state = digests()
    manifest = {
        "format": FORMAT,
        "vendor": vendor,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "tables": state,
    }
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        if vendor == "sqlite":
            db_file = tmpdir / "db.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(db_file)
            with target:
                connection.connection.backup(target)
            target.close()
        elif vendor == "postgresql":
            db_file = tmpdir / "db.pgdump"
            subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", "--file", str(db_file), _pg_dsn()],
                check=True,
                env=_pg_env(),
                capture_output=True,
            )
        else:  # pragma: no cover
            raise RuntimeError(f"backup does not support {vendor}")
        with tarfile.open(output, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=db_file.name)
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                tar.add(media, arcname="media")
    os.chmod(output, 0o600)
    return Result(output, len(state), sum(t["rows"] for t in state.values()))


def read_manifest(path: Path) -> dict[str, Any]:
    with tarfile.open(path, "r:gz") as tar:
        member = tar.extractfile("manifest.json")
        if member is None:
            raise ValueError("not a Jiaozheng backup: no manifest")
        manifest = json.load(member)
    if manifest.get("format") != FORMAT:
        raise ValueError("not a Jiaozheng backup of a known format")
    return manifest


def restore(path: Path) -> Result:
    path = Path(path)
    manifest = read_manifest(path)
    vendor = connection.vendor
    if manifest["vendor"] != vendor:
        raise ValueError(f"the backup is of a {manifest['vendor']} database; this one is {vendor}")
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        with tarfile.open(path, "r:gz") as tar:
            tar.extractall(tmpdir, filter="data")
        if vendor == "sqlite":
            source = sqlite3.connect(tmpdir / "db.sqlite3")
            connection.ensure_connection()
            with source:
                source.backup(connection.connection)
            source.close()
        else:
            connection.close()
            _pg_restore(tmpdir / "db.pgdump")
        media = Path(settings.MEDIA_ROOT)
        if (tmpdir / "media").exists():
            if media.exists():
                shutil.rmtree(media)
            shutil.copytree(tmpdir / "media", media)
    state = digests()
    expected = manifest["tables"]
    different = sorted(t for t in set(expected) | set(state) if expected.get(t) != state.get(t))
    if different:
        raise RuntimeError(f"restored content differs from the backup in: {', '.join(different[:10])}")
    return Result(path, len(state), sum(t["rows"] for t in state.values()))


# Empties the schema before the dump's own CREATE statements run. `pg_restore --clean` cannot do it: it drops
# the partitions' inherited primary keys one by one, which PostgreSQL refuses. Only top-level tables are
# dropped (partitions go with their parent), then whatever views and sequences are left.
_EMPTY_PUBLIC_SCHEMA = """
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition LOOP
    EXECUTE CASE r.relkind WHEN 'v' THEN 'DROP VIEW IF EXISTS '
                           WHEN 'm' THEN 'DROP MATERIALIZED VIEW IF EXISTS '
                           ELSE 'DROP TABLE IF EXISTS ' END || r.name || ' CASCADE';
  END LOOP;
  FOR r IN SELECT c.oid::regclass AS name FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind = 'S' LOOP
    EXECUTE 'DROP SEQUENCE IF EXISTS ' || r.name || ' CASCADE';
  END LOOP;
END $$;
"""


def _pg_restore(dump: Path) -> None:
    """Replace the database's content with the dump's, in one transaction: on any error nothing changes.

    The dump is first turned into SQL in full, so that a damaged dump is refused before anything runs
    (streaming it would let psql commit whatever part it had received).
    """
    script = dump.with_suffix(".sql")
    restore = subprocess.run(
        ["pg_restore", "--no-owner", f"--file={script}", str(dump)],
        env=_pg_env(),
        capture_output=True,
        text=True,
    )
    if restore.returncode != 0:
        raise RuntimeError(f"pg_restore could not read the dump: {restore.stderr.strip()[-2000:]}")
    psql = subprocess.run(
        [
            "psql",
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            "--command",
            _EMPTY_PUBLIC_SCHEMA,
            f"--file={script}",
            "--dbname",
            _pg_dsn(),
        ],
        env=_pg_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    script.unlink()
    if psql.returncode != 0:
        raise RuntimeError(f"restoring the dump failed, nothing was changed: {psql.stderr.strip()[-2000:]}")


def _pg_dsn() -> str:
    s = connection.settings_dict
    parts = [f"dbname={s['NAME']}"]
    if s.get("HOST"):
        parts.append(f"host={s['HOST']}")
    if s.get("PORT"):
        parts.append(f"port={s['PORT']}")
    if s.get("USER"):
        parts.append(f"user={s['USER']}")
    return " ".join(parts)


def _pg_env() -> dict[str, str]:
    env = dict(os.environ)
    password = connection.settings_dict.get("PASSWORD")
    if password:
        env["PGPASSWORD"] = password
    sslmode = connection.settings_dict.get("OPTIONS", {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env
