"""Evaluation of a contract-year: actuals from measures, ratios and scores, total, grade, KPI JSON."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiaozheng.contracts import services as funds
from jiaozheng.contracts.choices import FundCategory
from jiaozheng.indicators import services
from jiaozheng.indicators.evaluation import evaluate, kpi_json
from jiaozheng.indicators.testing import constant, measures
from jiaozheng.indicators.tests.conftest import indicator_data

pytestmark = pytest.mark.django_db


def _boom(ctx):
    raise RuntimeError("table missing")


def test_kpi_json_lists_target_actual_uncapped_rate_and_capped_score(world, contract_2024):
    # given measures reporting the seed's figures and the indicators of the seed's contract
    with measures(
        **{
            "t.sessions": constant(158),
            "t.installs": constant(255),
            "t.coverage": (constant(Decimal("0.93")), "rate"),
            "t.valid": constant(247),
        }
    ):
        admin = world.bureau_admin
        for data in (
            indicator_data("education", "t.sessions", 156, 40),
            indicator_data(
                "app_installs",
                "t.installs",
                250,
                30,
                unit="人次",
                rate_display="uncapped",
                rate_label="电子监管率",
                coverage_measure_code="t.coverage",
            ),
            indicator_data("valid", "t.valid", 250, 30, unit="人", group="output_quality"),
        ):
            services.indicator_save(actor=admin, contract=contract_2024, year=2024, data=data)
        # when the KPI JSON of 2024 is computed
        data = kpi_json(contract_2024, 2024)
    rows = {row["code"]: row for row in data["indicators"]}
    # then every figure is there, raw and scored separately
    education = rows["education"]
    assert (education["target"], education["actual"]) == (156.0, 158.0)
    assert education["rate"] == pytest.approx(158 / 156)
    assert education["rate_shown"] == "100%"
    assert education["excess"] == 2.0
    assert education["score"] == 40.0
    installs = rows["app_installs"]
    assert installs["rate_shown"] == "102%"
    assert installs["rate_name"] == "电子监管率"
    assert installs["coverage"] == pytest.approx(93.0)
    assert installs["score"] == 30.0
    assert rows["valid"]["score"] == pytest.approx(29.64)
    assert data["score"] == {
        "total": 99.64,
        "max": 100.0,
        "normalised": 99.64,
        "grade": "excellent",
        "grade_zh": "优",
        "grade_bound": None,
    }
    assert data["period"] == {"start": "2024-01-01", "end": "2024-12-31"}
    assert data["complete"] is True


def test_a_missing_or_failing_measure_is_flagged_and_scores_nothing_while_the_rest_is_computed(
    world, contract_2024
):
    with measures(**{"t.ok": constant(10), "t.broken": _boom}):
        admin = world.bureau_admin
        services.indicator_save(
            actor=admin, contract=contract_2024, year=2024, data=indicator_data("ok", "t.ok", 10, 50)
        )
        services.indicator_save(
            actor=admin, contract=contract_2024, year=2024, data=indicator_data("broken", "t.broken", 10, 25)
        )
        services.indicator_save(
            actor=admin,
            contract=contract_2024,
            year=2024,
            data=indicator_data("gone", "t.not_installed", 10, 25),
            allow_unregistered=True,
        )
        evaluation = evaluate(contract_2024, 2024)
    outcome = {o.indicator.code: o for o in evaluation.outcomes}
    assert outcome["ok"].score.score == 50
    assert outcome["broken"].actual is None and "RuntimeError" in outcome["broken"].problem
    assert outcome["gone"].actual is None and "t.not_installed" in outcome["gone"].problem
    assert evaluation.total == 50
    assert evaluation.grade_zh == "差"


def test_manual_and_qualitative_indicators_need_their_source_or_band(world, contract_2024):
    admin = world.bureau_admin
    # a survey result without a source is refused
    with pytest.raises(ValidationError) as excinfo:
        services.indicator_save(
            actor=admin,
            contract=contract_2024,
            year=2024,
            data=indicator_data(
                "survey", "", 90, 10, unit="%", group="satisfaction", manual_actual=Decimal("92")
            ),
        )
    assert "manual_source" in excinfo.value.message_dict
    survey = services.indicator_save(
        actor=admin,
        contract=contract_2024,
        year=2024,
        data=indicator_data(
            "survey",
            "",
            90,
            10,
            unit="%",
            group="satisfaction",
            manual_actual=Decimal("92"),
            manual_source="2024年12月问卷",
        ),
    )
    quality = services.indicator_save(
        actor=admin,
        contract=contract_2024,
        year=2024,
        data=indicator_data("no_absconding", "", None, 10, kind="qualitative", group="effect", unit=""),
    )
    # a share outside its band is refused
    with pytest.raises(ValidationError):
        services.indicator_assess(
            actor=admin, indicator=quality, data={"band": "partial", "band_percent": 95}
        )
    services.indicator_assess(actor=admin, indicator=quality, data={"band": "partial", "band_percent": 70})
    evaluation = evaluate(contract_2024, 2024)
    outcome = {o.indicator.code: o for o in evaluation.outcomes}
    assert outcome["survey"].score.score == 10
    assert outcome["survey"].actual_text == "92%"
    assert outcome["no_absconding"].score.score == 7
    assert outcome["no_absconding"].rate_text == "部分达成"
    assert survey.manual_source == "2024年12月问卷"


def test_budget_execution_rate_is_spent_over_budget(world, contract_2024):
    # given lines and spending of 890,980 against a budget of 891,000
    admin = world.bureau_admin
    line = funds.fund_line_save(
        actor=admin, contract=contract_2024, category=FundCategory.PERSONNEL, name="人员", amount=890980
    )
    funds.expenditure_record(
        actor=admin,
        contract=contract_2024,
        line=line,
        spent_on=dt.date(2024, 6, 1),
        amount=890980,
        description="工资",
    )
    services.indicator_save(
        actor=admin,
        contract=contract_2024,
        year=2024,
        data=indicator_data(
            "budget", "contracts.budget_execution_rate", 100, 10, unit="%", group="budget_execution"
        ),
    )
    data = kpi_json(contract_2024, 2024)
    row = data["indicators"][0]
    assert row["actual"] == pytest.approx(99.99775, abs=1e-4)
    assert row["rate_shown"] == "99.998%"
    assert data["funds"]["budget_execution_rate"] == pytest.approx(890980 / 891000)
    assert data["funds"]["price_execution_rate"] == 1.0
    assert data["funds"]["lines"][0]["spent"] == 890980.0


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("target", None, "target"),
        ("target", -3, "target"),
        ("weight", 120, "weight"),
        ("measure_code", "nobody.registers_this", "measure_code"),
        ("group", "nonsense", "group"),
    ],
)
def test_bad_indicators_are_refused_and_nothing_is_saved(world, contract_2024, field, value, key):
    data = indicator_data("education", "caseload.persons_served", 156, 10)
    data[field] = value
    with pytest.raises(ValidationError) as excinfo:
        services.indicator_save(actor=world.bureau_admin, contract=contract_2024, year=2024, data=data)
    assert key in excinfo.value.message_dict
    assert not contract_2024.indicators.exists()


def test_roles_without_performance_change_cannot_edit_and_other_counties_are_hidden(world, contract_2024):
    from django.http import Http404

    data = indicator_data("education", "caseload.persons_served", 156, 10)
    with pytest.raises(PermissionDenied):
        services.indicator_save(actor=world.auditor, contract=contract_2024, year=2024, data=data)
    with pytest.raises(Http404):
        services.indicator_save(actor=world.bureau_officer_y, contract=contract_2024, year=2024, data=data)
    with pytest.raises(ValidationError):
        services.indicator_save(actor=world.bureau_admin, contract=contract_2024, year=2030, data=data)
