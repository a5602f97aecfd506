"""Demo caseload: about 330 persons in correction in 溆浦县 and 40 in 沅陵县, with realistic mixes of
correction type, class, offence, age and education, their teams, plans and some discipline records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiaozheng.audit.context import acting_as
from jiaozheng.core.demo import DEMO_PASSWORD, DemoContext, make_id_number
from jiaozheng.core.geo import county_geometry, pull_inside
from jiaozheng.core.roles import Role
from jiaozheng.orgs.services import user_create
from jiaozheng.people import services
from jiaozheng.people.choices import (
    CorrectionType,
    DisciplineKind,
    Education,
    Employment,
    OffenceCategory,
    SupervisionClass,
    TeamRole,
)
from jiaozheng.people.models import Person, add_months

ORDER = 20

SQUADRON_WEIGHTS = {
    "lufeng": 32,
    "dajiangkou": 20,
    "guanyinge": 20,
    "longtan": 18,
    "huangmaoyuan": 10,
    "yuanling_sq": 60,
    "guanzhuang": 40,
}
TYPES = [
    (CorrectionType.PROBATION, 85),
    (CorrectionType.PAROLE, 8),
    (CorrectionType.TEMPORARY_OUTSIDE, 5),
    (CorrectionType.PUBLIC_SURVEILLANCE, 2),
]
OFFENCES = [
    (OffenceCategory.DANGEROUS_DRIVING, 25, "危险驾驶罪", "拘役{m}个月，缓刑{p}个月"),
    (OffenceCategory.THEFT, 12, "盗窃罪", "有期徒刑{y}年，缓刑{py}年"),
    (OffenceCategory.INJURY, 10, "故意伤害罪", "有期徒刑{y}年，缓刑{py}年"),
    (OffenceCategory.TRAFFIC, 8, "交通肇事罪", "有期徒刑{y}年，缓刑{py}年"),
    (OffenceCategory.FRAUD, 8, "诈骗罪", "有期徒刑{y}年，缓刑{py}年"),
    (OffenceCategory.AFFRAY, 7, "寻衅滋事罪", "有期徒刑{y}年，缓刑{py}年"),
    (OffenceCategory.GAMBLING, 6, "开设赌场罪", "有期徒刑{y}年，缓刑{py}年"),
    (OffenceCategory.DRUGS, 4, "容留他人吸毒罪", "有期徒刑{y}年，缓刑{py}年"),
    (OffenceCategory.ENVIRONMENT, 8, "非法采矿罪", "有期徒刑{y}年，缓刑{py}年"),
    (OffenceCategory.DUTY, 3, "受贿罪", "有期徒刑{y}年，缓刑{py}年"),
    (OffenceCategory.ECONOMIC, 4, "非法吸收公众存款罪", "有期徒刑{y}年，缓刑{py}年"),
    (OffenceCategory.OTHER, 5, "非法狩猎罪", "有期徒刑{y}年，缓刑{py}年"),
]
EDUCATION = [
    (Education.ILLITERATE, 1),
    (Education.PRIMARY, 20),
    (Education.JUNIOR, 45),
    (Education.SENIOR, 16),
    (Education.VOCATIONAL, 6),
    (Education.COLLEGE, 8),
    (Education.BACHELOR, 4),
]
EMPLOYMENT = [
    (Employment.FARMING, 30),
    (Employment.MIGRANT, 22),
    (Employment.SELF_EMPLOYED, 16),
    (Employment.EMPLOYED, 12),
    (Employment.UNEMPLOYED, 14),
    (Employment.RETIRED, 4),
    (Employment.STUDENT, 2),
]
ETHNICITIES = [("01", 80), ("06", 8), ("12", 5), ("13", 4), ("15", 3)]


def _pick(ctx: DemoContext, weighted: list[tuple[Any, ...]]) -> Any:
    values = [w[0] for w in weighted]
    weights = [w[1] for w in weighted]
    return ctx.rng.choices(values, weights=weights)[0]


def _person_data(
    ctx: DemoContext,
    squadron_key: str,
    *,
    juvenile: bool = False,
    new_entrant: bool = False,
    pending: bool = False,
) -> dict[str, Any]:
    rng, today = ctx.rng, ctx.today
    squadron = ctx.objects["squadrons"][squadron_key]
    townships = [t for t in ctx.objects["townships"].values() if t.parent_id == squadron.pk]
    township = rng.choice(townships)
    village = rng.choice(ctx.objects["villages"][township.name])
    gender = "female" if juvenile is False and rng.random() < 0.12 else "male"
    age = rng.choice([16, 17]) if juvenile else int(rng.triangular(19, 72, 38))
    birth = today - dt.timedelta(days=age * 365 + rng.randrange(40, 320))
    ctype = CorrectionType.PROBATION if juvenile else _pick(ctx, TYPES)
    category, charge, sentence = rng.choices(
        [(o[0], o[2], o[3]) for o in OFFENCES], weights=[o[1] for o in OFFENCES]
    )[0]
    months = rng.choice([6, 8, 10, 12, 18, 24, 36, 48, 60])
    if category == OffenceCategory.DANGEROUS_DRIVING:
        months = rng.choice([2, 3, 4, 6, 8])
    if new_entrant or pending:
        start = today - dt.timedelta(days=rng.randrange(0 if pending else 5, 12 if pending else 55))
    else:
        start = today - dt.timedelta(days=rng.randrange(60, max(61, months * 30 - 20)))
    months = max(months, (today - start).days // 30 + 2)
    end = add_months(start, months) - dt.timedelta(days=1)
    intake = None if pending else min(today, start + dt.timedelta(days=rng.choice([1, 2, 3, 5, 6, 8, 9, 12])))
    county = ctx.objects["counties"][
        "xupu"
        if squadron_key in ("lufeng", "dajiangkou", "guanyinge", "longtan", "huangmaoyuan")
        else "yuanling"
    ]
    lon, lat = pull_inside(
        county_geometry(county.code),
        township.longitude + rng.gauss(0, 0.02),
        township.latitude + rng.gauss(0, 0.02),
        margin_deg=0.005,
    )
    data: dict[str, Any] = {
        "name": ctx.person_name(gender),
        "gender": gender,
        "birth_date": birth,
        "ethnicity": _pick(ctx, ETHNICITIES),
        "id_number": make_id_number(county.code, birth, gender, rng),
        "phone": ctx.phone() if rng.random() < 0.95 else "",
        "education": Education.JUNIOR if juvenile else _pick(ctx, EDUCATION),
        "employment": Employment.STUDENT if juvenile else _pick(ctx, EMPLOYMENT),
        "address": f"{county.name}{township.name}{village.name}{rng.randrange(1, 12)}组{rng.randrange(1, 60)}号",
        "squadron": squadron,
        "township": township,
        "village": village,
        "home_latitude": lat,
        "home_longitude": lon,
        "correction_type": ctype,
        "offence_category": category,
        "offence": charge,
        "sentence": sentence.format(
            m=max(1, months // 2), p=months, y=max(1, months // 24), py=max(1, months // 12)
        ),
        "deciding_authority": f"{county.name}人民法院"
        if ctype != CorrectionType.TEMPORARY_OUTSIDE
        else "湖南省网岭监狱",
        "judgment_effective_on": start,
        "term_start": start,
        "term_end": end,
        "intake_on": intake,
    }
    if intake is not None and (today - intake).days > 62:
        data["supervision_class"] = _pick(
            ctx,
            [(SupervisionClass.ORDINARY, 60), (SupervisionClass.LENIENT, 28), (SupervisionClass.STRICT, 12)],
        )
    return data


def load(ctx: DemoContext) -> None:
    staff = ctx.objects["staff"]
    persons: list[Person] = []
    plan_for = {
        "xupu": (
            "遵守社区矫正监督管理规定，按时报告，参加教育学习和公益活动。",
            "每月一次重点走访；每月参加不少于2场教育学习；心理测评一次并按结果干预。",
        ),
    }
    counts = {"xupu": 330, "yuanling": 40}
    jobs: list[tuple[str, dict[str, Any]]] = []
    xupu_keys = ["lufeng", "dajiangkou", "guanyinge", "longtan", "huangmaoyuan"]
    for i in range(counts["xupu"]):
        key = ctx.rng.choices(xupu_keys, weights=[SQUADRON_WEIGHTS[k] for k in xupu_keys])[0]
        jobs.append((key, _person_data(ctx, key, juvenile=i in (17, 141, 260), new_entrant=i % 12 == 5)))
    for _ in range(4):
        jobs.append(("lufeng", _person_data(ctx, "lufeng", pending=True)))
    for _ in range(counts["yuanling"]):
        key = ctx.rng.choice(["yuanling_sq", "guanzhuang"])
        jobs.append((key, _person_data(ctx, key)))
    officer_of = {
        "lufeng": "lufeng_officer",
        "dajiangkou": "dajiangkou_officer",
        "guanyinge": "guanyinge_officer",
        "longtan": "longtan_officer",
        "huangmaoyuan": "huangmaoyuan_officer",
        "yuanling_sq": "yl_admin",
        "guanzhuang": "yl_admin",
    }
    social_worker_of = {
        "lufeng": "sw_lufeng",
        "dajiangkou": "sw_dajiangkou",
        "guanyinge": "sw_guanyinge",
        "longtan": "sw_longtan",
        "huangmaoyuan": "sw_huangmaoyuan",
        "yuanling_sq": "sw_yuanling",
        "guanzhuang": "sw_yuanling",
    }
    for key, data in jobs:
        officer = staff[officer_of[key]]
        with acting_as(officer, "cli"):
            person = services.person_create(actor=officer, data=data)
            persons.append(person)
            if person.intake_on is None:
                continue
            if (ctx.today - person.intake_on).days > 3:
                services.person_announce(
                    actor=officer,
                    person=person,
                    announced_on=min(ctx.today, person.intake_on + dt.timedelta(days=2)),
                )
            worker = staff[social_worker_of[key]]
            services.team_member_add(
                actor=officer,
                person=person,
                name=officer.full_name,
                role=TeamRole.OFFICER,
                gender="male" if officer.full_name in ("张卫东", "李志刚", "陈勇", "杨斌") else "",
                organisation=person.squadron.name,
                user=officer,
            )
            services.team_member_add(
                actor=officer,
                person=person,
                name=worker.full_name,
                role=TeamRole.SOCIAL_WORKER,
                gender="female" if worker.full_name in ("周婷", "谢丽", "贺敏", "米芳") else "male",
                organisation="社工机构",
                user=worker,
            )
            services.team_member_add(
                actor=officer,
                person=person,
                name=ctx.person_name("male"),
                role=TeamRole.VILLAGE_COMMITTEE,
                gender="male",
                organisation=person.village.name if person.village else "",
            )
            goals, measures = plan_for["xupu"]
            made = person.intake_on + dt.timedelta(days=5)
            if made <= ctx.today:
                services.plan_create(
                    actor=officer,
                    person=person,
                    made_on=made,
                    goals=goals,
                    measures=measures,
                    next_review_on=made + dt.timedelta(days=ctx.rng.choice([60, 90, 120])),
                )
            if ctx.rng.random() < 0.06 and (ctx.today - person.intake_on).days > 30:
                services.discipline_add(
                    actor=officer,
                    person=person,
                    kind=DisciplineKind.ADMONITION,
                    reason="未按规定时间报告，经教育后改正。",
                    decided_on=ctx.today - dt.timedelta(days=ctx.rng.randrange(1, 25)),
                )
            if person.is_hardship is False and ctx.rng.random() < 0.05:
                services.hardship_set(
                    actor=officer, person=person, hardship=True, note="家庭经济困难，子女就学"
                )
    ctx.objects["cohort_2020"] = _load_cohort_2020(ctx, officer_of)
    first = next(
        p
        for p in persons
        if p.squadron_id == ctx.objects["squadrons"]["lufeng"].pk and p.intake_on and not p.is_juvenile
    )
    subject = user_create(
        actor=staff["xp_admin"],
        username="subject",
        role=Role.SUBJECT,
        full_name=first.name,
        password=DEMO_PASSWORD,
        person=first,
        validate=False,
    )
    ctx.objects["persons"] = persons
    ctx.objects["subject_user"] = subject
    ctx.logins.append((str(Role.SUBJECT.label), "subject", f"{first.name}（{first.squadron.name}）"))
    ctx.say(f"caseload: {len(persons)} persons")


COHORT_2020_SIZE = 262
ENTRANTS_2020 = 50


def _load_cohort_2020(ctx: DemoContext, officer_of: dict[str, str]) -> list[Person]:
    """The persons 溆浦县 served in the seed's contract year: in correction at some time in 2020, released since.

    50 entered in 2020 (that year's new entrants, by 20 November: the seed's 50 重点走访对象, since the
    new entrants are the persons due a focus visit every month), the rest had entered in 2018-2019 and were
    past their new-entrant period when 2020 began.
    """
    staff = ctx.objects["staff"]
    keys = ["lufeng", "dajiangkou", "guanyinge", "longtan", "huangmaoyuan"]
    cohort: list[Person] = []
    for i in range(COHORT_2020_SIZE):
        key = ctx.rng.choices(keys, weights=[SQUADRON_WEIGHTS[k] for k in keys])[0]
        officer = staff[officer_of[key]]
        entered_2020 = i % 5 == 0 and i < ENTRANTS_2020 * 5
        if entered_2020:
            start = dt.date(2020, 1, 6) + dt.timedelta(days=ctx.rng.randrange(0, 310))
            months = ctx.rng.choice([6, 8, 10, 12, 18, 24])
        else:
            start = dt.date(2018, 6, 1) + dt.timedelta(days=ctx.rng.randrange(0, 480))
            months = ctx.rng.choice([12, 18, 24, 36])
        end = max(add_months(start, months) - dt.timedelta(days=1), dt.date(2020, 1, 31))
        data = _person_data(ctx, key)
        birth = add_months(data["birth_date"], -12 * (ctx.today.year - start.year))
        intake = start + dt.timedelta(days=ctx.rng.choice([1, 2, 3, 5, 7, 9]))
        data.update(
            {
                "birth_date": birth,
                "id_number": make_id_number("431224", birth, data["gender"], ctx.rng),
                "judgment_effective_on": start,
                "term_start": start,
                "term_end": end,
                "intake_on": intake,
                "supervision_class": SupervisionClass.ORDINARY,
            }
        )
        with acting_as(officer, "cli"):
            person = services.person_create(actor=officer, data=data)
            services.person_announce(actor=officer, person=person, announced_on=intake + dt.timedelta(days=2))
            services.person_release(actor=officer, person=person, released_on=max(end, intake))
        cohort.append(person)
    return cohort
