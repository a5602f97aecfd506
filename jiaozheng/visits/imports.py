"""Import of historical visit records (issue 7 item 6): ``jiaozheng import visits FILE``.

All or nothing: every row is checked (person in the importer's area and matching name, kind, method,
target, date inside the correction period, no duplicate in the file or the database) before anything is
written. Visitors are matched to staff accounts by full name or user name; names without an account are
kept as other visitors.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.core.fields import blind_index
from jiaozheng.core.imports import Column, ImportKind, RowError, RowProblem, Units, register_import
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain, role_allows
from jiaozheng.core.scoping import scope_for, scoped
from jiaozheng.people.models import Person
from jiaozheng.visits.choices import FieldVisitTarget, VisitMethod, VisitOutcome, VisitType
from jiaozheng.visits.models import Visit

COLUMNS = [
    Column("case_number", "案件编号", max_length=32, help="案件编号或身份证号至少填一项"),
    Column("id_number", "身份证号", max_length=18, example="431224198503120012"),
    Column("name", "姓名", required=True, max_length=50, example="张三", help="须与案件编号或身份证号对应"),
    Column("visit_type", "走访类型", "choice", required=True, choices=VisitType, example="日常走访"),
    Column("method", "走访方式", "choice", required=True, choices=VisitMethod, example="电话问询"),
    Column(
        "field_target",
        "走访对象",
        "choice",
        choices=FieldVisitTarget,
        example="",
        help="实地走访必填：家庭、村（社区）、学校、单位；其他方式留空",
    ),
    Column("visited_on", "走访日期", "date", required=True, example="2026-03-15"),
    Column(
        "visited_time", "走访时间", max_length=5, example="09:30", help="24 小时制，如 09:30；空则按 09:00"
    ),
    Column("outcome", "走访结果", "choice", choices=VisitOutcome, example="已走访", help="空则按已走访"),
    Column("place", "走访地点", max_length=200, example="卢峰镇城东社区"),
    Column(
        "visitors",
        "走访人员",
        required=True,
        max_length=200,
        example="周婷、张卫东",
        help="多人用顿号分隔；无账号的人员按姓名保存",
    ),
    Column("people_met", "接谈人员", max_length=300, example="本人、村主任"),
    Column("thinking", "思想动态", max_length=5000),
    Column("conduct", "现实表现", max_length=5000),
    Column("family", "家庭情况", max_length=5000),
    Column("work", "工作（学习）情况", max_length=5000),
    Column("risk_note", "风险隐患", max_length=5000),
    Column("summary", "备注", max_length=5000),
]

_SPLIT = re.compile(r"[、,，;；/\s]+")


def _begin(actor: Any, context: dict[str, Any]) -> None:
    scope = scope_for(actor)
    if not scope.unrestricted and not role_allows(scope.role, Domain.SERVICES, CHANGE):
        raise PermissionDenied(_("Your role may not import visit records."))
    context["persons"] = scoped(Person, actor, CHANGE, domain=Domain.SERVICES).select_related("county")
    from jiaozheng.orgs.models import User

    staff: dict[str, list[Any]] = {}
    counties = scope.all_county_ids
    users = User.objects.filter(is_active=True, role__in=list(STAFF_ROLES))
    if not scope.unrestricted:
        users = users.filter(assignments__unit__county_id__in=counties).distinct()
    for user in users:
        for key in {user.full_name, user.username} - {""}:
            staff.setdefault(key, []).append(user)
    context["staff"] = staff
    context["seen"] = {}


def _person(row: dict[str, Any], context: dict[str, Any]) -> Person:
    persons = context["persons"]
    case_number, id_number = row.get("case_number") or "", (row.get("id_number") or "").upper()
    if not case_number and not id_number:
        raise RowProblem("case_number", _("Give the case number or the ID number."))
    person = None
    if case_number:
        person = persons.filter(case_number=case_number).first()
        if person is None:
            raise RowProblem(
                "case_number", _("No person with case number %(v)s in your area.") % {"v": case_number}
            )
    if id_number:
        by_id = persons.filter(id_index=blind_index(id_number)).first()
        if by_id is None:
            raise RowProblem("id_number", _("No person with this ID number in your area."))
        if person is not None and by_id.pk != person.pk:
            raise RowProblem("id_number", _("The ID number belongs to another person than the case number."))
        person = by_id
    assert person is not None
    if person.name != row["name"]:
        raise RowProblem("name", _("The name does not match the record (%(n)s).") % {"n": person.name})
    return person


def _prepare(actor: Any, row: dict[str, Any], context: dict[str, Any]) -> tuple[Visit, list[Any]]:
    from jiaozheng.visits.services import VisitInput, _clean_visit, eligible_visitor

    person = _person(row, context)
    time_text = row.get("visited_time") or "09:00"
    if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", time_text):
        raise RowProblem("visited_time", _("Write the time as HH:MM."))
    hours, minutes = (int(p) for p in time_text.split(":"))
    visited_at = timezone.make_aware(dt.datetime.combine(row["visited_on"], dt.time(hours, minutes)))
    if not row.get("visited_time"):
        # A row that gives only a date means "some time that day": today's visit is not in the future
        # merely because the default hour has not come yet.
        visited_at = min(visited_at, timezone.now())
    visitors, others = [], []
    for name in [n for n in _SPLIT.split(row.get("visitors") or "") if n]:
        matches = [u for u in context["staff"].get(name, []) if eligible_visitor(u, person)]
        if len(matches) == 1:
            visitors.append(matches[0])
        else:
            others.append(name)
    data = VisitInput(
        visit_type=row["visit_type"],
        method=row["method"],
        field_target=row.get("field_target") or "",
        outcome=row.get("outcome") or VisitOutcome.COMPLETED,
        visited_at=visited_at,
        visitors=visitors,
        other_visitors="、".join(others),
        place=row.get("place") or "",
        people_met=row.get("people_met") or "",
        thinking=row.get("thinking") or "",
        conduct=row.get("conduct") or "",
        family=row.get("family") or "",
        work=row.get("work") or "",
        risk_note=row.get("risk_note") or "",
        summary=row.get("summary") or "",
    )
    try:
        clean = _clean_visit(person, data, require_visitor=False)
    except ValidationError as exc:
        columns = {"visited_at": "visited_on", "visitors": "visitors", "field_target": "field_target"}
        raise ValidationError({columns.get(k, k): v for k, v in exc.message_dict.items()})
    users = clean.pop("_visitors")
    visit = Visit(
        person=person, recorded_by=actor if getattr(actor, "pk", None) else None, imported=True, **clean
    )
    visit.full_clean(validate_unique=False)
    return visit, users


def _check_all(actor: Any, prepared: list[tuple[int, Any]], context: dict[str, Any]) -> list[RowError]:
    errors = []
    seen: dict[tuple[Any, ...], int] = {}
    keys = set()
    for row_number, (visit, _users) in prepared:
        key = (visit.person_id, visit.visited_at, visit.visit_type, visit.method)
        if key in seen:
            errors.append(RowError(row_number, "走访日期", _("Same visit as row %(r)s.") % {"r": seen[key]}))
        else:
            seen[key] = row_number
        keys.add(visit.person_id)
    existing = set(
        Visit.objects.filter(person_id__in=keys).values_list(
            "person_id", "visited_at", "visit_type", "method"
        )
    )
    for row_number, (visit, _users) in prepared:
        if (visit.person_id, visit.visited_at, visit.visit_type, visit.method) in existing:
            errors.append(RowError(row_number, "走访日期", _("This visit is already recorded.")))
    return errors


def _write(actor: Any, prepared: list[tuple[Visit, list[Any]]], context: dict[str, Any]) -> int:
    from jiaozheng.visits.services import visits_bulk_write

    return visits_bulk_write(
        actor=actor,
        visits=[v for v, _u in prepared],
        visitors=[u for _v, u in prepared],
        verb="visit.imported",
    )


VISITS = register_import(
    ImportKind(
        kind="visits",
        label="走访记录",
        unit=Units.VISITS,
        columns=COLUMNS,
        prepare=_prepare,
        write=_write,
        begin=_begin,
        check_all=_check_all,
        description="走访调查记录（日常、重点、特殊走访）。任一行有错误则整个文件不导入，并列出行号、列名和原因。",
    )
)
