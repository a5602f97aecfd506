"""XLSX export of visit records in a documented, configurable column layout (docs/visits.md).

A mapping file under ``data/export/<name>.yaml`` lists the columns: the header, the field it shows, an
optional column width and an optional table of code values (``{routine: 日常走访}``); without a table, a
coded field shows its Chinese label. ``visits.export_mapping`` chooses the file per province or county.
Exports are written in Chinese whatever the reader's language, because they are re-entered into the
provincial system. Full ID numbers appear only for the officers' roles; others get masked numbers.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone, translation

MAPPING_DIR = Path(__file__).resolve().parent / "data" / "export"

FIELDS = {
    "row_number": "running number from 1",
    "id": "visit record number in this platform",
    "person.case_number": "case number",
    "person.name": "name",
    "person.id_number": "ID number (masked unless the role may see full numbers)",
    "person.gender": "gender",
    "person.correction_type": "correction type",
    "person.supervision_class": "supervision class at export time",
    "person.squadron": "squadron or judicial office",
    "person.township": "township",
    "person.address": "home address",
    "visit_type": "kind of visit (routine / focus / special)",
    "method": "method",
    "field_target": "field-visit target",
    "outcome": "outcome",
    "visited_on": "date of the visit",
    "visited_time": "time of the visit",
    "visited_at": "date and time of the visit",
    "duration_minutes": "duration in minutes",
    "place": "place",
    "visitors": "visitors (accounts, then other visitors)",
    "people_met": "people met",
    "thinking": "thinking and attitude",
    "conduct": "conduct",
    "family": "family situation",
    "work": "work or study",
    "risk_signs": "risk signs (labels)",
    "risk_note": "risk details",
    "risk": "risk signs and details together",
    "interventions": "interventions with their content",
    "follow_up": "follow-up tasks with due dates",
    "summary": "other remarks",
    "latitude": "visitor's captured latitude",
    "longitude": "visitor's captured longitude",
    "recorded_by": "who recorded it",
    "recorded_at": "when it was recorded",
    "exported_at": "when it was marked as exported",
}
CODED = {
    "visit_type",
    "method",
    "field_target",
    "outcome",
    "person.gender",
    "person.correction_type",
    "person.supervision_class",
}


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    width: int = 14
    values: tuple[tuple[str, str], ...] = ()

    @property
    def value_map(self) -> dict[str, str]:
        return dict(self.values)


@dataclass(frozen=True)
class Mapping:
    key: str
    name: str
    sheet: str
    date_format: str
    time_format: str
    joiner: str
    columns: tuple[Column, ...]


def available_mappings() -> list[str]:
    return sorted(p.stem for p in MAPPING_DIR.glob("*.yaml"))


@lru_cache(maxsize=16)
def load_mapping(key: str) -> Mapping:
    import yaml

    path = MAPPING_DIR / f"{key}.yaml"
    if key not in available_mappings():
        raise ImproperlyConfigured(f"no visit export mapping {key!r}")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    columns = []
    for i, col in enumerate(data.get("columns") or [], 1):
        if not isinstance(col, dict) or not col.get("header") or col.get("field") not in FIELDS:
            raise ImproperlyConfigured(
                f"{path.name}: column {i} needs a header and a known field, got {col!r}"
            )
        values = col.get("values") or {}
        if not isinstance(values, dict):
            raise ImproperlyConfigured(f"{path.name}: column {i}: values must be a mapping")
        columns.append(
            Column(
                header=str(col["header"]),
                field=col["field"],
                width=int(col.get("width", 14)),
                values=tuple((str(k), str(v)) for k, v in values.items()),
            )
        )
    if not columns:
        raise ImproperlyConfigured(f"{path.name}: no columns")
    return Mapping(
        key=key,
        name=str(data.get("name") or key),
        sheet=str(data.get("sheet") or "Sheet1")[:31],
        date_format=str(data.get("date_format") or "%Y-%m-%d"),
        time_format=str(data.get("time_format") or "%H:%M"),
        joiner=str(data.get("joiner") or "、"),
        columns=tuple(columns),
    )


def mapping_for(unit: Any) -> Mapping:
    from jiaozheng.core.rules import rule

    return load_mapping(rule("visits.export_mapping", unit))


def _full_identity(actor: Any) -> bool:
    from jiaozheng.core.scoping import scope_for
    from jiaozheng.people.exports import FULL_IDENTITY_ROLES

    scope = scope_for(actor)
    return scope.unrestricted or scope.role in FULL_IDENTITY_ROLES


VISIT_VALUES = (
    "id",
    "person_id",
    "visit_type",
    "method",
    "field_target",
    "outcome",
    "visited_at",
    "visited_on",
    "duration_minutes",
    "other_visitors",
    "place",
    "people_met",
    "thinking",
    "conduct",
    "family",
    "work",
    "risk_signs",
    "risk_note",
    "summary",
    "latitude",
    "longitude",
    "recorded_by_id",
    "recorded_at",
    "exported_at",
)
PERSON_VALUES = (
    "id",
    "case_number",
    "name",
    "id_number",
    "gender",
    "correction_type",
    "supervision_class",
    "squadron__name",
    "township__name",
    "address",
)


def export_rows(visits: Any, *, actor: Any, mapping: Mapping, chunk: int = 2000) -> Iterator[list[Any]]:
    """The cell values of each visit, in the mapping's column order (Chinese labels).

    Reads plain values in chunks (no model instances), so a county's year exports in about a second.
    """
    from jiaozheng.people.models import Person
    from jiaozheng.visits.models import FollowUpTask, Intervention, VisitVisitor

    full = _full_identity(actor)
    with translation.override("zh-hans"):
        labels = _labels()
    ids = list(visits.order_by("visited_at", "id").values_list("id", flat=True))
    n = 0
    for offset in range(0, len(ids), chunk):
        part = ids[offset : offset + chunk]
        rows = {r["id"]: r for r in visits.model.objects.filter(pk__in=part).values(*VISIT_VALUES)}
        persons = {
            p["id"]: p
            for p in Person.objects.filter(pk__in={r["person_id"] for r in rows.values()}).values(
                *PERSON_VALUES
            )
        }
        visitors: dict[int, list[str]] = {}
        for visit_id, full_name, username in (
            VisitVisitor.objects.filter(visit_id__in=part)
            .order_by("id")
            .values_list("visit_id", "user__full_name", "user__username")
        ):
            visitors.setdefault(visit_id, []).append(full_name or username)
        interventions: dict[int, list[str]] = {}
        for visit_id, kind, note in (
            Intervention.objects.filter(visit_id__in=part)
            .order_by("id")
            .values_list("visit_id", "kind", "note")
        ):
            interventions.setdefault(visit_id, []).append(f"{labels['intervention'].get(kind, kind)}：{note}")
        tasks: dict[int, list[str]] = {}
        for visit_id, title, due_on in (
            FollowUpTask.objects.filter(visit_id__in=part)
            .order_by("id")
            .values_list("visit_id", "title", "due_on")
        ):
            tasks.setdefault(visit_id, []).append(f"{title}（{due_on.strftime(mapping.date_format)}前）")
        users = _user_names({r["recorded_by_id"] for r in rows.values()} - {None})
        for visit_id in part:
            row = rows[visit_id]
            n += 1
            context = {
                "n": n,
                "person": persons[row["person_id"]],
                "local": timezone.localtime(row["visited_at"]),
                "visitors": visitors.get(visit_id, []),
                "interventions": interventions.get(visit_id, []),
                "tasks": tasks.get(visit_id, []),
                "recorded_by": users.get(row["recorded_by_id"], ""),
            }
            yield [_value(row, column, mapping, context, full, labels) for column in mapping.columns]


def _labels() -> dict[str, dict[str, str]]:
    from jiaozheng.people.choices import CorrectionType, Gender, SupervisionClass
    from jiaozheng.visits.choices import (
        FieldVisitTarget,
        InterventionKind,
        RiskSign,
        VisitMethod,
        VisitOutcome,
        VisitType,
    )

    def table(choices: Any) -> dict[str, str]:
        return {value: str(label) for value, label in choices.choices}

    return {
        "visit_type": table(VisitType),
        "method": table(VisitMethod),
        "field_target": table(FieldVisitTarget),
        "outcome": table(VisitOutcome),
        "person.gender": table(Gender),
        "person.correction_type": table(CorrectionType),
        "person.supervision_class": table(SupervisionClass),
        "risk": table(RiskSign),
        "intervention": table(InterventionKind),
    }


def _user_names(ids: set[int]) -> dict[int, str]:
    from jiaozheng.orgs.models import User

    return {
        pk: full or username
        for pk, full, username in User.objects.filter(pk__in=ids).values_list("pk", "full_name", "username")
    }


def _stamp(value: Any, mapping: Mapping) -> str:
    return timezone.localtime(value).strftime(f"{mapping.date_format} {mapping.time_format}") if value else ""


def _risk(row: dict[str, Any], labels: dict[str, dict[str, str]], joiner: str) -> str:
    return joiner.join(labels["risk"].get(s, s) for s in row["risk_signs"] or [])


def _id_number(person: dict[str, Any], full: bool) -> str:
    from jiaozheng.core.fields import mask_id_number

    return person["id_number"] if full else mask_id_number(person["id_number"])


# field -> getter(row, person, context, mapping, full, labels)
GETTERS: dict[str, Any] = {
    "row_number": lambda r, p, c, m, f, lb: c["n"],
    "id": lambda r, p, c, m, f, lb: r["id"],
    "person.case_number": lambda r, p, c, m, f, lb: p["case_number"],
    "person.name": lambda r, p, c, m, f, lb: p["name"],
    "person.id_number": lambda r, p, c, m, f, lb: _id_number(p, f),
    "person.squadron": lambda r, p, c, m, f, lb: p["squadron__name"],
    "person.township": lambda r, p, c, m, f, lb: p["township__name"] or "",
    "person.address": lambda r, p, c, m, f, lb: p["address"],
    "visited_on": lambda r, p, c, m, f, lb: r["visited_on"].strftime(m.date_format),
    "visited_time": lambda r, p, c, m, f, lb: c["local"].strftime(m.time_format),
    "visited_at": lambda r, p, c, m, f, lb: c["local"].strftime(f"{m.date_format} {m.time_format}"),
    "visitors": lambda r, p, c, m, f, lb: m.joiner.join(
        c["visitors"] + ([r["other_visitors"]] if r["other_visitors"] else [])
    ),
    "risk_signs": lambda r, p, c, m, f, lb: _risk(r, lb, m.joiner),
    "risk": lambda r, p, c, m, f, lb: (
        "；".join(x for x in (_risk(r, lb, m.joiner), r["risk_note"]) if x) or "无"
    ),
    "interventions": lambda r, p, c, m, f, lb: "；".join(c["interventions"]),
    "follow_up": lambda r, p, c, m, f, lb: "；".join(c["tasks"]),
    "recorded_by": lambda r, p, c, m, f, lb: c["recorded_by"],
    "recorded_at": lambda r, p, c, m, f, lb: _stamp(r["recorded_at"], m),
    "exported_at": lambda r, p, c, m, f, lb: _stamp(r["exported_at"], m),
}


def _value(
    row: dict[str, Any],
    column: Column,
    mapping: Mapping,
    context: dict[str, Any],
    full: bool,
    labels: dict[str, dict[str, str]],
) -> Any:
    field = column.field
    person = context["person"]
    if field in CODED:
        code = (person[field.split(".", 1)[1]] if field.startswith("person.") else row[field]) or ""
        if not code:
            return ""
        return column.value_map.get(code) or labels[field].get(code, code)
    getter = GETTERS.get(field)
    if getter is not None:
        return getter(row, person, context, mapping, full, labels)
    value = row[field]
    return "" if value is None else value


def visits_xlsx(visits: Any, *, actor: Any, mapping: Mapping) -> bytes:
    """The workbook, written in streaming mode (constant memory, linear time)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(mapping.sheet)
    for i, column in enumerate(mapping.columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    ws.freeze_panes = "A2"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header = []
    for column in mapping.columns:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font, cell.fill, cell.alignment = bold, fill, centre
        header.append(cell)
    ws.append(header)
    for row in export_rows(visits, actor=actor, mapping=mapping):
        cells = []
        for value in row:
            if isinstance(value, str) and value.startswith("="):
                cell = WriteOnlyCell(ws, value=value)
                cell.data_type = "s"  # text, never a formula (formula injection)
                cells.append(cell)
            else:
                cells.append(value)
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
