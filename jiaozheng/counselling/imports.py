"""Import templates of counselling (``jiaozheng import KIND FILE``): historical cases and group sessions.

- ``counselling_cases``: one row per individual case, with its sessions as a list of dates; closed cases
  carry their closing date, outcome and summary. Persons are matched by ID number within the importer's
  area (they may have left correction since).
- ``group_sessions``: one row per held group session with the ID numbers of those present. A group
  named in the file that does not exist yet in the county is created with the persons present as members.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.core.fields import blind_index
from jiaozheng.core.imports import Column, ImportKind, RowError, RowProblem, Units, register_import
from jiaozheng.core.roles import CHANGE, Domain, Role, role_allows
from jiaozheng.core.scoping import scope_for, scoped
from jiaozheng.counselling.choices import CaseOutcome, CaseStatus, SessionMode


def _require(actor: Any) -> None:
    scope = scope_for(actor)
    if scope.unrestricted or scope.role == Role.BUREAU_ADMIN:  # the administrator brings in the county's past
        return
    if not role_allows(scope.role, Domain.COUNSELLING_NOTES, CHANGE):
        raise PermissionDenied(
            _("Only counsellors and the bureau administrator may import counselling records.")
        )


def _persons(actor: Any, context: dict[str, Any]) -> None:
    from jiaozheng.people.models import Person

    context["persons"] = {
        p.id_index: p
        for p in scoped(Person, actor).only("pk", "name", "id_index", "county_id", *Person.TERM_FIELDS)
    }


def _person(context: dict[str, Any], id_number: str, name: str = "", column: str = "id_number") -> Any:
    person = context["persons"].get(blind_index(id_number))
    if person is None:
        raise RowProblem(
            column,
            _("No person with ID number %(n)s in your area.")
            % {"n": id_number[-4:].rjust(len(id_number), "*")},
        )
    if name and name.strip() != person.name:
        raise RowProblem(
            "name", _("The name does not match the person with this ID number (%(n)s).") % {"n": person.name}
        )
    return person


def _dates(text: str, column: str) -> list[dt.date]:
    out = []
    for part in (text or "").replace("；", ";").replace("，", ";").replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        try:
            out.append(dt.date.fromisoformat(part.replace("/", "-")))
        except ValueError:
            raise RowProblem(column, _("Not a date (YYYY-MM-DD): %(v)s") % {"v": part})
    return out


# --- cases -------------------------------------------------------------------------------------------------

CASE_COLUMNS = [
    Column("id_number", "身份证号", required=True, max_length=18, example="431224198503120012"),
    Column("name", "姓名", required=True, max_length=50, example="张三"),
    Column("opened_on", "开案日期", "date", required=True, example="2026-04-10"),
    Column("problem", "主诉问题", required=True, example="情绪低落、失眠"),
    Column("goals", "辅导目标", required=True, example="改善睡眠，建立支持系统"),
    Column(
        "sessions",
        "辅导日期",
        help="各次辅导日期，用分号隔开，如 2020-04-10;2020-04-24",
        example="2026-04-10;2026-04-24",
    ),
    Column("minutes", "每次时长（分钟）", "int", example="50"),
    Column("closed_on", "结案日期", "date"),
    Column("outcome", "结案结果", "choice", choices=CaseOutcome, help="目标达成 / 有所改善 / ……"),
    Column("summary", "结案小结"),
]


def _case_begin(actor: Any, context: dict[str, Any]) -> None:
    _require(actor)
    _persons(actor, context)


def _case_prepare(actor: Any, row: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    person = _person(context, row["id_number"], row["name"])
    today = timezone.localdate()
    if row["opened_on"] > today:
        raise RowProblem("opened_on", _("This date is in the future."))
    if outside := person.outside_correction(row["opened_on"]):
        raise RowProblem("opened_on", outside)
    sessions = _dates(row.get("sessions") or "", "sessions")
    if any(d < row["opened_on"] or d > today for d in sessions):
        raise RowProblem("sessions", _("Session dates must lie between the opening and today."))
    for day in sessions:
        if outside := person.outside_correction(day):
            raise RowProblem("sessions", outside)
    minutes = row.get("minutes") or 50
    if not 5 <= minutes <= 480:
        raise RowProblem("minutes", _("A session lasts 5 to 480 minutes."))
    closed = row.get("closed_on")
    if closed:
        if closed < row["opened_on"] or closed > today:
            raise RowProblem("closed_on", _("The closing date must lie between the opening and today."))
        if not row.get("outcome"):
            raise RowProblem("outcome", _("A closed case needs its outcome."))
        if any(d > closed for d in sessions):
            raise RowProblem("sessions", _("A session is after the closing date."))
    elif row.get("outcome"):
        raise RowProblem("closed_on", _("Give the closing date of the outcome."))
    return {**row, "person": person, "sessions": sessions, "minutes": minutes}


def _case_check(actor: Any, rows: list[tuple[int, Any]], context: dict[str, Any]) -> list[RowError]:
    from jiaozheng.counselling.models import CounsellingCase

    errors = []
    open_now = set(CounsellingCase.objects.filter(status=CaseStatus.OPEN).values_list("person_id", flat=True))
    seen: dict[int, int] = {}
    for number, row in rows:
        if row.get("closed_on"):
            continue
        pid = row["person"].pk
        if pid in open_now:
            errors.append(RowError(number, "身份证号", _("This person already has an open case.")))
        elif pid in seen:
            errors.append(
                RowError(
                    number, "身份证号", _("Same person as row %(r)s with an open case.") % {"r": seen[pid]}
                )
            )
        seen[pid] = number
    return errors


def _case_write(actor: Any, rows: list[dict[str, Any]], context: dict[str, Any]) -> list[tuple[int, Any]]:
    from jiaozheng.audit.services import record_bulk
    from jiaozheng.counselling.models import CaseSession, CounsellingCase

    user = actor if getattr(actor, "pk", None) else None
    # the importing counsellor holds the cases; brought in by the administrator, they await a counsellor
    counsellor = user if getattr(user, "role", None) == Role.COUNSELLOR else None
    cases = CounsellingCase.objects.bulk_create(
        [
            CounsellingCase(
                person=row["person"],
                counsellor=counsellor,
                opened_on=row["opened_on"],
                opened_by=user,
                presenting_problem=row["problem"],
                goals=row["goals"],
                status=CaseStatus.CLOSED if row.get("closed_on") else CaseStatus.OPEN,
                closed_on=row.get("closed_on"),
                outcome=row.get("outcome") or "",
                closing_summary=row.get("summary") or "",
                closed_by=user if row.get("closed_on") else None,
            )
            for row in rows
        ]
    )
    record_bulk(cases)
    sessions = CaseSession.objects.bulk_create(
        [
            CaseSession(
                case=case,
                held_on=day,
                minutes=row["minutes"],
                mode=SessionMode.IN_PERSON,
                counsellor=counsellor,
            )
            for case, row in zip(cases, rows, strict=True)
            for day in row["sessions"]
        ]
    )
    record_bulk(sessions)
    return [(len(cases), Units.CASES), (len(sessions), Units.CASE_SESSIONS)]


register_import(
    ImportKind(
        kind="counselling_cases",
        label="个案心理辅导记录",
        columns=CASE_COLUMNS,
        prepare=_case_prepare,
        write=_case_write,
        begin=_case_begin,
        check_all=_case_check,
        unit=Units.CASES,
        description="个案心理辅导：每行一个个案，辅导日期用分号隔开；已结案的填写结案日期、结果和小结。保密记录不经导入。",
    )
)


# --- group sessions -----------------------------------------------------------------------------------------

SESSION_COLUMNS = [
    Column("group", "小组名称", required=True, max_length=80, example="2026年第一期情绪调适小组"),
    Column("held_on", "日期", "date", required=True, example="2026-06-18"),
    Column("topic", "主题", required=True, max_length=200, example="认识情绪"),
    Column("place", "地点", max_length=120, example="县司法局心理咨询室"),
    Column("minutes", "时长（分钟）", "int", example="90"),
    Column("present", "出席人员身份证号", required=True, example="431224198503120012", help="用分号隔开"),
    Column("summary", "活动小结"),
]


def _session_begin(actor: Any, context: dict[str, Any]) -> None:
    from jiaozheng.counselling.models import CounsellingGroup

    _require(actor)
    _persons(actor, context)
    context["groups"] = {g.name: g for g in scoped(CounsellingGroup, actor)}


def _session_prepare(actor: Any, row: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    if row["held_on"] > timezone.localdate():
        raise RowProblem("held_on", _("This date is in the future."))
    minutes = row.get("minutes") or 90
    if not 15 <= minutes <= 480:
        raise RowProblem("minutes", _("A session lasts 15 to 480 minutes."))
    present = []
    for part in row["present"].replace("；", ";").replace(",", ";").split(";"):
        if part.strip():
            present.append(_person(context, part.strip().upper(), column="present"))
    if not present:
        raise RowProblem("present", _("List who was present."))
    for person in present:
        if outside := person.outside_correction(row["held_on"]):
            raise RowProblem("present", outside)
    counties = {p.county_id for p in present}
    group = context["groups"].get(row["group"])
    if group is not None and counties - {group.county_id}:
        raise RowProblem("present", _("Some persons present belong to another county than the group."))
    if len(counties) > 1:
        raise RowProblem("present", _("The persons present belong to several counties."))
    return {**row, "present": present, "minutes": minutes, "county_id": counties.pop()}


def _session_write(actor: Any, rows: list[dict[str, Any]], context: dict[str, Any]) -> list[tuple[int, Any]]:
    from jiaozheng.audit.services import record_bulk
    from jiaozheng.counselling.models import CounsellingGroup, GroupAttendance, GroupMember, GroupSession

    user = actor if getattr(actor, "pk", None) else None
    groups = dict(context["groups"])
    made = []
    attended = new_groups = joined = 0
    for row in rows:
        group = groups.get(row["group"])
        if group is None:
            group = CounsellingGroup.objects.create(
                county_id=row["county_id"],
                name=row["group"],
                theme=row["topic"],
                facilitator=user,
                profile=_("Imported group"),
            )
            groups[row["group"]] = group
            new_groups += 1
        session = GroupSession.objects.create(
            group=group,
            held_on=row["held_on"],
            topic=row["topic"],
            place=row.get("place") or "",
            minutes=row["minutes"],
            status="held",
            facilitator=user,
            summary=row.get("summary") or "",
        )
        members = set(group.members.values_list("person_id", flat=True))
        new_members = GroupMember.objects.bulk_create(
            [
                GroupMember(group=group, person=p, added_on=row["held_on"])
                for p in row["present"]
                if p.pk not in members
            ]
        )
        record_bulk(new_members)
        joined += len(new_members)
        attendance = GroupAttendance.objects.bulk_create(
            [
                GroupAttendance(session=session, person=p, present=True)
                for p in {p.pk: p for p in row["present"]}.values()
            ]
        )
        record_bulk(attendance)
        attended += len(attendance)
        made.append(session)
    counts = [(len(made), Units.GROUP_SESSIONS), (attended, Units.ATTENDANCE)]
    return counts + [
        (n, unit) for n, unit in ((new_groups, Units.GROUPS), (joined, Units.GROUP_MEMBERS)) if n
    ]


register_import(
    ImportKind(
        kind="group_sessions",
        label="团体心理辅导场次",
        columns=SESSION_COLUMNS,
        prepare=_session_prepare,
        write=_session_write,
        begin=_session_begin,
        unit=Units.GROUP_SESSIONS,
        description="团体心理辅导：每行一场已开展的活动及出席人员；文件中的新小组名称将在出席人员所在县新建小组。",
    )
)
