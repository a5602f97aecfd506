"""Demo contracts: who serves which county, signed when, bought how.

Funds, indicators and report texts of these contracts are loaded later (indicators/demo.py, ORDER 60),
once the service modules have loaded the records the indicators measure.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jiaozheng.audit.context import acting_as
from jiaozheng.contracts.models import Contract
from jiaozheng.core.demo import DemoContext
from jiaozheng.orgs.services import system_user

ORDER = 15


def load(ctx: DemoContext) -> None:
    system = system_user()
    counties, providers = ctx.objects["counties"], ctx.objects["providers"]
    year = ctx.today.year
    signed = {"XP-2020": dt.date(2019, 8, 26), f"XP-{year}": dt.date(year - 1, 12, 18)}
    signed[f"YL-{year}"] = dt.date(year - 1, 12, 25)
    specs = [
        (
            "XP-2020",
            "溆浦县2020年社区矫正购买服务项目",
            "xupu",
            "dexin",
            dt.date(2020, 1, 1),
            dt.date(2020, 12, 31),
            Decimal("891000"),
            Decimal("890980"),
        ),
        (
            f"XP-{year}",
            f"溆浦县{year}年社区矫正购买服务项目",
            "xupu",
            "dexin",
            dt.date(year, 1, 1),
            dt.date(year, 12, 31),
            Decimal("891000"),
            Decimal("890980"),
        ),
        (
            f"YL-{year}",
            f"沅陵县{year}年社区矫正购买服务项目",
            "yuanling",
            "sunshine",
            dt.date(year, 1, 1),
            dt.date(year, 12, 31),
            Decimal("520000"),
            Decimal("518600"),
        ),
    ]
    ctx.objects["contracts"] = {}
    with acting_as(system, "cli"):
        for code, name, county_key, provider_key, start, end, budget, price in specs:
            contract = Contract.objects.create(
                code=code,
                name=name,
                buyer=counties[county_key],
                provider=providers[provider_key],
                start_on=start,
                end_on=end,
                budget_amount=budget,
                contract_amount=price,
                signed_on=signed[code],
                procurement="公开招标",
            )
            contract.counties.add(counties[county_key])
            ctx.objects["contracts"][code] = contract
    ctx.say(f"contracts: {len(specs)}")
