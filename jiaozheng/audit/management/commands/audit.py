"""``jiaozheng audit verify``: check the audit trail's hash chain and report the first broken link."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jiaozheng.audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit trail tools. `verify`: walk the hash chain and report the first broken entry."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        result = verify_chain()
        if result.ok:
            self.stdout.write(f"audit chain intact: {result.checked} entries verified")
            return
        raise CommandError(
            f"audit chain BROKEN at entry {result.broken_id}: {result.reason} ({result.checked} entries before it verified)"
        )
