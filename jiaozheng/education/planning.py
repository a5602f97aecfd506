"""The plan helper: proposes a squadron's sessions for a month.

How many: the 2-3-a-month rule (``education.sessions_per_month_min``/``_max``); the maximum when the
squadron's caseload reaches ``education.third_session_caseload``; sessions already planned or held that
month count against it (cancelled and rescheduled ones do not).

Which: sessions for a few come first, as long as one session of a month of two (two of a month of three)
stays open to everyone:
1. admission education (入矫) when new entrants have not yet attended one;
2. release education (解矫) when terms end within ``education.release_window_days``;
3. education by category (分类) for the largest offence category of the caseload with at least
   ``education.category_session_persons`` persons and ``education.category_session_share`` of it
   (危险驾驶 → traffic-safety law, 毒品 → drug prevention, 故意伤害 → managing anger ...);
4. the month's theme (March 学习雷锋精神, June 26 禁毒, December 4 宪法 ...);
5. the topic category the squadron has gone longest without.
Courses come from the county's library (least recently used first); lecturers are the squadron's social
worker, or the county's counsellor for mental health.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiaozheng.core.roles import Role
from jiaozheng.core.rules import rule
from jiaozheng.core.scoping import get_scoped_or_404
from jiaozheng.education.choices import (
    AttendanceStatus,
    EducationMode,
    EducationStage,
    LecturerKind,
    SessionStatus,
    TopicCategory,
)
from jiaozheng.education.models import Attendance, Course, Session
from jiaozheng.education.services import default_hours, month_end, month_start, visible_squadrons
from jiaozheng.orgs.models import OrgUnit, User
from jiaozheng.people.choices import OffenceCategory, Status
from jiaozheng.people.models import Person, add_months

# month -> (theme of the month, topic category, session title). Observances of the Chinese calendar year.
MONTH_THEMES: dict[int, tuple[Any, str, Any]] = {
    1: (
        gettext_lazy("Safety and the law over the New Year"),
        TopicCategory.LAW,
        gettext_lazy("Staying safe and law-abiding over the Spring Festival"),
    ),
    2: (
        gettext_lazy("Family virtues and tradition"),
        TopicCategory.CLASSICS,
        gettext_lazy("Passing on good family traditions"),
    ),
    3: (
        gettext_lazy("Learning from Lei Feng"),
        TopicCategory.RED_CULTURE,
        gettext_lazy("Learn from Lei Feng, be a civil citizen"),
    ),
    4: (
        gettext_lazy("National security and the rule of law"),
        TopicCategory.LAW,
        gettext_lazy("National Security Education Day (15 April)"),
    ),
    5: (
        gettext_lazy("Mental health"),
        TopicCategory.MENTAL_HEALTH,
        gettext_lazy("Mental Health Day (25 May): a positive mind"),
    ),
    6: (
        gettext_lazy("Drug prevention"),
        TopicCategory.ANTI_DRUG,
        gettext_lazy("International Day against Drug Abuse (26 June): drug knowledge quiz"),
    ),
    7: (
        gettext_lazy("Revolutionary tradition"),
        TopicCategory.RED_CULTURE,
        gettext_lazy("Revisiting the red classics"),
    ),
    8: (
        gettext_lazy("Summer health and safety"),
        TopicCategory.DISEASE_PREVENTION,
        gettext_lazy("Preventing summer diseases and drowning"),
    ),
    9: (
        gettext_lazy("Honesty and morality"),
        TopicCategory.ETHICS,
        gettext_lazy("Honesty and trust: a morality class"),
    ),
    10: (
        gettext_lazy("Love of the country"),
        TopicCategory.CURRENT_AFFAIRS,
        gettext_lazy("National Day: current affairs and policy"),
    ),
    11: (
        gettext_lazy("Fire safety"),
        TopicCategory.SCIENCE,
        gettext_lazy("Fire Safety Day (9 November): fire safety knowledge"),
    ),
    12: (
        gettext_lazy("The Constitution"),
        TopicCategory.LAW,
        gettext_lazy("Constitution Day (4 December): learning the Constitution"),
    ),
}

# offence category -> (topic category, title of a session by category)
OFFENCE_TOPICS: dict[str, tuple[str, Any]] = {
    OffenceCategory.DANGEROUS_DRIVING: (
        TopicCategory.LAW,
        gettext_lazy("Road traffic safety law and the harm of drink-driving"),
    ),
    OffenceCategory.TRAFFIC: (TopicCategory.LAW, gettext_lazy("Road traffic safety law and civil driving")),
    OffenceCategory.THEFT: (TopicCategory.LAW, gettext_lazy("Property crime: the law and its consequences")),
    OffenceCategory.FRAUD: (
        TopicCategory.LAW,
        gettext_lazy("Honesty and the law: fraud and its consequences"),
    ),
    OffenceCategory.ECONOMIC: (
        TopicCategory.LAW,
        gettext_lazy("Financial law: illegal fund-raising and its harm"),
    ),
    OffenceCategory.INJURY: (
        TopicCategory.MENTAL_HEALTH,
        gettext_lazy("Managing anger and settling conflicts"),
    ),
    OffenceCategory.AFFRAY: (
        TopicCategory.MENTAL_HEALTH,
        gettext_lazy("Managing anger and settling conflicts"),
    ),
    OffenceCategory.GAMBLING: (
        TopicCategory.LAW,
        gettext_lazy("Keep away from gambling, live a healthy life"),
    ),
    OffenceCategory.DRUGS: (TopicCategory.ANTI_DRUG, gettext_lazy("Drug knowledge and recovery")),
    OffenceCategory.ENVIRONMENT: (
        TopicCategory.LAW,
        gettext_lazy("Laws protecting resources and the environment"),
    ),
    OffenceCategory.DUTY: (
        TopicCategory.ETHICS,
        gettext_lazy("Integrity and the law: lessons of duty crimes"),
    ),
}

# topic category -> default session title, for the rotation
CATEGORY_TITLES: dict[str, Any] = {
    TopicCategory.ETHICS: gettext_lazy("Social morality and family virtues"),
    TopicCategory.LAW: gettext_lazy("The Community Corrections Law and your duties"),
    TopicCategory.CURRENT_AFFAIRS: gettext_lazy("Current affairs and policy"),
    TopicCategory.CLASSICS: gettext_lazy("Chinese classics: the Analects and self-cultivation"),
    TopicCategory.MENTAL_HEALTH: gettext_lazy("Stress, emotions and a healthy mind"),
    TopicCategory.DISEASE_PREVENTION: gettext_lazy("Preventing common diseases"),
    TopicCategory.GAMES: gettext_lazy("Team games: trust and cooperation"),
    TopicCategory.SCIENCE: gettext_lazy("Popular science for daily life"),
    TopicCategory.ANTI_DRUG: gettext_lazy("Drug knowledge and prevention"),
    TopicCategory.RED_CULTURE: gettext_lazy("Revisiting the red classics"),
    TopicCategory.SKILLS: gettext_lazy("Job skills and finding work"),
    TopicCategory.ADMISSION: gettext_lazy("Admission education: the rules of community correction"),
    TopicCategory.RELEASE: gettext_lazy("Release education: back to normal life"),
}
ROTATION = [
    TopicCategory.ETHICS,
    TopicCategory.LAW,
    TopicCategory.CURRENT_AFFAIRS,
    TopicCategory.CLASSICS,
    TopicCategory.MENTAL_HEALTH,
    TopicCategory.DISEASE_PREVENTION,
    TopicCategory.GAMES,
    TopicCategory.SCIENCE,
]
SLOT_DAYS = {1: [12], 2: [10, 22], 3: [8, 16, 24], 4: [6, 13, 20, 27]}
DAY_TIMES = (dt.time(9, 0), dt.time(11, 0))
REMOTE_TIMES = (dt.time(19, 30), dt.time(21, 0))


@dataclass
class Proposal:
    kind: str  # admission, release, category, theme, rotation
    title: str
    category: str
    mode: str
    stage: str
    date: dt.date
    start_time: dt.time
    end_time: dt.time
    place: str
    hours: Decimal
    reason: str
    roster: int
    course: Course | None = None
    lecturer: Any = None
    lecturer_kind: str = LecturerKind.SOCIAL_WORKER
    offence_categories: list[str] = field(default_factory=list)

    def as_data(self) -> dict[str, Any]:
        """Session data for ``services.session_create``."""
        return {
            "title": self.title,
            "category": self.category,
            "mode": self.mode,
            "stage": self.stage,
            "date": self.date,
            "start_time": self.start_time,
            "end_time": self.end_time,
            "place": self.place,
            "hours": self.hours,
            "course": self.course,
            "lecturer": self.lecturer,
            "lecturer_name": (self.lecturer.full_name or self.lecturer.username)
            if self.lecturer
            else _("To be arranged"),
            "lecturer_kind": self.lecturer_kind,
            "offence_categories": self.offence_categories,
        }


@dataclass
class OffenceShare:
    category: str
    label: str
    count: int
    share: float


@dataclass
class PlanAdvice:
    squadron: OrgUnit
    month: dt.date
    theme: str
    caseload: int
    new_entrants: int
    releasing: int
    juveniles: int
    offence_mix: list[OffenceShare]
    existing: list[Session]
    target: int
    proposals: list[Proposal]
    notes: list[str]


def _population(squadron: OrgUnit, start: dt.date, end: dt.date):
    """Persons of the squadron in correction at some time during the month."""
    return Person.objects.filter(squadron=squadron, intake_on__isnull=False, intake_on__lte=end).filter(
        Q(status=Status.IN_CORRECTION, term_end__gte=start)
        | Q(status=Status.RELEASED, released_on__gte=start)
        | Q(status=Status.TERMINATED, terminated_on__gte=start)
    )


def _month_sessions(squadron: OrgUnit, start: dt.date, end: dt.date):
    return (
        Session.objects.filter(
            Q(squadrons=squadron) | Q(county_id=squadron.county_id, squadrons__isnull=True),
            date__range=(start, end),
            status__in=[SessionStatus.PLANNED, SessionStatus.HELD],
        )
        .distinct()
        .order_by("date", "start_time")
    )


def _lecturers(squadron: OrgUnit) -> tuple[Any, Any]:
    worker = (
        User.objects.filter(is_active=True, role=Role.SOCIAL_WORKER, assignments__unit_id=squadron.pk)
        .order_by("username")
        .first()
    )
    counsellor = (
        User.objects.filter(
            is_active=True, role=Role.COUNSELLOR, assignments__unit_id__in=[squadron.pk, squadron.county_id]
        )
        .order_by("username")
        .first()
    )
    return worker, counsellor


def _dates(start: dt.date, end: dt.date, n: int, taken: set[dt.date]) -> list[dt.date]:
    """n weekdays spread over the month, after today, avoiding days that already have a session."""
    today = timezone.localdate()
    first_allowed = max(start, today + dt.timedelta(days=1)) if end >= today else start
    wanted = SLOT_DAYS.get(n) or [min(28, 1 + i * (28 // max(n, 1))) for i in range(n)]
    chosen: list[dt.date] = []
    for day_number in wanted:
        day = start.replace(day=min(day_number, end.day))
        if day < first_allowed:
            day = first_allowed
        chosen.append(_next_free(day, start, end, taken | set(chosen)))
    return sorted(chosen)


def _next_free(day: dt.date, start: dt.date, end: dt.date, taken: set[dt.date]) -> dt.date:
    for offset in range(0, 62):
        for candidate in (day + dt.timedelta(days=offset), day - dt.timedelta(days=offset)):
            if start <= candidate <= end and candidate.weekday() < 5 and candidate not in taken:
                return candidate
    return day


def plan_helper(*, actor: Any, squadron: OrgUnit | int, month: dt.date) -> PlanAdvice:
    """Propose the month's sessions for a squadron the actor sees."""
    squadron = get_scoped_or_404(visible_squadrons(actor), actor, pk=getattr(squadron, "pk", squadron))
    start, end = month_start(month), month_end(month)
    county_id = squadron.county_id
    population = _population(squadron, start, end)
    adults = population.filter(is_juvenile=False)
    caseload = population.count()
    juveniles = caseload - adults.count()

    minimum = rule("education.sessions_per_month_min", squadron)
    maximum = max(minimum, rule("education.sessions_per_month_max", squadron))
    target = maximum if caseload >= rule("education.third_session_caseload", squadron) else minimum
    existing = list(_month_sessions(squadron, start, end))
    remaining = max(0, target - len(existing))
    notes: list[str] = []

    # who needs admission and release education
    months = rule("people.new_entrant_months", squadron)
    admitted = Attendance.objects.filter(
        status=AttendanceStatus.PRESENT,
        session__status=SessionStatus.HELD,
        session__stage=EducationStage.ADMISSION,
    ).values("person_id")
    new_entrants = adults.filter(intake_on__gt=add_months(start, -months)).exclude(pk__in=admitted)
    n_new = new_entrants.count()
    window = rule("education.release_window_days", squadron)
    released = Attendance.objects.filter(
        status=AttendanceStatus.PRESENT,
        session__status=SessionStatus.HELD,
        session__stage=EducationStage.RELEASE,
    ).values("person_id")
    releasing = adults.filter(
        status=Status.IN_CORRECTION, term_end__gte=start, term_end__lte=end + dt.timedelta(days=window)
    ).exclude(pk__in=released)
    n_release = releasing.count()

    mix_counts = Counter(adults.values_list("offence_category", flat=True))
    total = sum(mix_counts.values()) or 1
    mix = [
        OffenceShare(cat, str(OffenceCategory(cat).label), n, n / total)
        for cat, n in mix_counts.most_common()
        if cat in OffenceCategory.values
    ]

    existing_stages = {s.stage for s in existing}
    existing_categories = {c for s in existing for c in (s.offence_categories or [])}
    theme_text, theme_category, theme_title = MONTH_THEMES[start.month]
    candidates: list[dict[str, Any]] = []
    if n_new and EducationStage.ADMISSION not in existing_stages:
        candidates.append(
            {
                "kind": "admission",
                "category": TopicCategory.ADMISSION,
                "stage": EducationStage.ADMISSION,
                "mode": EducationMode.CENTRALISED,
                "title": str(CATEGORY_TITLES[TopicCategory.ADMISSION]),
                "reason": _("%(n)s new entrants have not yet had admission education.") % {"n": n_new},
                "roster": n_new,
            }
        )
    if n_release and EducationStage.RELEASE not in existing_stages:
        candidates.append(
            {
                "kind": "release",
                "category": TopicCategory.RELEASE,
                "stage": EducationStage.RELEASE,
                "mode": EducationMode.CENTRALISED,
                "title": str(CATEGORY_TITLES[TopicCategory.RELEASE]),
                "reason": _("%(n)s persons finish their term by %(date)s.")
                % {"n": n_release, "date": (end + dt.timedelta(days=window)).isoformat()},
                "roster": n_release,
            }
        )
    share_needed = float(rule("education.category_session_share", squadron))
    persons_needed = rule("education.category_session_persons", squadron)
    for share in mix:
        if share.category not in OFFENCE_TOPICS or share.category in existing_categories:
            continue
        if share.count >= persons_needed and share.share >= share_needed:
            category, title = OFFENCE_TOPICS[share.category]
            candidates.append(
                {
                    "kind": "category",
                    "category": category,
                    "stage": EducationStage.ROUTINE,
                    "mode": EducationMode.BY_CATEGORY,
                    "title": str(title),
                    "offence": share.category,
                    "reason": _("%(n)s persons (%(pct)s%%) are in correction for %(offence)s.")
                    % {"n": share.count, "pct": round(share.share * 100), "offence": share.label},
                    "roster": share.count,
                }
            )
            break
    if not any(s.category == theme_category for s in existing):
        candidates.append(
            {
                "kind": "theme",
                "category": theme_category,
                "stage": EducationStage.ROUTINE,
                "mode": EducationMode.CENTRALISED,
                "title": str(theme_title),
                "reason": _("Theme of the month: %(theme)s.") % {"theme": theme_text},
                "roster": adults.count(),
            }
        )
    last_held = dict(
        Session.objects.filter(squadrons=squadron, status=SessionStatus.HELD, date__lt=start)
        .values_list("category")
        .annotate(last=Max("date"))
        .values_list("category", "last")
    )
    used = {c["category"] for c in candidates} | {s.category for s in existing}
    rotation = sorted(
        (c for c in ROTATION if c not in used),
        key=lambda c: (last_held.get(c) or dt.date.min, ROTATION.index(c)),
    )
    for category in rotation:
        last = last_held.get(category)
        candidates.append(
            {
                "kind": "rotation",
                "category": category,
                "stage": EducationStage.ROUTINE,
                "mode": EducationMode.CENTRALISED,
                "title": str(CATEGORY_TITLES[category]),
                "reason": (
                    _("Last session on this topic: %(date)s.") % {"date": last.isoformat()}
                    if last
                    else _("No session on this topic in the records yet.")
                ),
                "roster": adults.count(),
            }
        )

    # Sessions for a few (admission, release, by category) must not crowd out the sessions open to everyone:
    # keep one open session in a month of two, two in a month of three.
    special = [c for c in candidates if c["kind"] in ("admission", "release", "category")]
    general = [c for c in candidates if c["kind"] not in ("admission", "release", "category")]
    open_needed = min(len(general), 1 if remaining <= 2 else 2)
    taken = special[: max(0, remaining - open_needed)]
    chosen = taken + general[: remaining - len(taken)]
    skipped = [c for c in special if c not in taken and c["kind"] in ("admission", "release")]
    for c in skipped:
        notes.append(_("Also due: %(title)s (%(reason)s)") % {"title": c["title"], "reason": c["reason"]})
    if not remaining:
        notes.append(
            _("The month already has %(n)s sessions for this squadron; the rule asks for %(target)s.")
            % {"n": len(existing), "target": target}
        )
    if juveniles:
        notes.append(
            _("%(n)s juveniles are in correction: educate them apart from adults (a juveniles' session).")
            % {"n": juveniles}
        )
    if end < timezone.localdate():
        notes.append(_("This month is over: proposals are for recording sessions held."))

    worker, counsellor = _lecturers(squadron)
    place = (
        Session.objects.filter(
            squadrons=squadron,
            status=SessionStatus.HELD,
            mode__in=[EducationMode.CENTRALISED, EducationMode.BY_CATEGORY],
        )
        .exclude(place="")
        .order_by("-date")
        .values_list("place", flat=True)
        .first()
    ) or _("Education room of %(squadron)s") % {"squadron": squadron.name}
    taken = {s.date for s in existing}
    dates = _dates(start, end, len(chosen), taken) if chosen else []
    proposals = []
    for candidate, day in zip(chosen, dates, strict=True):
        # the month's theme keeps its own title (the officer may attach a course); the others take a course
        course = None if candidate["kind"] == "theme" else _course_for(county_id, squadron, candidate)
        lecturer, kind = worker, LecturerKind.SOCIAL_WORKER
        if candidate["category"] == TopicCategory.MENTAL_HEALTH and counsellor is not None:
            lecturer, kind = counsellor, LecturerKind.COUNSELLOR
        hours = course.default_hours if course else default_hours(*DAY_TIMES)
        end_time = (dt.datetime.combine(day, DAY_TIMES[0]) + dt.timedelta(minutes=int(hours * 60))).time()
        proposals.append(
            Proposal(
                kind=candidate["kind"],
                title=course.title if course else candidate["title"],
                category=candidate["category"],
                mode=candidate["mode"],
                stage=candidate["stage"],
                date=day,
                start_time=DAY_TIMES[0],
                end_time=end_time if end_time > DAY_TIMES[0] else DAY_TIMES[1],
                place=place,
                hours=hours,
                reason=candidate["reason"],
                roster=candidate["roster"],
                course=course,
                lecturer=lecturer,
                lecturer_kind=kind,
                offence_categories=[candidate["offence"]] if candidate.get("offence") else [],
            )
        )
    # study hours the month offers a person on no special roster, against the hours the rules require
    open_hours = sum(
        (
            s.hours
            for s in existing
            if s.stage == EducationStage.ROUTINE and not s.offence_categories and not s.for_juveniles
        ),
        Decimal("0"),
    ) + sum(
        (p.hours for p in proposals if p.stage == EducationStage.ROUTINE and not p.offence_categories),
        Decimal("0"),
    )
    needs = {
        label: Decimal(str(rule(f"education.study_hours_{cls}", squadron)))
        for cls, label in (("ordinary", _("ordinary supervision")), ("strict", _("strict supervision")))
    }
    short = {label: hours for label, hours in needs.items() if hours > open_hours}
    if short and caseload:
        notes.append(
            _(
                "Sessions open to everyone give %(h)s h of study this month; the rules ask %(need)s: add self-study "
                "or individual education."
            )
            % {
                "h": f"{open_hours.normalize():f}",
                "need": "、".join(f"{label} {hours.normalize():f} h" for label, hours in short.items()),
            }
        )
    return PlanAdvice(
        squadron=squadron,
        month=start,
        theme=str(theme_text),
        caseload=caseload,
        new_entrants=n_new,
        releasing=n_release,
        juveniles=juveniles,
        offence_mix=mix,
        existing=existing,
        target=target,
        proposals=proposals,
        notes=notes,
    )


def _course_for(county_id: int, squadron: OrgUnit, candidate: dict[str, Any]) -> Course | None:
    """The library course for a candidate: matching category (and offence), least recently used here."""
    courses = list(
        Course.objects.filter(county_id=county_id, active=True, category=candidate["category"]).annotate(
            last_used=Max("sessions__date", filter=Q(sessions__squadrons=squadron))
        )
    )
    if candidate["stage"] != EducationStage.ROUTINE:
        courses = [c for c in courses if c.stage == candidate["stage"]] or courses
    offence = candidate.get("offence")
    if offence:
        courses = [c for c in courses if offence in (c.offence_categories or [])]
    else:  # a session for everyone takes a course meant for everyone
        courses = [c for c in courses if not c.offence_categories]
    if not courses:
        return None
    return min(courses, key=lambda c: (c.last_used or dt.date.min, c.title))
