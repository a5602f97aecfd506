"""Demo visits: the seed's 2020 contract year of 溆浦县 and the current caseload's recent months.

2020 (persons of ``cohort_2020``, all inside their correction period): exactly 330 routine visit records
(人次), focus visits to exactly 50 distinct persons and special visits to exactly 20 distinct persons (人) —
the contract's "日常走访对象330人，重点走访对象50人，特殊走访对象20人" with the units documented in
docs/visits.md — plus a few admonitions and hardship help decided on visit findings.

Current caseload: visits over the last eight months following the standards in force, about nine in ten
windows met, a handful of persons whose last focus window was missed (overdue), follow-up tasks, hardship
help, the contract quotas, the mountain townships of 溆浦县 and one route plan for the 龙潭 squadron.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from jiaozheng.audit.context import acting_as
from jiaozheng.core.demo import DemoContext
from jiaozheng.people.choices import Status, SupervisionClass
from jiaozheng.people.models import Person
from jiaozheng.visits import services
from jiaozheng.visits.choices import (
    FieldVisitTarget,
    HelpKind,
    InterventionKind,
    QuotaUnit,
    RiskSign,
    TaskStatus,
    VisitMethod,
    VisitOutcome,
    VisitType,
)
from jiaozheng.visits.models import FollowUpTask, HardshipHelp, Visit, VisitQuota
from jiaozheng.visits.standards import PERSON_FIELDS, StandardBook, load_facts, windows_for

ORDER = 55

ROUTINE_2020 = 330
FOCUS_SUBJECTS_2020 = 50
SPECIAL_SUBJECTS_2020 = 20

MOUNTAIN_TOWNSHIPS = [
    "北斗溪镇",
    "统溪河镇",
    "葛竹坪镇",
    "龙庄湾乡",
    "中都乡",
    "舒溶溪乡",
    "小横垅乡",
    "九溪江乡",
    "淘金坪乡",
    "祖师殿镇",
]
SOCIAL_WORKER = {
    "lufeng": ["sw_lufeng", "sw_lufeng2"],
    "dajiangkou": ["sw_dajiangkou"],
    "guanyinge": ["sw_guanyinge"],
    "longtan": ["sw_longtan"],
    "huangmaoyuan": ["sw_huangmaoyuan"],
    "yuanling_sq": ["sw_yuanling"],
    "guanzhuang": ["sw_yuanling"],
}
OFFICER = {
    "lufeng": "lufeng_officer",
    "dajiangkou": "dajiangkou_officer",
    "guanyinge": "guanyinge_officer",
    "longtan": "longtan_officer",
    "huangmaoyuan": "huangmaoyuan_officer",
    "yuanling_sq": "yl_admin",
    "guanzhuang": "yl_admin",
}
ROUTINE_METHODS = [
    (VisitMethod.PHONE_CHECK, 55),
    (VisitMethod.LOCATION_CHECK, 20),
    (VisitMethod.OFFICE_VISIT, 15),
    (VisitMethod.SPOT_CHECK, 10),
]
TARGETS = [
    (FieldVisitTarget.HOME, 60),
    (FieldVisitTarget.VILLAGE_COMMUNITY, 22),
    (FieldVisitTarget.EMPLOYER, 14),
    (FieldVisitTarget.SCHOOL, 4),
]
THINKING = [
    "思想稳定，认罪悔罪态度端正。",
    "情绪平稳，能正确对待社区矫正。",
    "对判决无异议，表示珍惜社区矫正机会。",
    "思想较稳定，偶有焦虑，经谈话后缓解。",
    "认识到自身错误，愿意接受监督管理。",
]
CONDUCT = [
    "遵守报告规定，按时参加教育学习和公益活动。",
    "能按要求报告活动情况，手机定位正常。",
    "表现良好，未发现违规行为。",
    "近期按时签到，村（社区）反映表现正常。",
    "遵纪守法，与邻里关系和睦。",
]
FAMILY = [
    "家庭和睦，家人支持其接受矫正。",
    "与父母同住，子女在校就读。",
    "配偶在外务工，本人照顾老人和孩子。",
    "家庭经济一般，暂无困难。",
    "家人能够配合做好监督工作。",
]
WORK = [
    "在家务农，收入稳定。",
    "在县城务工，工作较稳定。",
    "个体经营，生意正常。",
    "暂未就业，正在寻找工作。",
    "在本地企业上班，单位反映表现良好。",
]
PHONE_NOTES = [
    "电话问询，本人接听，动态正常。",
    "电话联系本人，了解近期生活工作情况。",
    "平台定位核查，位置与报告一致。",
]
RISKS = [
    ([RiskSign.FAMILY_CONFLICT], "与配偶近期争吵较多，情绪低落。"),
    ([RiskSign.FINANCIAL], "家中老人住院，经济压力较大。"),
    ([RiskSign.UNEMPLOYED, RiskSign.FINANCIAL], "所在工厂停工，暂无收入。"),
    ([RiskSign.BAD_COMPANY], "村干部反映其与社会闲散人员来往。"),
    ([RiskSign.EMOTIONAL], "自述睡眠差、烦躁，需心理疏导。"),
    ([RiskSign.SUBSTANCE], "邻居反映其经常酗酒。"),
]


def _pick(ctx: DemoContext, weighted: list[tuple[Any, int]]) -> Any:
    return ctx.rng.choices([w[0] for w in weighted], weights=[w[1] for w in weighted])[0]


def _squadron_keys(ctx: DemoContext) -> dict[int, str]:
    return {unit.pk: key for key, unit in ctx.objects["squadrons"].items()}


def _at(ctx: DemoContext, day: dt.date) -> dt.datetime:
    hour = ctx.rng.choice([8, 9, 9, 10, 10, 11, 14, 15, 15, 16, 17])
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time(hour, ctx.rng.choice([0, 10, 20, 30, 40, 50])))
    )


def _day_in(ctx: DemoContext, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=ctx.rng.randrange((end - start).days + 1))


def _visit(
    ctx: DemoContext,
    person: Person,
    visit_type: str,
    day: dt.date,
    recorder: Any,
    *,
    method: str | None = None,
    risk: tuple[list[str], str] | None = None,
    exported: bool = False,
) -> Visit:
    if method is None:
        method = VisitMethod.FIELD_VISIT if visit_type != VisitType.ROUTINE else _pick(ctx, ROUTINE_METHODS)
    field = method == VisitMethod.FIELD_VISIT
    visited_at = _at(ctx, day)
    remote = method in (VisitMethod.PHONE_CHECK, VisitMethod.LOCATION_CHECK)
    visit = Visit(
        person=person,
        visit_type=visit_type,
        method=method,
        field_target=_pick(ctx, TARGETS) if field else "",
        outcome=VisitOutcome.COMPLETED,
        visited_at=visited_at,
        visited_on=day,
        duration_minutes=ctx.rng.choice([10, 15, 20]) if remote else ctx.rng.choice([30, 40, 45, 60, 90]),
        place="" if remote else (person.address if field else f"{person.squadron.name}办公室"),
        people_met=""
        if remote
        else ctx.rng.choice(["本人", "本人、配偶", "本人、父母", "本人、村主任", "本人、单位负责人"]),
        thinking=ctx.rng.choice(THINKING),
        conduct=ctx.rng.choice(CONDUCT),
        family="" if remote else ctx.rng.choice(FAMILY),
        work="" if remote else ctx.rng.choice(WORK),
        summary=ctx.rng.choice(PHONE_NOTES) if remote else "",
        recorded_by=recorder,
        recorded_at=visited_at + dt.timedelta(hours=ctx.rng.choice([1, 2, 3, 20])),
        exported_at=visited_at + dt.timedelta(days=ctx.rng.choice([1, 2, 3])) if exported else None,
    )
    if risk is not None:
        visit.risk_signs, visit.risk_note = list(risk[0]), risk[1]
    return visit


def load(ctx: DemoContext) -> None:
    from jiaozheng.core.models import RuleValue
    from jiaozheng.core.rules import clear_cache
    from jiaozheng.orgs.services import system_user

    staff = ctx.objects["staff"]
    xupu = ctx.objects["counties"]["xupu"]
    with acting_as(system_user(), "cli"):
        RuleValue.objects.update_or_create(
            key="visits.mountain_townships",
            unit=xupu,
            defaults={"value": MOUNTAIN_TOWNSHIPS, "source": "溆浦县：雪峰山区乡镇（演示数据）"},
        )
    clear_cache()
    with acting_as(staff["xp_admin"], "cli"):
        _quotas(ctx)
    counts_2020 = _load_2020(ctx)
    counts_now = _load_current(ctx)
    plan = _route_plan(ctx)
    planned = (
        f"{plan.planned_count} planned / {plan.unplanned_count} not fitted" if plan else "none (nothing due)"
    )
    ctx.say(
        f"visits: 2020 routine {counts_2020['routine']} records, focus {counts_2020['focus_subjects']} persons, "
        f"special {counts_2020['special_subjects']} persons; current {counts_now['visits']} records, "
        f"{counts_now['overdue']} persons overdue, {counts_now['tasks']} tasks; route plan {planned}"
    )


def _quotas(ctx: DemoContext) -> None:
    year = ctx.today.year
    contracts = ctx.objects["contracts"]
    for code, (routine, focus, special) in (
        ("XP-2020", (ROUTINE_2020, FOCUS_SUBJECTS_2020, SPECIAL_SUBJECTS_2020)),
        (f"XP-{year}", (ROUTINE_2020, FOCUS_SUBJECTS_2020, SPECIAL_SUBJECTS_2020)),
        (f"YL-{year}", (120, 20, 8)),
    ):
        contract = contracts[code]
        note = (
            "合同约定：日常走访对象330人，重点走访对象50人，特殊走访对象20人" if code.startswith("XP") else ""
        )
        for visit_type, unit, target in (
            (VisitType.ROUTINE, QuotaUnit.VISITS, routine),
            (VisitType.FOCUS, QuotaUnit.SUBJECTS, focus),
            (VisitType.SPECIAL, QuotaUnit.SUBJECTS, special),
        ):
            VisitQuota.objects.create(
                contract=contract, visit_type=visit_type, unit=unit, target=target, note=note
            )


# --- 2020 ------------------------------------------------------------------------------------------------


def _span_2020(person: Person) -> tuple[dt.date, dt.date] | None:
    start = max(person.intake_on or person.term_start, dt.date(2020, 1, 2))
    end = min(person.released_on or person.term_end, dt.date(2020, 12, 31))
    return (start, end) if start <= end else None


def _load_2020(ctx: DemoContext) -> dict[str, int]:
    from jiaozheng.audit.services import record_bulk

    staff = ctx.objects["staff"]
    keys = _squadron_keys(ctx)
    cohort = list(
        Person.objects.filter(pk__in=[p.pk for p in ctx.objects["cohort_2020"]])
        .select_related("squadron", "county")
        .order_by("pk")
    )
    spans = {p.pk: _span_2020(p) for p in cohort}
    cohort = [p for p in cohort if spans[p.pk] is not None]
    # Focus: the windows the standards in force set for 2020 (new entrants: a field visit every month of
    # their new-entrant period), each met by one field visit inside it, so the on-time rate follows.
    book = StandardBook()
    rows = list(Person.objects.filter(pk__in=[p.pk for p in cohort]).order_by("pk").values(*PERSON_FIELDS))
    focus_windows: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for f in load_facts(rows, book=book, today=ctx.today):
        params = book.params(f.county_id)
        for std in book.standards(f.county_id):
            if std.visit_type != VisitType.FOCUS:
                continue
            for window in windows_for(
                f,
                std,
                min_days=params["min_window_days"],
                since=dt.date(2020, 1, 1),
                until=dt.date(2020, 12, 31),
            ):
                if dt.date(2020, 1, 1) <= window.end <= dt.date(2020, 12, 31):
                    focus_windows.setdefault(f.id, []).append((window.start, window.end))
    by_pk = {p.pk: p for p in cohort}
    focus_people = [by_pk[pk] for pk in sorted(focus_windows)]
    others = [p for p in cohort if p not in focus_people]
    special_people = ctx.rng.sample(others, SPECIAL_SUBJECTS_2020 - 4) + ctx.rng.sample(focus_people, 4)

    visits: list[Visit] = []
    visitors: list[list[Any]] = []

    def add(person: Person, visit_type: str, day: dt.date, **kw: Any) -> None:
        key = keys[person.squadron_id]
        worker = staff[ctx.rng.choice(SOCIAL_WORKER[key])]
        team = [worker]
        if visit_type != VisitType.ROUTINE and ctx.rng.random() < 0.5:
            team.append(staff[OFFICER[key]])
        visits.append(_visit(ctx, person, visit_type, day, worker, exported=True, **kw))
        visitors.append(team)

    for person in focus_people:
        for first, last in focus_windows[person.pk]:
            add(person, VisitType.FOCUS, _day_in(ctx, first, min(last, first + dt.timedelta(days=12))))
    # Special: event-driven visits (festivals, complaints, family events), 1-2 each.
    for person in special_people:
        start, end = spans[person.pk]
        for _ in range(ctx.rng.choice([1, 1, 2])):
            add(person, VisitType.SPECIAL, _day_in(ctx, start, end))
    # Routine: exactly 330 records spread over the cohort.
    for n in range(ROUTINE_2020):
        person = cohort[n % len(cohort)] if n < len(cohort) else ctx.rng.choice(cohort)
        start, end = spans[person.pk]
        add(person, VisitType.ROUTINE, _day_in(ctx, start, end))

    # Findings that led to interventions, recorded by the squadron officers through the services.
    decided = 0
    for person in special_people[:6]:
        key = keys[person.squadron_id]
        officer = staff[OFFICER[key]]
        start, end = spans[person.pk]
        index = next(
            i for i, v in enumerate(visits) if v.person_id == person.pk and v.visit_type == VisitType.SPECIAL
        )
        visit = visits.pop(index)
        team = visitors.pop(index)
        admonish = decided < 4
        risk = RISKS[3] if admonish else RISKS[1]
        item = (
            services.InterventionInput(
                InterventionKind.ADMONITION, "走访发现其未经批准离开居住地，经查属实，依规予以训诫。"
            )
            if admonish
            else services.InterventionInput(
                InterventionKind.HARDSHIP_HELP,
                "家中老人住院，经济压力较大，纳入困难对象名单并给予临时救助。",
                help_kind=HelpKind.CASH,
                amount=Decimal("500"),
                given_by="溆浦县司法局",
            )
        )
        if officer not in team:
            team = [officer, *team[:1]]
        data = services.VisitInput(
            visit_type=VisitType.SPECIAL,
            method=VisitMethod.FIELD_VISIT,
            field_target=FieldVisitTarget.HOME,
            visited_at=visit.visited_at,
            duration_minutes=60,
            visitors=team,
            place=person.address,
            people_met="本人、家属",
            thinking=visit.thinking,
            conduct=visit.conduct,
            family=ctx.rng.choice(FAMILY),
            work=ctx.rng.choice(WORK),
            risk_signs=list(risk[0]),
            risk_note=risk[1],
            interventions=[item],
        )
        with acting_as(officer, "cli"):
            saved = services.visit_create(actor=officer, person=person, data=data)
            # entered into the provincial system two days later, as every 2020 record was
            Visit.objects.filter(pk=saved.pk).update(
                exported_at=saved.visited_at + dt.timedelta(days=2),
                recorded_at=saved.visited_at + dt.timedelta(hours=3),
            )
            record_bulk([Visit.objects.get(pk=saved.pk)], action="update", verb="visits.demo_backdated")
        decided += 1
    with acting_as(staff["xp_admin"], "cli"):
        services.visits_bulk_write(actor=staff["xp_admin"], visits=visits, visitors=visitors)
    year_visits = Visit.objects.filter(person__in=cohort, visited_on__year=2020)
    return {
        "routine": year_visits.filter(visit_type=VisitType.ROUTINE).count(),
        "focus_subjects": year_visits.filter(visit_type=VisitType.FOCUS).values("person").distinct().count(),
        "special_subjects": year_visits.filter(visit_type=VisitType.SPECIAL)
        .values("person")
        .distinct()
        .count(),
    }


# --- the current caseload -------------------------------------------------------------------------------


def _load_current(ctx: DemoContext) -> dict[str, int]:
    staff = ctx.objects["staff"]
    keys = _squadron_keys(ctx)
    today = ctx.today
    yesterday = today - dt.timedelta(days=1)
    since = today - dt.timedelta(days=240)
    persons = list(
        Person.objects.filter(pk__in=[p.pk for p in ctx.objects["persons"]], status=Status.IN_CORRECTION)
        .select_related("squadron", "county", "township")
        .order_by("pk")
    )
    by_pk = {p.pk: p for p in persons}
    book = StandardBook()
    rows = list(Person.objects.filter(pk__in=by_pk).order_by("pk").values(*PERSON_FIELDS))
    facts = load_facts(rows, book=book, today=today)
    # Persons whose last closed focus window is left unmet: the overdue warnings of the demo.
    focus_people = [
        f.id
        for f in facts
        if by_pk[f.id].supervision_class == SupervisionClass.STRICT
        or f.new_until > today - dt.timedelta(days=40)
    ]
    overdue = set(ctx.rng.sample(focus_people, min(9, len(focus_people))))
    visits: list[Visit] = []
    visitors: list[list[Any]] = []
    for f in facts:
        person = by_pk[f.id]
        key = keys[person.squadron_id]
        params = book.params(f.county_id)
        for std in book.standards(f.county_id):
            for window in windows_for(f, std, min_days=params["min_window_days"], since=since, until=today):
                start, end = max(window.start, since), min(window.end, yesterday)
                if start > end:
                    continue
                closed = window.end < today
                last_closed_focus = (
                    closed
                    and std.visit_type == VisitType.FOCUS
                    and window.end >= today.replace(day=1) - dt.timedelta(days=1)
                )
                if f.id in overdue and last_closed_focus:
                    continue
                if f.id in overdue and std.visit_type == VisitType.FOCUS and not closed:
                    continue
                chance = 0.93 if closed else min(0.8, (today - window.start).days / 40)
                if ctx.rng.random() > chance:
                    continue
                if std.visit_type == VisitType.ROUTINE and any(
                    v.person_id == f.id and start <= v.visited_on <= end for v in visits[-6:]
                ):
                    continue  # a focus visit in the window already counts as the routine contact
                worker = staff[ctx.rng.choice(SOCIAL_WORKER[key])]
                team = [worker]
                if std.visit_type == VisitType.FOCUS and ctx.rng.random() < 0.6:
                    team.append(staff[OFFICER[key]])
                day = _day_in(ctx, start, end)
                risk = ctx.rng.choice(RISKS) if ctx.rng.random() < 0.08 else None
                visits.append(
                    _visit(
                        ctx, person, std.visit_type, day, worker, risk=risk, exported=(today - day).days > 30
                    )
                )
                visitors.append(team)
    # A few special visits (festival checks, complaints).
    for person in ctx.rng.sample(persons, min(14, len(persons))):
        key = keys[person.squadron_id]
        start = max(person.intake_on or since, since)
        if start > yesterday:
            continue
        worker = staff[ctx.rng.choice(SOCIAL_WORKER[key])]
        day = _day_in(ctx, start, yesterday)
        visits.append(_visit(ctx, person, VisitType.SPECIAL, day, worker, exported=(today - day).days > 30))
        visitors.append([worker, staff[OFFICER[key]]])
    # A person not found at home, which does not count.
    if persons:
        person = persons[len(persons) // 3]
        key = keys[person.squadron_id]
        worker = staff[ctx.rng.choice(SOCIAL_WORKER[key])]
        miss = _visit(ctx, person, VisitType.FOCUS, yesterday, worker)
        miss.outcome, miss.summary = (
            VisitOutcome.NOT_FOUND,
            "入户走访未见到本人，家属称外出务工，已电话联系要求尽快报告。",
        )
        visits.append(miss)
        visitors.append([worker])
    with acting_as(staff["xp_admin"], "cli"):
        services.visits_bulk_write(actor=staff["xp_admin"], visits=visits, visitors=visitors)
    tasks = _tasks_and_help(ctx, visits, visitors, keys)
    from jiaozheng.visits.selectors import due_for_persons

    late = {
        i.person_id
        for i in due_for_persons(Person.objects.filter(pk__in=by_pk), today=today)
        if i.status == "overdue"
    }
    return {"visits": len(visits), "overdue": len(late), "tasks": tasks}


def _tasks_and_help(
    ctx: DemoContext, visits: list[Visit], visitors: list[list[Any]], keys: dict[int, str]
) -> int:
    from jiaozheng.audit.services import record_bulk

    staff = ctx.objects["staff"]
    today = ctx.today
    tasks = []
    for visit, team in zip(visits, visitors, strict=True):
        if not visit.risk_signs:
            continue
        due = visit.visited_on + dt.timedelta(days=ctx.rng.choice([7, 10, 14, 21]))
        done = due < today - dt.timedelta(days=3) and ctx.rng.random() < 0.75
        title = {
            RiskSign.FAMILY_CONFLICT: "回访了解家庭矛盾调处情况",
            RiskSign.FINANCIAL: "协助申请临时救助",
            RiskSign.UNEMPLOYED: "推荐就业岗位或技能培训",
            RiskSign.BAD_COMPANY: "约谈本人并核查交往情况",
            RiskSign.EMOTIONAL: "安排心理咨询师跟进",
            RiskSign.SUBSTANCE: "联系家属加强监督并复访",
        }.get(visit.risk_signs[0], "回访")
        tasks.append(
            FollowUpTask(
                person_id=visit.person_id,
                visit=visit,
                title=title,
                due_on=due,
                assignee=team[0],
                status=TaskStatus.DONE if done else TaskStatus.OPEN,
                result="已回访，情况好转。" if done else "",
                created_by=team[0],
                created_at=visit.recorded_at,
                done_at=timezone.make_aware(dt.datetime.combine(due, dt.time(16, 0))) if done else None,
                done_by=team[0] if done else None,
            )
        )
    FollowUpTask.objects.bulk_create(tasks)
    helps = []
    hardship = (
        Person.objects.filter(pk__in=[p.pk for p in ctx.objects["persons"]], is_hardship=True)
        .select_related("county")
        .order_by("pk")
    )
    for person in hardship:
        start = max(person.intake_on or today, today - dt.timedelta(days=150))
        for kind, amount, material in ctx.rng.sample(
            [
                (HelpKind.CASH, Decimal("500"), ""),
                (HelpKind.MATERIAL, None, "大米25公斤、食用油5升"),
                (HelpKind.SOCIAL_ASSISTANCE, None, "协助向乡镇民政办申请低保"),
                (HelpKind.SCHOOLING, None, "联系学校减免子女校服和餐费"),
                (HelpKind.EMPLOYMENT, None, "推荐到县工业园区务工"),
            ],
            2,
        ):
            if start > today:
                continue
            key = keys[person.squadron_id]
            helps.append(
                HardshipHelp(
                    person=person,
                    kind=kind,
                    given_on=_day_in(ctx, start, today),
                    amount=amount,
                    material=material,
                    given_by=ctx.rng.choice([person.county.bureau_name, "湖南德馨社工", "村（居）委会"]),
                    note="走访掌握家庭困难情况后给予帮扶。",
                    recorded_by=staff[SOCIAL_WORKER[key][0]],
                )
            )
    HardshipHelp.objects.bulk_create(helps)
    with acting_as(staff["xp_admin"], "cli"):
        record_bulk(tasks)
        record_bulk(helps)
    return len(tasks)


def _route_plan(ctx: DemoContext) -> Any:
    staff = ctx.objects["staff"]
    squadron = ctx.objects["squadrons"]["longtan"]
    officer = staff["longtan_officer"]
    with acting_as(officer, "cli"):
        try:
            return services.route_plan_create(
                actor=officer,
                squadron=squadron,
                plan_date=ctx.today,
                teams=[[officer, staff["sw_longtan"]]],
                overrides={"time_limit_s": 1},
            )
        except ValidationError:  # nothing due in the squadron today
            return None
