"""Import of past education sessions with their attendance (kind ``education_sessions``).

One row per person on a session's roster; rows with the same 场次编号 (session key) describe one session and
must agree on its columns. A session without attendance (cancelled, or a record without a roster) is one row
with the person columns empty. All or nothing: any bad row and nothing is written (core.imports).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.audit.services import record_bulk
from jiaozheng.core.fields import blind_index
from jiaozheng.core.imports import Column, ImportKind, RowError, RowProblem, Units, register_import
from jiaozheng.core.roles import CHANGE, Domain, role_allows
from jiaozheng.core.scoping import scope_for, scoped
from jiaozheng.education.choices import (
    AttendanceMethod,
    AttendanceStatus,
    CancelReason,
    EducationMode,
    EducationStage,
    LecturerKind,
    SessionStatus,
    TopicCategory,
)
from jiaozheng.education.models import Attendance, Session
from jiaozheng.education.services import default_hours
from jiaozheng.orgs.models import OrgUnit
from jiaozheng.people.models import Person

SESSION_KEYS = (
    "date",
    "start_time",
    "end_time",
    "title",
    "category",
    "mode",
    "stage",
    "squadrons",
    "place",
    "online_link",
    "lecturer_name",
    "lecturer_kind",
    "hours",
    "max_score",
    "status",
    "cancel_reason",
)

COLUMNS = [
    Column(
        "session_key",
        "场次编号",
        required=True,
        max_length=40,
        example="2026-03-01",
        help="同一场次的各行填写相同编号（本文件内唯一即可）",
    ),
    Column("date", "日期", "date", required=True, example="2026-03-05"),
    Column("start_time", "开始时间", required=True, example="09:00", help="24 小时制"),
    Column("end_time", "结束时间", required=True, example="11:00", help="24 小时制，须晚于开始时间"),
    Column("title", "主题", required=True, max_length=120, example="学习雷锋精神 争做文明公民"),
    Column("category", "课程类别", "choice", required=True, choices=TopicCategory, example="红色经典文化"),
    Column("mode", "形式", "choice", required=True, choices=EducationMode, example="集中教育"),
    Column("stage", "阶段", "choice", choices=EducationStage, example="日常教育", help="空则为日常教育"),
    Column("squadrons", "中队", required=True, example="卢峰中队", help="多个中队用顿号或逗号分隔"),
    Column("place", "地点", max_length=200, example="卢峰中队教育室", help="地点和线上链接至少填一项"),
    Column("online_link", "线上链接", max_length=300),
    Column("lecturer_name", "授课人", required=True, max_length=50, example="周婷"),
    Column("lecturer_kind", "授课人类型", "choice", choices=LecturerKind, example="社工"),
    Column("hours", "学时", "decimal", help="空则按时长计，每半小时0.5学时"),
    Column("max_score", "测试满分", "decimal", help="有测试或考试时填写"),
    Column(
        "status",
        "状态",
        "choice",
        required=True,
        choices=SessionStatus,
        example="已开展",
        help="已开展 或 已取消",
    ),
    Column("cancel_reason", "取消原因", "choice", choices=CancelReason, help="已取消的场次必填"),
    Column(
        "id_number",
        "身份证号",
        max_length=18,
        example="431224198503120012",
        help="参加人员；空表示本行只登记场次",
    ),
    Column("person_name", "姓名", max_length=50, example="张三", help="须与身份证号对应的人员一致"),
    Column(
        "attendance", "出勤", "choice", choices=AttendanceStatus, example="出席", help="出席 / 缺席 / 请假"
    ),
    Column("score", "成绩", "decimal"),
]


def _parse_time(value: Any, column: str) -> dt.time:
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    text = str(value or "").strip()
    match = re.fullmatch(r"(\d{1,2})[:：](\d{2})(?::\d{2})?", text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise RowProblem(column, _("Not a time (HH:MM): %(v)s") % {"v": text})
    return dt.time(int(match.group(1)), int(match.group(2)))


def _begin(actor: Any, context: dict[str, Any]) -> None:
    scope = scope_for(actor)
    if not scope.unrestricted and not role_allows(scope.role, Domain.SERVICES, CHANGE):
        raise PermissionDenied(_("Your role may not import education records."))
    squadrons: dict[str, list[OrgUnit]] = defaultdict(list)
    for unit in scoped(OrgUnit, actor).filter(kind=OrgUnit.Kind.SQUADRON):
        squadrons[unit.name].append(unit)
    context["squadrons"] = squadrons
    context["persons"] = {}


def _resolve_squadrons(text: str, context: dict[str, Any]) -> list[OrgUnit]:
    names = [n.strip() for n in re.split(r"[、,，;；/]", text or "") if n.strip()]
    if not names:
        raise RowProblem("squadrons", _("Give the squadron."))
    units = []
    for name in names:
        found = context["squadrons"].get(name, [])
        if not found:
            raise RowProblem("squadrons", _("No squadron named %(n)s in your area.") % {"n": name})
        if len(found) > 1:
            raise RowProblem(
                "squadrons", _("Several squadrons are named %(n)s: import per county.") % {"n": name}
            )
        units.append(found[0])
    if len({u.county_id for u in units}) > 1:
        raise RowProblem("squadrons", _("All squadrons of a session must be in one county."))
    return units


def resolve_person(
    actor: Any, row: dict[str, Any], day: dt.date, county_id: int, context: dict[str, Any]
) -> Person:
    """The person of an ID number, in the actor's scope and county, in correction on the day (a person with
    several terms: the record of the term that holds the day)."""
    id_number = (row.get("id_number") or "").strip().upper()
    cache = context.setdefault("persons", {})
    if id_number not in cache:
        cache[id_number] = list(scoped(Person, actor).filter(id_index=blind_index(id_number)))
    persons = [p for p in cache[id_number] if p.county_id == county_id]
    if not persons:
        raise RowProblem("id_number", _("No person with this ID number in your area."))
    active = [p for p in persons if not p.outside_correction(day)]
    if not active:  # the one rule for service records, naming the person's actual period
        raise RowProblem("date", persons[0].outside_correction(day))
    person = active[0]
    name = (row.get("person_name") or "").strip()
    if name and name != person.name:
        raise RowProblem(
            "person_name", _("The name does not match the ID number (%(name)s).") % {"name": person.name}
        )
    return person


def _prepare(actor: Any, row: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    row["start_time"] = _parse_time(row["start_time"], "start_time")
    row["end_time"] = _parse_time(row["end_time"], "end_time")
    if row["end_time"] <= row["start_time"]:
        raise RowProblem("end_time", _("The session must end after it starts."))
    units = _resolve_squadrons(row["squadrons"], context)
    row["squadrons"] = tuple(sorted(u.pk for u in units))
    row["county_id"] = units[0].county_id
    row["stage"] = row.get("stage") or EducationStage.ROUTINE
    row["lecturer_kind"] = row.get("lecturer_kind") or LecturerKind.SOCIAL_WORKER
    if not row.get("place") and not row.get("online_link"):
        raise RowProblem("place", _("Give the place or the online link."))
    if row.get("online_link") and not re.match(r"https?://", row["online_link"]):
        raise RowProblem("online_link", _("Give a web address starting with http:// or https://."))
    if row["status"] not in (SessionStatus.HELD, SessionStatus.CANCELLED):
        raise RowProblem("status", _("Import past sessions: held or cancelled."))
    if row["date"] > timezone.localdate():
        raise RowProblem("date", _("This date is in the future."))
    if row["status"] == SessionStatus.CANCELLED and not row.get("cancel_reason"):
        raise RowProblem("cancel_reason", _("Give the reason of the cancellation."))
    if row["status"] == SessionStatus.HELD:
        row["cancel_reason"] = ""
    hours = row.get("hours")
    if hours is None:
        hours = default_hours(row["start_time"], row["end_time"])
    if not (Decimal("0") < hours <= Decimal("12")):
        raise RowProblem("hours", _("Between 0.5 and 12 hours."))
    row["hours"] = hours.quantize(Decimal("0.1"))
    max_score = row.get("max_score")
    if max_score is not None and not (Decimal("0") < max_score <= Decimal("1000")):
        raise RowProblem("max_score", _("Full marks must be between 1 and 1000."))
    row["person"] = None
    if row.get("id_number"):
        if row["status"] == SessionStatus.CANCELLED:
            raise RowProblem("id_number", _("A cancelled session has no attendance."))
        if not row.get("attendance") or row["attendance"] == AttendanceStatus.EXPECTED:
            raise RowProblem("attendance", _("Give the attendance: present, absent or excused."))
        row["person"] = resolve_person(actor, row, row["date"], row["county_id"], context)
        score = row.get("score")
        if score is not None:
            if row["attendance"] != AttendanceStatus.PRESENT:
                raise RowProblem("score", _("Only persons present can have a score."))
            if max_score is None or not (Decimal("0") <= score <= max_score):
                raise RowProblem("score", _("The score must be between 0 and the full marks."))
    elif row.get("attendance") or row.get("score") is not None:
        raise RowProblem("id_number", _("Give the ID number of the person."))
    return row


def _session_signature(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row.get(k) for k in SESSION_KEYS)


def _check_all(actor: Any, prepared: list[tuple[int, Any]], context: dict[str, Any]) -> list[RowError]:
    errors: list[RowError] = []
    first: dict[str, tuple[int, tuple[Any, ...]]] = {}
    seen_people: dict[tuple[str, int], int] = {}
    header = {c.key: c.header for c in COLUMNS}
    for number, row in prepared:
        signature = _session_signature(row)
        key = row["session_key"]
        if key not in first:
            first[key] = (number, signature)
        elif first[key][1] != signature:
            other = first[key][1]
            differing = [header[k] for k, a, b in zip(SESSION_KEYS, signature, other, strict=True) if a != b]
            errors.append(
                RowError(
                    number,
                    differing[0] if differing else None,
                    _("Session %(key)s is described differently in row %(row)s (%(cols)s).")
                    % {"key": key, "row": first[key][0], "cols": "、".join(differing)},
                )
            )
        if row["person"] is not None:
            pair = (key, row["person"].pk)
            if pair in seen_people:
                errors.append(
                    RowError(
                        number,
                        "身份证号",
                        _("Same person as row %(r)s of this session.") % {"r": seen_people[pair]},
                    )
                )
            else:
                seen_people[pair] = number
    # a session already on record (same squadron, date, start time and theme) is not imported twice
    for key, (number, signature) in first.items():
        row = dict(zip(SESSION_KEYS, signature, strict=True))
        exists = Session.objects.filter(
            date=row["date"], start_time=row["start_time"], title=row["title"], squadrons__in=row["squadrons"]
        ).exclude(status=SessionStatus.RESCHEDULED)
        if exists.exists():
            errors.append(
                RowError(number, "场次编号", _("Session %(key)s is already on record.") % {"key": key})
            )
    return errors


def _write(actor: Any, rows: list[dict[str, Any]], context: dict[str, Any]) -> list[tuple[int, Any]]:
    sessions: dict[str, Session] = {}
    links: list[tuple[str, tuple[int, ...]]] = []
    user = actor if getattr(actor, "pk", None) else None
    now = timezone.now()
    for row in rows:
        if row["session_key"] in sessions:
            continue
        sessions[row["session_key"]] = Session(
            county_id=row["county_id"],
            title=row["title"],
            category=row["category"],
            mode=row["mode"],
            stage=row["stage"],
            date=row["date"],
            start_time=row["start_time"],
            end_time=row["end_time"],
            place=row.get("place") or "",
            online_link=row.get("online_link") or "",
            lecturer_name=row["lecturer_name"],
            lecturer_kind=row["lecturer_kind"],
            hours=row["hours"],
            max_score=row.get("max_score"),
            status=row["status"],
            cancel_reason=row.get("cancel_reason") or "",
            created_by=user,
            held_recorded_by=user if row["status"] == SessionStatus.HELD else None,
            held_recorded_at=now if row["status"] == SessionStatus.HELD else None,
        )
        links.append((row["session_key"], row["squadrons"]))
    Session.objects.bulk_create(sessions.values())
    Through = Session.squadrons.through
    Through.objects.bulk_create(
        [Through(session_id=sessions[key].pk, orgunit_id=unit) for key, units in links for unit in units]
    )
    attendance = []
    for row in rows:
        if row["person"] is None:
            continue
        session = sessions[row["session_key"]]
        present = row["attendance"] == AttendanceStatus.PRESENT
        attendance.append(
            Attendance(
                session=session,
                county_id=session.county_id,
                person=row["person"],
                status=row["attendance"],
                method=AttendanceMethod.IMPORT,
                hours=session.hours if present else Decimal("0"),
                score=row.get("score") if present else None,
                marked_by=user,
                marked_at=now,
            )
        )
    Attendance.objects.bulk_create(attendance, batch_size=1000)
    record_bulk(list(sessions.values()), verb="education.import")
    record_bulk(attendance, verb="education.import")
    return [(len(sessions), Units.EDUCATION_SESSIONS), (len(attendance), Units.ATTENDANCE)]


SESSIONS = register_import(
    ImportKind(
        kind="education_sessions",
        label="教育学习场次及出勤",
        columns=COLUMNS,
        prepare=_prepare,
        write=_write,
        begin=_begin,
        check_all=_check_all,
        unit=Units.EDUCATION_SESSIONS,
        description="历年教育学习场次及出勤记录。每行一名参加人员，同一场次各行的场次信息须一致；"
        "任一行有错误则整个文件不导入，并列出行号、列名和原因。",
    )
)
