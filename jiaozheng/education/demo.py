"""Demo education records.

The 2020 contract year of 溆浦县 (the seed report): exactly 158 sessions held across the five squadrons, 2-3
a month per squadron area, themed by month (学法 in January, 学习雷锋精神 in March, 禁毒 with a quiz in June,
the Community Corrections Law in force in July ...), with admission and release education, sessions by
offence category and self-study; in February and March 2020 the centralised sessions were cancelled for
pandemic control (疫情防控) and replaced by remote classes. Attendance is drawn from the 2020 cohort persons
of the squadron in correction on the day.

The current year: sessions from January to last month a little behind the 13-a-month pace, this month's
sessions held before today and planned after, a remote class today for the demo subject, a session whose
outcome is still to be recorded, and next month planned through the plan helper for two squadrons.
Volume is written with bulk inserts and audited with ``record_bulk``.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile

from jiaozheng.audit.context import acting_as
from jiaozheng.audit.services import record_bulk
from jiaozheng.core.demo import SEED, DemoContext
from jiaozheng.education.choices import (
    AttendanceMethod,
    AttendanceStatus,
    CancelReason,
    EducationMode,
    EducationStage,
    LecturerKind,
    PlanStatus,
    SessionStatus,
    TopicCategory,
)
from jiaozheng.education.models import Attendance, Course, CourseMaterial, Session, ThemePlan
from jiaozheng.people.choices import Status
from jiaozheng.people.models import Person, add_months

ORDER = 30

XUPU = ["lufeng", "dajiangkou", "guanyinge", "longtan", "huangmaoyuan"]
YUANLING = ["yuanling_sq", "guanzhuang"]
SOCIAL_WORKER = {
    "lufeng": "sw_lufeng",
    "dajiangkou": "sw_dajiangkou",
    "guanyinge": "sw_guanyinge",
    "longtan": "sw_longtan",
    "huangmaoyuan": "sw_huangmaoyuan",
    "yuanling_sq": "sw_yuanling",
    "guanzhuang": "sw_yuanling",
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
PLACES = {
    "lufeng": "溆浦县社区矫正教育中心",
    "dajiangkou": "大江口中队教育学习室",
    "guanyinge": "观音阁中队教育学习室",
    "longtan": "龙潭中队教育学习室",
    "huangmaoyuan": "黄茅园中队教育学习室",
    "yuanling_sq": "沅陵县社区矫正教育中心",
    "guanzhuang": "官庄中队教育学习室",
}
REMOTE_PLACE = "钉钉直播（社区矫正学习群）"

# (title, category, stage, offence categories, hours, lecturer kind)
COURSES: list[tuple[str, str, str, list[str], str, str]] = [
    ("学习《社区矫正法》 做守法公民", "law", "routine", [], "3", "social_worker"),
    ("《社区矫正法》正式施行专题学习", "law", "routine", [], "3", "guest"),
    ("《民法典》与家庭生活", "law", "routine", [], "3", "guest"),
    ("全民国家安全教育日专题学习", "law", "routine", [], "3", "social_worker"),
    ("12·4国家宪法日：学宪法 讲宪法", "law", "routine", [], "3", "social_worker"),
    ("扫黑除恶专项斗争法律宣传", "law", "routine", [], "3", "guest"),
    ("社会公德与家庭美德", "ethics", "routine", [], "3", "social_worker"),
    ("诚实守信 道德讲堂", "ethics", "routine", [], "3", "lecturer"),
    ("学习全国两会精神", "current_affairs", "routine", [], "3", "lecturer"),
    ("国庆专题：时事政策学习", "current_affairs", "routine", [], "3", "lecturer"),
    ("国学经典：《弟子规》与修身", "classics", "routine", [], "3", "lecturer"),
    ("传承优良家风", "classics", "routine", [], "3", "lecturer"),
    ("5·25心理健康日：阳光心态", "mental_health", "routine", [], "3", "counsellor"),
    ("情绪管理与压力调适", "mental_health", "routine", ["intentional_injury", "affray"], "3", "counsellor"),
    ("新冠肺炎疫情防控知识", "disease_prevention", "routine", [], "2", "social_worker"),
    ("夏季常见病预防与防溺水", "disease_prevention", "routine", [], "3", "guest"),
    ("趣味主题游戏：信任与合作", "games", "routine", [], "3", "social_worker"),
    ("6·26国际禁毒日：禁毒知识宣传与考试", "anti_drug", "routine", ["drugs"], "3", "guest"),
    ("学习雷锋精神 争做文明公民", "red_culture", "routine", [], "3", "social_worker"),
    ("重温红色经典 传承革命精神", "red_culture", "routine", [], "3", "lecturer"),
    ("11·9消防安全知识", "science", "routine", [], "3", "guest"),
    ("防范电信网络诈骗", "science", "routine", ["fraud"], "3", "guest"),
    ("入矫教育：社区矫正监督管理规定", "admission", "admission", [], "3", "officer"),
    ("解矫教育：回归社会 重新出发", "release", "release", [], "3", "social_worker"),
    ("道路交通安全法规与酒驾危害", "law", "routine", ["dangerous_driving", "traffic_accident"], "3", "guest"),
    ("财产犯罪的法律后果", "law", "routine", ["theft", "economic"], "3", "social_worker"),
    ("远离赌博 健康生活", "law", "routine", ["gambling"], "3", "social_worker"),
    ("生态环境与资源保护法律知识", "law", "routine", ["environment"], "3", "guest"),
    ("廉洁守法：职务犯罪警示教育", "ethics", "routine", ["duty"], "3", "lecturer"),
    ("月度自学：法律法规与政策学习资料", "law", "routine", [], "3", "social_worker"),
]
# the month's theme in 2020 and in the current year: (theme, course title)
MONTHS = {
    1: ("学法守法", "学习《社区矫正法》 做守法公民"),
    2: ("疫情防控", "新冠肺炎疫情防控知识"),
    3: ("学习雷锋精神", "学习雷锋精神 争做文明公民"),
    4: ("国家安全", "全民国家安全教育日专题学习"),
    5: ("心理健康", "5·25心理健康日：阳光心态"),
    6: ("禁毒知识", "6·26国际禁毒日：禁毒知识宣传与考试"),
    7: ("社区矫正法施行", "《社区矫正法》正式施行专题学习"),
    8: ("健康与安全", "夏季常见病预防与防溺水"),
    9: ("道德与家风", "诚实守信 道德讲堂"),
    10: ("爱国主义", "国庆专题：时事政策学习"),
    11: ("消防与防诈骗", "11·9消防安全知识"),
    12: ("宪法宣传", "12·4国家宪法日：学宪法 讲宪法"),
}
ROTATION = [
    "社会公德与家庭美德",
    "国学经典：《弟子规》与修身",
    "趣味主题游戏：信任与合作",
    "情绪管理与压力调适",
    "《民法典》与家庭生活",
    "重温红色经典 传承革命精神",
    "传承优良家风",
    "学习全国两会精神",
    "扫黑除恶专项斗争法律宣传",
    "防范电信网络诈骗",
]
CATEGORY_COURSE = {
    "dangerous_driving": "道路交通安全法规与酒驾危害",
    "traffic_accident": "道路交通安全法规与酒驾危害",
    "theft": "财产犯罪的法律后果",
    "economic": "财产犯罪的法律后果",
    "fraud": "防范电信网络诈骗",
    "intentional_injury": "情绪管理与压力调适",
    "affray": "情绪管理与压力调适",
    "gambling": "远离赌博 健康生活",
    "drugs": "6·26国际禁毒日：禁毒知识宣传与考试",
    "environment": "生态环境与资源保护法律知识",
    "duty": "廉洁守法：职务犯罪警示教育",
}
SELF_STUDY_COURSE = "月度自学：法律法规与政策学习资料"
GUESTS = {
    "law": ["县人民法院 向法官", "县人民检察院 舒检察官", "县司法局法律援助中心 贺律师"],
    "disease_prevention": ["县疾控中心 李医生"],
    "science": ["县消防救援大队 王教官", "县公安局反诈中心 刘警官"],
    "anti_drug": ["县公安局禁毒大队 杨警官"],
}
TRAFFIC_GUEST = "县公安局交警大队 张警官"
SESSION_DAYS = {1: [14], 2: [9, 23], 3: [6, 15, 24], 4: [5, 12, 19, 26]}


@dataclass
class Slot:
    """One session to create: where, when, what."""

    squadron: str
    day: dt.date
    course: str
    mode: str
    stage: str = EducationStage.ROUTINE
    offence: str = ""
    status: str = SessionStatus.HELD
    cancel_reason: str = ""
    start: dt.time = dt.time(8, 30)
    end: dt.time = dt.time(11, 30)
    hours: Decimal = Decimal("3.0")
    max_score: Decimal | None = None
    place: str = ""
    note: str = ""
    others: list[str] = field(default_factory=list)  # further squadrons served
    title: str = ""  # defaults to the course title
    rescheduled_from: Slot | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Member:
    """A person as the demo needs it, loaded once."""

    pk: int
    person: Person
    squadron_id: int
    intake: dt.date
    last: dt.date
    term_end: dt.date
    offence: str
    juvenile: bool


def members_by_squadron(persons: list[Person]) -> dict[int, list[Member]]:
    out: dict[int, list[Member]] = defaultdict(list)
    for p in persons:
        if p.intake_on is None:
            continue
        if p.status == Status.RELEASED and p.released_on:
            last = p.released_on
        elif p.status == Status.TERMINATED and p.terminated_on:
            last = p.terminated_on
        else:
            last = p.term_end
        out[p.squadron_id].append(
            Member(p.pk, p, p.squadron_id, p.intake_on, last, p.term_end, p.offence_category, p.is_juvenile)
        )
    return out


def active_on(members: list[Member], day: dt.date) -> list[Member]:
    return [m for m in members if m.intake <= day <= m.last and not m.juvenile]


def month_quotas(
    ctx: DemoContext,
    squadrons: list[str],
    months: list[tuple[int, int]],
    total: int | None,
    base: dict[int, int] | None = None,
) -> dict[tuple[str, int, int], int]:
    """Held sessions per squadron and month: ``base`` per month where given, else 3; when ``total`` is given,
    the smallest squadrons drop to 2 in random months until the total matches."""
    quotas = {(s, y, m): (base or {}).get(m, 3) for s in squadrons for (y, m) in months}
    if total is not None:
        flexible = [k for k in sorted(quotas) if k[2] not in (base or {})]
        weights = {s: 1 + i for i, s in enumerate(squadrons)}  # later (smaller) squadrons drop more often
        while sum(quotas.values()) > total:
            candidates = [k for k in flexible if quotas[k] == 3]
            key = ctx.rng.choices(candidates, weights=[weights[k[0]] for k in candidates])[0]
            quotas[key] = 2
    return quotas


def _days(year: int, month: int, n: int, rng: Any) -> list[dt.date]:
    last = calendar.monthrange(year, month)[1]
    days = []
    for d in SESSION_DAYS.get(n, SESSION_DAYS[3])[:n]:
        day = dt.date(year, month, min(last, d + rng.randrange(-1, 2)))
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        days.append(min(day, dt.date(year, month, last)))
    return sorted(set(days))


def plan_month(
    ctx: DemoContext,
    squadron: str,
    members: list[Member],
    year: int,
    month: int,
    n: int,
    *,
    remote_only: bool = False,
    last_category: dict[str, str],
) -> list[Slot]:
    """The month's sessions of one squadron: two open to everyone (the month's theme, then the topic the
    squadron has gone longest without); a third, when the quota allows, for those due admission or release
    education, else by offence category in alternate months, else another open session."""
    rng = ctx.rng
    days = _days(year, month, n, rng)
    start = dt.date(year, month, 1)
    end = dt.date(year, month, calendar.monthrange(year, month)[1])
    rotation = ROTATION[(month * 3 + (XUPU + YUANLING).index(squadron)) % len(ROTATION) :] + ROTATION
    picks: list[tuple[str, str, str, str]] = [
        (MONTHS[month][1], EducationMode.CENTRALISED, EducationStage.ROUTINE, "")
    ]
    general = (rotation[0], EducationMode.CENTRALISED, EducationStage.ROUTINE, "")
    if n >= 2:
        picks.append(general)
    if n >= 3:
        newcomers = [
            m for m in members if start - dt.timedelta(days=40) < m.intake <= end - dt.timedelta(days=5)
        ]
        leaving = [m for m in members if start <= m.term_end <= end + dt.timedelta(days=20)]
        active = active_on(members, start + dt.timedelta(days=14))
        mix: dict[str, int] = defaultdict(int)
        for m in active:
            mix[m.offence] += 1
        top = sorted((c for c in mix if c in CATEGORY_COURSE and mix[c] >= 3), key=lambda c: -mix[c])
        if newcomers and month % 3 != 2:
            special = (
                "入矫教育：社区矫正监督管理规定",
                EducationMode.CENTRALISED,
                EducationStage.ADMISSION,
                "",
            )
        elif leaving and month % 2 == 1:
            special = ("解矫教育：回归社会 重新出发", EducationMode.CENTRALISED, EducationStage.RELEASE, "")
        elif top:
            offence = top[0] if last_category.get(squadron) != top[0] or len(top) == 1 else top[1]
            last_category[squadron] = offence
            special = (CATEGORY_COURSE[offence], EducationMode.BY_CATEGORY, EducationStage.ROUTINE, offence)
        else:
            special = (rotation[1], EducationMode.CENTRALISED, EducationStage.ROUTINE, "")
        picks.insert(1, special)
    slots = []
    for day, (course, mode, stage, offence) in zip(days, picks, strict=False):
        slot = Slot(squadron=squadron, day=day, course=course, mode=mode, stage=stage, offence=offence)
        if remote_only:
            slot.mode = EducationMode.REMOTE
        _times(slot, rng)
        slots.append(slot)
    return slots


def county_self_study(year: int, month: int, *, remote: bool = False, title: str = "") -> Slot:
    """The county's monthly self-study assignment (materials and a written reflection) for every squadron."""
    day = dt.date(year, month, 3)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    slot = Slot(
        squadron=XUPU[0],
        day=day,
        course=title or SELF_STUDY_COURSE,
        mode=EducationMode.REMOTE if remote else EducationMode.SELF_STUDY,
        others=XUPU[1:],
    )
    _times(slot, random.Random(month))
    if not remote:
        slot.title = f"{month}月自学：{MONTHS[month][0]}学习资料与心得"
    return slot


def _times(slot: Slot, rng: Any) -> None:
    if slot.mode == EducationMode.REMOTE:
        slot.start, slot.end, slot.hours = dt.time(19, 30), dt.time(21, 30), Decimal("2.0")
        slot.place = REMOTE_PLACE
    elif slot.mode == EducationMode.SELF_STUDY:
        slot.start, slot.end, slot.hours = dt.time(9, 0), dt.time(12, 0), Decimal("3.0")
        slot.place = "自学（学习资料发放至各人，交学习心得）"
    else:
        slot.start, slot.end = rng.choice(
            [(dt.time(8, 30), dt.time(11, 30)), (dt.time(14, 30), dt.time(17, 30))]
        )
        slot.hours = Decimal("3.0")
    if slot.course.startswith("6·26"):
        slot.max_score = Decimal("100")


def eligible(slot: Slot, members: list[Member], done: dict[str, set[int]]) -> list[Member]:
    """The roster, as services.eligible_persons computes it, in memory."""
    day = slot.day
    people = active_on(members, day)
    if slot.stage == EducationStage.ADMISSION:
        since = add_months(day, -2)
        people = [m for m in people if m.intake > since and m.pk not in done["admission"]]
    elif slot.stage == EducationStage.RELEASE:
        people = [
            m for m in people if m.term_end <= day + dt.timedelta(days=30) and m.pk not in done["release"]
        ]
    if slot.offence:
        related = [c for c, course in CATEGORY_COURSE.items() if course == CATEGORY_COURSE[slot.offence]]
        people = [m for m in people if m.offence in related]
    return people


def draw_status(rng: Any, held: bool, present: float = 0.9) -> str:
    if not held:
        return AttendanceStatus.EXPECTED
    r = rng.random()
    if r < present:
        return AttendanceStatus.PRESENT
    if r < present + (1 - present) * 0.55:
        return AttendanceStatus.EXCUSED
    return AttendanceStatus.ABSENT


def load(ctx: DemoContext) -> None:
    # An own generator, seeded from the demo seed: deterministic, and the modules loaded after this one draw
    # the same numbers whether or not this module is installed.
    ctx = dataclasses.replace(ctx, rng=random.Random(SEED * 100 + ORDER))
    staff = ctx.objects["staff"]
    with acting_as(staff["xp_admin"], "cli"):
        courses = _load_courses(ctx)
        writer = Writer(ctx, courses)
        writer.year_2020()
        writer.current_year()
        writer.flush()
    with acting_as(staff["sw_lufeng"], "cli"):
        writer.plans_next_month()
    ctx.say(
        f"education: {writer.counts['sessions']} sessions ({writer.counts['held_2020']} held in 2020 in 溆浦县), "
        f"{writer.counts['attendance']} attendance rows"
    )


def _load_courses(ctx: DemoContext) -> dict[tuple[int, str], Course]:
    from jiaozheng.education.services import course_create

    staff = ctx.objects["staff"]
    out = {}
    for key, admin in (("xupu", "xp_admin"), ("yuanling", "yl_admin")):
        county = ctx.objects["counties"][key]
        for title, category, stage, offences, hours, lecturer in COURSES:
            if key == "yuanling" and offences and offences[0] not in ("dangerous_driving", "drugs"):
                continue
            course = course_create(
                actor=staff[admin],
                county=county,
                data={
                    "title": title,
                    "category": category,
                    "stage": stage,
                    "offence_categories": offences,
                    "default_hours": Decimal(hours),
                    "lecturer_kind": lecturer,
                    "summary": f"{title}。课程内容结合社区矫正对象实际，讲授与讨论相结合，课后布置学习心得。",
                    "active": True,
                },
            )
            out[(county.pk, title)] = course
    # handouts for a few courses (plain text, as a bureau would keep them)
    county = ctx.objects["counties"]["xupu"]
    for title in (
        "学习《社区矫正法》 做守法公民",
        "入矫教育：社区矫正监督管理规定",
        "6·26国际禁毒日：禁毒知识宣传与考试",
    ):
        course = out[(county.pk, title)]
        text = (
            f"{title}\n\n一、学习目的\n二、主要内容\n三、讨论题\n四、课后作业：撰写学习心得一篇。\n".encode()
        )
        material = CourseMaterial(
            course=course,
            name=f"{title}（讲义）.txt",
            content_type="text/plain; charset=utf-8",
            size=len(text),
            sha256=hashlib.sha256(text).hexdigest(),
            uploaded_by=staff["xp_admin"],
        )
        material.file.save("handout.txt", ContentFile(text), save=False)
        material.save()
    return out


class Writer:
    """Collects sessions, rosters and plans, then writes them with bulk inserts."""

    def __init__(self, ctx: DemoContext, courses: dict[tuple[int, str], Course]):
        self.ctx = ctx
        self.courses = courses
        self.sessions: list[Session] = []
        self.squadron_of: list[list[int]] = []
        self.attendance: list[Attendance] = []
        self.plans: dict[tuple[int, dt.date], ThemePlan] = {}
        self.plan_of: list[tuple[int, dt.date] | None] = []
        self.counts = defaultdict(int)
        self.done: dict[int, dict[str, set[int]]] = defaultdict(
            lambda: {"admission": set(), "release": set()}
        )
        self.last_category: dict[str, str] = {}

    # -- building --------------------------------------------------------------------------------------

    def add(self, slot: Slot, members: list[Member]) -> Session:
        """Queue one session with its plan and roster (``members``: persons of all its squadrons)."""
        ctx, rng = self.ctx, self.ctx.rng
        squadron = ctx.objects["squadrons"][slot.squadron]
        units = [squadron] + [ctx.objects["squadrons"][k] for k in slot.others]
        county_id = squadron.county_id
        course = self.courses.get((county_id, slot.course))
        staff = ctx.objects["staff"]
        worker = staff[SOCIAL_WORKER[slot.squadron]]
        kind = course.lecturer_kind if course else LecturerKind.SOCIAL_WORKER
        lecturer, name = worker, worker.full_name
        if kind == LecturerKind.COUNSELLOR and county_id == ctx.objects["counties"]["xupu"].pk:
            lecturer = staff["counsellor"]
            name = lecturer.full_name
        elif kind == LecturerKind.OFFICER:
            lecturer = staff[OFFICER[slot.squadron]]
            name = lecturer.full_name
        elif kind == LecturerKind.GUEST:
            category = course.category if course else "law"
            pool = [TRAFFIC_GUEST] if "交通" in slot.course else GUESTS.get(category, GUESTS["law"])
            lecturer, name = None, rng.choice(pool)
        elif kind == LecturerKind.LECTURER:
            lecturer, name = None, "德馨社工 专职讲师 罗老师"
        held = slot.status == SessionStatus.HELD
        related = sorted(
            {c for c, t in CATEGORY_COURSE.items() if slot.offence and t == CATEGORY_COURSE[slot.offence]}
        )
        session = Session(
            county_id=county_id,
            title=slot.title or slot.course,
            category=course.category if course else TopicCategory.LAW,
            course=course,
            mode=slot.mode,
            stage=slot.stage,
            offence_categories=related,
            date=slot.day,
            start_time=slot.start,
            end_time=slot.end,
            place=slot.place or PLACES[slot.squadron],
            lecturer=lecturer,
            lecturer_name=name,
            lecturer_kind=kind,
            hours=slot.hours,
            max_score=slot.max_score,
            status=slot.status,
            cancel_reason=slot.cancel_reason,
            cancel_note=slot.note,
            summary=("按计划开展，学员认真听讲并参与讨论，课后布置学习心得。" if held else ""),
            created_by=worker,
            held_recorded_by=worker if held else None,
            held_recorded_at=ctx_time(slot.day, slot.end) if held else None,
        )
        self.sessions.append(session)
        self.squadron_of.append([u.pk for u in units])
        month = slot.day.replace(day=1)
        key = (squadron.pk, month)
        if key not in self.plans:
            self.plans[key] = ThemePlan(
                county_id=county_id,
                squadron=squadron,
                month=month,
                theme=MONTHS[slot.day.month][0],
                notes="社工策划，中队审核。",
                status=PlanStatus.APPROVED,
                approved_by=staff[OFFICER[slot.squadron]],
                approved_at=ctx_time(month, dt.time(9, 0)),
                created_by=worker,
            )
        self.plan_of.append(key if not slot.others else None)
        if slot.status in (SessionStatus.HELD, SessionStatus.PLANNED):
            present_rate = 0.95 if slot.mode == EducationMode.SELF_STUDY else 0.9
            for m in eligible(slot, members, self.done[county_id]):
                status = draw_status(rng, held, present_rate)
                score = (
                    Decimal(rng.randrange(62, 101))
                    if status == AttendanceStatus.PRESENT and slot.max_score
                    else None
                )
                remote_present = (
                    held and slot.mode == EducationMode.REMOTE and status == AttendanceStatus.PRESENT
                )
                self.attendance.append(
                    Attendance(
                        session=session,
                        county_id=county_id,
                        person=m.person,
                        status=status,
                        method=AttendanceMethod.SELF if remote_present else AttendanceMethod.ROSTER,
                        hours=slot.hours if status == AttendanceStatus.PRESENT else Decimal("0"),
                        score=score,
                        checked_in_at=ctx_time(slot.day, slot.start) if remote_present else None,
                        marked_by=session.created_by if held else None,
                        marked_at=ctx_time(slot.day, slot.end) if held else None,
                    )
                )
                if status == AttendanceStatus.PRESENT and slot.stage in ("admission", "release"):
                    self.done[county_id][slot.stage].add(m.pk)
        self.counts["sessions"] += 1
        return session

    def year_2020(self) -> None:
        """158 held: 11 for the whole county (remote in February and March, then monthly self-study) and
        147 by squadron: three each in January, one remote each in February (the rest cancelled for
        pandemic control), one each in late March, then 2-3 a month."""
        ctx = self.ctx
        members = members_by_squadron(ctx.objects["cohort_2020"])
        everyone = [m for key in XUPU for m in members[ctx.objects["squadrons"][key].pk]]
        quotas = month_quotas(ctx, XUPU, [(2020, m) for m in range(4, 13)], total=122)
        self.add(county_self_study(2020, 2, remote=True, title="学习《社区矫正法》 做守法公民"), everyone)
        self.sessions[-1].title = "学习《社区矫正法》（全县线上直播）"
        self.add(county_self_study(2020, 3, remote=True, title="学习雷锋精神 争做文明公民"), everyone)
        self.sessions[-1].date = dt.date(2020, 3, 5)
        for month in range(4, 13):
            self.add(county_self_study(2020, month), everyone)
        rescheduled = 0
        for month in range(1, 13):
            for key in XUPU:
                group = members[ctx.objects["squadrons"][key].pk]
                if month == 1:
                    slots = plan_month(ctx, key, group, 2020, 1, 3, last_category=self.last_category)
                elif month == 2:
                    # the centralised sessions planned in January, cancelled for pandemic control
                    for day, course in (
                        (dt.date(2020, 2, 12), ROTATION[XUPU.index(key)]),
                        (dt.date(2020, 2, 20), "传承优良家风"),
                    ):
                        self.add(
                            Slot(
                                key,
                                day,
                                course,
                                EducationMode.CENTRALISED,
                                status=SessionStatus.CANCELLED,
                                cancel_reason=CancelReason.PANDEMIC,
                                note="按疫情防控要求暂停聚集性活动",
                            ),
                            group,
                        )
                    slots = plan_month(
                        ctx, key, group, 2020, 2, 1, remote_only=True, last_category=self.last_category
                    )
                elif month == 3:
                    self.add(
                        Slot(
                            key,
                            dt.date(2020, 3, 4),
                            "社会公德与家庭美德",
                            EducationMode.CENTRALISED,
                            status=SessionStatus.CANCELLED,
                            cancel_reason=CancelReason.PANDEMIC,
                            note="疫情防控期间暂缓，改为远程授课",
                        ),
                        group,
                    )
                    slot = Slot(key, dt.date(2020, 3, 26), "情绪管理与压力调适", EducationMode.CENTRALISED)
                    _times(slot, ctx.rng)
                    slots = [slot]
                else:
                    slots = plan_month(
                        ctx,
                        key,
                        group,
                        2020,
                        month,
                        quotas[(key, 2020, month)],
                        last_category=self.last_category,
                    )
                for slot in slots:
                    if (
                        month in (5, 9)
                        and rescheduled < 2
                        and slot.stage == EducationStage.ROUTINE
                        and key == XUPU[rescheduled * 2]
                    ):
                        moved = Slot(
                            key,
                            slot.day - dt.timedelta(days=2),
                            slot.course,
                            slot.mode,
                            status=SessionStatus.RESCHEDULED,
                            cancel_reason=CancelReason.WEATHER,
                            note="暴雨，道路受阻，改期举行",
                        )
                        _times(moved, ctx.rng)
                        self.add(moved, group)
                        rescheduled += 1
                        held = self.add(slot, group)
                        self.sessions[-2].rescheduled_to_obj = held  # type: ignore[attr-defined]
                        continue
                    self.add(slot, group)
        self.counts["held_2020"] = sum(
            1 for s in self.sessions if s.status == SessionStatus.HELD and s.date.year == 2020
        )
        if self.counts["held_2020"] != 158:  # the seed report's figure; the quotas above guarantee it
            raise RuntimeError(f"demo 2020: {self.counts['held_2020']} sessions held instead of 158")

    def current_year(self) -> None:
        """January to last month a little behind the 13-a-month pace; this month held before today and
        planned after; a session still awaiting its outcome; a remote class today for the demo subject."""
        ctx = self.ctx
        today = ctx.today
        members = members_by_squadron([p for p in ctx.objects["persons"] if p.intake_on])
        everyone = [m for key in XUPU for m in members[ctx.objects["squadrons"][key].pk]]
        months = list(range(1, today.month))
        quotas = {(k, m): (3 if ctx.rng.random() < 0.2 else 2) for k in XUPU for m in months}
        for month in range(1, today.month + 1):
            if month in (4, 9):  # a live lecture for the whole county instead of the month's self-study
                slot = county_self_study(today.year, month, remote=True, title=MONTHS[month][1])
                slot.title = f"{MONTHS[month][1]}（全县线上直播）"
            else:
                slot = county_self_study(today.year, month)
            if slot.day >= today:
                slot.status = SessionStatus.PLANNED
            self.add(slot, everyone)
            for key in XUPU + YUANLING:
                group = members[ctx.objects["squadrons"][key].pk]
                n = quotas.get((key, month), 2) if month < today.month else (3 if key in XUPU else 2)
                for slot in plan_month(
                    ctx, key, group, today.year, month, n, last_category=self.last_category
                ):
                    if slot.day >= today:
                        slot.status = SessionStatus.PLANNED
                    self.add(slot, group)
        last_day = today - dt.timedelta(days=1)
        while last_day.weekday() >= 5:
            last_day -= dt.timedelta(days=1)
        dajiangkou = members[ctx.objects["squadrons"]["dajiangkou"].pk]
        self.add(
            Slot(
                "dajiangkou",
                last_day,
                "趣味主题游戏：信任与合作",
                EducationMode.CENTRALISED,
                status=SessionStatus.PLANNED,
                start=dt.time(14, 30),
                end=dt.time(17, 30),
            ),
            dajiangkou,
        )
        lufeng = members[ctx.objects["squadrons"]["lufeng"].pk]
        self.add(
            Slot(
                "lufeng",
                today,
                "《民法典》与家庭生活",
                EducationMode.REMOTE,
                status=SessionStatus.PLANNED,
                start=dt.time(8, 0),
                end=dt.time(22, 0),
                hours=Decimal("2.0"),
                place="远程授课（录播，当日可随时观看并签到）",
                title="《民法典》与家庭生活（远程录播课）",
            ),
            lufeng,
        )
        self.sessions[-1].online_link = "https://live.xupu-sfj.gov.cn/class/minfadian"

    def flush(self) -> None:
        """Write plans, sessions, squadron links and rosters in bulk, then audit them."""
        plans = list(self.plans.values())
        ThemePlan.objects.bulk_create(plans)
        for session, key in zip(self.sessions, self.plan_of, strict=True):
            session.plan = self.plans[key] if key is not None else None
        Session.objects.bulk_create(self.sessions, batch_size=500)
        moved = []
        for session in self.sessions:
            target = getattr(session, "rescheduled_to_obj", None)
            if target is not None:
                session.rescheduled_to = target
                moved.append(session)
        if moved:
            Session.objects.bulk_update(moved, ["rescheduled_to"])
        Through = Session.squadrons.through
        Through.objects.bulk_create(
            [
                Through(session_id=s.pk, orgunit_id=u)
                for s, units in zip(self.sessions, self.squadron_of, strict=True)
                for u in units
            ],
            batch_size=2000,
        )
        Attendance.objects.bulk_create(self.attendance, batch_size=2000)
        record_bulk(plans, verb="demo")
        record_bulk(self.sessions, verb="demo")
        record_bulk(self.attendance, verb="demo")
        self.counts["attendance"] = len(self.attendance)

    def plans_next_month(self) -> None:
        """Next month planned with the plan helper (through the services) for two squadrons."""
        from jiaozheng.education.planning import plan_helper
        from jiaozheng.education.services import plan_apply

        ctx = self.ctx
        month = add_months(ctx.today.replace(day=1), 1)
        for key, user in (("lufeng", "sw_lufeng"), ("dajiangkou", "sw_dajiangkou")):
            actor = ctx.objects["staff"][user]
            with acting_as(actor, "cli"):
                advice = plan_helper(actor=actor, squadron=ctx.objects["squadrons"][key], month=month)
                items = [p.as_data() for p in advice.proposals]
                if items:
                    plan_apply(
                        actor=actor, squadron=advice.squadron, month=month, theme=advice.theme, items=items
                    )
                    self.counts["sessions"] += len(items)


def ctx_time(day: dt.date, time: dt.time) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, time))
