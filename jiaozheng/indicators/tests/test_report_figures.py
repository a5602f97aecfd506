"""Figures the report used to lack: the assessment records behind the persons assessed, the reports issued,
and the education sessions and community activities that were planned but not held (cancelled or
rescheduled), so that a reader sees none was dropped silently. Every figure is computed from records built
here through the service modules, in and out of the contract-year and the county."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiaozheng.assessments import services as psych
from jiaozheng.assessments.choices import Validity
from jiaozheng.assessments.models import Assessment
from jiaozheng.assessments.testing import completed_assessment
from jiaozheng.community import services as community
from jiaozheng.community.tests.helpers import activity_data
from jiaozheng.education import services as education
from jiaozheng.education.tests.helpers import session_data
from jiaozheng.indicators import services
from jiaozheng.indicators.evaluation import evaluate
from jiaozheng.indicators.narratives import Resolver
from jiaozheng.indicators.report import annual_report, monthly_summary
from jiaozheng.indicators.tests.conftest import indicator_data

pytestmark = pytest.mark.django_db


def _session(world, day, actor=None, **extra):
    data = session_data(world, date=day, **extra)
    return education.session_create(actor=actor or world.bureau_admin, data=data)


def _activity(world, day, actor=None, **extra):
    return community.activity_create(
        actor=actor or world.bureau_admin, data=activity_data(world, day=day, **extra)
    )


@pytest.fixture
def year(world, contract_2024):
    """Contract-year 2024 of county X: 3 sessions held, 2 cancelled, 1 rescheduled; 2 activities held and
    1 cancelled; person_a tested twice (valid, one report), person_b twice (invalid, questionable); and
    records that must not count: other years, the other county."""
    admin = world.bureau_admin
    for code, measure, target, unit in (
        ("education", "education.sessions_held", 3, "场次"),
        ("community", "community.activities_held", 2, "场次"),
        ("assessed", "assessments.persons_assessed", 2, "人"),
    ):
        services.indicator_save(
            actor=admin,
            contract=contract_2024,
            year=2024,
            data=indicator_data(code, measure, target, 10, name=code, unit=unit),
        )
    for day in (dt.date(2024, 3, 5), dt.date(2024, 4, 10), dt.date(2024, 5, 15)):
        education.session_hold(actor=admin, session=_session(world, day))
    education.session_cancel(actor=admin, session=_session(world, dt.date(2024, 2, 12)), reason="pandemic")
    education.session_cancel(actor=admin, session=_session(world, dt.date(2024, 7, 1)), reason="weather")
    education.session_reschedule(
        actor=admin,
        session=_session(world, dt.date(2024, 9, 2)),
        date=timezone.localdate() + dt.timedelta(days=10),
        start_time=dt.time(9, 0),
        end_time=dt.time(11, 0),
        reason="weather",
    )
    # not counted: a session cancelled in 2023, one of county Y
    education.session_cancel(actor=admin, session=_session(world, dt.date(2023, 12, 20)), reason="pandemic")
    officer_y = world.bureau_officer_y
    education.session_cancel(
        actor=officer_y,
        session=_session(world, dt.date(2024, 2, 12), officer_y, squadrons=[world.squadron_c]),
        reason="pandemic",
    )
    for day in (dt.date(2024, 3, 9), dt.date(2024, 6, 1)):
        community.activity_hold(actor=admin, activity=_activity(world, day))
    community.activity_cancel(actor=admin, activity=_activity(world, dt.date(2024, 2, 8)), reason="pandemic")
    community.activity_cancel(actor=admin, activity=_activity(world, dt.date(2025, 1, 4)), reason="weather")
    community.activity_cancel(
        actor=officer_y,
        activity=_activity(world, dt.date(2024, 2, 8), officer_y, squadrons=[world.squadron_c]),
        reason="pandemic",
    )
    scl = completed_assessment(world.person_a, "scl90", [1, 2] * 45, on=dt.date(2024, 3, 1))
    phq = completed_assessment(world.person_a, "phq9", on=dt.date(2024, 6, 1))
    invalid = completed_assessment(world.person_b, "scl90", [3] * 80 + [None] * 10, on=dt.date(2024, 3, 2))
    questionable = completed_assessment(world.person_b, "phq9", on=dt.date(2024, 3, 2))
    outside = completed_assessment(world.person_b, "phq9", on=dt.date(2023, 12, 30))
    other = completed_assessment(world.person_y, "phq9", on=dt.date(2024, 3, 1))
    Assessment.objects.filter(pk__in=[scl.pk, phq.pk, outside.pk, other.pk]).update(validity=Validity.VALID)
    Assessment.objects.filter(pk=questionable.pk).update(validity=Validity.QUESTIONABLE)
    assert Assessment.objects.get(pk=invalid.pk).validity == Validity.INVALID
    psych.report_issue(actor=world.counsellor, assessment=scl, comments="良好", issued_on=dt.date(2024, 3, 6))
    return contract_2024


def test_the_annual_report_states_the_figures_computed_from_the_records(world, year):
    evaluation = evaluate(year, 2024)
    figures = {
        code: evaluation.figures.value(code)
        for code in (
            "assessments.persons_assessed",
            "assessments.valid_persons",
            "assessments.completed_assessments",
            "assessments.valid_assessments",
            "assessments.reports_issued",
            "education.sessions_held",
            "education.sessions_cancelled",
            "education.sessions_rescheduled",
            "community.activities_held",
            "community.activities_cancelled",
        )
    }
    assert list(figures.values()) == [2, 1, 4, 2, 1, 3, 2, 1, 2, 1]
    doc = annual_report(year, 2024, evaluation=evaluation, links=lambda kind, key: f"/{kind}/{key}")
    text = doc.text()
    # 二（三）2 效率性: the seed's 心理测量…人（出具…报告…份）
    assert "心理测量2人（有效评估1人，出具《心理测验与评估分析报告》1份）" in text
    # ②心理矫治: persons assessed and valid, the tests they rest on, the reports issued
    assert (
        "共完成心理健康状况测量2人，有效评估1人（完成测评4人次，其中有效2人次），"
        "出具《心理测验与评估分析报告》1份" in text
    )
    # ①教育学习 and ③社区服务: what was planned and not held is shown, and said not to be counted
    assert "应完成教育学习3场次，实际完成3场次" in text
    assert (
        "全年计划的教育学习中，因故取消2场次、改期1场次，均未计入完成场次（改期后举行的，按实际举行的日期计入）。"
        in text
    )
    assert "全年计划的公益活动中，因故取消1场次，未计入完成场次。" in text
    # each of these figures links to the records behind it
    links = {s.link for b in doc.blocks for s in b.segments if s.figure}
    for code in (
        "education.sessions_cancelled",
        "education.sessions_rescheduled",
        "community.activities_cancelled",
        "assessments.completed_assessments",
        "assessments.valid_assessments",
        "assessments.reports_issued",
    ):
        assert f"/measure/{code}" in links, code


def test_a_text_that_states_the_figures_itself_gets_no_second_sentence(world, year):
    services.narrative_save(
        actor=world.bureau_admin,
        contract=year,
        year=2024,
        key="effect_education",
        text="受疫情影响取消{{m.education.sessions_cancelled}}场次。",
    )
    text = annual_report(year, 2024).text()
    assert "受疫情影响取消2场次。" in text
    assert "全年计划的教育学习中" not in text
    assert "全年计划的公益活动中，因故取消1场次" in text  # the other service keeps its sentence


def test_a_year_with_nothing_cancelled_says_so(world, contract_2024):
    text = annual_report(contract_2024, 2024).text()
    assert "全年无取消或改期的教育学习场次。" in text
    assert "全年无取消的公益活动场次。" in text


def test_the_monthly_summary_shows_the_months_cancellations(world, year):
    february = monthly_summary(year, 2024, 2).text()
    assert (
        "本月计划的教育学习中，因故取消1场次，未计入完成场次；本月计划的公益活动中，因故取消1场次，未计入完成场次。"
        in february
    )
    march = monthly_summary(year, 2024, 3).text()
    assert "本月无取消或改期的教育学习场次；本月无取消的公益活动场次。" in march
    september = monthly_summary(year, 2024, 9).text()
    assert (
        "本月计划的教育学习中，因故改期1场次，未计入完成场次（改期后举行的，按实际举行的日期计入）"
        in september
    )


def test_the_figures_are_tokens_an_editor_may_use(world, year):
    resolver = Resolver(evaluate(year, 2024))
    (paragraph,) = resolver.paragraphs(
        "测评{{m.assessments.completed_assessments}}人次，有效{{m.assessments.valid_assessments}}人次，"
        "取消{{m.education.sessions_cancelled}}场次，改期{{m.education.sessions_rescheduled}}场次，"
        "取消公益活动{{m.community.activities_cancelled}}场次。"
    )
    assert paragraph.text == "测评4人次，有效2人次，取消2场次，改期1场次，取消公益活动1场次。"
