"""The documents as a list of blocks, built once and rendered three ways: the web page (figures linked to
their records), the DOCX file and the PDF file.

- Annual self-evaluation report (绩效自评报告): the seed's six-part outline, the stored texts with their
  computed figures, computed tables and charts, and the self-evaluation form (自评表) as an appendix.
- Monthly plan (月度工作计划) for a month: where the year stands at the end of the previous month, what to
  do this month (by squadron), what needs attention.
- Monthly summary (月度工作总结): what was done in the month, by squadron, the money spent, warnings.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation

from jiaozheng.contracts.choices import AdjustmentStatus, Decision
from jiaozheng.contracts.models import Adjustment, Contract, Expenditure, FundLine, Payment
from jiaozheng.indicators.choices import (
    GROUP_LEVEL1,
    GROUP_LEVEL2,
    IndicatorGroup,
    RateDisplay,
    ReportKind,
)
from jiaozheng.indicators.evaluation import Evaluation, Outcome, evaluate, rate_display_note
from jiaozheng.indicators.models import Narrative
from jiaozheng.indicators.narratives import (
    ANNUAL_OUTLINE,
    NOT_HELD,
    SECTION_TITLES,
    Paragraph,
    Resolver,
    Segment,
    coverage_note,
    default_text,
    earmark_sentence,
    not_held_segments,
)
from jiaozheng.indicators.progress import (
    IndicatorProgress,
    Plan,
    _plan_rows,
    contract_progress,
    month_end,
    plan_for,
    squadron_counts,
    squadron_shares,
    tracked,
)
from jiaozheng.indicators.scoring import format_number, format_percent, format_wan

Links = Callable[[str, str], str]


@dataclass
class Cell:
    text: str = ""
    segments: list[Segment] | None = None
    rowspan: int = 1
    colspan: int = 1
    covered: bool = False  # part of a merged cell above: not rendered
    align: str = "l"
    bold: bool = False

    @property
    def content(self) -> list[Segment]:
        return self.segments if self.segments is not None else [Segment(self.text)]

    @property
    def plain(self) -> str:
        return "".join(s.text for s in self.content)


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Cell]]
    widths: list[float]
    caption: str = ""
    small: bool = False
    anchor: str = ""

    @property
    def percent_widths(self) -> list[str]:
        total = sum(self.widths) or 1
        return [f"{w * 100 / total:.1f}" for w in self.widths]


@dataclass
class Chart:
    key: str
    title: str
    data: dict[str, Any]

    @property
    def json(self) -> str:
        return json.dumps({"key": self.key, "data": self.data}, ensure_ascii=False)


@dataclass
class Block:
    kind: str  # title, subtitle, meta, h1, h2, h3, h4, para, note, table, chart, pagebreak, landscape
    text: str = ""
    paragraph: Paragraph | None = None
    table: Table | None = None
    chart: Chart | None = None
    key: str = ""  # the editable text block this paragraph belongs to
    anchor: str = ""

    @property
    def segments(self) -> list[Segment]:
        if self.paragraph is not None:
            return self.paragraph.segments
        return [Segment(self.text)]

    @property
    def plain(self) -> str:
        return "".join(s.text for s in self.segments)


@dataclass
class Document:
    kind: str
    title: str
    contract: Contract
    year: int
    month: int
    evaluation: Evaluation
    blocks: list[Block] = field(default_factory=list)
    progress: list[IndicatorProgress] = field(default_factory=list)

    def add(self, kind: str, text: str = "", **kwargs: Any) -> Block:
        block = Block(kind, text, **kwargs)
        self.blocks.append(block)
        return block

    @property
    def filename(self) -> str:
        if self.kind == ReportKind.ANNUAL:
            return f"{self.contract.code}-{self.year}-绩效自评报告"
        label = "月度工作计划" if self.kind == ReportKind.MONTHLY_PLAN else "月度工作总结"
        return f"{self.contract.code}-{self.year}{self.month:02d}-{label}"

    def text(self) -> str:
        """All the document's words (for tests and search)."""
        out = []
        for block in self.blocks:
            if block.table is not None:
                out.append(" ".join(block.table.headers))
                out.extend(" ".join(c.plain for c in row) for row in block.table.rows)
            else:
                out.append(block.plain)
        return "\n".join(out)


def stored_texts(contract: Contract, year: int, month: int = 0) -> dict[str, str]:
    return dict(
        Narrative.objects.filter(contract=contract, year=year, month=month).values_list("key", "text")
    )


def block_text(contract: Contract, year: int, key: str, stored: dict[str, str]) -> str:
    return stored[key] if key in stored else default_text(contract, year, key)


def _bureau(contract: Contract) -> str:
    return contract.buyer.bureau_name or contract.buyer.name


def _wan(value: Decimal | None) -> str:
    return "—" if value is None else format_wan(value)


# --- the annual report -----------------------------------------------------------------------------------


def annual_report(
    contract: Contract,
    year: int,
    *,
    as_of: dt.date | None = None,
    links: Links | None = None,
    evaluation: Evaluation | None = None,
) -> Document:
    with translation.override("zh-hans"):
        evaluation = evaluation or evaluate(contract, year, as_of=as_of)
        doc = Document(
            ReportKind.ANNUAL,
            f"{_bureau(contract)}{year}年社区矫正购买服务项目专项资金绩效自评报告",
            contract,
            year,
            0,
            evaluation,
        )
        resolver = Resolver(evaluation, links)
        stored = stored_texts(contract, year)
        doc.add("title", doc.title)
        if not evaluation.complete:
            doc.add(
                "subtitle",
                f"（中期自评：数据截至{evaluation.as_of.year}年{evaluation.as_of.month}月{evaluation.as_of.day}日）",
            )
        progress = contract_progress(evaluation, with_squadrons=False)
        doc.progress = progress
        for part in ANNUAL_OUTLINE:
            doc.add(f"h{part.level}", part.heading, anchor=part.key or "")
            for insert in part.computed_before:
                _insert(doc, insert, evaluation, resolver, progress, stored)
            if part.key:
                text = block_text(contract, year, part.key, stored)
                for paragraph in resolver.paragraphs(text):
                    doc.add("h2" if paragraph.heading else "para", paragraph=paragraph, key=part.key)
            for insert in part.computed:
                _insert(doc, insert, evaluation, resolver, progress, stored)
        doc.add("landscape")
        doc.add("h1", "附表", anchor="form")
        doc.add("title2", f"{_bureau(contract)}{year}年社区矫正购买服务项目绩效自评表")
        doc.blocks.append(Block("table", table=funds_form(evaluation, links)))
        doc.blocks.append(Block("table", table=self_evaluation_form(evaluation, resolver), anchor="score"))
        _number_captions(doc)
        doc.add(
            "note",
            "说明：数量指标得分＝实际完成值÷年度指标值×分值，最高不超过分值；反向指标按年度指标值÷实际完成值计算；"
            "定性指标按达成（80%—100%）、部分达成（60%—80%）、未达成（0—60%）三档评分。"
            + evaluation.capping_note(),
        )
        return doc


def _number_captions(doc: Document) -> None:
    """Tables and figures numbered in the order they appear (an insert may be absent)."""
    tables = figures = 0
    for block in doc.blocks:
        if block.table is not None and block.table.caption.startswith("表"):
            tables += 1
            block.table.caption = re.sub(r"^表\d+", f"表{tables}", block.table.caption)
        elif block.chart is not None and block.chart.title.startswith("图"):
            figures += 1
            block.chart.title = re.sub(r"^图\d+", f"图{figures}", block.chart.title)


def _insert(
    doc: Document,
    insert: str,
    ev: Evaluation,
    resolver: Resolver,
    progress: list[IndicatorProgress],
    stored: dict[str, str],
) -> None:
    funds = ev.funds
    link = resolver.link("funds", "")
    if insert == "payments":
        payments = list(
            Payment.objects.filter(contract=ev.contract, paid_on__lte=ev.as_of).order_by("paid_on", "id")
        )
        if not payments:
            doc.add("para", "截至报告日尚未收到拨款。")
            return
        rows = [
            [
                Cell(f"{p.paid_on.year}年{p.paid_on.month}月{p.paid_on.day}日"),
                Cell(segments=[Segment(format_wan(p.amount), figure=True, link=link)], align="r"),
                Cell(p.payer),
                Cell(p.reference or "—"),
            ]
            for p in payments
        ]
        rows.append(
            [
                Cell("合计", bold=True),
                Cell(
                    segments=[Segment(format_wan(funds.paid), figure=True, link=link)], align="r", bold=True
                ),
                Cell(f"资金到位率{format_percent(funds.paid_rate)}"),
                Cell(""),
            ]
        )
        doc.blocks.append(
            Block(
                "table",
                table=Table(
                    ["拨付日期", "金额（万元）", "拨付单位", "凭证号"],
                    rows,
                    [3, 2, 4, 3],
                    "表1 项目资金到位情况",
                ),
            )
        )
    elif insert == "fund_lines":
        rows = []
        for s in funds.lines:
            rows.append(
                [
                    Cell(s.line.name),
                    Cell(_wan(s.budget), align="r"),
                    Cell(segments=[Segment(_wan(s.spent), figure=True, link=link)], align="r"),
                    Cell(format_percent(s.rate), align="r"),
                    Cell(_wan(s.balance), align="r"),
                ]
            )
        if funds.unmapped:
            rows.append(
                [
                    Cell("未对应预算科目"),
                    Cell("—", align="r"),
                    Cell(segments=[Segment(_wan(funds.unmapped), figure=True, link=link)], align="r"),
                    Cell("—", align="r"),
                    Cell("—", align="r"),
                ]
            )
        rows.append(
            [
                Cell("合计", bold=True),
                Cell(_wan(funds.lines_total), align="r", bold=True),
                Cell(segments=[Segment(_wan(funds.spent), figure=True, link=link)], align="r", bold=True),
                Cell(
                    format_percent((funds.spent / funds.lines_total) if funds.lines_total else None),
                    align="r",
                ),
                Cell(_wan(funds.lines_total - funds.spent), align="r"),
            ]
        )
        doc.blocks.append(
            Block(
                "table",
                table=Table(
                    ["预算科目", "预算数（万元）", "实际支出（万元）", "执行率", "结余（万元）"],
                    rows,
                    [5, 2.5, 2.5, 2, 2.5],
                    "表2 项目资金使用情况",
                ),
            )
        )
        doc.add(
            "para",
            paragraph=Paragraph(
                [
                    Segment("全年执行数"),
                    Segment(format_wan(funds.spent), figure=True, link=link),
                    Segment("万元，占年度财政预算"),
                    Segment(format_wan(funds.budget), figure=True, link=link),
                    Segment("万元的"),
                    Segment(format_percent(funds.execution_rate), figure=True, link=link),
                    Segment("（预算执行率），占中标价"),
                    Segment(format_wan(funds.price), figure=True, link=link),
                    Segment("万元的"),
                    Segment(format_percent(funds.price_execution_rate), figure=True, link=link),
                    Segment("。"),
                ]
            ),
        )
    elif insert == "chart_funds":
        if funds.lines:
            doc.blocks.append(
                Block(
                    "chart",
                    chart=Chart(
                        "funds",
                        "图1 预算科目预算数与实际支出（万元）",
                        {
                            "labels": [s.line.name[:10] for s in funds.lines],
                            "budget": [float(s.budget / 10000) for s in funds.lines],
                            "spent": [float(s.spent / 10000) for s in funds.lines],
                        },
                    ),
                )
            )
    elif insert == "earmark":
        # one source: the earmarking checks, in the same sentence the {{f.earmark}} token gives
        doc.add("para", paragraph=Paragraph([Segment(earmark_sentence(funds), figure=True, link=link)]))
        for check in funds.problems:
            doc.add("para", paragraph=Paragraph([Segment(str(check.message), figure=True, link=link)]))
    elif insert == "adjustments":
        adjustments = list(
            Adjustment.objects.filter(contract=ev.contract)
            .exclude(status=AdjustmentStatus.WITHDRAWN)
            .prefetch_related("decisions")
            .order_by("requested_on", "id")
        )
        for adj in adjustments:
            decision = next((d for d in adj.decisions.all() if d.decision == Decision.APPROVE), None)
            when = f"{adj.requested_on.year}年{adj.requested_on.month}月{adj.requested_on.day}日"
            if adj.status == AdjustmentStatus.APPROVED and decision is not None:
                approved = (
                    f"经{decision.approver}于{decision.decided_on.year}年{decision.decided_on.month}月"
                    f"{decision.decided_on.day}日批准"
                    + (f"（{decision.document_no}）" if decision.document_no else "")
                )
            elif adj.status == AdjustmentStatus.REJECTED:
                approved = "未获批准"
            else:
                approved = "待审批"
            doc.add("para", f"合同调整：{when}，{adj.title}。{adj.reason}{adj.content}{approved}。")
    elif insert == "chart_progress":
        shown = [p for p in progress if p.indicator.group == IndicatorGroup.OUTPUT_QUANTITY][:6]
        if shown:
            doc.blocks.append(
                Block(
                    "chart",
                    chart=Chart(
                        "progress",
                        "图2 主要数量指标逐月累计完成情况（占年度目标%）",
                        {"series": [p.chart() for p in shown]},
                    ),
                )
            )
    elif insert == "completion":
        rows = []
        for o in ev.outcomes:
            if o.indicator.group != IndicatorGroup.OUTPUT_QUANTITY or o.qualitative:
                continue
            ilink = resolver.link("indicator", str(o.indicator.pk))
            note = rate_display_note(o) if o.excess is not None else ""
            if o.shortfall is not None:
                note = f"差{format_number(o.shortfall)}{o.unit}"
            rows.append(
                [
                    Cell(o.indicator.name),
                    Cell(o.target_text, align="r"),
                    Cell(segments=[Segment(o.actual_text, figure=True, link=ilink)], align="r"),
                    Cell(segments=[Segment(o.rate_text, figure=True, link=ilink)], align="r"),
                    Cell(note.strip("（）") or "—"),
                ]
            )
        if rows:
            doc.blocks.append(
                Block(
                    "table",
                    table=Table(
                        ["指标", "合同目标", "实际完成", "完成率", "说明"],
                        rows,
                        [4, 2, 2, 2, 4],
                        "表3 数量指标完成情况",
                    ),
                )
            )
            doc.add("note", "注：" + ev.capping_note())
    elif insert == "chart_completion":
        bars = [
            o
            for o in ev.outcomes
            if o.indicator.group == IndicatorGroup.OUTPUT_QUANTITY and not o.qualitative and o.target
        ]
        if bars:
            doc.blocks.append(
                Block(
                    "chart",
                    chart=Chart(
                        "completion",
                        "图3 数量指标实际完成与合同目标",
                        {
                            "labels": [o.indicator.name for o in bars],
                            "target": [float(o.target or 0) for o in bars],
                            "actual": [float(o.actual or 0) for o in bars],
                            "ratio": [float(o.score.ratio or 0) * 100 for o in bars],
                        },
                    ),
                )
            )
    elif insert.startswith("not_held_"):
        # the service's planned work that was cancelled or rescheduled, so that none is dropped silently
        service = insert.removeprefix("not_held_")
        text = block_text(ev.contract, ev.year, f"effect_{service}", stored)
        if any(f"m.{code}" in text for code, _verb in NOT_HELD[service].parts):
            return  # the text states these figures itself
        segments = not_held_segments(ev, resolver, service, when="全年" if ev.complete else "本期")
        if segments:
            doc.add("para", paragraph=Paragraph([*segments, Segment("。")]))
    elif insert == "coverage":
        text = stored.get("effect_location", default_text(ev.contract, ev.year, "effect_location"))
        if "coverage_note" in text:
            return
        for o in ev.outcomes:
            if o.indicator.rate_display == RateDisplay.UNCAPPED and (
                o.excess is not None or o.indicator.coverage_measure_code
            ):
                note = coverage_note(o)
                if note:
                    doc.add("note", f"注：{o.indicator.name}{note}")
    elif insert == "score":
        total = ev.normalised_total
        score_link = resolver.link("score", "")
        if ev.complete:
            segments = [
                Segment("根据项目绩效自评表（见附表），本项目自评得分"),
                Segment(format_number(total), figure=True, link=score_link),
                Segment("分（满分100分），评价等级为“"),
                Segment(ev.grade_zh, figure=True, link=score_link),
                Segment("”。"),
            ]
        else:
            day = ev.as_of
            segments = [
                Segment(f"截至{day.year}年{day.month}月{day.day}日，按已发生的记录计算，本项目累计得分"),
                Segment(format_number(total), figure=True, link=score_link),
                Segment("分（满分100分）；年度尚未结束，未到评价期，不评定等级。"),
            ]
        if ev.grade_bound is not None and ev.complete:
            segments.append(Segment(ev.grade_bound.sentence, figure=True, link=score_link))
        lost = [o for o in ev.outcomes if o.lost > 0]
        if lost:
            segments.append(Segment("扣分指标为："))
            parts = []
            for o in lost:
                parts.append(f"{o.indicator.name}（扣{format_number(o.lost)}分）")
            segments.append(Segment("、".join(parts), figure=True, link=score_link))
            segments.append(Segment("。"))
        doc.add("para", paragraph=Paragraph(segments))
    elif insert == "shortfalls":
        before = len(doc.blocks)
        for o in ev.outcomes:
            if (o.lost <= 0 or (o.qualitative and o.indicator.band == "achieved")) and not o.problem:
                continue
            reason = o.indicator.deviation_reason or "（偏差原因待填写）"
            fix = o.indicator.corrective_measure or "（改进措施待填写）"
            if o.problem and o.shortfall is None and not o.qualitative:
                doc.add("para", f"{o.indicator.name}：{o.problem}。{reason}")
                continue
            doc.add(
                "para",
                paragraph=Paragraph(
                    [
                        Segment(f"{o.indicator.name}：目标{o.target_text}，实际"),
                        Segment(
                            o.actual_text, figure=True, link=resolver.link("indicator", str(o.indicator.pk))
                        ),
                        Segment(f"。原因：{reason.rstrip('。')}。改进措施：{fix.rstrip('。')}。"),
                    ]
                ),
            )
        if len(doc.blocks) == before and not block_text(ev.contract, ev.year, "problems", stored).strip():
            doc.add("para", "本期各项指标均已完成，未发现需说明的偏差。")


def funds_form(ev: Evaluation, links: Links | None) -> Table:
    funds = ev.funds
    link = links("funds", "") if links else ""

    def fig(text: str) -> Cell:
        return Cell(segments=[Segment(text, figure=True, link=link)], align="c")

    rows = [
        [
            Cell("项目资金（万元）", bold=True),
            Cell("年度财政预算数", align="c"),
            Cell("中标价（合同金额）", align="c"),
            Cell("全年执行数", align="c"),
            Cell("预算执行率", align="c"),
            Cell("资金到位率", align="c"),
        ],
        [
            Cell(""),
            fig(format_wan(funds.budget)),
            fig(format_wan(funds.price)),
            fig(format_wan(funds.spent)),
            fig(format_percent(funds.execution_rate)),
            fig(format_percent(funds.paid_rate)),
        ],
    ]
    rows[0][0].rowspan = 2
    rows[1][0].covered = True
    return Table(
        [f"项目名称：{ev.contract.name}", "", "", "", "", ""],
        rows,
        [4, 3, 3, 3, 3, 3],
        "",
        small=True,
    )


def self_evaluation_form(ev: Evaluation, resolver: Resolver) -> Table:
    """自评表: level-1 and level-2 groups merged, one row per indicator, then the total and grade."""
    headers = [
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "完成率",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    ]
    rows: list[list[Cell]] = []
    previous: tuple[str, str] | None = None
    level1_start = level2_start = 0
    for o in ev.outcomes:
        group = IndicatorGroup(o.indicator.group)
        level1, level2 = GROUP_LEVEL1[group], GROUP_LEVEL2[group]
        ilink = resolver.link("indicator", str(o.indicator.pk))
        row = [
            Cell(level1, align="c"),
            Cell(level2, align="c"),
            Cell(o.indicator.name),
            Cell(o.target_text, align="c"),
            Cell(segments=[Segment(o.actual_text, figure=True, link=ilink)], align="c"),
            Cell(segments=[Segment(o.rate_text, figure=True, link=ilink)], align="c"),
            Cell(format_number(o.weight), align="c"),
            Cell(segments=[Segment(format_number(o.score.score), figure=True, link=ilink)], align="c"),
            Cell(deviation_text(o)),
        ]
        if previous is not None and previous[0] == level1:
            rows[level1_start][0].rowspan += 1
            row[0].covered = True
        else:
            level1_start = len(rows)
        if previous is not None and previous == (level1, level2):
            rows[level2_start][1].rowspan += 1
            row[1].covered = True
        else:
            level2_start = len(rows)
        previous = (level1, level2)
        rows.append(row)
    score_link = resolver.link("score", "")
    total_row = [
        Cell("总分", bold=True, align="c", colspan=6),
        Cell(covered=True),
        Cell(covered=True),
        Cell(covered=True),
        Cell(covered=True),
        Cell(covered=True),
        Cell(format_number(ev.max_total), align="c", bold=True),
        Cell(
            segments=[Segment(format_number(ev.normalised_total), figure=True, link=score_link)],
            align="c",
            bold=True,
        ),
        Cell(
            segments=[
                Segment(f"评价等级：{ev.grade_zh}", figure=True, link=score_link),
                *(
                    [Segment(f"（{ev.grade_bound.sentence.rstrip('。')}）")]
                    if ev.grade_bound is not None and ev.complete
                    else []
                ),
            ],
            bold=True,
        ),
    ]
    rows.append(total_row)
    return Table(headers, rows, [1.6, 2.2, 4.4, 2.2, 2.4, 1.8, 1.1, 1.3, 6.4], "", small=True, anchor="score")


def deviation_text(o: Outcome) -> str:
    ind = o.indicator
    parts = []
    if o.problem and not o.qualitative:
        parts.append(o.problem)
    if o.qualitative and ind.assessment_note:
        parts.append(ind.assessment_note)
    if o.excess is not None:
        parts.append(
            f"超额完成{format_number(o.excess)}{ind.unit}"
            if ind.rate_display == RateDisplay.CAPPED
            else f"{o.rate_name}按实际÷合同约定计算，未封顶"
        )
        if ind.coverage_measure_code and o.coverage is not None:
            parts.append(f"实际覆盖率{format_percent(o.coverage / 100)}")
    short = o.lost > 0 and (not o.qualitative or ind.band != "achieved")
    if short or ind.deviation_reason:
        if ind.deviation_reason:
            parts.append(f"原因：{ind.deviation_reason.rstrip('。')}")
        elif short:
            parts.append("原因：待填写")
        if ind.corrective_measure:
            parts.append(f"措施：{ind.corrective_measure.rstrip('。')}")
        elif short:
            parts.append("措施：待填写")
    return "；".join(parts) or "—"


# --- monthly documents ------------------------------------------------------------------------------------


def _month_bounds(ev_start: dt.date, ev_end: dt.date, year: int, month: int) -> tuple[dt.date, dt.date]:
    first = max(dt.date(year, month, 1), ev_start)
    last = min(dt.date(year, month, calendar.monthrange(year, month)[1]), ev_end)
    if first > last:
        raise ValueError("month outside the contract-year")
    return first, last


def allocate(total: int, shares: dict[Any, Decimal]) -> dict[Any, int]:
    """Split a whole number by shares (largest remainder), so the parts add up exactly."""
    if total <= 0 or not shares:
        return dict.fromkeys(shares, 0)
    raw = {k: Decimal(total) * v for k, v in shares.items()}
    floors = {k: int(math.floor(v)) for k, v in raw.items()}
    left = total - sum(floors.values())
    for key in sorted(raw, key=lambda k: raw[k] - floors[k], reverse=True)[:left]:
        floors[key] += 1
    return floors


def monthly_plan(
    contract: Contract, year: int, month: int, *, links: Links | None = None, today: dt.date | None = None
) -> Document:
    """The plan for ``month``: figures at the end of the previous month, this month's quantities."""
    with translation.override("zh-hans"):
        today = today or timezone.localdate()
        from jiaozheng.indicators.evaluation import contract_year_period

        start, end = contract_year_period(contract, year)
        first, last = _month_bounds(start, end, year, month)
        as_of = first - dt.timedelta(days=1)
        ev = evaluate(contract, year, as_of=max(as_of, start - dt.timedelta(days=1)))
        doc = Document(
            ReportKind.MONTHLY_PLAN, f"{contract.name}{year}年{month}月工作计划", contract, year, month, ev
        )
        resolver = Resolver(ev, links)
        doc.add("title", doc.title)
        doc.add(
            "meta",
            f"编制单位：{contract.provider.name}　　报送：{_bureau(contract)}　　计划期间：{first.month}月{first.day}日—{last.month}月{last.day}日",
        )
        progress = contract_progress(ev, with_squadrons=True) if as_of >= start else []
        doc.progress = progress
        by_code = {p.indicator.code: p for p in progress}
        doc.add("h1", "一、截至上月末完成情况")
        rows = []
        plans = _plan_rows(ev)
        for o in ev.outcomes:
            if not tracked(o):
                continue
            p = by_code.get(o.indicator.code)
            planned = plan_for(o, start, end, plans).at(as_of) if as_of >= start else Decimal(0)
            rows.append(
                [
                    Cell(o.indicator.name),
                    Cell(o.target_text, align="r"),
                    Cell(
                        segments=[
                            Segment(
                                o.actual_text,
                                figure=True,
                                link=resolver.link("indicator", str(o.indicator.pk)),
                            )
                        ],
                        align="r",
                    ),
                    Cell(format_number(planned.quantize(Decimal(1))) + o.unit, align="r"),
                    Cell(segments=[Segment(o.rate_text, figure=True)], align="r"),
                    Cell(_status_zh(p.status if p else "on_track")),
                ]
            )
        if as_of < start:
            doc.add("para", "本月为项目服务期首月，尚无累计完成数。")
        doc.blocks.append(
            Block(
                "table",
                table=Table(
                    ["指标", "全年目标", "累计完成", "计划累计", "完成进度", "状态"], rows, [4, 2, 2, 2, 2, 2]
                ),
            )
        )
        doc.add("note", "注：" + ev.capping_note())
        doc.add("h1", "二、本月工作安排")
        shares = squadron_shares(ev.figures.ctx.county_ids, first, first)
        rows = []
        for o in ev.outcomes:
            if not tracked(o):
                continue
            plan = plan_for(o, start, end, plans)
            quantity = _month_quantity(o, plan, first, last, end)
            split = allocate(quantity, shares)
            split_text = "、".join(f"{s.name}{n}" for s, n in split.items() if n) or "—"
            rows.append(
                [
                    Cell(o.indicator.name),
                    Cell(f"{quantity}{o.unit}", align="r"),
                    Cell(split_text),
                ]
            )
        doc.blocks.append(
            Block(
                "table",
                table=Table(["指标", "本月计划", "各中队安排（按在矫人数比例）"], rows, [4, 2, 8]),
            )
        )
        doc.add("h1", "三、需要重点关注的事项")
        notes = [w for p in progress for w in p.warnings] + [s.text for p in progress for s in p.suggestions]
        if notes:
            for note in notes:
                doc.add("para", note)
        else:
            doc.add("para", "各项指标进度正常，按计划推进。")
        stored = stored_texts(contract, year, month)
        doc.add("h1", "四、" + SECTION_TITLES["plan"])
        text = stored.get("plan", "")
        paragraphs = resolver.paragraphs(text)
        if not paragraphs:
            doc.add("para", "无。", key="plan")
        for paragraph in paragraphs:
            doc.add("h2" if paragraph.heading else "para", paragraph=paragraph, key="plan")
        return doc


def _month_quantity(o: Outcome, plan: Plan, first: dt.date, last: dt.date, end: dt.date) -> int:
    """This month's quantity: the planned month if there is a plan, else what keeps the year on target."""
    if not plan.linear:
        return int(plan.monthly.get(first.month, Decimal(0)))
    done = o.actual or Decimal(0)
    remaining = max(Decimal(0), (o.target or Decimal(0)) - done)
    months_left = 0
    cursor = first
    while cursor <= end:
        months_left += 1
        cursor = month_end(cursor) + dt.timedelta(days=1)
    return int(math.ceil(remaining / max(1, months_left)))


def _status_zh(status: str) -> str:
    return {
        "done": "已完成",
        "on_track": "正常",
        "behind": "落后计划",
        "at_risk": "预计难以完成",
        "short": "未完成",
        "not_measured": "未取得数据",
    }.get(status, status)


def monthly_summary(
    contract: Contract, year: int, month: int, *, links: Links | None = None, today: dt.date | None = None
) -> Document:
    with translation.override("zh-hans"):
        today = today or timezone.localdate()
        from jiaozheng.indicators.evaluation import contract_year_period

        start, end = contract_year_period(contract, year)
        first, last = _month_bounds(start, end, year, month)
        as_of = min(last, today)
        ev = evaluate(contract, year, as_of=as_of)
        doc = Document(
            ReportKind.MONTHLY_SUMMARY, f"{contract.name}{year}年{month}月工作总结", contract, year, month, ev
        )
        resolver = Resolver(ev, links)
        doc.add("title", doc.title)
        period = f"{first.month}月{first.day}日—{as_of.month}月{as_of.day}日"
        doc.add(
            "meta", f"编制单位：{contract.provider.name}　　报送：{_bureau(contract)}　　统计期间：{period}"
        )
        if as_of < first:
            doc.add("para", "本月尚未开始。")
            return doc
        progress = contract_progress(ev, with_squadrons=False)
        doc.progress = progress
        by_code = {p.indicator.code: p for p in progress}
        plans = _plan_rows(ev)
        figures = ev.figures
        doc.add("h1", "一、本月完成情况")
        rows = []
        month_counts: dict[str, dict[int, int] | None] = {}
        for o in ev.outcomes:
            if not tracked(o):
                continue
            code = o.indicator.measure_code
            before = (
                figures.value(code, figures.ctx.with_end(first - dt.timedelta(days=1)))
                if first > start
                else Decimal(0)
            )
            done = (o.actual or Decimal(0)) - (before or Decimal(0))
            plan = plan_for(o, start, end, plans)
            planned_month = plan.at(last) - plan.at(first - dt.timedelta(days=1))
            ilink = resolver.link("indicator", str(o.indicator.pk))
            p = by_code.get(o.indicator.code)
            rows.append(
                [
                    Cell(o.indicator.name),
                    Cell(
                        segments=[Segment(f"{format_number(done)}{o.unit}", figure=True, link=ilink)],
                        align="r",
                    ),
                    Cell(f"{format_number(planned_month.quantize(Decimal(1)))}{o.unit}", align="r"),
                    Cell(segments=[Segment(o.actual_text, figure=True, link=ilink)], align="r"),
                    Cell(o.target_text, align="r"),
                    Cell(segments=[Segment(o.rate_text, figure=True, link=ilink)], align="r"),
                    Cell(_status_zh(p.status if p else "on_track")),
                ]
            )
            if o.measure is not None:
                month_counts[o.indicator.code] = squadron_counts(
                    o.measure, figures.ctx.with_start(first).with_end(as_of)
                )
        doc.blocks.append(
            Block(
                "table",
                table=Table(
                    ["指标", "本月完成", "本月计划", "累计完成", "全年目标", "完成进度", "状态"],
                    rows,
                    [4, 2, 2, 2, 2, 2, 2],
                ),
            )
        )
        doc.add("note", "注：" + ev.capping_note())
        not_held = _month_not_held(ev, resolver, first, as_of)
        if not_held:
            doc.add("para", paragraph=Paragraph(not_held))
        doc.add("h1", "二、分中队完成情况")
        split = {code: counts for code, counts in month_counts.items() if counts is not None}
        outcomes = [o for o in ev.outcomes if o.indicator.code in split]
        if outcomes:
            shares = squadron_shares(ev.figures.ctx.county_ids, first, as_of)
            rows = []
            for squadron in shares:
                rows.append(
                    [Cell(squadron.name)]
                    + [Cell(str(split[o.indicator.code].get(squadron.pk, 0)), align="r") for o in outcomes]
                )
            doc.blocks.append(
                Block(
                    "table",
                    table=Table(
                        ["中队"] + [o.indicator.name for o in outcomes],
                        rows,
                        [3.0] + [2.0] * len(outcomes),
                        small=len(outcomes) > 5,
                    ),
                )
            )
        else:
            doc.add("para", "本月记录未能按中队区分。")
        doc.add("h1", "三、资金使用情况")
        spent = Expenditure.objects.filter(
            contract=contract, spent_on__gte=first, spent_on__lte=as_of
        ).values_list("line_id", "amount")
        per_line: dict[int | None, Decimal] = {}
        for line_id, amount in spent:
            per_line[line_id] = per_line.get(line_id, Decimal(0)) + amount
        names = dict(FundLine.objects.filter(contract=contract).values_list("pk", "name"))
        paid = sum(
            Payment.objects.filter(contract=contract, paid_on__gte=first, paid_on__lte=as_of).values_list(
                "amount", flat=True
            ),
            Decimal(0),
        )
        month_total = sum(per_line.values(), Decimal(0))
        link = resolver.link("funds", "")
        doc.add(
            "para",
            paragraph=Paragraph(
                [
                    Segment("本月支出"),
                    Segment(format_wan(month_total), figure=True, link=link),
                    Segment("万元，收到拨款"),
                    Segment(format_wan(paid), figure=True, link=link),
                    Segment("万元；累计支出"),
                    Segment(format_wan(ev.funds.spent), figure=True, link=link),
                    Segment("万元，预算执行率"),
                    Segment(format_percent(ev.funds.execution_rate), figure=True, link=link),
                    Segment("。"),
                ]
            ),
        )
        if per_line:
            rows = [
                [
                    Cell(names.get(line_id, "未对应预算科目") if line_id else "未对应预算科目"),
                    Cell(format_wan(amount), align="r"),
                ]
                for line_id, amount in sorted(per_line.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
            ]
            doc.blocks.append(Block("table", table=Table(["预算科目", "本月支出（万元）"], rows, [6, 3])))
        doc.add("h1", "四、进度预警")
        notes = [w for p in progress for w in p.warnings]
        if notes:
            for note in notes:
                doc.add("para", note)
        else:
            doc.add("para", "各项指标进度正常。")
        series = [p for p in progress if p.indicator.group == IndicatorGroup.OUTPUT_QUANTITY][:6]
        if series:
            doc.blocks.append(
                Block(
                    "chart",
                    chart=Chart(
                        "progress",
                        "主要数量指标逐月累计完成情况（占年度目标%）",
                        {"series": [p.chart() for p in series]},
                    ),
                )
            )
        stored = stored_texts(contract, year, month)
        doc.add("h1", "五、" + SECTION_TITLES["summary"])
        paragraphs = resolver.paragraphs(stored.get("summary", ""))
        if not paragraphs:
            doc.add("para", "无。", key="summary")
        for paragraph in paragraphs:
            doc.add("h2" if paragraph.heading else "para", paragraph=paragraph, key="summary")
        return doc


def _month_not_held(ev: Evaluation, resolver: Resolver, first: dt.date, last: dt.date) -> list[Segment]:
    """This month's cancelled and rescheduled work of the services the contract-year's indicators count."""
    counted = {o.indicator.measure_code for o in ev.outcomes}
    ctx = ev.figures.ctx.with_start(first).with_end(last)
    segments: list[Segment] = []
    for service, spec in NOT_HELD.items():
        if spec.held not in counted:
            continue
        clause = not_held_segments(ev, resolver, service, when="本月", ctx=ctx)
        if clause:
            segments += [Segment("；")] if segments else []
            segments += clause
    return [*segments, Segment("。")] if segments else []


def build(
    kind: str,
    contract: Contract,
    year: int,
    month: int = 0,
    *,
    links: Links | None = None,
    as_of: dt.date | None = None,
) -> Document:
    if kind == ReportKind.ANNUAL:
        return annual_report(contract, year, as_of=as_of, links=links)
    if kind == ReportKind.MONTHLY_PLAN:
        return monthly_plan(contract, year, month, links=links, today=as_of)
    if kind == ReportKind.MONTHLY_SUMMARY:
        return monthly_summary(contract, year, month, links=links, today=as_of)
    raise ValueError(kind)
