"""Access-matrix factories and API bodies for psychological assessment."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiaozheng.assessments.choices import AssessmentStatus, EntryMethod, Mode
from jiaozheng.assessments.models import Assessment, ExternalResult, ExternalScore, Report, RiskFlag
from jiaozheng.assessments.scales import get_scale
from jiaozheng.assessments.scoring import score
from jiaozheng.core.testing.matrix import api_body, object_factory


def completed_assessment(person, scale_code="phq9", answers=None, *, on=None):
    """A completed, scored assessment written directly (for factories and tests)."""
    from jiaozheng.assessments.services import apply_result

    scale = get_scale(scale_code)
    answers = answers if answers is not None else [1] * len(scale.scored_ids)
    result = score(scale, answers)
    on = on or timezone.localdate()
    assessment = Assessment(
        person=person,
        scale_code=scale.code,
        scale_version=scale.version,
        scale_hash=scale.definition_hash,
        status=AssessmentStatus.COMPLETED,
        mode=Mode.PAPER,
        completed_at=timezone.now(),
        administered_on=on,
        answers=result["answers"],
    )
    apply_result(assessment, result)
    assessment.save()
    return assessment


@object_factory("assessments.Assessment")
def make_assessment(world, where):
    # an open assignment: the detail, paper-entry, cancel and the person's answering pages all apply
    scale = get_scale("gad7")
    return Assessment.objects.create(
        person=world.person(where),
        scale_code=scale.code,
        scale_version=scale.version,
        scale_hash=scale.definition_hash,
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )


@object_factory("assessments.Report")
def make_report(world, where):
    assessment = completed_assessment(world.person(where), "scl90", [1, 2, 1, 3, 1, 2] * 15)
    return Report.objects.create(
        assessment=assessment,
        number=f"T-{assessment.pk}",
        issued_on=timezone.localdate(),
        comments="测试意见",
        counsellor_name="测试",
        norm_code="cn-1986-a",
        norm={},
    )


@object_factory("assessments.RiskFlag")
def make_flag(world, where):
    person = world.person(where)
    assessment = completed_assessment(person, "phq9", [0] * 8 + [1])
    return RiskFlag.objects.create(
        person=person,
        assessment=assessment,
        code="suicide_risk",
        severity="urgent",
        label="第9题",
        item=9,
        value=1,
        threshold=">= 1",
    )


@object_factory("assessments.ExternalResult")
def make_external(world, where):
    result = ExternalResult.objects.create(
        person=world.person(where),
        administered_on=timezone.localdate() - dt.timedelta(days=100),
        administering_org="网岭监狱",
        source_name="外部测评结果.csv",
        source_sha256="0" * 64,
        entry_method=EntryMethod.CSV,
    )
    from django.core.files.base import ContentFile

    result.source_file.save("copa.csv", ContentFile("身份证号,冲动\n".encode()), save=True)
    ExternalScore.objects.create(result=result, dimension="冲动", standard=60)
    return result


@api_body("assign_assessment")
def assign_body(world, obj):
    return {"person_id": world.person_a.pk, "scale": "gad7"}


@api_body("answer_my_assessment")
def answer_body(world, obj):
    return {"item": 1, "value": 1}


@api_body("score_answers")
def score_body(world, obj):
    return {"scale": "phq9", "answers": [0, 0, 0, 0, 0, 0, 0, 0, 1]}


@api_body("handle_flag")
def flag_body(world, obj):
    return {"action": "acknowledge", "note": "已联系"}
