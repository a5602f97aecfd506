"""The assessment records behind the persons figures: completed and valid assessments (人次)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from jiaozheng.assessments import services
from jiaozheng.assessments.choices import AssessmentStatus, Validity
from jiaozheng.assessments.models import Assessment
from jiaozheng.assessments.scales import get_scale
from jiaozheng.assessments.testing import completed_assessment
from jiaozheng.core.measures import MeasureContext, get_measure

pytestmark = pytest.mark.django_db


def _valid(assessment):
    """Make a scored assessment valid (the scorer's verdict on these answers is not what is tested)."""
    Assessment.objects.filter(pk=assessment.pk).update(validity=Validity.VALID)
    return assessment


def _not_completed(person, status, *, on):
    scale = get_scale("phq9")
    return Assessment.objects.create(
        person=person,
        scale_code=scale.code,
        scale_version=scale.version,
        scale_hash=scale.definition_hash,
        status=status,
        administered_on=on,
        validity=Validity.VALID,  # a stray verdict must not make an unfinished test count
    )


def test_completed_and_valid_assessments_count_records_beside_persons(world):
    today = timezone.localdate()
    start = today - dt.timedelta(days=60)
    ctx = MeasureContext((world.county_x.pk,), start, today)
    # counted: person_a tested twice, both valid; person_b once invalid and once questionable
    a_scl = _valid(completed_assessment(world.person_a, "scl90", [1, 2] * 45))
    a_phq = _valid(completed_assessment(world.person_a, "phq9", on=today - dt.timedelta(days=10)))
    b_invalid = completed_assessment(world.person_b, "scl90", [3] * 80 + [None] * 10)
    assert b_invalid.validity == Validity.INVALID
    b_questionable = completed_assessment(world.person_b, "phq9")
    Assessment.objects.filter(pk=b_questionable.pk).update(validity=Validity.QUESTIONABLE)
    # not counted: a test before the period, the other county's test, a cancelled and an open assessment
    _valid(completed_assessment(world.person_a, "phq9", on=start - dt.timedelta(days=1)))
    _valid(completed_assessment(world.person_y, "phq9"))
    _not_completed(world.subject_person, AssessmentStatus.CANCELLED, on=today)
    _not_completed(world.juvenile_a, AssessmentStatus.IN_PROGRESS, on=today)
    open_one = _not_completed(world.subject_person, AssessmentStatus.ASSIGNED, on=None)
    services.assessment_cancel(actor=world.counsellor, assessment=open_one, reason="已解矫")

    completed = get_measure("assessments.completed_assessments")
    valid = get_measure("assessments.valid_assessments")
    assert completed.compute(ctx) == 4
    assert valid.compute(ctx) == 2
    # the persons figures beside them count each person once
    assert get_measure("assessments.persons_assessed").compute(ctx) == 2
    assert get_measure("assessments.valid_persons").compute(ctx) == 1
    # the records behind each figure are the rows counted
    assert completed.records is not None and valid.records is not None
    assert set(completed.records(ctx).values_list("pk", flat=True)) == {
        a_scl.pk,
        a_phq.pk,
        b_invalid.pk,
        b_questionable.pk,
    }
    assert set(valid.records(ctx).values_list("pk", flat=True)) == {a_scl.pk, a_phq.pk}
    assert (completed.kind, valid.kind) == ("count", "count")
    # the other county's figure is its own
    assert valid.compute(MeasureContext((world.county_y.pk,), start, today)) == 1
    with translation.override("zh-hans"):
        assert (str(completed.label), str(completed.unit)) == ("完成测评人次", "人次")
        assert str(valid.label) == "有效测评人次"
