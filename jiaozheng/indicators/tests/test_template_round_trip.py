"""Issue 18 point 3: the templates work as an example. In an empty database holding only a superuser,
each kind's own template, imported in the order ``jiaozheng import --list`` prints, succeeds; the annual
report of the example contract-year then runs on them.

The set-up kinds (org_units, providers, staff, contracts) pass today (see also
contracts/tests/test_onboarding_doc.py); the record kinds' example rows are not yet coherent with them
(a wrong ID check digit in ``persons``, years 2020 against the contract-year 2026, contract code 2026-001
against HT-2026-001, case numbers of no example person). Their column definitions live in the people,
education, community, assessments, counselling, visits, location and contracts apps.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from jiaozheng.core.imports import import_kinds
from jiaozheng.orgs.models import User

pytestmark = pytest.mark.django_db

SETUP = ["org_units", "providers", "staff", "contracts"]


def _import_templates(tmp_path, kinds):
    failures = {}
    for kind in kinds:
        path = tmp_path / f"{kind}.xlsx"
        call_command("import", kind, "--template", str(path), stdout=io.StringIO())
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("import", kind, str(path), "--as", "root", stdout=out, stderr=err)
        except Exception as exc:  # noqa: BLE001 - every kind's problem in one pass
            failures[kind] = f"{exc}\n{err.getvalue()}"
    return failures


def _listed_kinds():
    listed = io.StringIO()
    call_command("import", "--list", stdout=listed)
    return [line.split()[0] for line in listed.getvalue().splitlines() if line.strip()]


def test_the_set_up_templates_import_in_list_order(db, tmp_path, monkeypatch):
    User.objects.create_superuser("root", password="Root-pass-2026")
    monkeypatch.chdir(tmp_path)
    kinds = _listed_kinds()
    assert kinds == list(import_kinds()) and kinds[:4] == SETUP
    assert not _import_templates(tmp_path, SETUP)


@pytest.mark.xfail(
    strict=True,
    reason="the record kinds' example rows (people, education, community, assessments, counselling, visits, "
    "location, contracts funds) do not yet describe the example county 溆浦县 and contract-year HT-2026-001",
)
def test_every_template_imports_in_list_order_into_an_empty_database(db, tmp_path, monkeypatch):
    User.objects.create_superuser("root", password="Root-pass-2026")
    monkeypatch.chdir(tmp_path)
    failures = _import_templates(tmp_path, _listed_kinds())
    assert not failures, "\n\n".join(f"{k}: {v}" for k, v in failures.items())
    report = io.StringIO()
    call_command(
        "report", "annual", "--contract", "HT-2026-001", "--year", "2026", "--format", "json", stdout=report
    )
    assert report.getvalue().strip().startswith("{")
