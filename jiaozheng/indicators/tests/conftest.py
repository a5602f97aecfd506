"""Fixtures of the indicator tests: a past contract-year (2024) of county X with measures registered by
the tests themselves, so that these tests do not depend on the service modules' records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jiaozheng.contracts.models import Contract


@pytest.fixture
def contract_2024(world):
    contract = Contract.objects.create(
        code="X-2024",
        name="溆浦县2024年社区矫正购买服务项目",
        buyer=world.county_x,
        provider=world.provider_1,
        start_on=dt.date(2024, 1, 1),
        end_on=dt.date(2024, 12, 31),
        budget_amount=Decimal("891000"),
        contract_amount=Decimal("890980"),
        signed_on=dt.date(2023, 12, 20),
        procurement="公开招标",
    )
    contract.counties.add(world.county_x)
    return contract


def indicator_data(code, measure, target, weight, **extra):
    data = {
        "code": code,
        "name": extra.pop("name", code),
        "group": extra.pop("group", "output_quantity"),
        "kind": extra.pop("kind", "quantitative"),
        "measure_code": measure,
        "direction": extra.pop("direction", "higher"),
        "target": target,
        "unit": extra.pop("unit", "场次"),
        "weight": weight,
    }
    data.update(extra)
    return data
