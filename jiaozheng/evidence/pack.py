"""The evidence pack (佐证材料) of a contract-year: a ZIP written to disk record by record.

Per indicator of the year, the pack lists exactly the records the annual report counts — the records of the
indicator's measure (``Measure.records``) over the context the report itself computes with
(``evaluation.evaluate``) — and brings each record's attachments (photos, sign-in sheet, vouchers, a text
with its plan, archive and feedback) once, under ``records/<model>/<id>/``. An index (``index.html``,
``index.csv``) names every indicator, its figure, its listing and its record count, and the month hand-overs
of the year are under ``handover/``.

Memory stays flat: records are iterated in chunks, files are copied from storage in blocks, listings are
spooled to a temporary file before they enter the archive. Rows are scoped to the actor: a role that may not
see a record's domain (the finance auditor and service records) gets the indicator without its records.
"""

from __future__ import annotations

import csv
import html
import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone

from jiaozheng.contracts.models import Contract
from jiaozheng.core.roles import VIEW, role_allows
from jiaozheng.core.scoping import scope_for, scoped
from jiaozheng.evidence.attachments import attachments_for
from jiaozheng.evidence.models import MonthlySubmission
from jiaozheng.indicators.evaluation import Evaluation, evaluate

CHUNK = 1 << 16
LISTING_HEADERS = ["序号", "记录编号", "记录", "日期", "中队", "人员", "附件目录", "附件数"]


@dataclass
class IndicatorEntry:
    code: str
    name: str
    measure_code: str
    actual: Any
    unit: str
    listing: str = ""  # path of the listing in the ZIP, "" when there is none
    record_ids: list[int] = field(default_factory=list)
    model: str = ""
    note: str = ""


@dataclass
class PackResult:
    path: str
    size: int
    records: int
    attachments: int
    indicators: list[IndicatorEntry]
    domains: list[str]


def _path_value(obj: Any, path: str) -> Any:
    value = obj
    for part in path.split("__"):
        if value is None:
            return None
        if part == "pk":
            return value
        value = getattr(value, part, None)
        if isinstance(value, models.Manager):
            return "、".join(str(v) for v in value.all()[:5])
    return value


def _date_of(obj: Any) -> str:
    for f in obj._meta.concrete_fields:
        if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
            value = getattr(obj, f.name)
            if value:
                return value.isoformat()
    return ""


def _person_of(obj: Any, rule: Any) -> str:
    if not rule.person:
        return ""
    person = obj if rule.person == "pk" else _path_value(obj, rule.person)
    return getattr(person, "name", "") or ""


def _safe(code: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in code)[:60] or "indicator"


class _Writer:
    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf
        self.files = 0
        self.stamp = tuple(timezone.localtime().timetuple()[:6])

    def stream(self, name: str, source: Any, compress: bool) -> None:
        info = zipfile.ZipInfo(name, date_time=self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        with self.zf.open(info, "w", force_zip64=True) as out:
            shutil.copyfileobj(source, out, CHUNK)
        self.files += 1

    def data(self, name: str, content: bytes, compress: bool = True) -> None:
        self.stream(name, io.BytesIO(content), compress)


def evidence_domains(actor: Any) -> list[str]:
    """The data domains the actor may view (a pack holds records of these domains only)."""
    from jiaozheng.core.roles import Domain

    scope = scope_for(actor)
    if scope.unrestricted:
        return sorted(Domain.values)
    return sorted(d for d in Domain.values if role_allows(scope.role, d, VIEW))


def build_pack(
    *,
    actor: Any,
    contract: Contract,
    year: int,
    path: str,
    evaluation: Evaluation | None = None,
    on_indicator: Callable[[int, int, str], None] | None = None,
) -> PackResult:
    ev = evaluation or evaluate(contract, year)
    ctx = ev.figures.ctx
    domains = set(evidence_domains(actor))
    entries: list[IndicatorEntry] = []
    written: set[tuple[str, int]] = set()
    records_total = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        writer = _Writer(zf)
        total = len(ev.outcomes)
        for n, outcome in enumerate(ev.outcomes, start=1):
            ind = outcome.indicator
            entry = IndicatorEntry(
                code=ind.code,
                name=ind.name,
                measure_code=ind.measure_code or "",
                actual=outcome.actual,
                unit=ind.unit or "",
            )
            entries.append(entry)
            if on_indicator:
                on_indicator(n, total, ind.name)
            measure = outcome.measure
            if measure is None or measure.records is None:
                entry.note = (
                    "人工录入或评价的指标，无可列示的记录" if not ind.measure_code else "该计量口径不列示记录"
                )
                continue
            qs = measure.records(ctx)
            model = qs.model
            rule = getattr(model, "scope_rule", None)
            entry.model = model._meta.label
            if rule is None or rule.domain not in domains:
                entry.note = "记录不在本角色可查看的范围内"
                continue
            visible = scoped(qs, actor).order_by("pk")
            entry.listing = f"indicators/{n:02d}-{_safe(ind.code)}.csv"
            with tempfile.TemporaryFile("w+b") as spool:
                text = io.TextIOWrapper(spool, encoding="utf-8-sig", newline="")
                out = csv.writer(text)
                out.writerow(LISTING_HEADERS)
                for i, obj in enumerate(visible.iterator(chunk_size=500), start=1):
                    key = (model._meta.label, obj.pk)
                    folder = f"records/{model._meta.label_lower}/{obj.pk}/"
                    count = 0
                    if key not in written:
                        written.add(key)
                        for att in attachments_for(obj):
                            if att.field is not None:
                                try:
                                    handle = att.field.open("rb")
                                except (FileNotFoundError, ValueError, OSError):
                                    continue
                                with handle:
                                    writer.stream(folder + att.name, handle, att.compress)
                            elif att.make is not None:
                                writer.data(folder + att.name, att.make(), att.compress)
                            count += 1
                    entry.record_ids.append(obj.pk)
                    squadron = _path_value(obj, rule.squadron) if rule.squadron else ""
                    out.writerow(
                        [
                            i,
                            obj.pk,
                            str(obj),
                            _date_of(obj),
                            str(squadron or ""),
                            _person_of(obj, rule),
                            folder if count or key in written else "",
                            count,
                        ]
                    )
                text.flush()
                spool.seek(0)
                writer.stream(entry.listing, spool, True)
                text.detach()
            records_total += len(entry.record_ids)
        _handover(writer, contract, ev, domains)
        _index(writer, contract, ev, entries)
    return PackResult(
        path=path,
        size=os.path.getsize(path),
        records=records_total,
        attachments=writer.files,
        indicators=entries,
        domains=sorted(domains),
    )


def _handover(writer: _Writer, contract: Contract, ev: Evaluation, domains: set[str]) -> None:
    from jiaozheng.core.roles import Domain

    if Domain.PERFORMANCE not in domains:
        return
    rows = MonthlySubmission.objects.filter(contract=contract, month__range=(ev.start.replace(day=1), ev.end))
    for s in rows.order_by("month", "version").iterator():
        text = (
            f"{s.month:%Y-%m} 第{s.version}版 · {s.get_status_display()}\n"
            f"提交：{s.submitted_at:%Y-%m-%d %H:%M} {s.submitted_by}{'' if s.on_time else '（逾期）'}\n"
        )
        if s.reviewed_at:
            text += f"接收：{s.reviewed_at:%Y-%m-%d %H:%M} {s.reviewed_by}\n"
        text += f"\n【月度计划】\n{s.plan}\n\n【月度小结】\n{s.summary}\n"
        if s.remarks:
            text += f"\n【局方意见】\n{s.remarks}\n"
        writer.data(f"handover/{s.month:%Y-%m}-v{s.version}.txt", text.encode("utf-8"))


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:f}".rstrip("0").rstrip(".") if hasattr(value, "is_finite") else str(value)


def _link(path: str) -> str:
    return f'<a href="{html.escape(path)}">{html.escape(path)}</a>' if path else ""


def _index(writer: _Writer, contract: Contract, ev: Evaluation, entries: list[IndicatorEntry]) -> None:
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(["序号", "指标编码", "指标", "计量口径", "实际值", "单位", "记录数", "清单", "说明"])
    for n, e in enumerate(entries, start=1):
        out.writerow(
            [
                n,
                e.code,
                e.name,
                e.measure_code,
                _fmt(e.actual),
                e.unit,
                len(e.record_ids) if e.listing else "",
                e.listing,
                e.note,
            ]
        )
    writer.data("index.csv", ("\ufeff" + buf.getvalue()).encode("utf-8"))
    rows = "".join(
        f"<tr><td>{n}</td><td>{html.escape(e.name)}</td><td>{html.escape(_fmt(e.actual))}{html.escape(e.unit)}</td>"
        f"<td>{len(e.record_ids) if e.listing else '—'}</td><td>{_link(e.listing)}</td>"
        f"<td>{html.escape(e.note)}</td></tr>"
        for n, e in enumerate(entries, start=1)
    )
    page = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>佐证材料 {html.escape(contract.code)} {ev.year}</title>"
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px 8px}</style>"
        f"</head><body><h1>{html.escape(contract.name)} · {ev.year}年度佐证材料</h1>"
        f"<p>服务期间：{ev.start:%Y-%m-%d} 至 {ev.end:%Y-%m-%d}；统计截至 {ev.as_of:%Y-%m-%d}。"
        "每个指标的清单列示年度报告计入该指标的全部记录；附件（照片、签到表、凭证、方案与反馈）在 records/ 目录。</p>"
        "<table><thead><tr><th>序号</th><th>指标</th><th>实际值</th><th>记录数</th><th>清单</th><th>说明</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></body></html>"
    )
    writer.data("index.html", page.encode("utf-8"))
