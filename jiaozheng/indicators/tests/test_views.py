"""Performance pages: figures link to the records behind them (in the viewer's scope), texts are edited in
place, reports are generated in the background, monthly plan and summary pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from jiaozheng.audit.models import AccessLog
from jiaozheng.core.models import Job
from jiaozheng.core.roles import Domain
from jiaozheng.indicators import services, views
from jiaozheng.indicators.models import Narrative
from jiaozheng.indicators.tests.conftest import indicator_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(world):
    """An indicator of this year's contract of county X bound to a measure with records (the persons)."""
    return services.indicator_save(
        actor=world.bureau_admin,
        contract=world.contract_x,
        year=timezone.localdate().year,
        data=indicator_data("served", "caseload.persons_served", 10, 100, name="服务对象人数", unit="人"),
    )


def test_report_figures_link_to_their_records_which_follow_the_viewers_scope(world, login, served):
    services.narrative_save(
        actor=world.bureau_admin,
        contract=world.contract_x,
        year=served.year,
        key="efficiency",
        text="本年服务社区矫正对象{{i.served.actual}}人。",
    )
    client = login(world.bureau_officer)
    html = client.get(f"/indicators/{world.contract_x.pk}/report/").content.decode()
    link = f'href="/indicators/indicator/{served.pk}/records/"'
    assert link in html and "本年服务社区矫正对象" in html
    # the county officer sees every person of county X; the counsellor (county X) too;
    # the auditor's role may not open caseload records: the page says so and lists nothing
    records = client.get(f"/indicators/indicator/{served.pk}/records/").content.decode()
    assert "甲某" in records and "乙某" in records and "丙某" not in records
    auditor = login(world.auditor).get(f"/indicators/indicator/{served.pk}/records/").content.decode()
    assert "甲某" not in auditor


def test_reading_sensitive_records_behind_a_figure_is_logged(world, login, served, monkeypatch):
    monkeypatch.setitem(views.SENSITIVE, Domain.CASELOAD, "psych")
    login(world.bureau_officer).get(f"/indicators/indicator/{served.pk}/records/")
    log = AccessLog.objects.get()
    assert (
        log.kind == "psych" and "caseload.persons_served" in log.detail and log.actor == world.bureau_officer
    )


def test_a_text_is_edited_in_place_and_a_bad_token_is_refused(world, login, served):
    client = login(world.supervisor)
    url = f"/indicators/{world.contract_x.pk}/text/overview/?year={served.year}"
    form = client.get(url, HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and "<textarea" in form.content.decode()
    saved = client.post(
        url, {"text": "本项目服务{{i.served.actual}}人。", "year": served.year}, HTTP_HX_REQUEST="true"
    )
    body = saved.content.decode()
    assert saved.status_code == 200 and 'id="text-overview"' in body and "indicator/" in body
    assert Narrative.objects.get().updated_by == world.supervisor
    refused = client.post(url, {"text": "共{{i.nope.actual}}人", "year": served.year}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422 and "i.nope.actual" in refused.content.decode()
    assert Narrative.objects.get().text == "本项目服务{{i.served.actual}}人。"
    # an auditor reads the report but may not edit it
    assert login(world.auditor).post(url, {"text": "x"}).status_code == 403


def test_generating_a_report_starts_a_job_and_shows_its_progress(world, login, served):
    client = login(world.bureau_officer)
    response = client.post(
        f"/indicators/{world.contract_x.pk}/generate/",
        {"kind": "annual", "format": "pdf", "year": served.year},
    )
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == f"/jobs/{job.pk}/"
    assert (
        job.kind == "indicators.report"
        and job.params["format"] == "pdf"
        and job.created_by == world.bureau_officer
    )
    bad = client.post(
        f"/indicators/{world.contract_x.pk}/generate/",
        {"kind": "annual", "format": "exe", "year": served.year},
    )
    assert bad.status_code == 302 and Job.objects.count() == 1


def test_dashboard_and_monthly_pages_show_indicators_progress_and_documents(world, login, served):
    client = login(world.bureau_admin)
    dashboard = client.get(f"/indicators/{world.contract_x.pk}/").content.decode()
    assert "服务对象人数" in dashboard and "data-chart" in dashboard
    month = timezone.localdate().month
    plan = client.get(f"/indicators/{world.contract_x.pk}/monthly/?kind=plan&month={month}").content.decode()
    assert "工作计划" in plan and "二、本月工作安排" in plan
    summary = client.get(
        f"/indicators/{world.contract_x.pk}/monthly/?kind=summary&month={month}"
    ).content.decode()
    assert "工作总结" in summary and "三、资金使用情况" in summary
    assert client.get(f"/indicators/{world.contract_y.pk}/").status_code == 404


def test_api_returns_kpi_json_progress_and_measures(world, api_client, served):
    client = api_client(world.supervisor)
    kpi = client.get(f"/api/v1/contracts/{world.contract_x.pk}/kpi").json()
    row = kpi["indicators"][0]
    assert row["code"] == "served" and row["target"] == 10.0 and row["actual"] == 4.0  # 甲, 乙, 本人, 少年
    assert kpi["score"]["total"] == 40.0
    progress = client.get(f"/api/v1/contracts/{world.contract_x.pk}/progress").json()
    assert progress["indicators"][0]["code"] == "served" and len(progress["indicators"][0]["months"]) == 12
    codes = [m["code"] for m in client.get("/api/v1/measures").json()]
    assert "caseload.persons_served" in codes and "contracts.budget_execution_rate" in codes
    assert client.get(f"/api/v1/contracts/{world.contract_x.pk}/kpi?year=1999").status_code == 422
    assert Decimal(str(kpi["score"]["max"])) == 100
