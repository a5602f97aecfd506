"""Fix storage by month: list, create ahead, and drop old partitions (retention).

jiaozheng location_partitions                 # list partitions (PostgreSQL) and the retention rule
jiaozheng location_partitions --ahead 6       # create the partitions of the next six months
jiaozheng location_partitions --drop-before 2025-01-01 [--dry-run]
jiaozheng location_partitions --apply-retention [--dry-run]   # drop what location.retention_months allows
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "List, create ahead or drop the monthly partitions of location fixes (retention)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--ahead", type=int, default=None, help="Create partitions for this many months ahead"
        )
        parser.add_argument(
            "--drop-before", default=None, help="Drop fixes of months wholly before this date"
        )
        parser.add_argument(
            "--apply-retention", action="store_true", help="Drop what location.retention_months allows"
        )
        parser.add_argument("--dry-run", action="store_true", help="Only say what would be dropped")

    def handle(self, *args, **options):
        from jiaozheng.core.rules import rule
        from jiaozheng.location import partitions

        if options["ahead"] is not None:
            created = partitions.ensure_partitions(months_ahead=options["ahead"])
            self.stdout.write(f"created: {', '.join(created) or 'none'}")
        cutoff = None
        if options["drop_before"]:
            try:
                cutoff = dt.date.fromisoformat(options["drop_before"])
            except ValueError:
                raise CommandError("--drop-before takes a date YYYY-MM-DD")
        elif options["apply_retention"]:
            months = int(rule("location.retention_months"))
            cutoff = partitions.add_months(partitions.month_start(timezone.localdate()), -months)
        if cutoff is not None:
            if cutoff > timezone.localdate():
                raise CommandError("refusing to drop fixes of the current or future months")
            dropped = partitions.drop_before(cutoff, dry_run=options["dry_run"])
            verb = "would drop" if options["dry_run"] else "dropped"
            self.stdout.write(f"{verb} (before {cutoff:%Y-%m}): {', '.join(dropped) or 'nothing'}")
        if options["ahead"] is None and cutoff is None:
            months = partitions.existing_partitions()
            if months:
                self.stdout.write("partitions: " + ", ".join(m.strftime("%Y-%m") for m in months))
            else:
                self.stdout.write("location_fix is a plain table (SQLite): retention deletes rows")
            self.stdout.write(f"retention rule: {rule('location.retention_months')} months")
