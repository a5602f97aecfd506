"""Import of historical app installations (定位服务（APP安装）人次), e.g. the provider's 2020 records.

``jiaozheng import location_installs FILE`` or the page /location/installs/import/. Each row becomes an
install record (counted by the measure ``location.installs``) and a historical device, so that the
electronic-supervision rate of past dates can be computed. Imported devices have no token: they cannot
report to this platform and the lost-contact sweep leaves them alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.core.imports import Column, ImportKind, RowError, RowProblem, Units, register_import
from jiaozheng.core.roles import CHANGE, Domain, Role, role_allows
from jiaozheng.core.scoping import scope_for, scoped
from jiaozheng.location.choices import DevicePlatform, DeviceStatus, InstallKind, InstallSource

COLUMNS = [
    Column(
        "id_number", "身份证号", max_length=18, example="431224198503120012", help="身份证号或案件编号填一项"
    ),
    Column("case_number", "案件编号", max_length=32),
    Column("installed_on", "安装日期", "date", required=True, example="2026-03-12"),
    Column("ended_on", "停用日期", "date", help="卸载或停用的日期；空表示仍在使用或随解矫停用"),
    Column("platform", "定位APP", "choice", choices=DevicePlatform, example="其他", help="空则为“其他”"),
    Column("label", "手机型号", max_length=80, example="华为畅享 20"),
    Column("note", "备注", max_length=200),
]


def _begin(actor: Any, context: dict[str, Any]) -> None:
    scope = scope_for(actor)
    if not scope.unrestricted and (
        not role_allows(scope.role, Domain.LOCATION, CHANGE) or scope.role == Role.SUBJECT
    ):
        raise PermissionDenied(_("Your role may not import installation records."))
    context["seen"] = {}


def _find_person(actor: Any, row: dict[str, Any]) -> Any:
    from jiaozheng.core.fields import blind_index
    from jiaozheng.people.models import Person

    persons = scoped(Person, actor, domain=Domain.LOCATION)
    if row.get("case_number"):
        person = persons.filter(case_number=row["case_number"]).first()
        if person is None:
            raise RowProblem("case_number", _("No person with this case number in your area."))
        if outside := person.outside_correction(row["installed_on"]):
            raise RowProblem("installed_on", outside)
        return person
    if not row.get("id_number"):
        raise RowProblem("id_number", _("Give the ID number or the case number."))
    candidates = list(persons.filter(id_index=blind_index(row["id_number"].upper())).order_by("-term_start"))
    if not candidates:
        raise RowProblem("id_number", _("No person with this ID number in your area."))
    day = row["installed_on"]
    for person in candidates:  # the correction term that covers the installation
        if not person.outside_correction(day):
            return person
    # the one rule for service records, naming the person's actual period
    raise RowProblem("installed_on", candidates[0].outside_correction(day))


def _prepare(actor: Any, row: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    from jiaozheng.location.models import InstallRecord

    person = _find_person(actor, row)
    installed, ended = row["installed_on"], row.get("ended_on")
    if installed > timezone.localdate():
        raise RowProblem("installed_on", _("This date is in the future."))
    if ended is not None and ended < installed:
        raise RowProblem("ended_on", _("The app cannot be stopped before it was installed."))
    key = (person.pk, installed)
    if key in context["seen"]:
        raise RowProblem("installed_on", _("The same installation appears twice in the file."))
    context["seen"][key] = True
    if InstallRecord.objects.filter(person=person, installed_on=installed).exists():
        raise RowProblem("installed_on", _("This installation is already recorded."))
    return {
        "person": person,
        "installed_on": installed,
        "ended_on": ended,
        "platform": row.get("platform") or DevicePlatform.OTHER,
        "label": row.get("label") or "",
        "note": row.get("note") or "",
    }


def _end_of(day: dt.date) -> dt.datetime:
    tz = timezone.get_default_timezone()
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz) - dt.timedelta(seconds=1)


def _start_of(day: dt.date) -> dt.datetime:
    tz = timezone.get_default_timezone()
    return dt.datetime.combine(day, dt.time(9), tzinfo=tz)


def write_installs(actor: Any, rows: list[dict[str, Any]], context: dict[str, Any] | None = None) -> int:
    """Create the install records and their historical devices (bulk, audited with record_bulk)."""
    from jiaozheng.audit.services import record_bulk
    from jiaozheng.location.models import Device, InstallRecord

    user = actor if getattr(actor, "pk", None) else None
    rows = sorted(rows, key=lambda r: (r["person"].pk, r["installed_on"]))
    person_ids = {r["person"].pk for r in rows}
    has_install = set(
        InstallRecord.objects.filter(person_id__in=person_ids).values_list("person_id", flat=True)
    )
    active = set(
        Device.objects.filter(person_id__in=person_ids, status=DeviceStatus.ACTIVE).values_list(
            "person_id", flat=True
        )
    )
    devices, installs = [], []
    for i, row in enumerate(rows):
        person = row["person"]
        nxt = rows[i + 1] if i + 1 < len(rows) and rows[i + 1]["person"].pk == person.pk else None
        end_day = row["ended_on"] or (nxt["installed_on"] if nxt else None)
        end_day = end_day or person.released_on or person.terminated_on
        status = DeviceStatus.ENDED
        if end_day is None:
            if person.pk in active:
                end_day = timezone.localdate()
            else:
                status = DeviceStatus.ACTIVE
                active.add(person.pk)
        devices.append(
            Device(
                person=person,
                county_id=person.county_id,
                platform=row["platform"],
                label=row["label"],
                token_hash=None,
                status=status,
                enrolled_at=_start_of(row["installed_on"]),
                enrolled_by=user,
                ended_at=_end_of(end_day) if end_day else None,
                end_reason=_("Imported record") if end_day else "",
                imported=True,
            )
        )
    Device.objects.bulk_create(devices, batch_size=1000)
    for row, device in zip(rows, devices, strict=True):
        person = row["person"]
        installs.append(
            InstallRecord(
                person=person,
                county_id=person.county_id,
                installed_on=row["installed_on"],
                device=device,
                kind=InstallKind.REINSTALL if person.pk in has_install else InstallKind.FIRST,
                source=InstallSource.IMPORT,
                note=row["note"],
                recorded_by=user,
            )
        )
        has_install.add(person.pk)
    InstallRecord.objects.bulk_create(installs, batch_size=1000)
    record_bulk(devices, verb="location.import_installs")
    record_bulk(installs, verb="location.import_installs")
    return len(installs)


def _check_all(actor: Any, rows: list[tuple[int, Any]], context: dict[str, Any]) -> list[RowError]:
    return []


INSTALLS = register_import(
    ImportKind(
        kind="location_installs",
        label="定位服务（APP安装）记录",
        unit=Units.INSTALLS,
        columns=COLUMNS,
        prepare=_prepare,
        write=write_installs,
        begin=_begin,
        check_all=_check_all,
        description="历史定位APP安装记录：每行一次安装（人次），可选停用日期。",
    )
)
