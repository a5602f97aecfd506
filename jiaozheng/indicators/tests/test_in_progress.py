"""A year in progress: progress against the plan to date, no grade, 未到评价期 for figures given at the year
end, and an early report that covers the period to the data date and says so."""

from __future__ import annotations

import datetime as dt

import pytest

from jiaozheng.indicators import services
from jiaozheng.indicators.evaluation import evaluate
from jiaozheng.indicators.report import annual_report
from jiaozheng.indicators.testing import measures
from jiaozheng.indicators.tests.conftest import indicator_data

pytestmark = pytest.mark.django_db


def _sessions(ctx):
    return 13 * ctx.end.month  # exactly on a linear plan of 156 a year at each month end


@pytest.fixture
def year(world, contract_2024):
    admin = world.bureau_admin
    with measures(**{"t.sessions": _sessions}):
        for data in (
            indicator_data("education", "t.sessions", 156, 60, name="集中教育学习场次"),
            indicator_data("satisfaction", "", None, 40, kind="qualitative", group="satisfaction", unit=""),
        ):
            services.indicator_save(actor=admin, contract=contract_2024, year=2024, data=data)
    return contract_2024


def test_a_year_in_progress_is_measured_against_its_plan(world, year):
    with measures(**{"t.sessions": _sessions}):
        ev = evaluate(year, 2024, as_of=dt.date(2024, 6, 30))
        # a running total would read 30 of 100 points ("差"); against the plan to date the year is on track
        assert ev.normalised_total < 60
        assert ev.grade_zh == "未到评价期" and ev.as_dict()["score"]["grade"] is None
        satisfaction = ev.outcome("satisfaction")
        assert satisfaction.not_due and satisfaction.rate_text == "未到评价期"
        assert ev.pro_rata.due == 1 and [o.indicator.code for o in ev.pro_rata.not_due] == ["satisfaction"]
        assert ev.pro_rata.percent == pytest.approx(100, abs=1)
        doc = annual_report(year, 2024, as_of=dt.date(2024, 6, 30))
    text = "\n".join(b.paragraph.text if b.paragraph is not None else b.text for b in doc.blocks)
    assert "数据截至2024年6月30日" in text
    assert "至2024年6月30日，累计完成" in text and "至2024年12月31日，累计完成" not in text
    assert "不评定等级" in text and "评价等级为" not in text

    # once the year is over the same indicators get their score and grade
    with measures(**{"t.sessions": _sessions}):
        done = evaluate(year, 2024, as_of=dt.date(2025, 1, 10))
    assert done.complete and done.grade_zh == "中" and not done.outcome("satisfaction").not_due
