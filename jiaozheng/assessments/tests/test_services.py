"""Assessment services: assigning, answering online, paper forms, corrections, flags, reports, norms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from jiaozheng.assessments import services
from jiaozheng.assessments.choices import AssessmentStatus, EntryOrigin, FlagStatus, Mode
from jiaozheng.assessments.models import AnswerEntry, Assessment, LocalNorm, Report, RiskFlag
from jiaozheng.audit.models import AuditEntry
from jiaozheng.core.models import Notification
from jiaozheng.counselling.models import Referral

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def answer_all(world, assessment, answers, seconds=5):
    for item, value in zip(assessment.scale.item_ids, answers, strict=False):
        assessment = services.answer_record(
            actor=world.subject, assessment=assessment, item=item, value=value, seconds=seconds
        )
    return assessment


def test_the_person_answers_a_phq9_online_and_the_county_counsellor_is_alerted_at_once(world):
    # given a PHQ-9 assigned by the counsellor to the supervised person
    assessment = services.assessment_assign(
        actor=world.counsellor, person=world.subject_person, scale_code="phq9"
    )
    # when the person answers every item on the phone (item 9 = 1) and submits
    assessment = answer_all(world, assessment, [0, 0, 0, 0, 0, 0, 0, 0, 1, 0])
    assessment = services.assessment_submit(actor=world.subject, assessment=assessment)
    # (the person was told on their phone that a test waits for them)
    assert Notification.objects.filter(recipient=world.subject, kind="assessments.assigned").exists()
    # then it is scored: total 1, minimal, but the urgent flag is raised
    assert assessment.status == AssessmentStatus.COMPLETED
    assert assessment.result["metrics"]["total"] == 1
    assert assessment.urgent and assessment.risk_level == "high"
    flag = RiskFlag.objects.get(assessment=assessment)
    assert (flag.code, flag.severity, flag.item, flag.value, flag.status) == (
        "suicide_risk",
        "urgent",
        9,
        1,
        "open",
    )
    # and the county's counsellor got an urgent notification
    note = Notification.objects.get(recipient=world.counsellor, kind="assessments.urgent_flag")
    assert note.level == "urgent" and world.subject_person.name in note.title
    # and the time per item was recorded, and every answer entry names who entered it
    assert assessment.total_seconds == 50
    entries = AnswerEntry.objects.filter(assessment=assessment)
    assert entries.count() == 10 and {e.origin for e in entries} == {EntryOrigin.ONLINE}
    assert {e.entered_by for e in entries} == {world.subject}


def test_answering_is_resumable_and_answers_can_be_changed(world):
    assessment = services.assessment_assign(
        actor=world.counsellor, person=world.subject_person, scale_code="gad7"
    )
    assessment = answer_all(world, assessment, [1, 2, 1])
    assert services.next_item(assessment) == 4
    assessment = services.answer_record(actor=world.subject, assessment=assessment, item=2, value=0)
    assert assessment.answers["2"] == 0
    with pytest.raises(ValidationError, match="answer every question"):
        services.assessment_submit(actor=world.subject, assessment=assessment)
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.IN_PROGRESS


def test_time_per_item_is_measured_from_when_the_item_was_shown(world):
    assessment = services.assessment_assign(
        actor=world.counsellor, person=world.subject_person, scale_code="gad7"
    )
    services.item_shown(actor=world.subject, assessment=assessment, item=1)
    Assessment.objects.filter(pk=assessment.pk).update(shown_at=timezone.now() - dt.timedelta(seconds=7))
    assessment.refresh_from_db()
    assessment = services.answer_record(actor=world.subject, assessment=assessment, item=1, value=2)
    assert 6.5 <= assessment.item_seconds["1"] <= 9


def test_nobody_else_answers_for_the_person(world):
    assessment = services.assessment_assign(actor=world.counsellor, person=world.person_a, scale_code="gad7")
    with pytest.raises(Http404):
        services.answer_record(actor=world.subject, assessment=assessment, item=1, value=1)
    with pytest.raises(PermissionDenied):
        services.answer_record(actor=world.counsellor, assessment=assessment, item=1, value=1)


def test_bad_answers_and_assignments_are_refused_and_change_nothing(world):
    assessment = services.assessment_assign(
        actor=world.counsellor, person=world.subject_person, scale_code="gad7"
    )
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError, match="not one of the options"):
        services.answer_record(actor=world.subject, assessment=assessment, item=1, value=7)
    assert AuditEntry.objects.count() == before
    with pytest.raises(ValidationError, match="already has an open"):
        services.assessment_assign(actor=world.counsellor, person=world.subject_person, scale_code="gad7")
    with pytest.raises(ValidationError, match="Unknown scale"):
        services.assessment_assign(actor=world.counsellor, person=world.person_a, scale_code="mmpi")
    with pytest.raises(PermissionDenied):
        services.assessment_assign(actor=world.social_worker, person=world.person_a, scale_code="gad7")
    with pytest.raises(Http404):
        services.assessment_assign(actor=world.counsellor, person=world.person_y, scale_code="gad7")


def test_staff_key_in_a_paper_form_and_correct_it_with_a_reason(world):
    # given an SCL-90 paper form answered all 2 ("很轻") in 30 minutes
    assessment = services.paper_form_enter(
        actor=world.counsellor,
        person=world.person_a,
        scale_code="scl90",
        answers=[2] * 90,
        administered_on=TODAY(),
        minutes=30,
    )
    # then it is scored, marked as a paper form keyed in by the counsellor
    assert assessment.mode == Mode.PAPER and assessment.entered_by == world.counsellor
    assert assessment.result["metrics"]["total"] == 180
    assert assessment.validity == "questionable"  # one long run of the same answer
    # when a typing error is corrected with its reason
    assessment = services.answers_correct(
        actor=world.counsellor, assessment=assessment, changes={5: 1, 6: 3}, reason="录入错误，对照原卷更正"
    )
    # then the result is rescored and the entry records who changed what and why
    assert assessment.result["metrics"]["total"] == 180
    assert assessment.answers["5"] == 1
    correction = AnswerEntry.objects.get(assessment=assessment, origin=EntryOrigin.CORRECTION)
    assert correction.answers == {"5": 1, "6": 3} and correction.reason == "录入错误，对照原卷更正"
    with pytest.raises(ValidationError, match="reason"):
        services.answers_correct(actor=world.counsellor, assessment=assessment, changes={5: 2}, reason="")


def test_reports_state_their_norm_and_are_refused_for_invalid_assessments(world):
    invalid = services.paper_form_enter(
        actor=world.counsellor,
        person=world.person_a,
        scale_code="scl90",
        answers=[3] * 80,
        administered_on=TODAY(),
    )
    assert invalid.validity == "invalid"
    with pytest.raises(ValidationError, match="invalid"):
        services.report_issue(actor=world.counsellor, assessment=invalid, comments="x")
    valid = services.paper_form_enter(
        actor=world.counsellor,
        person=world.person_b,
        scale_code="scl90",
        answers=([1, 2, 1, 3, 1, 2] * 15),
        administered_on=TODAY(),
        minutes=25,
    )
    report = services.report_issue(
        actor=world.counsellor, assessment=valid, comments="总体良好，建议保持规律作息。"
    )
    assert report.norm_code == "cn-1986-a"
    assert report.norm["variant"] == "A" and "金华" in report.norm["source"]
    assert report.number.startswith(f"431224-XL-{TODAY().year}-")
    with pytest.raises(ValidationError, match="already issued"):
        services.report_issue(actor=world.counsellor, assessment=valid, comments="again")
    variant_b = services.paper_form_enter(
        actor=world.counsellor,
        person=world.person_a,
        scale_code="scl90",
        answers=[1] * 90,
        administered_on=TODAY(),
        minutes=20,
    )
    other = services.report_issue(
        actor=world.counsellor, assessment=variant_b, comments="良好", norm_code="cn-1986-b"
    )
    assert other.norm["values"]["interpersonal"] == [1.65, 0.61]


def test_flags_are_handled_and_referral_goes_to_counselling(world):
    assessment = services.paper_form_enter(
        actor=world.counsellor,
        person=world.person_a,
        scale_code="phq9",
        answers=[1] * 9 + [1],
        administered_on=TODAY(),
    )
    flag = RiskFlag.objects.get(assessment=assessment)
    flag = services.flag_handle(
        actor=world.counsellor, flag=flag, action="refer", note="已电话联系，本人同意面谈"
    )
    assert flag.status == FlagStatus.REFERRED
    referral = Referral.objects.get(person=world.person_a)
    assert referral.source == "flag" and referral.source_id == str(flag.pk)
    with pytest.raises(ValidationError):
        services.flag_handle(actor=world.counsellor, flag=flag, action="close", note="")


def test_a_batch_assigns_the_new_entrants_of_a_month_and_skips_those_who_cannot(world):
    month = (TODAY() - dt.timedelta(days=200)).strftime("%Y-%m")
    candidates = services.batch_candidates(actor=world.counsellor, county=world.county_x, intake_month=month)
    assert world.person_a in candidates and world.person_y not in candidates
    services.assessment_assign(actor=world.counsellor, person=world.person_a, scale_code="scl90")
    batch, skipped = services.assessment_assign_batch(
        actor=world.counsellor,
        scale_code="scl90",
        persons=candidates,
        label=f"{month} 新入矫",
        county=world.county_x,
    )
    assert batch.size == len(candidates) - 1
    assert any(world.person_a.name in s for s in skipped)
    assert Assessment.objects.filter(batch=batch).count() == batch.size


def test_a_local_norm_is_built_from_valid_assessments_only(world, settings):
    from jiaozheng.core.models import RuleValue
    from jiaozheng.core.rules import clear_cache

    RuleValue.objects.create(key="assessments.local_norm_min_n", unit=world.county_x, value=3)
    clear_cache()
    try:
        for i, person in enumerate([world.person_a, world.person_b, world.subject_person]):
            services.paper_form_enter(
                actor=world.counsellor,
                person=person,
                scale_code="scl90",
                answers=[2] * (10 * i + 5) + [1] * (85 - 10 * i),
                administered_on=TODAY(),
                minutes=20,
            )
        services.paper_form_enter(
            actor=world.counsellor,
            person=world.juvenile_a,
            scale_code="scl90",
            answers=[5] * 90,
            administered_on=TODAY(),
            minutes=1,
        )
        norm = services.norm_build(
            actor=world.counsellor,
            scale_code="scl90",
            county=world.county_x,
            date_from=TODAY() - dt.timedelta(days=30),
            date_to=TODAY(),
        )
        assert norm.n == 3
        assert norm.values["total"][0] == 105
        assert norm.values["total"][1] == 10
        assert set(norm.values) >= {"total", "gsi", "somatization", "psychoticism"}
        with pytest.raises(ValidationError, match="at least"):
            services.norm_build(
                actor=world.counsellor,
                scale_code="scl90",
                county=world.county_x,
                date_from=TODAY() - dt.timedelta(days=900),
                date_to=TODAY() - dt.timedelta(days=800),
            )
        assert LocalNorm.objects.count() == 1
    finally:
        clear_cache()


def test_external_results_are_stored_as_printed_with_the_source_hash(world):
    result = services.external_result_create(
        actor=world.counsellor,
        person=world.person_a,
        administered_on=TODAY() - dt.timedelta(days=300),
        administering_org="湖南省网岭监狱",
        scores=[
            {"dimension": "冲动", "raw": "12", "standard": "61.5", "interpretation": "偏高"},
            {"dimension": "焦虑", "standard": "48"},
        ],
        source_name="copa.pdf",
        source_bytes=b"%PDF-1.4 fake",
        version="formal",
        valid_as_printed=True,
    )
    assert result.scores.count() == 2
    assert str(result.scores.get(dimension="冲动").standard) == "61.50"
    assert len(result.source_sha256) == 64
    with pytest.raises(ValidationError, match="not a number"):
        services.external_result_create(
            actor=world.counsellor,
            person=world.person_a,
            administered_on=TODAY(),
            administering_org="x",
            scores=[{"dimension": "冲动", "standard": "abc"}],
            source_name="a",
            source_bytes=b"a",
        )


def test_the_cut_off_operator_and_rounding_follow_the_county_rules(world):
    from jiaozheng.core.models import RuleValue
    from jiaozheng.core.rules import clear_cache

    answers = [1] * 90
    for item in (11, 24, 63, 67, 74, 81):
        answers[item - 1] = 2
    first = services.paper_form_enter(
        actor=world.counsellor,
        person=world.person_a,
        scale_code="scl90",
        answers=answers,
        administered_on=TODAY(),
        minutes=20,
    )
    assert first.screen_positive is True
    RuleValue.objects.create(
        key="assessments.cutoff_operators", unit=world.county_x, value={"scl90": {"subscales.*": ">"}}
    )
    RuleValue.objects.create(
        key="assessments.rounding", unit=world.county_x, value={"sds": {"standard": "half_up"}}
    )
    clear_cache()
    try:
        second = services.paper_form_enter(
            actor=world.counsellor,
            person=world.person_b,
            scale_code="scl90",
            answers=answers,
            administered_on=TODAY(),
            minutes=20,
        )
        assert second.screen_positive is False
        sds = services.paper_form_enter(
            actor=world.counsellor,
            person=world.person_b,
            scale_code="sds",
            answers=[1] * 20,
            administered_on=TODAY(),
            minutes=5,
        )
        assert sds.result["metrics"]["raw"] == 50
        assert sds.result["metrics"]["standard"] == 63  # half up by the county rule (floor would give 62)
    finally:
        clear_cache()
    assert Report.objects.count() == 0
