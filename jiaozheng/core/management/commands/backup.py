"""``jiaozheng backup create [PATH]``, ``backup restore PATH --yes``, ``backup verify PATH``.

Restore replaces the current database and media files: stop the web server and the worker first.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jiaozheng.core import backup


class Command(BaseCommand):
    help = "Back up or restore the database and uploaded files, verified by row counts and hashes."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "restore", "verify"])
        parser.add_argument("path", nargs="?")
        parser.add_argument("--yes", action="store_true", help="Confirm that restore may replace the data")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "create":
            default = (
                Path(settings.VAR_DIR) / "backups" / f"jiaozheng-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
            )
            result = backup.create(Path(options["path"]) if options["path"] else default)
            self.stdout.write(f"backup written to {result.path}: {result.tables} tables, {result.rows} rows")
            return
        if not options["path"] or not Path(options["path"]).is_file():
            raise CommandError("give the path of an existing backup file")
        path = Path(options["path"])
        try:
            manifest = backup.read_manifest(path)
        except Exception as exc:
            raise CommandError(f"cannot read the backup: {exc}")
        if action == "verify":
            rows = sum(t["rows"] for t in manifest["tables"].values())
            self.stdout.write(
                f"{manifest['vendor']} backup of {manifest['created_at']}: "
                f"{len(manifest['tables'])} tables, {rows} rows"
            )
            return
        if not options["yes"]:
            raise CommandError("restore replaces the current data: run again with --yes")
        try:
            result = backup.restore(path)
        except Exception as exc:
            raise CommandError(f"restore failed: {exc}")
        self.stdout.write(
            f"restored and verified: {result.tables} tables, {result.rows} rows match the backup"
        )
