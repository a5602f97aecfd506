"""How long each kind of record with personal data is kept, and what is due for removal.

jiaozheng retention                 # list every kind: its rule, period, what stays, how many are due
jiaozheng retention --apply [--kind location.fixes ...]   # remove what is due (audited)
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "List the retention of each kind of personal data and what is due; --apply removes it."

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="Remove what is due")
        parser.add_argument("--kind", action="append", default=[], help="Only this kind (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        from jiaozheng.core.context import acting_as
        from jiaozheng.core.registry import provider
        from jiaozheng.core.retention import retention_apply, retention_status

        status = retention_status()
        known = {row["policy"].kind for row in status}
        unknown = [k for k in options["kind"] if k not in known]
        if unknown:
            raise CommandError(f"unknown kind {', '.join(unknown)}; kinds: {', '.join(sorted(known))}")
        for row in status:
            p = row["policy"]
            if options["kind"] and p.kind not in options["kind"]:
                continue
            self.stdout.write(
                f"{p.kind}\t{row['period']} {p.unit} ({p.rule})\tdue: {row['due']}\t"
                f"removes: {p.label}; keeps: {p.keeps}"
            )
        if options["apply"]:
            with acting_as(provider("orgs.system_user")(), "cli"):
                removed = retention_apply(kinds=options["kind"] or None)
            for kind, n in removed.items():
                self.stdout.write(f"removed\t{kind}\t{n}")
