"""A core indicator far short of its target bounds the grade, by a rule per province with its source."""

from __future__ import annotations

import pytest

from jiaozheng.core.models import RuleValue
from jiaozheng.core.rules import clear_cache
from jiaozheng.indicators import services
from jiaozheng.indicators.evaluation import evaluate
from jiaozheng.indicators.testing import constant, measures
from jiaozheng.indicators.tests.conftest import indicator_data

pytestmark = pytest.mark.django_db

MEASURES = {"t.visits_on_time": (constant(0.29), "rate"), "t.sessions": constant(158)}


@pytest.fixture
def year(world, contract_2024):
    admin = world.bureau_admin
    with measures(**MEASURES):
        services.indicator_save(
            actor=admin,
            contract=contract_2024,
            year=2024,
            data=indicator_data("education", "t.sessions", 156, 98, name="集中教育学习场次"),
        )
        services.indicator_save(
            actor=admin,
            contract=contract_2024,
            year=2024,
            data=indicator_data(
                "on_time",
                "t.visits_on_time",
                95,
                2,
                name="重点对象按时走访率",
                unit="%",
                group="output_timeliness",
            ),
        )
    clear_cache()
    yield contract_2024
    clear_cache()


def _province(world):
    from jiaozheng.orgs.models import OrgUnit

    return OrgUnit.objects.get(pk=int(world.county_x.path.strip("/").split("/")[0]))


def _set(world, key, value, source=""):
    RuleValue.objects.update_or_create(
        key=key, unit=_province(world), defaults={"value": value, "source": source}
    )
    clear_cache()


def test_a_core_indicator_far_short_bounds_the_grade(world, year):
    with measures(**MEASURES):
        plain = evaluate(year, 2024)
        # not a core measure (the default list names the platform's measures, not the test's): 优 on the total
        assert plain.normalised_total > 90 and plain.grade_zh == "优" and plain.grade_bound is None

        _set(
            world,
            "indicators.core_measures",
            ["t.visits_on_time"],
            "某省政府购买社区矫正服务绩效评价办法（第8条）",
        )
        bounded = evaluate(year, 2024)
        assert bounded.normalised_total == plain.normalised_total  # the score is untouched
        assert bounded.grade_zh == "中"
        assert bounded.grade_bound is not None
        sentence = bounded.grade_bound.sentence
        assert "“重点对象按时走访率”（30.5%）" in sentence and "低于60%" in sentence
        assert "依据某省政府购买社区矫正服务绩效评价办法（第8条）" in sentence
        assert bounded.as_dict()["score"]["grade_bound"] == sentence

        # the province may set a stricter grade, or no bound at all
        _set(world, "indicators.core_floor_grade", "poor")
        assert evaluate(year, 2024).grade_zh == "差"
        _set(world, "indicators.core_floor_pct", 0)
        assert evaluate(year, 2024).grade_zh == "优"


def test_a_core_indicator_at_or_above_the_floor_leaves_the_grade(world, year):
    _set(world, "indicators.core_measures", ["t.visits_on_time"])
    _set(world, "indicators.core_floor_pct", 30)
    with measures(**MEASURES):
        ev = evaluate(year, 2024)
    assert ev.grade_bound is None and ev.grade_zh == "优"
