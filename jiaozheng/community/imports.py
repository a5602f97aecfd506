"""Import of past community-service activities with their participants (kind ``community_activities``).

One row per participant; rows with the same 活动编号 (activity key) describe one activity and must agree on its
columns. Supervised persons are named by ID number; staff and other volunteers by name (matched to the
county's volunteer team when the name is registered). All or nothing (core.imports).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.audit.services import record_bulk
from jiaozheng.community.choices import (
    ActivityKind,
    ActivityStatus,
    CancelReason,
    ParticipantKind,
    ParticipationStatus,
    VenueKind,
)
from jiaozheng.community.models import Activity, Participation, Venue, Volunteer
from jiaozheng.core.imports import Column, ImportKind, RowError, RowProblem, Units, register_import
from jiaozheng.core.roles import CHANGE, Domain, role_allows
from jiaozheng.core.scoping import scope_for, scoped
from jiaozheng.education.imports import _parse_time, _resolve_squadrons, resolve_person
from jiaozheng.education.services import default_hours

ACTIVITY_KEYS = (
    "date",
    "start_time",
    "end_time",
    "theme",
    "kind",
    "squadrons",
    "venue",
    "venue_kind",
    "organiser_name",
    "hours",
    "status",
    "cancel_reason",
)

COLUMNS = [
    Column(
        "activity_key",
        "活动编号",
        required=True,
        max_length=40,
        example="2026-G001",
        help="同一活动的各行填写相同编号（本文件内唯一即可）",
    ),
    Column("date", "日期", "date", required=True, example="2026-03-12"),
    Column("start_time", "开始时间", required=True, example="08:30", help="24 小时制"),
    Column("end_time", "结束时间", required=True, example="11:30", help="24 小时制，须晚于开始时间"),
    Column("theme", "主题", required=True, max_length=120, example="创文创卫主题清扫"),
    Column("kind", "活动类型", "choice", required=True, choices=ActivityKind, example="创文创卫主题清扫"),
    Column("squadrons", "中队", required=True, example="卢峰中队", help="多个中队用顿号或逗号分隔"),
    Column(
        "venue",
        "场所",
        required=True,
        max_length=100,
        example="溆浦县敬老院",
        help="合作场所名称；未登记的按地点记录",
    ),
    Column("venue_kind", "场所类型", "choice", choices=VenueKind, help="新场所时填写，可空"),
    Column("organiser_name", "组织者", required=True, max_length=50, example="周婷"),
    Column("hours", "时长", "decimal", help="每名参与者的公益时长（小时）；空则按活动时长"),
    Column(
        "status",
        "状态",
        "choice",
        required=True,
        choices=ActivityStatus,
        example="已开展",
        help="已开展 或 已取消",
    ),
    Column("cancel_reason", "取消原因", "choice", choices=CancelReason, help="已取消的活动必填"),
    Column(
        "participant_kind",
        "参与者类型",
        "choice",
        choices=ParticipantKind,
        example="社区矫正对象",
        help="社区矫正对象 / 司法行政干部 / 社工 / 其他志愿者；空表示本行只登记活动",
    ),
    Column("id_number", "身份证号", max_length=18, example="431224198503120012", help="社区矫正对象必填"),
    Column("person_name", "姓名", max_length=50, example="张三"),
    Column(
        "participation",
        "参与情况",
        "choice",
        choices=ParticipationStatus,
        example="已参加",
        help="已参加 / 缺席 / 请假",
    ),
    Column("participant_hours", "参与时长", "decimal", help="空则为活动时长"),
]


def _begin(actor: Any, context: dict[str, Any]) -> None:
    from collections import defaultdict

    from jiaozheng.orgs.models import OrgUnit

    scope = scope_for(actor)
    if not scope.unrestricted and not role_allows(scope.role, Domain.SERVICES, CHANGE):
        raise PermissionDenied(_("Your role may not import community-service records."))
    squadrons: dict[str, list[OrgUnit]] = defaultdict(list)
    for unit in scoped(OrgUnit, actor).filter(kind=OrgUnit.Kind.SQUADRON):
        squadrons[unit.name].append(unit)
    context["squadrons"] = squadrons
    context["venues"] = {(v.county_id, v.name): v for v in scoped(Venue, actor)}
    context["volunteers"] = {(v.county_id, v.name): v for v in scoped(Volunteer, actor)}


def _prepare(actor: Any, row: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    row["start_time"] = _parse_time(row["start_time"], "start_time")
    row["end_time"] = _parse_time(row["end_time"], "end_time")
    if row["end_time"] <= row["start_time"]:
        raise RowProblem("end_time", _("The activity must end after it starts."))
    units = _resolve_squadrons(row["squadrons"], context)
    row["squadrons"] = tuple(sorted(u.pk for u in units))
    row["county_id"] = units[0].county_id
    if row["status"] not in (ActivityStatus.HELD, ActivityStatus.CANCELLED):
        raise RowProblem("status", _("Import past activities: held or cancelled."))
    if row["date"] > timezone.localdate():
        raise RowProblem("date", _("This date is in the future."))
    if row["status"] == ActivityStatus.CANCELLED and not row.get("cancel_reason"):
        raise RowProblem("cancel_reason", _("Give the reason of the cancellation."))
    if row["status"] == ActivityStatus.HELD:
        row["cancel_reason"] = ""
    hours = row.get("hours") or default_hours(row["start_time"], row["end_time"])
    if not (Decimal("0") < hours <= Decimal("12")):
        raise RowProblem("hours", _("Between 0.5 and 12 hours."))
    row["hours"] = hours.quantize(Decimal("0.1"))
    row["person"] = None
    kind = row.get("participant_kind")
    if not kind:
        if row.get("id_number") or row.get("person_name"):
            raise RowProblem("participant_kind", _("Give the participant type."))
        return row
    if row["status"] == ActivityStatus.CANCELLED:
        raise RowProblem("participant_kind", _("A cancelled activity has no participants."))
    status = row.get("participation") or ParticipationStatus.PRESENT
    if status == ParticipationStatus.INVITED:
        raise RowProblem("participation", _("Give the participation: took part, absent or excused."))
    row["participation"] = status
    part_hours = row.get("participant_hours")
    if status == ParticipationStatus.PRESENT:
        part_hours = part_hours if part_hours is not None else row["hours"]
        if not (Decimal("0") < part_hours <= Decimal("12")):
            raise RowProblem("participant_hours", _("Between 0.5 and 12 hours."))
    else:
        part_hours = Decimal("0")
    row["participant_hours"] = part_hours.quantize(Decimal("0.1"))
    if kind == ParticipantKind.SUBJECT:
        if not row.get("id_number"):
            raise RowProblem("id_number", _("Give the ID number of the supervised person."))
        row["person"] = resolve_person(actor, row, row["date"], row["county_id"], context)
        row["person_name"] = row["person"].name
    else:
        if not row.get("person_name"):
            raise RowProblem("person_name", _("Give the name of the participant."))
        row["volunteer"] = context["volunteers"].get((row["county_id"], row["person_name"]))
    return row


def _check_all(actor: Any, prepared: list[tuple[int, Any]], context: dict[str, Any]) -> list[RowError]:
    errors: list[RowError] = []
    header = {c.key: c.header for c in COLUMNS}
    first: dict[str, tuple[int, tuple[Any, ...]]] = {}
    seen: dict[tuple[str, Any], int] = {}
    for number, row in prepared:
        signature = tuple(row.get(k) for k in ACTIVITY_KEYS)
        key = row["activity_key"]
        if key not in first:
            first[key] = (number, signature)
        elif first[key][1] != signature:
            differing = [
                header[k] for k, a, b in zip(ACTIVITY_KEYS, signature, first[key][1], strict=True) if a != b
            ]
            errors.append(
                RowError(
                    number,
                    differing[0] if differing else None,
                    _("Activity %(key)s is described differently in row %(row)s (%(cols)s).")
                    % {"key": key, "row": first[key][0], "cols": "、".join(differing)},
                )
            )
        if row.get("participant_kind"):
            who = ("p", row["person"].pk) if row["person"] is not None else ("n", row["person_name"])
            if (key, who) in seen:
                errors.append(
                    RowError(
                        number,
                        "姓名",
                        _("Same participant as row %(r)s of this activity.") % {"r": seen[(key, who)]},
                    )
                )
            else:
                seen[(key, who)] = number
    for key, (number, signature) in first.items():
        row = dict(zip(ACTIVITY_KEYS, signature, strict=True))
        if Activity.objects.filter(
            date=row["date"], start_time=row["start_time"], theme=row["theme"], squadrons__in=row["squadrons"]
        ).exists():
            errors.append(
                RowError(number, "活动编号", _("Activity %(key)s is already on record.") % {"key": key})
            )
    return errors


def _write(actor: Any, rows: list[dict[str, Any]], context: dict[str, Any]) -> list[tuple[int, Any]]:
    user = actor if getattr(actor, "pk", None) else None
    now = timezone.now()
    activities: dict[str, Activity] = {}
    links = []
    new_venues: dict[tuple[int, str], Venue] = {}
    for row in rows:
        if row["activity_key"] in activities:
            continue
        venue = context["venues"].get((row["county_id"], row["venue"]))
        if venue is None and row.get("venue_kind"):
            venue = new_venues.get((row["county_id"], row["venue"]))
            if venue is None:
                venue = Venue.objects.create(
                    county_id=row["county_id"], name=row["venue"], kind=row["venue_kind"]
                )
                new_venues[(row["county_id"], row["venue"])] = venue
        activities[row["activity_key"]] = Activity(
            county_id=row["county_id"],
            venue=venue,
            place="" if venue else row["venue"],
            theme=row["theme"],
            kind=row["kind"],
            date=row["date"],
            start_time=row["start_time"],
            end_time=row["end_time"],
            hours=row["hours"],
            organiser_name=row["organiser_name"],
            status=row["status"],
            cancel_reason=row.get("cancel_reason") or "",
            created_by=user,
            held_recorded_by=user if row["status"] == ActivityStatus.HELD else None,
            held_recorded_at=now if row["status"] == ActivityStatus.HELD else None,
        )
        links.append((row["activity_key"], row["squadrons"]))
    Activity.objects.bulk_create(activities.values())
    Through = Activity.squadrons.through
    Through.objects.bulk_create(
        [Through(activity_id=activities[key].pk, orgunit_id=unit) for key, units in links for unit in units]
    )
    participations = []
    for row in rows:
        kind = row.get("participant_kind")
        if not kind:
            continue
        participations.append(
            Participation(
                activity=activities[row["activity_key"]],
                county_id=row["county_id"],
                kind=kind,
                person=row["person"],
                volunteer=row.get("volunteer"),
                name=row["person_name"],
                status=row["participation"],
                hours=row["participant_hours"],
                recorded_by=user,
                recorded_at=now,
            )
        )
    Participation.objects.bulk_create(participations, batch_size=1000)
    record_bulk(list(activities.values()), verb="community.import")
    record_bulk(participations, verb="community.import")
    counts = [(len(activities), Units.ACTIVITIES), (len(participations), Units.PARTICIPATIONS)]
    return counts + ([(len(new_venues), Units.VENUES)] if new_venues else [])


ACTIVITIES = register_import(
    ImportKind(
        kind="community_activities",
        label="社区服务活动及参与人员",
        columns=COLUMNS,
        prepare=_prepare,
        write=_write,
        begin=_begin,
        check_all=_check_all,
        unit=Units.ACTIVITIES,
        description="历年社区服务（公益）活动及参与人员。每行一名参与者，同一活动各行的活动信息须一致；"
        "任一行有错误则整个文件不导入，并列出行号、列名和原因。",
    )
)
