"""Participant feedback after activities and the buyer's signed evaluation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiaozheng.core.measures import MeasureContext, get_measure
from jiaozheng.core.rules import clear_cache
from jiaozheng.education.choices import AttendanceStatus, SessionStatus
from jiaozheng.education.models import Attendance
from jiaozheng.education.testing import make_session_at
from jiaozheng.feedback import selectors, services
from jiaozheng.feedback.models import BuyerEvaluation, FeedbackResponse

FIVE = {"overall": 5, "content": 4, "organisation": 4, "staff": 5}


def held_session(world, where="subject", *, days_ago=1, present=True):
    session = make_session_at(world, where, status=SessionStatus.HELD, minutes_from_now=-60 * 24 * days_ago)
    if present:
        Attendance.objects.filter(session=session).update(status=AttendanceStatus.PRESENT)
    return session


def test_a_participant_answers_once_and_staff_see_only_totals(world):
    # given a held session the subject attended yesterday
    session = held_session(world)
    subject = world.subject
    # when the subject looks at their phone
    pending = selectors.pending_for_subject(actor=subject)
    assert [(p.ref.kind, p.ref.id) for p in pending] == [("education.session", session.pk)]
    # and answers
    response = services.feedback_submit(
        actor=subject, kind="education.session", activity_id=session.pk, answers=FIVE, comment="很好"
    )
    # then the answers are kept, encrypted, and the session is no longer pending
    assert response.mean_score == Decimal("4.50") and response.satisfied
    assert response.answers == FIVE
    assert selectors.pending_for_subject(actor=subject) == []
    # and staff of the squadron see one answer of one participant, in aggregate
    today = timezone.localdate()
    stats = selectors.activity_stats(actor=world.social_worker, start=today - dt.timedelta(days=5), end=today)
    row = next(s for s in stats if s.ref.id == session.pk)
    assert (row.attendees, row.responses, row.response_rate, row.satisfied_rate) == (
        1,
        1,
        Decimal("100.0"),
        Decimal("100.0"),
    )
    # and staff of another county see nothing of it
    other = selectors.activity_stats(
        actor=world.bureau_officer_y, start=today - dt.timedelta(days=5), end=today
    )
    assert all(s.ref.id != session.pk for s in other)


def test_raw_database_holds_no_clear_comment(world):
    from django.db import connection

    session = held_session(world)
    services.feedback_submit(
        actor=world.subject,
        kind="education.session",
        activity_id=session.pk,
        answers=FIVE,
        comment="独特意见甲乙丙",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT comment, answers_data FROM feedback_feedbackresponse")
        comment, answers = cursor.fetchone()
    assert "独特意见" not in comment and "overall" not in answers


@pytest.mark.parametrize(
    "case",
    [
        "not_attended",
        "second",
        "after_window",
        "bad_answer",
        "bool_answer",
        "unknown_kind",
        "huge_id",
        "missing",
    ],
)
def test_bad_feedback_is_refused_and_changes_nothing(world, case):
    session = held_session(
        world, present=case != "not_attended", days_ago=30 if case == "after_window" else 1
    )
    kind, activity_id, answers = "education.session", session.pk, dict(FIVE)
    if case == "second":
        services.feedback_submit(actor=world.subject, kind=kind, activity_id=activity_id, answers=FIVE)
    if case == "bad_answer":
        answers["overall"] = 9
    if case == "bool_answer":
        answers["overall"] = True
    if case == "unknown_kind":
        kind = "visits.visit"
    if case == "huge_id":
        activity_id = 2**70
    if case == "missing":
        del answers["staff"]
    before = FeedbackResponse.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.feedback_submit(actor=world.subject, kind=kind, activity_id=activity_id, answers=answers)
    assert FeedbackResponse.objects.count() == before
    text = " ".join(exc.value.messages)
    assert "测试场次" not in text  # never names the activity
    expected = {
        "not_attended": "took part",
        "second": "already",
        "after_window": "closed",
        "unknown_kind": "took part",
        "huge_id": "took part",
    }.get(case, "choose")
    assert expected in text


def test_only_the_person_answers(world):
    session = held_session(world)
    with pytest.raises(PermissionDenied):
        services.feedback_submit(
            actor=world.social_worker, kind="education.session", activity_id=session.pk, answers=FIVE
        )


def test_a_county_rewords_the_questionnaire(world):
    services.questionnaire_save(
        actor=world.bureau_admin,
        county_id=world.county_x.pk,
        items=["课程有用吗", "老师讲得清楚吗"],
        open_question="",
    )
    session = held_session(world)
    with pytest.raises(ValidationError):  # the default keys no longer apply
        services.feedback_submit(
            actor=world.subject, kind="education.session", activity_id=session.pk, answers=FIVE
        )
    response = services.feedback_submit(
        actor=world.subject, kind="education.session", activity_id=session.pk, answers={"q1": 2, "q2": 3}
    )
    assert response.mean_score == Decimal("2.50") and not response.satisfied
    with pytest.raises(ValidationError):
        services.questionnaire_save(actor=world.bureau_admin, county_id=world.county_y.pk, items=["x"])
    with pytest.raises(PermissionDenied):
        services.questionnaire_save(actor=world.social_worker, county_id=world.county_x.pk, items=["x"])


def test_satisfaction_measures_follow_the_answers(world, settings):
    clear_cache()
    first = held_session(world)
    held_session(world, days_ago=2)  # a second session, attended but not answered
    services.feedback_submit(
        actor=world.subject, kind="education.session", activity_id=first.pk, answers=FIVE
    )
    today = timezone.localdate()
    ctx = MeasureContext((world.county_x.pk,), today - dt.timedelta(days=10), today)
    assert get_measure("feedback.subject_satisfaction").compute(ctx) == Decimal(1)
    assert get_measure("feedback.response_rate").compute(ctx) == Decimal("0.5")
    empty = MeasureContext((world.county_y.pk,), today - dt.timedelta(days=10), today)
    assert get_measure("feedback.subject_satisfaction").compute(empty) is None


def _sign(world, **overrides):
    today = timezone.localdate()
    data = {
        "actor": world.bureau_admin,
        "county_id": world.county_x.pk,
        "provider_id": world.provider_1.pk,
        "period_start": today - dt.timedelta(days=90),
        "period_end": today - dt.timedelta(days=1),
        "score": "92.5",
        "signer_title": "社区矫正管理局局长",
        "comments": "服务规范，按时完成。",
    }
    data.update(overrides)
    return services.buyer_evaluation_sign(**data)


def test_the_buyer_signs_an_evaluation_and_the_measure_takes_it(world):
    evaluation = _sign(world)
    assert evaluation.score == Decimal("92.5") and evaluation.signed_by == world.bureau_admin
    today = timezone.localdate()
    ctx = MeasureContext((world.county_x.pk,), today - dt.timedelta(days=100), today)
    assert get_measure("feedback.buyer_satisfaction").compute(ctx) == Decimal("0.925")
    # the auditor reads it; the other county does not
    assert list(selectors.buyer_evaluations(actor=world.auditor)) == [evaluation]
    assert list(selectors.buyer_evaluations(actor=world.bureau_officer_y)) == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"score": "101"},
        {"score": "abc"},
        {"score": "NaN"},
        {"signer_title": ""},
        {"period_end": timezone.localdate() + dt.timedelta(days=3)},
        {"period_start": timezone.localdate(), "period_end": timezone.localdate() - dt.timedelta(days=3)},
        {"provider_id": 2**70},
        {"county_id": "x"},
        "overlap",
        "other_county",
        "provider_of_other_county",
    ],
)
def test_bad_evaluations_are_refused_and_change_nothing(world, overrides):
    if overrides == "overlap":
        _sign(world)
        overrides = {"period_start": timezone.localdate() - dt.timedelta(days=30)}
    elif overrides == "other_county":
        overrides = {"county_id": world.county_y.pk}
    elif overrides == "provider_of_other_county":
        overrides = {"provider_id": world.provider_2.pk}
    before = BuyerEvaluation.objects.count()
    with pytest.raises(ValidationError):
        _sign(world, **overrides)
    assert BuyerEvaluation.objects.count() == before


def test_only_bureau_roles_sign(world):
    with pytest.raises(PermissionDenied):
        _sign(world, actor=world.supervisor)
    with pytest.raises(PermissionDenied):
        _sign(world, actor=world.social_worker)


def test_phone_pages_and_api(world, client, api_client):
    session = held_session(world)
    client.force_login(world.subject)
    page = client.get("/feedback/mine/")
    assert page.status_code == 200 and "测试场次" in page.content.decode()
    token = f"education.session:{session.pk}"
    form = client.get("/feedback/mine/answer/", {"a": token})
    assert form.status_code == 200
    done = client.post("/feedback/mine/answer/", {"a": token, **{k: str(v) for k, v in FIVE.items()}})
    assert done.status_code == 302 and FeedbackResponse.objects.count() == 1
    again = client.post(
        "/feedback/mine/answer/", {"a": token, **{k: str(v) for k, v in FIVE.items()}}, follow=True
    )
    assert FeedbackResponse.objects.count() == 1 and "已经" in again.content.decode()
    # the API lists nothing pending now, and refuses a second answer with 422
    api = api_client(world.subject)
    assert api.get("/api/v1/feedback/pending").json() == []
    second = api.post(
        "/api/v1/feedback/responses",
        {"kind": "education.session", "activity_id": session.pk, "answers": FIVE},
        content_type="application/json",
    )
    assert second.status_code == 422


def test_staff_pages_render(world, client):
    held_session(world)
    client.force_login(world.bureau_admin)
    for url in ("/feedback/", "/feedback/buyer/", "/feedback/buyer/new/", "/feedback/questionnaire/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/feedback/?month=99999-99").status_code == 200


@pytest.mark.parametrize(
    ("case", "expected"),
    [("not_attended", "只能对您参加过的活动"), ("after_window", "天后截止"), ("second", "已经")],
)
def test_the_phone_page_says_why_feedback_is_refused_and_changes_nothing(world, client, case, expected):
    session = held_session(
        world, present=case != "not_attended", days_ago=30 if case == "after_window" else 1
    )
    if case == "second":
        services.feedback_submit(
            actor=world.subject, kind="education.session", activity_id=session.pk, answers=FIVE
        )
    before = FeedbackResponse.objects.count()
    client.force_login(world.subject)
    page = client.post(
        "/feedback/mine/answer/",
        {"a": f"education.session:{session.pk}", **{k: str(v) for k, v in FIVE.items()}},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    text = page.content.decode()
    assert page.status_code == 200 and expected in text
    assert FeedbackResponse.objects.count() == before
