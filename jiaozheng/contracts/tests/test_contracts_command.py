"""``jiaozheng contracts list``: one line per contract-year (code, year, county), for scripts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from jiaozheng.contracts.models import Contract

pytestmark = pytest.mark.django_db


def _list(*args):
    out = io.StringIO()
    call_command("contracts", "list", *args, stdout=out)
    return [line.split("\t") for line in out.getvalue().splitlines()]


def test_one_line_per_contract_year_with_code_year_and_county(world):
    year = world.contract_x.start_on.year
    two_years = Contract.objects.create(
        code="X-2Y",
        name="跨年合同",
        buyer=world.county_x,
        provider=world.provider_2,
        start_on=dt.date(year - 2, 7, 1),
        end_on=dt.date(year - 1, 6, 30),
        budget_amount=100,
        contract_amount=100,
    )
    lines = _list()
    assert ["X-1", str(year), "溆浦县"] in lines
    assert ["Y-1", str(year), "沅陵县"] in lines
    assert [line for line in lines if line[0] == two_years.code] == [
        ["X-2Y", str(year - 2), "溆浦县"],
        ["X-2Y", str(year - 1), "溆浦县"],
    ]
    assert all(len(line) == 3 for line in lines)


def test_the_list_is_filtered_by_county_and_year(world):
    year = world.contract_x.start_on.year
    assert _list("--county", world.county_y.code) == [["Y-1", str(year), "沅陵县"]]
    assert _list("--county", "溆浦县", "--year", str(year)) == [["X-1", str(year), "溆浦县"]]
    assert _list("--year", "1999") == []


def test_an_empty_database_lists_nothing(db):
    assert _list() == []


def test_an_unknown_action_is_refused(db):
    with pytest.raises(CommandError):
        call_command("contracts", "delete")
