"""Assessment pages and API: scoping (404 outside), logged reads, plain words for the person, forms."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from jiaozheng.assessments import services
from jiaozheng.assessments.models import Assessment
from jiaozheng.assessments.testing import completed_assessment
from jiaozheng.audit.models import AccessLog

pytestmark = pytest.mark.django_db


def test_staff_see_results_of_their_scope_only_and_every_view_is_logged(world, login):
    a = completed_assessment(world.person_a, "scl90", [1, 2] * 45)
    b = completed_assessment(world.person_b, "scl90", [1, 2] * 45)
    client = login(world.social_worker)  # squadron A
    body = client.get(reverse("assessments:result_list")).content.decode()
    assert world.person_a.name in body and world.person_b.name not in body
    assert client.get(reverse("assessments:assessment_detail", args=[a.pk])).status_code == 200
    assert client.get(reverse("assessments:assessment_detail", args=[b.pk])).status_code == 404
    assert AccessLog.objects.filter(kind="psych", actor=world.social_worker, object_id=str(a.pk)).exists()
    assert AccessLog.objects.filter(
        kind="psych", actor=world.social_worker, detail__startswith="results list"
    ).exists()
    file = client.get(reverse("assessments:person_file", args=[world.person_a.pk]))
    assert file.status_code == 200 and "心理健康档案" in file.content.decode()


def test_the_person_sees_their_own_result_in_plain_words_without_scores(world, login):
    a = completed_assessment(world.subject_person, "phq9", [2, 2, 2, 2, 2, 0, 0, 0, 0])
    other = completed_assessment(world.person_a, "phq9", [0] * 9)
    client = login(world.subject)
    page = client.get(reverse("assessments:my_result", args=[a.pk])).content.decode()
    assert "情绪低落比较明显" in page
    assert "总分" not in page and "中度" not in page  # no scores, no band jargon
    assert client.get(reverse("assessments:my_result", args=[other.pk])).status_code == 404
    assert AccessLog.objects.filter(kind="psych", person=world.subject_person, detail="own result").exists()
    # staff pages are not for the person
    assert client.get(reverse("assessments:result_list")).status_code == 403


def test_answering_on_the_phone_page_one_question_per_screen(world, login):
    a = services.assessment_assign(actor=world.counsellor, person=world.subject_person, scale_code="gad7")
    client = login(world.subject)
    page = client.get(reverse("assessments:my_answer", args=[a.pk])).content.decode()
    assert "第 1 题 / 共 7 题" in page and "感觉紧张、焦虑或急切" in page
    response = client.post(reverse("assessments:my_answer", args=[a.pk]), {"item": 1, "value": 2})
    assert response.status_code == 302 and response["Location"].endswith("?item=2")
    # a bad value is refused with a message and nothing is stored
    client.post(reverse("assessments:my_answer", args=[a.pk]), {"item": 2, "value": 9})
    a.refresh_from_db()
    assert a.answers == {"1": 2}
    for item in range(2, 8):
        client.post(reverse("assessments:my_answer", args=[a.pk]), {"item": item, "value": 0})
    review = client.get(reverse("assessments:my_answer", args=[a.pk]) + "?review=1").content.decode()
    assert "所有题目都已回答" in review
    done = client.post(reverse("assessments:my_submit", args=[a.pk]))
    assert done.status_code == 302
    a.refresh_from_db()
    assert a.status == "completed" and a.result["metrics"]["total"] == 2


def test_paper_form_page_keys_in_answers_from_the_quick_line(world, login):
    client = login(world.counsellor)
    url = reverse("assessments:paper_new") + "?scale=phq9"
    assert "患者健康问卷" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "person": world.person_a.pk,
            "scale": "phq9",
            "administered_on": timezone.localdate().isoformat(),
            "minutes": "5",
            "quick": "1111000000",
        },
    )
    assert response.status_code == 302
    a = Assessment.objects.get(person=world.person_a)
    assert a.mode == "paper" and a.result["metrics"]["total"] == 4 and a.entered_by == world.counsellor
    bad = client.post(
        url,
        {
            "person": world.person_a.pk,
            "scale": "phq9",
            "administered_on": timezone.localdate().isoformat(),
            "quick": "12",
        },
    )
    assert bad.status_code == 200 and "共 10 题" in bad.content.decode()


def test_api_scores_without_storing_and_lists_in_scope(world, api_client):
    client = api_client(world.counsellor)
    response = client.post(
        "/api/v1/assessments/score",
        data=json.dumps({"scale": "sds", "answers": [1] * 20, "rounding": "half_up"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["metrics"]["standard"] == 63
    assert Assessment.objects.count() == 0
    bad = client.post(
        "/api/v1/assessments/score",
        data=json.dumps({"scale": "sds", "answers": [9] * 20}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and "not one of the options" in bad.json()["errors"][0]["message"]
    completed_assessment(world.person_a, "phq9")
    completed_assessment(world.person_y, "phq9")
    listed = client.get("/api/v1/assessments").json()
    assert listed["count"] == 1 and listed["items"][0]["person_id"] == world.person_a.pk


def test_api_the_person_answers_and_submits(world, api_client):
    a = services.assessment_assign(actor=world.counsellor, person=world.subject_person, scale_code="phq9")
    client = api_client(world.subject)
    detail = client.get(f"/api/v1/me/assessments/{a.pk}").json()
    assert len(detail["questions"]) == 10 and detail["next_item"] == 1
    for item in range(1, 11):
        r = client.post(
            f"/api/v1/me/assessments/{a.pk}/answers",
            data=json.dumps({"item": item, "value": 1 if item == 9 else 0, "seconds": 4}),
            content_type="application/json",
        )
        assert r.status_code == 200
    done = client.post(f"/api/v1/me/assessments/{a.pk}/submit")
    assert done.status_code == 200 and done.json()["status"] == "completed"
    flags = api_client(world.counsellor).get("/api/v1/assessment-flags").json()
    assert flags[0]["code"] == "suicide_risk" and flags[0]["person_id"] == world.subject_person.pk
