"""XLSX export of visit records in a documented, configurable column layout (docs/visits.md).

A mapping file under ``data/export/<name>.yaml`` lists the columns: the header, the field it shows, an
optional column width and an optional table of code values (``{routine: 日常走访}``); without a table, a
coded field shows its Chinese label. ``visits.export_mapping`` chooses the file per province or county.
Exports are written in Chinese whatever the reader's language, because they are re-entered into the
provincial system. Full ID numbers appear only for the officers' roles; others get masked numbers.
"""

from __future__ import annotations

import io
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


def export_rows(visits: Any, *, actor: Any, mapping: Mapping) -> list[list[Any]]:
    """The cell values of each visit, in the mapping's column order (Chinese labels)."""
    from jiaozheng.visits.choices import RiskSign

    full = _full_identity(actor)
    rows: list[list[Any]] = []
    with translation.override("zh-hans"):
        risk_labels = {k: str(v) for k, v in RiskSign.choices}
        qs = visits.select_related(
            "person", "person__squadron", "person__township", "recorded_by"
        ).prefetch_related("visitor_rows__user", "interventions", "tasks")
        for n, visit in enumerate(qs.iterator(chunk_size=500), 1):
            row = []
            for column in mapping.columns:
                row.append(_value(visit, column, mapping, n, full, risk_labels))
            rows.append(row)
    return rows


def _label(obj: Any, attr: str) -> str:
    return str(getattr(obj, f"get_{attr}_display")()) if getattr(obj, attr) else ""


def _value(
    visit: Any, column: Column, mapping: Mapping, n: int, full: bool, risk_labels: dict[str, str]
) -> Any:
    field = column.field
    person = visit.person
    local = timezone.localtime(visit.visited_at)
    values = dict(column.values)
    if field in CODED:
        obj, attr = (person, field.split(".", 1)[1]) if field.startswith("person.") else (visit, field)
        code = getattr(obj, attr) or ""
        if not code:
            return ""
        return values.get(code) or _label(obj, attr)
    if field == "row_number":
        return n
    if field == "id":
        return visit.pk
    if field == "person.case_number":
        return person.case_number
    if field == "person.name":
        return person.name
    if field == "person.id_number":
        return person.id_number if full else person.id_number_masked
    if field == "person.squadron":
        return person.squadron.name
    if field == "person.township":
        return person.township.name if person.township else ""
    if field == "person.address":
        return person.address
    if field == "visited_on":
        return visit.visited_on.strftime(mapping.date_format)
    if field == "visited_time":
        return local.strftime(mapping.time_format)
    if field == "visited_at":
        return local.strftime(f"{mapping.date_format} {mapping.time_format}")
    if field == "visitors":
        names = [str(r.user) for r in visit.visitor_rows.all()]
        if visit.other_visitors:
            names.append(visit.other_visitors)
        return mapping.joiner.join(names)
    if field == "risk_signs":
        return mapping.joiner.join(risk_labels.get(s, s) for s in visit.risk_signs or [])
    if field == "risk":
        signs = mapping.joiner.join(risk_labels.get(s, s) for s in visit.risk_signs or [])
        return "；".join(p for p in (signs, visit.risk_note) if p) or "无"
    if field == "interventions":
        return "；".join(f"{i.get_kind_display()}：{i.note}" for i in visit.interventions.all())
    if field == "follow_up":
        return "；".join(
            f"{t.title}（{t.due_on.strftime(mapping.date_format)}前）" for t in visit.tasks.all()
        )
    if field == "recorded_by":
        return str(visit.recorded_by) if visit.recorded_by else ""
    if field in ("recorded_at", "exported_at"):
        value = getattr(visit, field)
        return (
            timezone.localtime(value).strftime(f"{mapping.date_format} {mapping.time_format}")
            if value
            else ""
        )
    value = getattr(visit, field)
    return "" if value is None else value


def visits_xlsx(visits: Any, *, actor: Any, mapping: Mapping) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = mapping.sheet
    ws.append([c.header for c in mapping.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in export_rows(visits, actor=actor, mapping=mapping):
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, never a formula (formula injection)
    for i, column in enumerate(mapping.columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
