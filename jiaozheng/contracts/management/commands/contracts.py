"""Contract-years from the command line, so scripts can find the one to report on.

    jiaozheng contracts list [--county CODE_OR_NAME] [--year YEAR]

prints one line per contract-year: the contract code, the year and the buyer county, separated by tabs,
e.g. ``HT-2026-001	2026	溆浦县``; the code and year are what ``jiaozheng report annual --contract CODE --year
YEAR`` takes.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "List the contract-years (code, year, county), one per line."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list"])
        parser.add_argument("--county", help="Only this county (6-digit division code or name)")
        parser.add_argument("--year", type=int, help="Only this year")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.db.models import Q

        from jiaozheng.contracts.models import Contract

        contracts = Contract.objects.select_related("buyer").order_by("buyer__code", "start_on", "code")
        if options["county"]:
            county = options["county"].strip()
            contracts = contracts.filter(Q(buyer__code=county) | Q(buyer__name=county))
        for contract in contracts:
            for year in contract.years():
                if options["year"] and year != options["year"]:
                    continue
                self.stdout.write(f"{contract.code}\t{year}\t{contract.buyer.name}")
