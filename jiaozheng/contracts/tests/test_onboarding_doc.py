"""docs/onboarding.md: every command its ```sh blocks show runs, in order, against an empty database
holding only a superuser (``root``, as the guide calls it), in an empty directory."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pytest
from django.core.management import call_command

from jiaozheng.contracts.models import Contract, FundLine
from jiaozheng.indicators.models import Indicator
from jiaozheng.orgs.models import OrgUnit, ServiceProvider, User

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[3] / "docs" / "onboarding.md"


def _commands() -> list[list[str]]:
    blocks = re.findall(r"^```sh\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.M | re.S)
    commands = []
    for block in blocks:
        for line in block.splitlines():
            line = line.split(" #", 1)[0].strip()
            if line and not line.startswith("#"):
                commands.append(shlex.split(line))
    return commands


def test_the_guide_shows_the_workbook_path():
    shown = [" ".join(c[:3]) for c in _commands()]
    assert "jiaozheng import --list" in shown
    assert "jiaozheng contracts list" in shown
    for kind in ("org_units", "providers", "staff", "contracts"):
        assert f"jiaozheng import {kind}" in shown


def test_every_command_of_the_guide_runs_on_an_empty_database(tmp_path, monkeypatch):
    User.objects.create_superuser("root", password="Root-pass-2026")
    monkeypatch.chdir(tmp_path)
    outputs = []
    for argv in _commands():
        assert argv[0] == "jiaozheng", argv
        out, err = io.StringIO(), io.StringIO()
        call_command(*argv[1:], stdout=out, stderr=err)  # a CommandError fails the test
        outputs.append((argv, out.getvalue()))
    # the example county is set up as the guide says, and the contract-year is listed and reported on
    county = OrgUnit.objects.get(kind=OrgUnit.Kind.COUNTY)
    assert county.name == "溆浦县"
    assert OrgUnit.objects.filter(county=county, kind=OrgUnit.Kind.SQUADRON).count() == 2
    assert ServiceProvider.objects.count() == 1
    assert User.objects.filter(is_superuser=False, is_system=False).count() == 3
    contract = Contract.objects.get(code="HT-2026-001")
    assert FundLine.objects.filter(contract=contract).exists()
    assert Indicator.objects.filter(contract=contract, year=2026).count() >= 5
    listed = next(out for argv, out in outputs if argv[1:3] == ["contracts", "list"])
    assert "HT-2026-001\t2026\t溆浦县" in listed.splitlines()
    assert list(tmp_path.glob("*.docx")), "the annual report was not written"
