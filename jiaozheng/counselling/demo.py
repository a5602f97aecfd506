"""Demo counselling, from the demo assessments (jiaozheng.assessments.demo, ORDER 50).

2020 (溆浦县): 20 individual cases (distinct persons) opened and closed with an outcome (the seed's 个案心理
咨询 20 人, 个案矫正率 100 %); two groups formed by the real grouping code from the screen-positive men,
with 6 group sessions held in all (the seed's 6 场次). Current year: referrals from visits and the urgent
flags, a few open cases with sessions and confidential notes, one active group with a held and a planned
session.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from jiaozheng.audit.context import acting_as
from jiaozheng.audit.services import record_bulk
from jiaozheng.core.demo import DemoContext
from jiaozheng.counselling.choices import CaseOutcome, CaseStatus, ReferralSource, ReferralStatus, SessionMode
from jiaozheng.counselling.grouping import Candidate, Params, form_groups
from jiaozheng.counselling.models import (
    CaseNote,
    CaseSession,
    CounsellingCase,
    CounsellingGroup,
    GroupAttendance,
    GroupMember,
    GroupSession,
    Referral,
)
from jiaozheng.counselling.services import explain
from jiaozheng.people.choices import EDUCATION_RANK, OFFENCE_GROUP, OffenceGroup

ORDER = 55

PROBLEMS = [
    ("入矫后情绪低落，睡眠差，担心家人受影响。", "缓解抑郁情绪，恢复规律睡眠，建立家庭支持。"),
    ("与家人关系紧张，易怒，多次与邻居争吵。", "学习情绪管理方法，改善家庭沟通。"),
    ("对前途悲观，自评无用，回避社交。", "提升自我价值感，逐步恢复社会交往。"),
    ("经济压力大，焦虑明显，常感心慌。", "掌握放松技术，制定可行的就业计划。"),
    ("强迫检查行为增多，影响日常生活。", "减少强迫行为，提高生活自理能力。"),
]
TOPICS = ["建立关系与评估", "情绪识别与表达", "认知调整", "放松训练", "家庭沟通练习", "巩固与结束"]
GROUP_TOPICS = ["相识与契约", "认识情绪", "压力与放松", "人际沟通", "积极生活", "回顾与告别"]
NOTES = [
    "来访者谈到入矫后的羞耻感，情绪较上次平稳。",
    "布置了睡眠日记作业，下次复查。",
    "来访者愿意与家人沟通，练习了表达需要的句式。",
    "焦虑自评有所下降，继续放松训练。",
]
OUTCOMES = (
    [CaseOutcome.IMPROVED] * 9
    + [CaseOutcome.GOALS_MET] * 8
    + [CaseOutcome.UNCHANGED, CaseOutcome.REFERRED_OUT, CaseOutcome.RELEASED]
)


def _candidate(a: Any, today: dt.date) -> Candidate:
    person = a.person
    group = OFFENCE_GROUP.get(person.offence_category, OffenceGroup.OTHER)
    factors = tuple(
        n for n, b in (a.result.get("subscale_bands") or {}).items() if b and b.get("level", 0) >= 1
    )
    return Candidate(
        person_id=person.pk,
        name=person.name,
        gender=person.gender,
        offence_group=str(group),
        level=float(a.primary_score or 0),
        age=person.age_on(today),
        education=EDUCATION_RANK.get(person.education, 0),
        juvenile=person.is_juvenile,
        factors=factors,
        education_label=str(person.get_education_display()),
        offence_label=str(OffenceGroup(group).label),
    )


def load(ctx: DemoContext) -> None:
    counsellor = ctx.objects["staff"]["counsellor"]
    with acting_as(counsellor, "cli"):
        cases_2020 = _cases(
            ctx, counsellor, ctx.objects["psych_2020"]["valid_scl90"], year=2020, count=20, close=True
        )
        sessions_2020 = _groups_2020(ctx, counsellor)
        now = _current(ctx, counsellor)
    ctx.say(f"counselling: 2020 {cases_2020} cases, {sessions_2020} group sessions; current year {now}")


def _cases(
    ctx: DemoContext, counsellor: Any, assessments: list[Any], *, year: int, count: int, close: bool
) -> int:
    rng = ctx.rng
    end = dt.date(year, 12, 31)
    chosen = [a for a in assessments if a.screen_positive and a.administered_on <= dt.date(year, 11, 15)]
    chosen.sort(key=lambda a: (-(a.primary_score or 0), a.pk))
    picked: list[Any] = []
    seen: set[int] = set()
    for a in chosen:
        if a.person_id not in seen:
            picked.append(a)
            seen.add(a.person_id)
        if len(picked) == count:
            break
    tz = timezone.get_current_timezone()
    referrals = Referral.objects.bulk_create(
        [
            Referral(
                person=a.person,
                reason=f"{a.administered_on:%Y-%m-%d} 症状自评量表筛查阳性（总均分 {a.primary_score}），建议个案辅导。",
                source=ReferralSource.ASSESSMENT,
                source_model="assessments.Assessment",
                source_id=str(a.pk),
                status=ReferralStatus.ACCEPTED,
                opened_by=counsellor,
                opened_at=dt.datetime.combine(a.administered_on, dt.time(16, 0), tz),
                decided_by=counsellor,
                decided_at=dt.datetime.combine(a.administered_on + dt.timedelta(days=1), dt.time(9, 0), tz),
            )
            for a in picked
        ]
    )
    record_bulk(referrals)
    cases, plans = [], []
    for i, (a, referral) in enumerate(zip(picked, referrals, strict=True)):
        problem, goals = PROBLEMS[i % len(PROBLEMS)]
        opened = a.administered_on + dt.timedelta(days=rng.randint(3, 10))
        n_sessions = rng.randint(3, 6)
        dates = [opened + dt.timedelta(days=14 * k + rng.randint(0, 3)) for k in range(n_sessions)]
        dates = [d for d in dates if d <= min(end, ctx.today)] or [opened]
        closed = min(dates[-1] + dt.timedelta(days=rng.randint(0, 7)), end)
        cases.append(
            CounsellingCase(
                person=a.person,
                referral=referral,
                counsellor=counsellor,
                opened_on=opened,
                opened_by=counsellor,
                presenting_problem=problem,
                goals=goals,
                status=CaseStatus.CLOSED if close else CaseStatus.OPEN,
                closed_on=closed if close else None,
                outcome=OUTCOMES[i % len(OUTCOMES)] if close else "",
                closing_summary="经过多次辅导，来访者情绪与适应状况较开案时改善，按计划结案。"
                if close
                else "",
                closed_by=counsellor if close else None,
            )
        )
        plans.append(dates)
    made = CounsellingCase.objects.bulk_create(cases)
    record_bulk(made)
    sessions = []
    for case, dates in zip(made, plans, strict=True):
        for k, day in enumerate(dates):
            sessions.append(
                CaseSession(
                    case=case,
                    held_on=day,
                    minutes=rng.choice([45, 50, 60]),
                    mode=SessionMode.IN_PERSON,
                    topic=TOPICS[min(k, len(TOPICS) - 1)],
                    counsellor=counsellor,
                )
            )
    session_rows = CaseSession.objects.bulk_create(sessions)
    record_bulk(session_rows)
    notes = CaseNote.objects.bulk_create(
        [
            CaseNote(
                case=s.case,
                session=s,
                text=NOTES[i % len(NOTES)],
                author=counsellor,
                written_at=dt.datetime.combine(s.held_on, dt.time(17, 0), tz),
            )
            for i, s in enumerate(session_rows)
            if i % 2 == 0
        ]
    )
    record_bulk(notes)
    return len(made)


def _groups_2020(ctx: DemoContext, counsellor: Any) -> int:
    """Two groups of screen-positive men (not in an individual case), formed by the real grouping code."""
    rng = ctx.rng
    assessments = ctx.objects["psych_2020"]["valid_scl90"]
    in_cases = set(CounsellingCase.objects.filter(opened_on__year=2020).values_list("person_id", flat=True))
    spring = [
        a
        for a in assessments
        if a.screen_positive
        and a.administered_on <= dt.date(2020, 5, 31)
        and a.person_id not in in_cases
        and not a.result.get("individual_route")
    ]
    candidates = [
        _candidate(a, dt.date(2020, 6, 1))
        for a in spring
        if a.person.gender == "male" and not a.person.is_juvenile
    ]
    proposal = form_groups(candidates, Params()).as_dict()
    proposal["params"]["scale"] = "scl90"
    county = ctx.objects["counties"]["xupu"]
    groups = sorted(proposal["groups"], key=lambda g: -len(g["members"]))[:2]
    held = 0
    tz = timezone.get_current_timezone()
    for n, (group, start) in enumerate(
        zip(groups, [dt.date(2020, 6, 10), dt.date(2020, 9, 16)], strict=True), 1
    ):
        row = CounsellingGroup.objects.create(
            county=county,
            name=f"2020年第{n}期团体心理辅导小组",
            theme=group["profile"]["theme"],
            profile=explain(group, proposal),
            profile_data={"stratum": group["stratum"], **group["profile"]},
            facilitator=counsellor,
            status="closed",
            created_at=dt.datetime.combine(start - dt.timedelta(days=7), dt.time(9, 0), tz),
        )
        members = GroupMember.objects.bulk_create(
            [
                GroupMember(group=row, person_id=pid, added_on=start - dt.timedelta(days=3))
                for pid in group["members"]
            ]
        )
        record_bulk(members)
        for k in range(3):
            day = start + dt.timedelta(days=14 * k)
            session = GroupSession.objects.create(
                group=row,
                held_on=day,
                topic=GROUP_TOPICS[k + (3 if n == 2 else 0)],
                place="溆浦县司法局团体辅导室",
                minutes=90,
                status="held",
                facilitator=counsellor,
                summary="按方案完成活动，成员参与积极。",
            )
            present = [pid for pid in group["members"] if rng.random() < 0.88] or group["members"][:1]
            rows = GroupAttendance.objects.bulk_create(
                [
                    GroupAttendance(session=session, person_id=pid, present=pid in present)
                    for pid in group["members"]
                ]
            )
            record_bulk(rows)
            held += 1
    return held


def _current(ctx: DemoContext, counsellor: Any) -> str:
    from jiaozheng.counselling.services import referral_open

    now = ctx.objects["psych_now"]
    staff = ctx.objects["staff"]
    # the social worker refers a person after a visit; the urgent flags were referred by the counsellor
    visited = next(
        a.person
        for a in now["done"]
        if a.person.squadron_id == ctx.objects["squadrons"]["lufeng"].pk and not a.urgent
    )
    with acting_as(staff["sw_lufeng"], "cli"):
        referral_open(
            actor=staff["sw_lufeng"],
            person=visited,
            reason="走访时发现其情绪低落，不愿交流，家属反映近期失眠。",
            source="visit",
        )
    for a in now["urgent_assessments"][:1]:
        referral_open(
            actor=counsellor,
            person=a.person,
            reason="PHQ-9 第9题阳性，已电话联系本人，同意面谈。",
            source="flag",
        )
    valid = [
        a
        for a in now["done"]
        if a.validity == "valid" and a.person.county_id == ctx.objects["counties"]["xupu"].pk
    ]
    opened = _cases(
        ctx,
        counsellor,
        [
            a
            for a in valid
            if ctx.today - dt.timedelta(days=120) <= a.administered_on <= ctx.today - dt.timedelta(days=20)
        ],
        year=ctx.today.year,
        count=4,
        close=False,
    )
    latest: dict[int, Any] = {}
    for a in sorted(valid, key=lambda a: (a.administered_on, a.pk)):
        latest[a.person_id] = a
    candidates = [
        _candidate(a, ctx.today)
        for a in latest.values()
        if a.screen_positive
        and a.person.gender == "male"
        and not a.person.is_juvenile
        and not a.result.get("individual_route")
        and not CounsellingCase.objects.filter(person_id=a.person_id, status=CaseStatus.OPEN).exists()
    ]
    groups = 0
    if len(candidates) >= 6:
        proposal = form_groups(candidates, Params()).as_dict()
        proposal["params"]["scale"] = "scl90"
        group = proposal["groups"][0]
        row = CounsellingGroup.objects.create(
            county=ctx.objects["counties"]["xupu"],
            name=f"{ctx.today.year}年情绪调适团体辅导小组",
            theme=group["profile"]["theme"],
            profile=explain(group, proposal),
            profile_data={"stratum": group["stratum"], **group["profile"]},
            facilitator=counsellor,
        )
        record_bulk(
            GroupMember.objects.bulk_create(
                [
                    GroupMember(group=row, person_id=pid, added_on=ctx.today - dt.timedelta(days=20))
                    for pid in group["members"]
                ]
            )
        )
        held = GroupSession.objects.create(
            group=row,
            held_on=ctx.today - dt.timedelta(days=7),
            topic=GROUP_TOPICS[0],
            place="卢峰中队活动室",
            status="held",
            facilitator=counsellor,
        )
        record_bulk(
            GroupAttendance.objects.bulk_create(
                [GroupAttendance(session=held, person_id=pid, present=True) for pid in group["members"]]
            )
        )
        GroupSession.objects.create(
            group=row,
            held_on=ctx.today + dt.timedelta(days=7),
            topic=GROUP_TOPICS[1],
            place="卢峰中队活动室",
            status="planned",
            facilitator=counsellor,
        )
        groups = 1
    return f"{opened} open cases, {groups} active group, 2 referrals"
