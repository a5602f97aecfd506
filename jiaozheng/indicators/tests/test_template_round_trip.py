"""Issue 18 point 3: the templates work as an example. In an empty database holding only a superuser,
each kind's own template, imported in the order ``jiaozheng import --list`` prints, succeeds; the annual
report of the example contract-year then runs on them.

The example rows of all templates describe one small county: the set-up kinds (org_units, providers,
staff, contracts; see also contracts/tests/test_onboarding_doc.py), one supervised person (张三, in
correction in the first half of 2026) and one record of each kind about them in the contract-year
HT-2026-001.
"""

from __future__ import annotations

import io
import json

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


def test_every_template_imports_in_list_order_into_an_empty_database(db, tmp_path, monkeypatch):
    User.objects.create_superuser("root", password="Root-pass-2026")
    monkeypatch.chdir(tmp_path)
    failures = _import_templates(tmp_path, _listed_kinds())
    assert not failures, "\n\n".join(f"{k}: {v}" for k, v in failures.items())
    report = io.StringIO()
    call_command(
        "report", "annual", "--contract", "HT-2026-001", "--year", "2026", "--format", "json", stdout=report
    )
    # and the report counts the example rows: one session, one assessed person, one group session, one case
    actual = {i["measure"]: i["actual"] for i in json.loads(report.getvalue())["indicators"]}
    for measure in (
        "education.sessions_held",
        "assessments.persons_assessed",
        "counselling.group_sessions",
        "counselling.individual_cases",
    ):
        assert actual[measure] == 1, (measure, actual)
    assert actual["contracts.budget_execution_rate"] > 0  # the example expenditure
