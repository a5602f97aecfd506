"""Demo psychological assessments, scored by the real scorer and written in bulk.

2020, 溆浦县 (the seed's contract year, ctx.objects["cohort_2020"], 262 persons):
- 255 distinct persons assessed: every person who entered in 2020 and all but 7 of the earlier entrants;
  SCL-90 for almost everyone (realistic answers: mostly 没有/很轻, some people with marked symptoms),
  a few SAS as well;
- 247 persons with a valid assessment; 8 invalid through the real validity rules: 3 answered too fast
  online, 3 paper forms with too many missing items, 2 SDS forms answered all the same (contradicting the
  reverse-keyed items);
- 247 reports issued in 2020, one per valid person (norm: 1986 national norm, variant A);
- COPA-PI results handed over by the prison for the parolees.
Current year: an SCL-90 for most of the current caseload (some still open), a few PHQ-9 with the urgent
item-9 flag (the counsellor's notifications), the demo subject's own open PHQ-9 and earlier result.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from jiaozheng.assessments.choices import AssessmentStatus, EntryMethod, EntryOrigin, ExternalVersion, Mode
from jiaozheng.assessments.models import (
    AnswerEntry,
    Assessment,
    ExternalResult,
    ExternalScore,
    Report,
    RiskFlag,
)
from jiaozheng.assessments.norms import default_norm
from jiaozheng.assessments.scales import get_scale
from jiaozheng.assessments.scoring import ScoreOptions, score
from jiaozheng.assessments.services import OP_SYMBOLS
from jiaozheng.audit.context import acting_as
from jiaozheng.audit.services import record_bulk
from jiaozheng.core.demo import DemoContext
from jiaozheng.people.choices import CorrectionType

ORDER = 50

# Factor tendencies of the simulated answers (design: offenders' depression and obsessive scores are
# usually above the norm, phobic anxiety and psychoticism below).
SHIFT = {
    "depression": 0.12,
    "obsessive": 0.15,
    "interpersonal": 0.08,
    "anxiety": 0.03,
    "hostility": 0.0,
    "somatization": -0.02,
    "phobic": -0.2,
    "paranoid": 0.02,
    "psychoticism": -0.2,
    "other": 0.08,
}
COPA_ORGS = ["湖南省网岭监狱", "湖南省赤山监狱", "湖南省岳州监狱", "湖南省长沙监狱"]


def scl90_answers(rng: random.Random, severity: float = 0.0) -> list[int]:
    """Realistic SCL-90 answers (1-5): a personal level, factor tendencies and item noise."""
    scale = get_scale("scl90")
    owner = {i: n for n, s in scale.subscales.items() for i in s["items"]}
    base = max(0.0, rng.gauss(0.2, 0.32)) + severity
    if rng.random() < 0.12:
        base += rng.uniform(0.6, 1.4)
    tendency = {n: rng.gauss(SHIFT[n], 0.2) for n in scale.subscales}
    return [
        int(min(5, max(1, 1 + round(base + tendency[owner[i]] + rng.gauss(0, 0.5))))) for i in range(1, 91)
    ]


def zung_answers(rng: random.Random, code: str) -> list[int]:
    scale = get_scale(code)
    level = rng.gauss(1.6, 0.4)
    out = []
    for item in scale.scored_ids:
        keyed = int(min(4, max(1, round(level + rng.gauss(0, 0.7)))))
        out.append(5 - keyed if item in scale.reverse_ids else keyed)
    return out


class Writer:
    """Collects scored assessments and writes them in bulk (with their answer entries and audit)."""

    def __init__(self) -> None:
        self.rows: list[Assessment] = []

    def add(
        self,
        person: Any,
        code: str,
        answers: list[Any],
        *,
        on: dt.date,
        seconds: float | None,
        mode: str,
        by: Any,
        status: str = AssessmentStatus.COMPLETED,
        assigned_on: dt.date | None = None,
    ) -> Assessment:
        scale = get_scale(code)
        tz = timezone.get_current_timezone()
        assigned = dt.datetime.combine(assigned_on or on - dt.timedelta(days=2), dt.time(9, 0), tz)
        a = Assessment(
            person=person,
            scale_code=scale.code,
            scale_version=scale.version,
            scale_hash=scale.definition_hash,
            status=status,
            mode=mode,
            assigned_by=by,
            assigned_at=assigned,
            due_on=(assigned_on or on) + dt.timedelta(days=14),
            entered_by=by if mode != Mode.ONLINE else None,
        )
        if status == AssessmentStatus.COMPLETED:
            result = score(scale, answers, ScoreOptions(total_seconds=seconds))
            from jiaozheng.assessments.services import apply_result

            apply_result(a, result)
            a.answers = result["answers"]
            a.total_seconds = seconds
            a.administered_on = on
            a.completed_at = dt.datetime.combine(on, dt.time(10, 30), tz)
            a.started_at = a.completed_at - dt.timedelta(seconds=seconds or 1200)
        self.rows.append(a)
        return a

    def drop_last(self) -> None:
        self.rows.pop()

    def flush(self) -> list[Assessment]:
        from jiaozheng.orgs.models import User

        created = Assessment.objects.bulk_create(self.rows)
        record_bulk(created)
        accounts = dict(
            User.objects.filter(person_id__in={a.person_id for a in created}).values_list("person_id", "pk")
        )
        entries = AnswerEntry.objects.bulk_create(
            [
                AnswerEntry(
                    assessment=a,
                    at=a.completed_at,
                    entered_by_id=a.entered_by_id if a.mode != Mode.ONLINE else accounts.get(a.person_id),
                    origin=EntryOrigin.ONLINE if a.mode == Mode.ONLINE else EntryOrigin.PAPER,
                    answers=a.answers,
                )
                for a in created
                if a.status == AssessmentStatus.COMPLETED
            ]
        )
        record_bulk(entries)
        self.rows = []
        return created


def _reports(
    ctx: DemoContext, assessments: list[Assessment], counsellor: Any, *, year_end: dt.date | None
) -> list[Report]:
    from jiaozheng.assessments.views import suggested_comments

    rows = []
    seq: dict[tuple[str, int], int] = {}
    tz = timezone.get_current_timezone()
    counties = {c.pk: c for c in ctx.objects["counties"].values()}
    norms: dict[tuple[str, int], dict[str, Any]] = {}
    for a in sorted(assessments, key=lambda a: (a.administered_on, a.pk)):
        issued = a.administered_on + dt.timedelta(days=ctx.rng.randint(2, 9))
        if year_end is not None:
            issued = min(issued, year_end)
        issued = min(issued, ctx.today)
        county = counties[a.person.county_id]
        key = (county.code, issued.year)
        seq[key] = (
            seq.get(key, Report.objects.filter(number__startswith=f"{county.code}-XL-{issued.year}-").count())
            + 1
        )
        if (a.scale_code, county.pk) not in norms:
            norms[(a.scale_code, county.pk)] = default_norm(a.scale_code, county) or {}
        norm = norms[(a.scale_code, county.pk)]
        rows.append(
            Report(
                assessment=a,
                number=f"{county.code}-XL-{issued.year}-{seq[key]:04d}",
                issued_on=issued,
                issued_at=dt.datetime.combine(issued, dt.time(15, 0), tz),
                issued_by=counsellor,
                norm_code=norm.get("code", ""),
                norm=norm,
                comments=suggested_comments(a, "zh-hans"),
                counsellor_name=counsellor.full_name,
            )
        )
    created = Report.objects.bulk_create(rows)
    record_bulk(created)
    return created


def _external(ctx: DemoContext, persons: list[Any], counsellor: Any) -> int:
    import hashlib

    dims = get_scale("copa_pi").dimensions
    results = []
    for person in persons:
        on = (person.intake_on or person.term_start) - dt.timedelta(days=ctx.rng.randint(60, 400))
        results.append(
            ExternalResult(
                person=person,
                instrument="COPA-PI",
                version=ExternalVersion.FORMAL,
                administered_on=on,
                administering_org=ctx.rng.choice(COPA_ORGS),
                source_name=f"假释移交材料-{person.case_number}.pdf",
                source_sha256=hashlib.sha256(f"copa-{person.case_number}".encode()).hexdigest(),
                entered_by=counsellor,
                entry_method=EntryMethod.MANUAL,
                valid_as_printed=True,
                validity_indicators={"说谎分": str(ctx.rng.randint(2, 9)), "效度指标": "有效"},
            )
        )
    created = ExternalResult.objects.bulk_create(results)
    record_bulk(created)
    scores = []
    for r in created:
        for i, dim in enumerate(dims):
            t = max(25, min(85, round(ctx.rng.gauss(52 if dim in ("冲动", "犯罪思维") else 50, 9))))
            text = "偏高" if t >= 60 else ("偏低" if t <= 40 else "正常范围")
            scores.append(
                ExternalScore(
                    result=r, order=i, dimension=dim, standard=t, raw=round(t * 0.3, 1), interpretation=text
                )
            )
    made = ExternalScore.objects.bulk_create(scores)
    record_bulk(made)
    return len(created)


def load(ctx: DemoContext) -> None:
    staff = ctx.objects["staff"]
    counsellor = staff["counsellor"]
    rng = ctx.rng
    with acting_as(counsellor, "cli"):
        summary_2020 = _load_2020(ctx, counsellor)
        summary_now = _load_current(ctx, counsellor)
    ctx.objects["psych_2020"] = summary_2020
    ctx.objects["psych_now"] = summary_now
    ctx.say(
        f"assessments: 2020 {summary_2020['assessed']} assessed, {summary_2020['valid']} valid, "
        f"{summary_2020['reports']} reports; current year {summary_now['completed']} completed, "
        f"{summary_now['open']} open, {summary_now['urgent']} urgent flags"
    )
    del rng


def _load_2020(ctx: DemoContext, counsellor: Any) -> dict[str, Any]:
    rng = ctx.rng
    cohort = sorted(ctx.objects["cohort_2020"], key=lambda p: p.pk)
    start, end = dt.date(2020, 1, 1), dt.date(2020, 12, 31)
    entered = [p for p in cohort if p.intake_on and p.intake_on >= start]
    earlier = [p for p in cohort if p not in entered]
    rng.shuffle(earlier)
    not_assessed = earlier[:7]
    invalid_people = earlier[7:15]
    assessed = [p for p in cohort if p not in not_assessed]
    writer = Writer()
    valid_scl: list[Assessment] = []

    def day_for(person: Any) -> dt.date:
        first = max(start, person.intake_on or start)
        last = min(end, person.term_end, person.released_on or end)
        first = min(first + dt.timedelta(days=rng.randint(3, 20)), last)
        return (
            first
            if first >= last
            else first + dt.timedelta(days=rng.randint(0, min(30, (last - first).days)))
        )

    for i, person in enumerate(assessed):
        on = day_for(person)
        if person in invalid_people:
            kind = invalid_people.index(person)
            if kind < 3:  # answered on the phone far too fast (about 1 s per item)
                writer.add(
                    person,
                    "scl90",
                    scl90_answers(rng),
                    on=on,
                    seconds=round(90 * rng.uniform(0.9, 1.5)),
                    mode=Mode.ONLINE,
                    by=counsellor,
                )
            elif kind < 6:  # paper forms with 11-16 items left blank
                answers: list[Any] = scl90_answers(rng)
                for j in rng.sample(range(90), rng.randint(11, 16)):
                    answers[j] = None
                writer.add(person, "scl90", answers, on=on, seconds=None, mode=Mode.PAPER, by=counsellor)
            else:  # SDS answered all "C": contradicts the reverse-keyed items
                writer.add(
                    person,
                    "sds",
                    [3] * 20,
                    on=on,
                    seconds=rng.uniform(120, 200),
                    mode=Mode.PAPER,
                    by=counsellor,
                )
            continue
        online = i % 3 == 0
        for _attempt in range(10):  # realistic patterns are valid; an unlucky draw is drawn again
            a = writer.add(
                person,
                "scl90",
                scl90_answers(rng),
                on=on,
                seconds=round(90 * rng.uniform(4.5, 11)) if online else round(rng.uniform(22, 40) * 60),
                mode=Mode.ONLINE if online else Mode.PAPER,
                by=counsellor,
            )
            if a.validity == "valid":
                break
            writer.drop_last()
        valid_scl.append(a)
        if i % 12 == 4:  # some also took the SAS
            writer.add(
                person,
                "sas",
                zung_answers(rng, "sas"),
                on=on,
                seconds=rng.uniform(150, 300),
                mode=Mode.PAPER,
                by=counsellor,
            )
    created = writer.flush()
    reports = _reports(ctx, valid_scl, counsellor, year_end=end)
    parolees = [p for p in cohort if p.correction_type == CorrectionType.PAROLE]
    copa = _external(ctx, parolees, counsellor)
    assessed_ids = {a.person_id for a in created}
    valid_ids = {a.person_id for a in created if a.validity == "valid"}
    return {
        "assessed": len(assessed_ids),
        "valid": len(valid_ids),
        "reports": len(reports),
        "copa_pi": copa,
        "valid_scl90": list(valid_scl),
    }


def _load_current(ctx: DemoContext, counsellor: Any) -> dict[str, Any]:
    from jiaozheng.core.notify import notify
    from jiaozheng.people.choices import Status

    rng = ctx.rng
    today = ctx.today
    persons = [p for p in ctx.objects["persons"] if p.status == Status.IN_CORRECTION and p.intake_on]
    subject = ctx.objects.get("subject_user")
    subject_person = subject.person if subject is not None else None
    writer = Writer()
    opened = 0
    yuanling_admin = ctx.objects["staff"].get("yl_admin")
    xupu_id = ctx.objects["counties"]["xupu"].pk
    done: list[Assessment] = []
    for i, person in enumerate(sorted(persons, key=lambda p: p.pk)):
        by = counsellor if person.county_id == xupu_id else yuanling_admin
        age_days = (today - person.intake_on).days
        if person == subject_person:
            continue
        if age_days < 6 or i % 9 == 7:  # new entrants not yet done, and a few who have not answered yet
            writer.add(
                person,
                "scl90",
                [],
                on=today,
                seconds=None,
                mode=Mode.ONLINE,
                by=by,
                status=AssessmentStatus.ASSIGNED,
                assigned_on=today - dt.timedelta(days=min(age_days, rng.randint(0, 5))),
            )
            opened += 1
            continue
        on = person.intake_on + dt.timedelta(days=rng.randint(3, min(25, age_days)))
        online = i % 2 == 0
        done.append(
            writer.add(
                person,
                "scl90",
                scl90_answers(rng),
                on=min(on, today),
                seconds=round(90 * rng.uniform(4.5, 11)) if online else round(rng.uniform(22, 40) * 60),
                mode=Mode.ONLINE if online else Mode.PAPER,
                by=by,
            )
        )
    # retests about three months after the first SCL-90 for part of the caseload (the file's trend chart)
    for i, first in enumerate(list(done)):
        retest = first.administered_on + dt.timedelta(days=rng.randint(85, 100))
        if i % 3 == 0 and retest <= today and first.person != subject_person:
            done.append(
                writer.add(
                    first.person,
                    "scl90",
                    scl90_answers(rng, severity=-0.1),
                    on=retest,
                    seconds=round(rng.uniform(22, 40) * 60),
                    mode=Mode.PAPER,
                    by=first.assigned_by,
                )
            )
            third = retest + dt.timedelta(days=rng.randint(85, 100))
            if i % 6 == 0 and third <= today:
                done.append(
                    writer.add(
                        first.person,
                        "scl90",
                        scl90_answers(rng, severity=-0.2),
                        on=third,
                        seconds=round(rng.uniform(22, 40) * 60),
                        mode=Mode.PAPER,
                        by=first.assigned_by,
                    )
                )
    # three recent PHQ-9 with thoughts of death or self-harm (item 9): urgent flags for the counsellor
    urgent_people = [p for p in persons if p.county_id == xupu_id and p != subject_person][5:8]
    phq_answers = [
        [2, 2, 1, 2, 1, 1, 1, 0, 1, 1],
        [1, 2, 2, 2, 1, 2, 1, 1, 2, 2],
        [2, 3, 2, 2, 2, 2, 1, 1, 1, 2],
    ]
    urgent = [
        writer.add(
            p,
            "phq9",
            answers,
            on=today - dt.timedelta(days=k),
            seconds=rng.uniform(60, 150),
            mode=Mode.ONLINE,
            by=counsellor,
        )
        for k, (p, answers) in enumerate(zip(urgent_people, phq_answers, strict=True))
    ]
    if subject_person is not None:
        earlier = subject_person.intake_on + dt.timedelta(days=5)
        if earlier <= today:
            done.append(
                writer.add(
                    subject_person,
                    "scl90",
                    scl90_answers(rng),
                    on=earlier,
                    seconds=620,
                    mode=Mode.ONLINE,
                    by=counsellor,
                )
            )
        writer.add(
            subject_person,
            "phq9",
            [],
            on=today,
            seconds=None,
            mode=Mode.ONLINE,
            by=counsellor,
            status=AssessmentStatus.ASSIGNED,
            assigned_on=today,
        )
    writer.flush()
    flags = []
    for a in urgent:
        for f in a.result["flags"]:
            flags.append(
                RiskFlag(
                    person=a.person,
                    assessment=a,
                    code=f["code"],
                    severity=f["severity"],
                    label=f["label"]["zh-hans"],
                    item=f["item"],
                    value=f["value"],
                    threshold=f"{OP_SYMBOLS.get(f['op'], f['op'])} {f['threshold']}",
                    raised_at=a.completed_at,
                )
            )
    made = RiskFlag.objects.bulk_create(flags)
    record_bulk(made)
    from jiaozheng.assessments.services import urgent_recipients

    for flag in made:
        notify(
            urgent_recipients(flag.person),
            title=f"紧急：{flag.person.name} — {flag.label}",
            body=f"PHQ-9 于 {flag.assessment.administered_on:%Y-%m-%d} 完成。请当天联系本人并记录处理情况。",
            link="/assessments/flags/",
            level="urgent",
            kind="assessments.urgent_flag",
        )
    valid_now = [a for a in done if a.validity == "valid" and a.person.county_id == xupu_id]
    rng.shuffle(valid_now)
    reports = _reports(ctx, valid_now[: int(len(valid_now) * 0.6)], counsellor, year_end=None)
    parolees = [p for p in persons if p.correction_type == CorrectionType.PAROLE]
    _external(ctx, parolees, counsellor)
    return {
        "completed": len(done) + len(urgent),
        "open": opened + (1 if subject_person else 0),
        "urgent": len(made),
        "reports": len(reports),
        "done": done,
        "urgent_assessments": urgent,
    }
