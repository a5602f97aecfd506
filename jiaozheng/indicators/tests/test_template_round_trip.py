"""Issue 18 point 3: the templates work as an example. In an empty database holding only a superuser,
each kind's own template, imported in the order ``jiaozheng import --list`` prints, succeeds; the annual
report of the example contract-year then counts the example rows."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from jiaozheng.core.imports import import_kinds
from jiaozheng.orgs.models import User

pytestmark = pytest.mark.django_db


def test_every_template_imports_in_list_order_into_an_empty_database(tmp_path, monkeypatch):
    User.objects.create_superuser("root", password="Root-pass-2026")
    monkeypatch.chdir(tmp_path)
    listed = io.StringIO()
    call_command("import", "--list", stdout=listed)
    kinds = [line.split()[0] for line in listed.getvalue().splitlines() if line.strip()]
    assert kinds == list(import_kinds())
    failures = {}
    for kind in kinds:
        path = tmp_path / f"{kind}.xlsx"
        call_command("import", kind, "--template", str(path), stdout=io.StringIO())
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("import", kind, str(path), "--as", "root", stdout=out, stderr=err)
        except Exception as exc:  # noqa: BLE001 - collect every kind's problem in one pass
            failures[kind] = f"{exc}\n{out.getvalue()}\n{err.getvalue()}"
    assert not failures, "\n\n".join(f"{k}: {v}" for k, v in failures.items())
    lines = io.StringIO()
    call_command("contracts", "list", stdout=lines)
    print(lines.getvalue())
    report = io.StringIO()
    call_command("report", "annual", "--contract", "XP-2026", "--year", "2026", "--format", "json", stdout=report)
    (tmp_path / "report.json").write_text(report.getvalue())
    print(report.getvalue()[:3000])
