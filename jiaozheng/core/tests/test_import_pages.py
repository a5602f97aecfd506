"""Every kind a staff member imports has its upload page (one shared page, jiaozheng.core.import_pages): the
psychological and counselling kinds too, for the counsellor and the bureau administrator; others are
turned away before any file is read."""

from __future__ import annotations

import io
import re

import pytest

pytestmark = pytest.mark.django_db

PAGES = {
    "assessments": "/assessments/import/",
    "counselling_cases": "/counselling/import/cases/",
    "group_sessions": "/counselling/import/groups/",
    "education_sessions": "/education/import/",
    "community_activities": "/community/import/",
}


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_each_page_shows_the_kinds_columns_and_its_template(world, login, kind):
    from jiaozheng.core.imports import import_kinds

    client = login(world.bureau_admin)
    page = client.get(PAGES[kind], HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    text = page.content.decode()
    assert all(c.header in text for c in import_kinds()[kind].columns)
    links = re.findall(r'href="([^"]*template[^"]*\.xlsx)"', text)
    assert links and client.get(links[0]).content[:2] == b"PK"


def test_the_administrator_imports_assessment_results_through_the_page(
    world, login, django_capture_on_commit_callbacks
):
    import datetime as dt

    from jiaozheng.assessments.models import Assessment

    person = world.person_a
    day = (person.intake_on + dt.timedelta(days=3)).isoformat()
    rows = f"身份证号,姓名,量表,施测日期,方式,答案\n{person.id_number},{person.name},phq9,{day},纸笔,{','.join(['1'] * 9)}\n"
    upload = io.BytesIO(rows.encode("utf-8"))
    upload.name = "测评.csv"
    client = login(world.bureau_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGES["assessments"], {"file": upload})
    assert response.status_code == 302, response.content.decode()[:500]
    job_page = client.get(response["Location"]).content.decode()
    assert Assessment.objects.filter(person=person, scale_code="phq9").count() == 1, job_page[-1500:]


@pytest.mark.parametrize("name", ["social_worker", "squadron_officer", "auditor", "subject"])
def test_other_roles_are_turned_away(world, login, name):
    client = login(world.users[name])
    for url in (PAGES["assessments"], PAGES["counselling_cases"], PAGES["group_sessions"]):
        assert client.get(url).status_code in (403, 404)
