"""Staff pages: due list, visit form with side effects, attachments, route plans, hardship, standards, quotas."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiaozheng.audit.models import AccessLog
from jiaozheng.people.models import Discipline
from jiaozheng.visits import services
from jiaozheng.visits.models import HardshipHelp, RoutePlan, Visit, VisitAttachment, VisitStandard
from jiaozheng.visits.testing import PNG
from jiaozheng.visits.tests.conftest import visit_input

pytestmark = pytest.mark.django_db


def form_data(user, **extra):
    data = {
        "visit_type": "focus",
        "method": "field_visit",
        "field_target": "home",
        "outcome": "completed",
        "visited_at": (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "visitors": [str(user.pk)],
        "place": "家中",
        "thinking": "思想稳定",
        "latitude": "27.91",
        "longitude": "110.6",
        "accuracy_m": "12",
    }
    data.update(extra)
    return data


def test_the_due_list_puts_overdue_persons_first_and_counts_each_status(world, login, make_person):
    # given a strict person never visited (overdue) and the ordinary persons of the world
    strict = make_person(cls="strict", intake_days_ago=120, name="严管某")
    client = login(world.squadron_officer)
    # when the squadron officer opens the due list
    response = client.get("/visits/due/")
    # then overdue items come first, the strict person among them, and the counters add up
    assert response.status_code == 200
    rows = response.context["page"].object_list
    statuses = [r.item.status for r in rows]
    assert statuses == sorted(statuses, key=lambda s: s != "overdue")
    assert any(r.person == strict and r.item.status == "overdue" for r in rows)
    assert response.context["summary"]["overdue"] >= 1
    assert "严管某" in response.content.decode()
    # and the overdue filter shows only overdue items
    response = client.get("/visits/due/?status=overdue")
    assert {r.item.status for r in response.context["page"].object_list} == {"overdue"}


def test_an_officer_records_a_visit_with_a_photo_and_an_admonition_through_the_form(world, login):
    officer = world.squadron_officer
    client = login(officer)
    # given the visit form of a person of squadron A
    assert client.get(f"/visits/new/{world.person_a.pk}/?type=focus").status_code == 200
    # when the officer submits a field visit with a photo and an admonition
    data = form_data(
        officer,
        do_admonition="on",
        admonition_note="未经批准外出",
        task_title="一周后回访",
        task_due_on=(timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        attachments=SimpleUploadedFile("现场.png", PNG, content_type="image/png"),
    )
    response = client.post(f"/visits/new/{world.person_a.pk}/?type=focus", data)
    # then the visit exists with its photo, task and the discipline record, and the page shows it
    visit = Visit.objects.get(person=world.person_a)
    assert response.status_code == 302 and response["Location"] == f"/visits/{visit.pk}/"
    assert VisitAttachment.objects.filter(visit=visit).count() == 1
    assert visit.tasks.count() == 1
    assert Discipline.objects.filter(person=world.person_a, source_id=str(visit.pk)).exists()
    assert (visit.latitude, visit.accuracy_m) == (27.91, 12.0)
    page = client.get(f"/visits/{visit.pk}/")
    assert "未经批准外出" in page.content.decode()
    # and reading a record with the visitor's position is logged
    assert AccessLog.objects.filter(kind="location", object_id=str(visit.pk)).exists()


def test_a_social_worker_cannot_tick_an_admonition(world, login):
    client = login(world.social_worker)
    page = client.get(f"/visits/new/{world.person_a.pk}/")
    assert 'name="do_admonition"' in page.content.decode() and "disabled" in page.content.decode()
    # when the social worker forces the field anyway
    response = client.post(
        f"/visits/new/{world.person_a.pk}/",
        form_data(world.social_worker, do_admonition="on", admonition_note="x"),
    )
    # then the visit is recorded without any discipline record
    assert response.status_code == 302
    assert Visit.objects.filter(person=world.person_a).count() == 1
    assert not Discipline.objects.exists()


def test_an_invalid_form_shows_the_errors_and_saves_nothing(world, login):
    client = login(world.social_worker)
    response = client.post(
        f"/visits/new/{world.person_a.pk}/",
        form_data(
            world.social_worker,
            field_target="",
            visited_at=(timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Visit.objects.exists()


def test_a_record_is_corrected_until_it_is_marked_as_entered(world, login):
    visit = services.visit_create(
        actor=world.social_worker, person=world.person_a, data=visit_input(visitors=[world.social_worker])
    )
    client = login(world.social_worker)
    assert client.get(f"/visits/{visit.pk}/edit/").status_code == 200
    data = form_data(world.social_worker, conduct="按时报告，参加公益活动", place="村委会")
    response = client.post(f"/visits/{visit.pk}/edit/", data)
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.conduct, visit.place) == ("按时报告，参加公益活动", "村委会")
    # once marked as entered into the provincial system, it can no longer be corrected
    today = timezone.localdate()
    client.post("/visits/export/mark/", {"start": today.replace(day=1).isoformat(), "end": today.isoformat()})
    visit.refresh_from_db()
    assert visit.exported_at is not None
    response = client.post(f"/visits/{visit.pk}/edit/", form_data(world.social_worker, conduct="改动"))
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    visit.refresh_from_db()
    assert visit.conduct == "按时报告，参加公益活动"


def test_attachments_are_served_only_inside_the_scope(world, login, client):
    visit = services.visit_create(
        actor=world.social_worker,
        person=world.person_a,
        data=visit_input(visitors=[world.social_worker]),
        uploads=[("scene.png", PNG)],
    )
    row = VisitAttachment.objects.get(visit=visit)
    response = login(world.social_worker).get(f"/visits/files/{row.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    client.force_login(world.social_worker_b)
    assert client.get(f"/visits/files/{row.pk}/").status_code == 404


def test_a_route_plan_is_made_from_the_form_and_printed_as_pdf(world, login, make_person):
    # given two strict persons of squadron A with home positions
    a = make_person(cls="strict", intake_days_ago=90, home_latitude=27.92, home_longitude=110.61)
    b = make_person(cls="strict", intake_days_ago=90, home_latitude=27.88, home_longitude=110.57)
    client = login(world.squadron_officer)
    today = timezone.localdate().isoformat()
    form = client.get(f"/visits/routes/new/?squadron={world.squadron_a.pk}&plan_date={today}")
    assert {r.person.pk for r in form.context["rows"]} >= {a.pk, b.pk}
    # when the officer plans the day with the social worker, person b only available after 14:00
    response = client.post(
        "/visits/routes/new/",
        {
            "squadron": world.squadron_a.pk,
            "plan_date": today,
            "visitors": [world.squadron_officer.pk, world.social_worker.pk],
            "pairs": "on",
            "day_start": "08:30",
            "day_minutes": "480",
            "service_minutes": "40",
            "person": [a.pk, b.pk],
            f"from_{b.pk}": "14:00",
        },
    )
    # then the plan exists, b is visited after 14:00, and the sheet renders as HTML and PDF
    plan = RoutePlan.objects.get()
    assert response["Location"] == f"/visits/routes/{plan.pk}/"
    stops = {s["person_id"]: s for s in plan.result["routes"][0]["stops"]}
    assert stops[b.pk]["arrive"] >= "14:00"
    assert client.get(f"/visits/routes/{plan.pk}/").status_code == 200
    pdf = client.get(f"/visits/routes/{plan.pk}/sheet.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(kind="location", person=a).exists()


def test_hardship_help_through_the_page_and_removal_only_for_officers(world, login):
    client = login(world.social_worker)
    response = client.post(
        f"/visits/hardship/{world.person_a.pk}/help/",
        {
            "kind": "material",
            "given_on": timezone.localdate().isoformat(),
            "material": "大米两袋",
            "given_by": "德馨社工",
        },
    )
    assert response.status_code == 302
    assert HardshipHelp.objects.filter(person=world.person_a).exists()
    listing = client.get("/visits/hardship/")
    assert world.person_a.name in listing.content.decode()
    # the social worker may not take the family off the list; the officer may
    assert client.post(f"/visits/hardship/{world.person_a.pk}/remove/", {"note": "已就业"}).status_code == 403
    officer = login(world.squadron_officer)
    officer.post(f"/visits/hardship/{world.person_a.pk}/remove/", {"note": "已就业"})
    world.person_a.refresh_from_db()
    assert world.person_a.is_hardship is False


def test_the_bureau_adjusts_the_standards_on_the_page(world, login):
    client = login(world.bureau_admin)
    page = client.get("/visits/standards/")
    assert page.status_code == 200 and page.context["counties"][0].origin == "default"
    client.post("/visits/standards/adopt/", {"county": world.county_x.pk})
    assert VisitStandard.objects.filter(unit=world.county_x).count() == 5
    row = VisitStandard.objects.filter(unit=world.county_x, supervision_class="lenient").get()
    response = client.post(
        f"/visits/standards/{row.pk}/edit/",
        {
            "name": "宽管每4个月",
            "visit_type": "routine",
            "supervision_class": "lenient",
            "entrant": "any",
            "required_count": "1",
            "period_length": "4",
            "period_unit": "month",
            "counts_types": ["routine", "focus"],
            "active": "on",
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.name, row.period_length, row.counts_types) == ("宽管每4个月", 4, ["routine", "focus"])
    assert (
        login(world.social_worker).post("/visits/standards/adopt/", {"county": world.county_x.pk}).status_code
        == 403
    )


def test_the_quota_page_shows_targets_and_actuals(world, login):
    client = login(world.bureau_admin)
    client.post(
        "/visits/quotas/new/",
        {"contract": world.contract_x.pk, "visit_type": "routine", "unit": "visits", "target": "330"},
    )
    services.visit_create(
        actor=world.social_worker,
        person=world.person_a,
        data=visit_input(
            visitors=[world.social_worker], visit_type="routine", method="phone_check", field_target=""
        ),
    )
    page = client.get("/visits/quotas/")
    [(contract, rows)] = [c for c in page.context["contracts"] if c[0] == world.contract_x]
    assert [(r.quota.target, r.actual) for r in rows] == [(330, 1)]
    # an auditor reads the quotas; a social worker may not set them
    assert login(world.auditor).get("/visits/quotas/").status_code == 200
    assert login(world.social_worker).get("/visits/quotas/new/").status_code == 403


def test_the_person_page_shows_windows_and_history(world, login, make_person):
    person = make_person(cls="strict", intake_days_ago=120)
    services.visit_create(
        actor=world.social_worker, person=person, data=visit_input(visitors=[world.social_worker])
    )
    page = login(world.social_worker).get(f"/visits/person/{person.pk}/")
    assert page.status_code == 200
    windows = page.context["compliance"].windows
    assert any(w.met for w in windows) and any(not w.met for w in windows)


def test_the_import_page_runs_the_import_as_a_job(world, login, django_capture_on_commit_callbacks):
    from jiaozheng.core.models import Job

    client = login(world.bureau_officer)
    assert client.get("/visits/import/template.xlsx").status_code == 200
    csv = (
        "案件编号,姓名,走访类型,走访方式,走访日期,走访人员\n"
        f"{world.person_a.case_number},{world.person_a.name},日常走访,电话问询,{timezone.localdate()},social_worker\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/visits/import/", {"file": SimpleUploadedFile("v.csv", csv, content_type="text/csv")}
        )
    job = Job.objects.get(kind="visits.import")
    assert response["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.status == "succeeded", job.result
    assert Visit.objects.filter(imported=True).count() == 1


def test_a_superuser_sets_a_provinces_standards_in_the_admin(world, client):
    import json as _json

    from jiaozheng.orgs.models import User

    admin = User.objects.create_superuser("root_visits", password="Root-pass-2026x")
    client.force_login(admin)
    assert client.get("/admin/visits/visitstandard/add/").status_code == 200
    data = {
        "unit": world.province.pk,
        "name": "省定：严管每月两次日常走访",
        "visit_type": "routine",
        "supervision_class": "strict",
        "entrant": "any",
        "required_count": "2",
        "period_unit": "month",
        "period_length": "1",
        "counts_types": _json.dumps(["routine", "focus"]),
        "methods": "[]",
        "active": "on",
        "source": "省司法厅文件",
    }
    assert client.post("/admin/visits/visitstandard/add/", {**data, "period_length": "40"}).status_code == 200
    assert not VisitStandard.objects.exists()
    client.post("/admin/visits/visitstandard/add/", data)
    row = VisitStandard.objects.get()
    assert row.unit == world.province and row.required_count == 2
    # the province's rows now apply to its counties
    from jiaozheng.visits.standards import StandardBook

    origin, standards = StandardBook().origin_and_standards(world.county_x.pk)
    assert origin == "province" and [s.name for s in standards] == ["省定：严管每月两次日常走访"]
