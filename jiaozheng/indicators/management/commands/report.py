"""Reports from the command line.

    jiaozheng report contracts --format json
    jiaozheng report annual --contract XP-2020 --year 2020 --format json|docx|pdf [--output PATH]
    jiaozheng report monthly --contract HT-2026-001 --year 2026 --month 5 --kind plan|summary --format docx|pdf|json
    jiaozheng report evidence --contract XP-2020 --year 2020 --output pack.zip

``--as USER`` applies that account's scope (default: the system actor, which sees every contract).
JSON goes to standard output unless ``--output`` is given; DOCX and PDF default to ./<code>-<year>-….ext.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Contract list, annual self-evaluation report, monthly plan or summary (JSON, DOCX or PDF)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["contracts", "annual", "monthly", "evidence"])
        parser.add_argument("--contract", help="Contract code")
        parser.add_argument("--year", type=int)
        parser.add_argument("--month", type=int, default=0)
        parser.add_argument("--kind", choices=["plan", "summary"], default="summary")
        parser.add_argument("--format", dest="fmt", choices=["json", "docx", "pdf"], default="json")
        parser.add_argument("--output", help="File to write (JSON: default standard output)")
        parser.add_argument("--as", dest="username", help="Account whose scope applies")

    def handle(self, *args: Any, **options: Any) -> None:
        from jiaozheng.audit.context import acting_as
        from jiaozheng.orgs.models import User
        from jiaozheng.orgs.services import system_user

        actor = system_user()
        if options["username"]:
            actor = User.objects.filter(username=options["username"], is_active=True).first()
            if actor is None:
                raise CommandError(f"no active account {options['username']!r}")
        with acting_as(actor, "cli"):
            if options["what"] == "contracts":
                self._contracts(actor, options)
            elif options["what"] == "evidence":
                self._evidence(actor, options)
            else:
                self._report(actor, options)

    def _write(self, options: dict[str, Any], content: bytes, default_name: str) -> None:
        output = options["output"]
        if output is None and options["fmt"] == "json":
            self.stdout.write(content.decode("utf-8"))
            return
        path = Path(output or default_name)
        if path.is_dir():
            path = path / default_name
        path.write_bytes(content)
        self.stderr.write(f"written: {path} ({len(content):,} bytes)")

    def _contracts(self, actor: Any, options: dict[str, Any]) -> None:
        from jiaozheng.contracts.selectors import contract_list

        if options["fmt"] != "json":
            raise CommandError("the contract list is available as --format json")
        rows = [
            {
                "code": c.code,
                "name": c.name,
                "period": {"start": c.start_on.isoformat(), "end": c.end_on.isoformat()},
                "years": c.years(),
                "buyer": c.buyer.bureau_name or c.buyer.name,
                "provider": c.provider.name,
            }
            for c in contract_list(actor=actor)
        ]
        self._write(options, json.dumps(rows, ensure_ascii=False, indent=2).encode("utf-8"), "contracts.json")

    def _evidence(self, actor: Any, options: dict[str, Any]) -> None:
        """The evidence pack (佐证材料) of a contract-year as a ZIP, built by the evidence app."""
        from django.core.exceptions import ValidationError
        from django.http import Http404

        from jiaozheng.contracts.selectors import contract_by_code
        from jiaozheng.core.registry import provider
        from jiaozheng.indicators.evaluation import default_year

        if not options["contract"]:
            raise CommandError("give --contract CODE (see `jiaozheng report contracts`)")
        try:
            contract = contract_by_code(actor=actor, code=options["contract"])
        except Http404:
            raise CommandError(f"no contract {options['contract']!r} in this account's area")
        year = options["year"] or default_year(contract)
        path = Path(options["output"] or f"{contract.code}-{year}-evidence.zip")
        if path.is_dir():
            path = path / f"{contract.code}-{year}-evidence.zip"
        try:
            result = provider("evidence.pack_to_file")(
                actor=actor, contract=contract, year=year, path=str(path)
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages))
        self.stderr.write(
            f"written: {path} ({result.size:,} bytes, {result.records} records, {result.attachments} files)"
        )

    def _report(self, actor: Any, options: dict[str, Any]) -> None:
        from django.core.exceptions import ValidationError
        from django.http import Http404

        from jiaozheng.contracts.selectors import contract_by_code
        from jiaozheng.indicators.choices import ReportKind
        from jiaozheng.indicators.evaluation import YearOutsideContract, default_year, evaluate
        from jiaozheng.indicators.generate import check_request, render
        from jiaozheng.indicators.progress import contract_progress
        from jiaozheng.indicators.report import build

        if not options["contract"]:
            raise CommandError("give --contract CODE (see `jiaozheng report contracts`)")
        try:
            contract = contract_by_code(actor=actor, code=options["contract"])
        except Http404:
            raise CommandError(f"no contract {options['contract']!r} in this account's area")
        year = options["year"] or default_year(contract)
        kind = ReportKind.ANNUAL
        if options["what"] == "monthly":
            kind = ReportKind.MONTHLY_PLAN if options["kind"] == "plan" else ReportKind.MONTHLY_SUMMARY
        fmt = options["fmt"]
        try:
            check_request(contract, year, kind, "pdf" if fmt == "json" else fmt, options["month"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages))
        if fmt == "json":
            try:
                if kind == ReportKind.ANNUAL:
                    data = evaluate(contract, year).as_dict()
                else:
                    document = build(kind, contract, year, options["month"])
                    data = document.evaluation.as_dict()
                    data["progress"] = [p.as_dict() for p in contract_progress(document.evaluation)]
                    data["text"] = document.text()
            except YearOutsideContract as exc:
                raise CommandError(str(exc))
            name = f"{contract.code}-{year}.json"
            self._write(options, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"), name)
            return
        document = build(kind, contract, year, options["month"])
        self._write(options, render(document, fmt), f"{document.filename}.{fmt}")
