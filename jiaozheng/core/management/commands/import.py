"""Import records from a CSV/XLSX template, all or nothing: ``jiaozheng import KIND FILE --as USER``.

``jiaozheng import --list`` shows the kinds; ``jiaozheng import KIND --template out.xlsx`` writes the
template. A file with any bad row imports nothing and prints its problems row by row as row, column,
reason (the first ``ERRORS_LISTED``), then grouped by cause (how many rows, the first of them).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiaozheng.core.imports import ImportResult, import_kinds, run_import


class Command(BaseCommand):
    help = "Import records from a documented CSV/XLSX template (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("kind", nargs="?")
        parser.add_argument("file", nargs="?")
        parser.add_argument("--as", dest="username", help="Account the import is made as (its scope applies)")
        parser.add_argument("--list", action="store_true", help="List the import kinds")
        parser.add_argument("--template", help="Write the kind's XLSX template to this path")

    def handle(self, *args, **options):
        kinds = import_kinds()
        if options["list"] or not options["kind"]:
            for key, kind in kinds.items():
                self.stdout.write(f"{key:28} {kind.label}")
            return
        kind = kinds.get(options["kind"])
        if kind is None:
            raise CommandError(f"unknown kind {options['kind']!r}; see `jiaozheng import --list`")
        if options["template"]:
            Path(options["template"]).write_bytes(kind.template_xlsx())
            self.stdout.write(f"template written to {options['template']}")
            return
        if not options["file"]:
            raise CommandError("give the file to import")
        from django.contrib.auth import get_user_model

        from jiaozheng.core.context import acting_as
        from jiaozheng.core.registry import provider

        User = get_user_model()
        system_user = provider("orgs.system_user")

        actor = system_user()
        if options["username"]:
            actor = User.objects.filter(username=options["username"], is_active=True).first()
            if actor is None:
                raise CommandError(f"no active account {options['username']!r}")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        with acting_as(actor, "cli"):
            result = run_import(actor=actor, kind=kind.kind, name=path.name, content=path.read_bytes())
        if not result.ok:
            self._report_problems(result)
            raise CommandError(result.message or "nothing was imported")
        self.stdout.write(result.message)

    def _report_problems(self, result: ImportResult) -> None:
        """The problems row by row, then grouped by cause: the summary is the last thing on the screen."""
        for error in result.errors:
            self.stderr.write(f"row {error.row}, column {error.column or '-'}: {error.message}")
        if result.errors_total and result.errors_total > len(result.errors):
            self.stderr.write(f"(the first {len(result.errors)} of {result.errors_total} problems)")
        causes = result.causes or []
        if len(result.errors) > 1:
            self.stderr.write("problems by cause:")
            for cause in causes:
                rows = ", ".join(str(r) for r in cause.first_rows)
                if cause.rows > len(cause.first_rows):
                    rows += ", ..."
                affected = f"{cause.rows} row" + ("" if cause.rows == 1 else "s")
                self.stderr.write(
                    f"  {affected}, column {cause.column or '-'}: {cause.message} (rows {rows})"
                )
