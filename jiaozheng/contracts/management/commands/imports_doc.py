"""Regenerate the template tables of docs/imports.md from the registered import kinds."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Rewrite the generated part of docs/imports.md (every import kind's columns)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Exit with an error if the file is out of date"
        )

    def handle(self, *args, **options):
        from django.core.management.base import CommandError

        from jiaozheng.contracts.importdoc import DOC, render

        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        new = render(current)
        if options["check"]:
            if new != current:
                raise CommandError(f"{DOC} is out of date: run `jiaozheng imports_doc`")
            self.stdout.write("docs/imports.md is up to date")
            return
        DOC.write_text(new, encoding="utf-8")
        self.stdout.write(f"written: {DOC}")
