"""All-or-nothing imports of CSV/XLSX files, one documented template per kind of record.

An app registers an ``ImportKind``: its columns (header, key, type, required, help) and a ``write``
function. ``run_import`` reads the file, parses and validates every row, and only if no row has an
error calls ``write`` inside one transaction. Otherwise nothing is written and the caller gets the
``(row, column, reason)`` errors of the whole file in one pass (every row is checked; the first
``ERRORS_LISTED`` are listed, all are counted) and ``problem_causes``: the errors grouped by cause, so
that 1,500 rows with the same bad date read as one cause, not as 1,500 lines. Row numbers are the
spreadsheet's (header = row 1).

What an import wrote is reported in the kind's own units (``ImportKind.unit``, or the ``(count, unit)``
pairs ``write`` returns): "140 sessions, 2,725 attendance records", not "2,865 records".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from jiaozheng.core.errors import validation_errors_from_django
from jiaozheng.core.uploads import zip_expansion_problem

MAX_ROWS = 200_000
# The errors an import lists row by row (all of them are counted, and grouped in ``causes``).
ERRORS_LISTED = 1000
# The row numbers a cause names (``Cause.first_rows``).
CAUSE_ROWS_SHOWN = 5


class Units:
    """The units imports report what they wrote in: ``ImportKind.unit``, the pairs ``write`` returns.

    The Chinese of a unit carries its measure word, so that a count reads "140 场教育活动". The units of
    every app's kinds are here, with the import machinery, so that one catalogue (core's) translates them.
    """

    RECORDS = pgettext_lazy("import unit", "records")
    PERSONS = pgettext_lazy("import unit", "persons under correction")
    ORG_UNITS = pgettext_lazy("import unit", "organisational units")
    PROVIDERS = pgettext_lazy("import unit", "service providers")
    STAFF_ACCOUNTS = pgettext_lazy("import unit", "staff accounts")
    CONTRACT_YEARS = pgettext_lazy("import unit", "contract-years")
    BUDGET_LINES = pgettext_lazy("import unit", "budget lines")
    INDICATORS = pgettext_lazy("import unit", "performance indicators")
    PAYMENTS = pgettext_lazy("import unit", "payments")
    EXPENDITURES = pgettext_lazy("import unit", "expenditures")
    ASSESSMENTS = pgettext_lazy("import unit", "assessment results")
    EDUCATION_SESSIONS = pgettext_lazy("import unit", "education sessions")
    ATTENDANCE = pgettext_lazy("import unit", "attendance records")
    ACTIVITIES = pgettext_lazy("import unit", "community-service activities")
    PARTICIPATIONS = pgettext_lazy("import unit", "participation records")
    VENUES = pgettext_lazy("import unit", "new venues")
    CASES = pgettext_lazy("import unit", "counselling cases")
    CASE_SESSIONS = pgettext_lazy("import unit", "individual sessions")
    GROUP_SESSIONS = pgettext_lazy("import unit", "group sessions")
    GROUPS = pgettext_lazy("import unit", "new groups")
    GROUP_MEMBERS = pgettext_lazy("import unit", "new group members")
    VISITS = pgettext_lazy("import unit", "visits")
    INSTALLS = pgettext_lazy("import unit", "app installs")


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header used in the template
    kind: str = "str"  # str, int, decimal, float, date, datetime, bool, choice
    required: bool = False
    help: str = ""
    choices: Any = None  # a TextChoices class for kind="choice"
    max_length: int | None = None
    example: str = ""


@dataclass
class RowError:
    row: int
    column: str | None
    message: str
    # What the problem is, without the row's own values (``problem_causes`` groups by it); empty: the
    # message with its numbers and quoted values normalised away.
    cause: str = field(default="", compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Cause:
    """One cause of a file's problems: the same reason in the same column, on ``rows`` rows."""

    column: str | None
    message: str  # the first row's message, as an example
    rows: int  # rows affected
    first_rows: list[int]  # the first CAUSE_ROWS_SHOWN of them

    def as_dict(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "message": self.message,
            "rows": self.rows,
            "first_rows": self.first_rows,
        }


_QUOTED = re.compile(r"“[^”]*”|‘[^’]*’|「[^」]*」|『[^』]*』|\"[^\"]*\"|(?<!\w)'[^']*'(?!\w)")
_NUMBER = re.compile(r"[A-Za-z_./:-]*\d[\w.,/:-]*", re.ASCII)


def cause_of(message: str, value: str = "") -> str:
    """``message`` without the row's own values: ``value`` (the cell's text), quoted text and numbers."""
    if value and value in message:
        head, _sep, tail = message.rpartition(value)
        message = f"{head}…{tail}"
    return _NUMBER.sub("#", _QUOTED.sub("…", message))


def problem_causes(errors: Iterable[RowError]) -> list[Cause]:
    """The errors grouped by cause (column and reason, values aside), the most rows first."""
    groups: dict[tuple[str | None, str], tuple[str, set[int]]] = {}
    for error in errors:
        key = (error.column, error.cause or cause_of(error.message))
        if key not in groups:
            groups[key] = (error.message, set())
        groups[key][1].add(error.row)
    causes = [
        Cause(column, message, len(rows), sorted(rows)[:CAUSE_ROWS_SHOWN])
        for (column, _key), (message, rows) in groups.items()
    ]
    causes.sort(key=lambda c: (-c.rows, c.first_rows[0] if c.first_rows else 0))
    return causes


@dataclass
class ImportResult:
    ok: bool
    created: int = 0  # what was written, all units together (``counts`` tells them apart)
    errors: list[RowError] = field(default_factory=list)  # the first ERRORS_LISTED problems
    message: str = ""
    counts: list[tuple[int, str]] = field(default_factory=list)  # (count, unit) of what was written
    errors_total: int | None = None  # all problems found; None: as many as listed
    causes: list[Cause] | None = None  # all problems by cause; None: those of ``errors``

    def __post_init__(self) -> None:
        if self.errors_total is None:
            self.errors_total = len(self.errors)
        if self.causes is None:
            self.causes = problem_causes(self.errors)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "created": self.created,
            "counts": [{"count": n, "unit": unit} for n, unit in self.counts],
            "message": self.message,
            "errors": [e.as_dict() for e in self.errors],
            "errors_total": self.errors_total,
            "causes": [c.as_dict() for c in self.causes or ()],
        }


class RowProblem(Exception):
    """Raised by a kind's ``prepare`` for one row: becomes a RowError; the import continues checking."""

    def __init__(self, column: str | None, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass(frozen=True)
class Sheet:
    """A further sheet of the kind's workbook (a contract's budget lines beside its header rows).

    Its rows are parsed with its columns and handed to the kind in ``context["sheets"][name]`` as
    ``(row number, values)`` pairs; their problems are reported as ``<sheet>·<column>``.
    """

    name: str
    columns: Sequence[Column]
    examples: Sequence[dict[str, Any]] = ()
    description: str = ""


@dataclass(frozen=True)
class ImportKind:
    kind: str
    label: str
    columns: Sequence[Column]
    # prepare(actor, row_dict, context) -> prepared object; raise RowProblem/ValidationError for bad rows
    prepare: Callable[[Any, dict[str, Any], dict[str, Any]], Any]
    # write(actor, prepared_rows, context) -> what it wrote: a count in ``unit``, or ``(count, unit)``
    # pairs when it writes several kinds of record (sessions and their attendance); one transaction
    write: Callable[[Any, list[Any], dict[str, Any]], int | Sequence[tuple[int, Any]]]
    description: str = ""
    # begin(actor, context): per-file setup (caches of lookups), optional
    begin: Callable[[Any, dict[str, Any]], None] | None = None
    # check_all(actor, prepared_rows_with_row_numbers, context) -> list[RowError]: cross-row rules
    check_all: Callable[[Any, list[tuple[int, Any]], dict[str, Any]], list[RowError]] | None = None
    # Position in ``jiaozheng import --list``: kinds that others depend on come first (the county's
    # units, providers, staff and contracts before persons, persons before their service records).
    order: int = 100
    # Example rows of the template (keys of the columns); empty: one row of the columns' examples.
    examples: Sequence[dict[str, Any]] = ()
    sheets: Sequence[Sheet] = ()
    # The unit of a count ``write`` returns (a lazily translated ``Units`` label)
    unit: Any = Units.RECORDS

    def example_rows(self) -> list[list[Any]]:
        if self.examples:
            return [[row.get(c.key, "") for c in self.columns] for row in self.examples]
        return [[c.example for c in self.columns]]

    def template_xlsx(self) -> bytes:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook()
        ws = wb.active
        ws.title = "数据"  # read as the first sheet, whatever its name
        ws.append([c.header for c in self.columns])
        for row in self.example_rows():
            ws.append(row)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for sheet in self.sheets:
            extra = wb.create_sheet(sheet.name)
            extra.append([c.header for c in sheet.columns])
            for row in sheet.examples:
                extra.append([row.get(c.key, "") for c in sheet.columns])
            for cell in extra[1]:
                cell.font = Font(bold=True)
        notes = wb.create_sheet("说明")
        if self.description:
            notes.append([self.description])
        notes.append(["列名", "必填", "格式", "示例", "说明"])
        for c in self.columns:
            notes.append([c.header, "是" if c.required else "否", _format_hint(c), c.example, c.help])
        for sheet in self.sheets:
            notes.append([])
            notes.append([f"工作表「{sheet.name}」", sheet.description])
            for c in sheet.columns:
                notes.append([c.header, "是" if c.required else "否", _format_hint(c), c.example, c.help])
        for cell in notes[2 if self.description else 1]:
            cell.font = Font(bold=True)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()


def _kind_text(column: Column) -> str:
    if column.kind == "choice" and column.choices is not None:
        return "取值: " + " / ".join(f"{label}" for _v, label in column.choices.choices)
    return {
        "str": "文本",
        "int": "整数",
        "decimal": "数字",
        "float": "数字",
        "date": "日期 YYYY-MM-DD",
        "datetime": "日期时间 YYYY-MM-DD HH:MM",
        "bool": "是/否",
    }.get(column.kind, column.kind)


def _format_hint(column: Column) -> str:
    """The format as a person filling in the workbook reads it (the 说明 sheet): dates by example."""
    return {
        "date": "日期，如 2026-03-15",
        "datetime": "日期时间，如 2026-03-15 09:30",
    }.get(column.kind) or _kind_text(column)


_KINDS: dict[str, ImportKind] = {}


def register_import(kind: ImportKind) -> ImportKind:
    _KINDS[kind.kind] = kind
    return kind


def import_kinds() -> dict[str, ImportKind]:
    from jiaozheng.core.registry import app_modules

    for _cfg, _module in app_modules("imports"):
        pass  # importing registers the kinds
    return dict(sorted(_KINDS.items(), key=lambda item: (item[1].order, item[0])))


# --- reading files ----------------------------------------------------------------------------------


class FileProblem(Exception):
    pass


def read_table(name: str, content: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """Headers and (row number, values) from a CSV (UTF-8, UTF-8 with BOM or GB18030) or XLSX file."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        return _read_xlsx(content)
    if lower.endswith(".csv") or lower.endswith(".txt"):
        return _read_csv(content)
    raise FileProblem(_("Only .xlsx and .csv files can be imported."))


def _read_csv(content: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileProblem(_("The CSV file is not UTF-8 or GB18030 text."))
    if "\x00" in text:
        raise FileProblem(_("The file is not a text CSV file."))
    reader = csv.reader(io.StringIO(text))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise FileProblem(_("The CSV file cannot be read: %(e)s") % {"e": exc})
    if not rows:
        raise FileProblem(_("The file is empty."))
    headers = [h.strip() for h in rows[0]]
    data = [(i + 2, r) for i, r in enumerate(rows[1:]) if any(str(v).strip() for v in r)]
    return headers, data


def read_sheet(content: bytes, sheet: str) -> tuple[list[str], list[tuple[int, list[Any]]]] | None:
    """Headers and rows of the named sheet of an .xlsx workbook; None when there is no such sheet."""
    return _read_xlsx(content, sheet)


def _read_xlsx(content: bytes, sheet: str | None = None) -> Any:
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise FileProblem(_("The file is not a valid .xlsx workbook."))
    problem = zip_expansion_problem(content)
    if problem:
        raise FileProblem(problem)
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except FileProblem:
        raise
    except Exception as exc:
        raise FileProblem(_("The .xlsx workbook cannot be read: %(e)s") % {"e": type(exc).__name__})
    if sheet is not None:
        if sheet not in wb.sheetnames:
            wb.close()
            return None
        ws = wb[sheet]
    else:
        ws = wb.worksheets[0]
    rows_iter = ws.iter_rows(values_only=True)
    try:
        header_row = next(rows_iter)
    except StopIteration:
        raise FileProblem(_("The file is empty."))
    headers = [str(h).strip() if h is not None else "" for h in header_row]
    data = []
    for i, row in enumerate(rows_iter):
        if i >= MAX_ROWS:
            raise FileProblem(_("The file has more than %(n)s rows.") % {"n": MAX_ROWS})
        values = list(row)
        if any(v not in (None, "") and str(v).strip() for v in values):
            data.append((i + 2, values))
    wb.close()
    return headers, data


# --- parsing values ------------------------------------------------------------------------------------

_TRUE = {"是", "1", "true", "yes", "y", "有", "√"}
_FALSE = {"否", "0", "false", "no", "n", "无", ""}


def parse_value(column: Column, raw: Any) -> Any:
    """The typed value of one cell; raises ValueError with a reader-facing reason."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if column.required:
            raise ValueError(_("This column is required."))
        return None if column.kind != "str" else ""
    kind = column.kind
    if kind == "str":
        text = str(raw).strip()
        if isinstance(raw, float) and raw.is_integer():
            text = str(int(raw))
        if column.max_length and len(text) > column.max_length:
            raise ValueError(_("Longer than %(n)s characters.") % {"n": column.max_length})
        return text
    if kind == "int":
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValueError(_("Not a whole number: %(v)s") % {"v": raw})
        if value != value.to_integral_value():
            raise ValueError(_("Not a whole number: %(v)s") % {"v": raw})
        return int(value)
    if kind in ("decimal", "float"):
        try:
            value = Decimal(str(raw).strip().replace(",", ""))
        except InvalidOperation:
            raise ValueError(_("Not a number: %(v)s") % {"v": raw})
        if not value.is_finite():
            raise ValueError(_("Not a number: %(v)s") % {"v": raw})
        return float(value) if kind == "float" else value
    if kind == "date":
        return _parse_date(raw)
    if kind == "datetime":
        return _parse_datetime(raw)
    if kind == "bool":
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(_("Write 是 or 否."))
    if kind == "choice":
        text = str(raw).strip()
        for value, label in column.choices.choices:
            if text in (value, str(label)):
                return value
        from django.utils import translation

        with translation.override("zh-hans"):
            for value, label in column.choices.choices:
                if text == str(label):
                    return value
        with translation.override("en"):
            for value, label in column.choices.choices:
                if text.lower() == str(label).lower():
                    return value
        raise ValueError(_("Unknown value %(v)s") % {"v": text})
    raise ValueError(f"unknown column kind {kind}")


def _parse_date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip().replace("/", "-").replace(".", "-")
    for suffix in ("年", "月"):
        text = text.replace(suffix, "-")
    text = text.replace("日", "")
    try:
        return dt.date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
    except ValueError:
        raise ValueError(_("Not a date (YYYY-MM-DD): %(v)s") % {"v": raw})


def _parse_datetime(raw: Any) -> dt.datetime:
    from django.utils import timezone

    if isinstance(raw, dt.datetime):
        value = raw
    else:
        text = str(raw).strip().replace("/", "-")
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(_("Not a date and time (YYYY-MM-DD HH:MM): %(v)s") % {"v": raw})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


# --- running an import -------------------------------------------------------------------------------


def run_import(
    *,
    actor: Any,
    kind: str,
    name: str,
    content: bytes,
    context: dict[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    definition = import_kinds().get(kind)
    if definition is None:
        return ImportResult(False, errors=[RowError(0, None, _("Unknown import kind %(k)s") % {"k": kind})])
    context = dict(context or {})
    from jiaozheng.core.validators import file_name_problem

    if problem := file_name_problem(name):
        return ImportResult(False, errors=[RowError(0, None, problem)], message=problem)
    try:
        headers, rows = read_table(name, content)
    except FileProblem as exc:
        return ImportResult(False, errors=[RowError(0, None, str(exc))])
    index = _map_headers(definition.columns, headers)
    missing = [c for c in definition.columns if c.required and c.key not in index]
    if missing:
        return ImportResult(
            False, errors=[RowError(1, c.header, _("Required column missing")) for c in missing]
        )
    if not rows:
        return ImportResult(False, errors=[RowError(0, None, _("The file has no data rows."))])
    errors: list[RowError] = []
    if definition.sheets:
        errors.extend(_read_sheets(definition, name, content, context))
    if definition.begin:
        try:
            definition.begin(actor, context)
        except PermissionDenied as exc:
            return ImportResult(False, errors=[RowError(0, None, str(exc))], message=str(exc))
    prepared: list[tuple[int, Any]] = []
    total = len(rows)
    for n, (row_number, values) in enumerate(rows, 1):
        row: dict[str, Any] = {}
        row_errors = []
        for column in definition.columns:
            position = index.get(column.key)
            raw = values[position] if position is not None and position < len(values) else None
            try:
                row[column.key] = parse_value(column, raw)
            except ValueError as exc:
                message = str(exc)
                cause = cause_of(message, _cell_text(raw))
                row_errors.append(RowError(row_number, column.header, message, cause=cause))
        if not row_errors:
            try:
                prepared.append((row_number, definition.prepare(actor, row, context)))
            except RowProblem as exc:
                header = _header_for(definition.columns, exc.column)
                value = _cell_text(row.get(exc.column)) if exc.column else ""
                row_errors.append(
                    RowError(row_number, header, exc.message, cause=cause_of(exc.message, value))
                )
            except ValidationError as exc:
                for item in validation_errors_from_django(exc):
                    row_errors.append(
                        RowError(row_number, _header_for(definition.columns, item["field"]), item["message"])
                    )
        errors.extend(row_errors)
        if progress and (n % 200 == 0 or n == total):
            progress(n, total)
    # Every row is checked, however many have problems: the file's problems come in one pass.
    if definition.check_all:
        errors.extend(definition.check_all(actor, prepared, context))
        errors.sort(key=lambda e: (e.row, e.column or ""))
    if errors:
        causes = problem_causes(errors)
        return ImportResult(
            False,
            errors=errors[:ERRORS_LISTED],
            errors_total=len(errors),
            causes=causes,
            message=_("Nothing was imported: %(n)s problems in %(rows)s rows, %(causes)s causes.")
            % {"n": len(errors), "rows": len({e.row for e in errors}), "causes": len(causes)},
        )
    try:
        with transaction.atomic():
            written = definition.write(actor, [p for _n, p in prepared], context)
    except ValidationError as exc:
        return ImportResult(
            False,
            errors=[RowError(0, None, m["message"]) for m in validation_errors_from_django(exc)],
            message=_("Nothing was imported."),
        )
    counts = written_counts(written, definition.unit)
    return ImportResult(
        True,
        created=sum(n for n, _unit in counts),
        counts=counts,
        message=_("Imported: %(parts)s.") % {"parts": counts_text(counts)},
    )


def written_counts(written: int | Sequence[tuple[int, Any]], unit: Any) -> list[tuple[int, str]]:
    """What ``write`` returned as ``(count, unit)`` pairs: a bare count is in the kind's ``unit``."""
    if isinstance(written, int):
        return [(written, str(unit))]
    return [(int(n), str(u)) for n, u in written] or [(0, str(unit))]


def counts_text(counts: Sequence[tuple[int, str]]) -> str:
    """Each count with its unit, listed in the active language: "140 场教育活动、2725 条出勤记录"."""
    parts = [pgettext("import count", "%(n)s %(unit)s") % {"n": n, "unit": unit} for n, unit in counts]
    return pgettext("list separator", ", ").join(parts)


def _cell_text(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    return str(value).strip()


def _read_sheets(
    definition: ImportKind, name: str, content: bytes, context: dict[str, Any]
) -> list[RowError]:
    """Parse the kind's further sheets into ``context["sheets"]``; their problems as row errors."""
    errors: list[RowError] = []
    sheets: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    context["sheets"] = sheets
    for sheet in definition.sheets:
        sheets[sheet.name] = []
        if not name.lower().endswith(".xlsx"):
            continue  # a CSV file holds one sheet: the further sheets are empty
        try:
            table = read_sheet(content, sheet.name)
        except FileProblem as exc:
            errors.append(RowError(0, sheet.name, str(exc)))
            continue
        if table is None:
            continue
        headers, rows = table
        index = _map_headers(sheet.columns, headers)
        missing = [c for c in sheet.columns if c.required and c.key not in index]
        if missing and rows:
            errors.extend(
                RowError(1, f"{sheet.name}·{c.header}", _("Required column missing")) for c in missing
            )
            continue
        for row_number, values in rows:
            row: dict[str, Any] = {}
            problems = []
            for column in sheet.columns:
                position = index.get(column.key)
                raw = values[position] if position is not None and position < len(values) else None
                try:
                    row[column.key] = parse_value(column, raw)
                except ValueError as exc:
                    problems.append(RowError(row_number, f"{sheet.name}·{column.header}", str(exc)))
            errors.extend(problems)
            if not problems:
                sheets[sheet.name].append((row_number, row))
    return errors


def _map_headers(columns: Iterable[Column], headers: list[str]) -> dict[str, int]:
    index = {}
    for column in columns:
        for i, header in enumerate(headers):
            clean = header.replace("*", "").strip()
            if clean in (column.header, column.key):
                index[column.key] = i
                break
    return index


def _header_for(columns: Iterable[Column], key: str | None) -> str | None:
    for column in columns:
        if column.key == key:
            return column.header
    return key
