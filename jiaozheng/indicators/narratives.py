"""Report texts: the outline's editable blocks, their default wording, and the figure tokens inside them.

A stored text is plain paragraphs (one per line). A short line that starts with （一）…（十） is a level-2
heading. Figures are never typed: the text holds tokens that are computed when the report is rendered:

- ``{{m.<measure code>}}``: the measure over the contract-year, e.g. ``{{m.education.sessions_held}}``.
- ``{{i.<indicator>.<attribute>}}``: target, actual, unit, rate (as shown: capped or not), ratio
  (uncapped), score, weight, excess, excess_note, coverage, coverage_note, verdict, name.
- ``{{f.<attribute>}}`` (money in 万元): budget, price, paid, spent, balance, execution_rate,
  price_execution_rate, paid_rate, paid_status, lines, line.<category>.spent / .budget, earmark (the
  专款专用 sentence, from the earmarking checks).
- ``{{c.<attribute>}}``: name, code, buyer, agency, county, provider, provider_short, signed, start,
  end, start_month, end_month, year, staff (the provider's social workers posted in the counties), as_of
  (the day the figures run to: the period end, or the data date of a report generated early).
- ``{{s.total}}``, ``{{s.grade}}``: the self-evaluation score and grade; ``{{s.verdict}}``: both in a
  clause (or, for a year in progress, that it is not yet due); ``{{s.schedule}}``: the schedule
  sentence, from the month-end progress of every accumulating indicator against its plan.

A sentence that states a fact about the year is a token, never typed: the earmark, the schedule and the
verdict of each indicator (for a lower-is-better indicator with target 0, such as persons who lost contact,
the verdict says whether any case occurred).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from jiaozheng.contracts.choices import FundCategory
from jiaozheng.indicators.scoring import format_number, format_percent, format_wan

TOKEN = re.compile(r"\{\{\s*([a-z])\.([A-Za-z0-9_.\-]+)\s*\}\}")
HEADING2 = re.compile(r"^（[一二三四五六七八九十]+）")

# --- the outline of the annual report (the seed's own six parts) --------------------------------------


@dataclass(frozen=True)
class Part:
    """A place in the outline: a heading and/or an editable block and/or a computed insert."""

    level: int  # 1 一、, 2 （一）, 3 1、, 4 ①
    heading: str
    key: str = ""  # editable block
    computed: tuple[str, ...] = ()  # computed inserts after the block
    computed_before: tuple[str, ...] = ()


ANNUAL_OUTLINE: tuple[Part, ...] = (
    Part(1, "一、项目基本情况"),
    Part(2, "（一）项目概况", "overview"),
    Part(2, "（二）项目绩效目标", "goals"),
    Part(1, "二、绩效评价指标分析情况"),
    Part(2, "（一）项目资金情况分析"),
    Part(3, "1、项目资金到位情况分析", "funds_arrival", computed=("payments",)),
    Part(3, "2、项目资金使用情况分析", "funds_use", computed=("fund_lines", "chart_funds")),
    Part(3, "3、项目资金管理情况分析", "funds_management", computed=("earmark",)),
    Part(2, "（二）项目实施情况分析"),
    Part(3, "1、项目组织情况分析", "impl_organisation"),
    Part(3, "2、项目管理情况分析", "impl_management", computed=("adjustments", "chart_progress")),
    Part(2, "（三）项目情况分析"),
    Part(3, "1、项目的经济性分析", "economy"),
    Part(3, "2、项目的效率性分析", "efficiency", computed=("completion", "chart_completion")),
    Part(3, "3、项目的效益性分析"),
    Part(4, "①教育学习", "effect_education", computed=("not_held_education",)),
    Part(4, "②心理矫治", "effect_psych"),
    Part(4, "③社区服务", "effect_community", computed=("not_held_community",)),
    Part(4, "④走访调查", "effect_visits"),
    Part(4, "⑤定位服务", "effect_location", computed=("coverage",)),
    Part(1, "三、项目后续工作计划", "plans"),
    Part(1, "四、评价情况及评价结论", "conclusion", computed_before=("score",)),
    Part(1, "五、主要经验做法、存在问题、改进措施和建议"),
    Part(2, "（一）主要经验做法", "experience"),
    Part(2, "（二）存在问题", "problems", computed=("shortfalls",)),
    Part(2, "（三）改进措施和建议", "improvements"),
    Part(1, "六、其他", "other"),
)

ANNUAL_KEYS = tuple(p.key for p in ANNUAL_OUTLINE if p.key)
MONTHLY_KEYS = ("plan", "summary")
SECTION_TITLES = {p.key: p.heading for p in ANNUAL_OUTLINE if p.key}
SECTION_TITLES.update({"plan": "其他工作安排", "summary": "存在问题及下月打算"})

DEFAULTS: dict[str, str] = {
    "overview": (
        "根据政府购买社区矫正服务的有关政策规定，经{{c.county}}人民政府、财政部门批准，{{c.buyer}}实施"
        "“{{c.name}}”。项目经{{c.procurement}}，于{{c.signed}}由{{c.provider}}（以下简称{{c.provider_short}}）"
        "承接，服务期限自{{c.start}}至{{c.end}}，为{{c.county}}社区矫正对象提供教育学习、心理矫治、社区服务、"
        "走访调查、定位服务等社区矫正社会工作服务。"
    ),
    "goals": (
        "项目围绕教育学习主题化、心理矫治专业化、社区服务公益化、走访调查人性化、定位监管技术化五个目标开展工作，"
        "合同约定的量化考核指标见附表《绩效自评表》。"
    ),
    "funds_arrival": (
        "该项目年度资金财政预算为{{f.budget}}万元，中标价为{{f.price}}万元，实际支付{{f.paid}}万元，{{f.paid_status}}。"
    ),
    "funds_use": "项目资金按预算科目使用：{{f.lines}}，共计{{f.spent}}万元，预算执行率{{f.execution_rate}}。",
    "funds_management": "项目资金实行专账核算，每笔支出须登记预算科目并附原始凭证，核查结果如下。",
    "impl_organisation": (
        "项目实施期间，由{{c.buyer}}负责社区矫正对象监督管理，{{c.provider_short}}负责教育学习、心理测量评估、"
        "心理咨询辅导、社区服务、走访调查及定位服务等专业服务。"
    ),
    "impl_management": (
        "{{c.buyer}}与{{c.provider_short}}分别承担监督管理与专业服务职能，每月编制工作计划和工作总结。{{s.schedule}}"
    ),
    "economy": (
        "项目通过购买专业社会工作服务，为社区矫正对象提供教育学习、心理矫治、社区服务、走访调查、定位监管等服务，"
        "降低再犯罪风险。"
    ),
    "efficiency": (
        "{{c.provider_short}}安排{{c.staff}}名专职社工常驻开展服务。自{{c.start}}至{{c.as_of}}，累计完成教育学习"
        "{{m.education.sessions_held}}场次，社区服务{{m.community.activities_held}}场次，心理测量"
        "{{m.assessments.persons_assessed}}人（有效评估{{m.assessments.valid_persons}}人，出具《心理测验与评估分析报告》"
        "{{m.assessments.reports_issued}}份），团体心理辅导"
        "{{m.counselling.group_sessions}}场次，个案心理咨询{{m.counselling.individual_cases}}人次，定位服务"
        "{{m.location.installs}}人次。"
    ),
    "effect_education": (
        "{{i.education.verdict}}。应完成教育学习{{i.education.target}}场次，实际完成{{i.education.actual}}场次，"
        "实际完成量化考核指标{{i.education.rate}}{{i.education.excess_note}}。"
    ),
    "effect_psych": (
        "共完成心理健康状况测量{{m.assessments.persons_assessed}}人，有效评估{{m.assessments.valid_persons}}人"
        "（完成测评{{m.assessments.completed_assessments}}人次，其中有效{{m.assessments.valid_assessments}}人次），"
        "出具《心理测验与评估分析报告》{{m.assessments.reports_issued}}份，"
        "新入矫社区矫正对象测评率{{m.assessments.new_entrant_rate}}；完成团体心理辅导{{m.counselling.group_sessions}}场次、"
        "个案辅导{{m.counselling.individual_cases}}人次。"
    ),
    "effect_community": (
        "共组织公益活动{{m.community.activities_held}}场次，实际完成量化考核指标{{i.community.rate}}"
        "{{i.community.excess_note}}。"
    ),
    "effect_visits": (
        "完成日常走访{{m.visits.routine_visits}}人次，重点走访对象{{m.visits.focus_subjects}}人，"
        "特殊走访对象{{m.visits.special_subjects}}人。"
    ),
    "effect_location": (
        "已安装使用手机定位APP共{{m.location.installs}}人次，电子监管率为{{i.app_installs.rate}}"
        "{{i.app_installs.coverage_note}}。{{s.absconding}}"
    ),
    "plans": "（一）加强项目社工业务技能培训\n结合本年度自评发现的问题，制定下一年度改进计划。",
    "conclusion": "",
    "experience": (
        "项目各项服务均由{{c.provider_short}}的社工和心理咨询师在县司法局及各中队的组织下开展，"
        "教育学习、心理矫治、社区服务、走访调查和定位服务的每一次开展均有记录可查，本报告所列数据均由这些记录统计得出。"
    ),
    "problems": "",
    "improvements": (
        "对未完成或进度滞后的指标，按月分解补足计划并落实到各中队，在月度工作总结中逐项跟踪完成情况。"
    ),
    "other": "无",
    "plan": "",
    "summary": "",
}


def default_text(contract: Any, year: int, key: str) -> str:
    """The text a block starts from: the platform's own wording, the same for every county and year."""
    return DEFAULTS.get(key, "")


# --- tokens ------------------------------------------------------------------------------------------------


@dataclass
class Segment:
    text: str
    figure: bool = False
    link: str = ""
    title: str = ""
    missing: bool = False


@dataclass
class Paragraph:
    segments: list[Segment]
    heading: bool = False

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)


INDICATOR_ATTRS = (
    "target",
    "actual",
    "unit",
    "rate",
    "ratio",
    "score",
    "weight",
    "excess",
    "excess_note",
    "coverage",
    "coverage_note",
    "verdict",
    "name",
)
FUND_ATTRS = (
    "budget",
    "price",
    "paid",
    "spent",
    "balance",
    "execution_rate",
    "price_execution_rate",
    "paid_rate",
    "paid_status",
    "lines",
    "earmark",
)
CONTRACT_ATTRS = (
    "name",
    "code",
    "buyer",
    "agency",
    "county",
    "provider",
    "provider_short",
    "procurement",
    "signed",
    "start",
    "end",
    "start_month",
    "end_month",
    "year",
    "staff",
    "as_of",
)
SCORE_ATTRS = ("total", "grade", "verdict", "schedule", "absconding")
LOST_CONTACT_MEASURE = "location.lost_contact_persons"


def token_problems(text: str, indicator_codes: set[str]) -> list[str]:
    """Tokens that cannot be resolved (unknown namespace, attribute or indicator); measures are checked
    at rendering time because a module may be installed later."""
    problems = []
    for match in TOKEN.finditer(text):
        ns, path = match.group(1), match.group(2)
        if ns == "m":
            continue
        if ns == "i":
            code, _sep, attr = path.rpartition(".")
            if code not in indicator_codes:
                problems.append(match.group(0) + " " + str(_("(no such indicator)")))
            elif attr not in INDICATOR_ATTRS:
                problems.append(match.group(0) + " " + str(_("(unknown attribute)")))
        elif ns == "f":
            if path.startswith("line."):
                parts = path.split(".")
                if (
                    len(parts) != 3
                    or parts[1] not in FundCategory.values
                    or parts[2] not in ("spent", "budget")
                ):
                    problems.append(match.group(0) + " " + str(_("(unknown fund line)")))
            elif path not in FUND_ATTRS:
                problems.append(match.group(0) + " " + str(_("(unknown attribute)")))
        elif ns == "c":
            if path not in CONTRACT_ATTRS:
                problems.append(match.group(0) + " " + str(_("(unknown attribute)")))
        elif ns == "s":
            if path not in SCORE_ATTRS:
                problems.append(match.group(0) + " " + str(_("(unknown attribute)")))
        else:
            problems.append(match.group(0) + " " + str(_("(unknown kind of figure)")))
    stray = TOKEN.sub("", text)
    if "{{" in stray or "}}" in stray:
        problems.append(str(_("A {{ or }} is not part of a valid figure token.")))
    return problems


@dataclass
class Resolver:
    """Turns tokens into text (and, for the web, links to the records behind each figure)."""

    evaluation: Any
    links: Callable[[str, str], str] | None = None  # (kind, key) -> url, or None for documents
    _cache: dict[str, Segment] = field(default_factory=dict)

    def link(self, kind: str, key: str) -> str:
        return self.links(kind, key) if self.links else ""

    def resolve(self, ns: str, path: str) -> Segment:
        cache_key = f"{ns}.{path}"
        if cache_key not in self._cache:
            try:
                self._cache[cache_key] = self._resolve(ns, path)
            except (KeyError, AttributeError, ValueError, TypeError):
                self._cache[cache_key] = Segment(f"【{ns}.{path}】", figure=True, missing=True)
        return self._cache[cache_key]

    def _resolve(self, ns: str, path: str) -> Segment:
        ev = self.evaluation
        if ns == "m":
            value = ev.figures.value(path)
            measure = ev.figures.measure(path)
            if value is None:
                return Segment(f"【未取得：{path}】", figure=True, missing=True, title=path)
            text = format_percent(value / 100) if measure and measure.kind == "rate" else format_number(value)
            return Segment(text, figure=True, link=self.link("measure", path), title=str(measure.label))
        if ns == "i":
            code, _sep, attr = path.rpartition(".")
            outcome = ev.outcome(code)
            if outcome is None:
                return Segment(f"【无此指标：{code}】", figure=True, missing=True)
            return self._indicator(outcome, attr)
        if ns == "f":
            return self._funds(path)
        if ns == "c":
            return Segment(contract_attr(ev, path))
        if ns == "s":
            if path == "total":
                return Segment(format_number(ev.normalised_total), figure=True, link=self.link("score", ""))
            if path == "grade":
                return Segment(ev.grade_zh, figure=True, link=self.link("score", ""))
            if path == "verdict":
                return Segment(score_verdict(ev), figure=True, link=self.link("score", ""))
            if path == "schedule":
                return Segment(schedule_sentence(ev), figure=True, link=self.link("score", ""))
            if path == "absconding":
                text = absconding_sentence(ev)
                return Segment(text, figure=bool(text), link=self.link("measure", LOST_CONTACT_MEASURE))
        raise KeyError(path)

    def _indicator(self, outcome: Any, attr: str) -> Segment:
        from jiaozheng.indicators.evaluation import rate_display_note

        ind = outcome.indicator
        link = self.link("indicator", str(ind.pk))
        if attr == "name":
            return Segment(ind.name)
        if attr == "unit":
            return Segment(ind.unit)
        if attr == "target":
            return Segment(format_number(ind.target), figure=True, title=ind.name)
        if attr == "weight":
            return Segment(format_number(ind.weight), figure=True)
        if attr == "actual":
            if outcome.actual is None:
                return Segment("【未取得】", figure=True, missing=True, link=link)
            return Segment(format_number(outcome.actual), figure=True, link=link, title=ind.name)
        if attr == "rate":
            return Segment(outcome.rate_text, figure=True, link=link, title=outcome.rate_name)
        if attr == "ratio":
            return Segment(outcome.ratio_text, figure=True, link=link)
        if attr == "score":
            return Segment(format_number(outcome.score.score), figure=True, link=self.link("score", ""))
        if attr == "excess":
            return Segment(format_number(outcome.excess or Decimal(0)), figure=True, link=link)
        if attr == "excess_note":
            note = rate_display_note(outcome) if ind.rate_display == "capped" else ""
            return Segment(note, figure=bool(note), link=link if note else "")
        if attr == "coverage":
            if outcome.coverage is None:
                return Segment("【未取得】", figure=True, missing=True)
            return Segment(
                format_percent(outcome.coverage / 100),
                figure=True,
                link=self.link("measure", ind.coverage_measure_code),
            )
        if attr == "coverage_note":
            return Segment(
                coverage_note(outcome),
                figure=True,
                link=self.link("measure", ind.coverage_measure_code) if ind.coverage_measure_code else link,
            )
        if attr == "verdict":
            if outcome.actual is None:
                return Segment("量化指标完成情况待统计")
            if ind.direction == "lower":
                return Segment(lower_verdict(outcome), figure=True, link=link)
            if outcome.excess is not None:
                return Segment("量化指标超额完成")
            if outcome.shortfall is None:
                return Segment("量化指标全面完成")
            return Segment("量化指标尚未完成")
        raise KeyError(attr)

    def _funds(self, path: str) -> Segment:
        funds = self.evaluation.funds
        link = self.link("funds", "")
        if path.startswith("line."):
            _line, category, attr = path.split(".")
            rows = [s for s in funds.lines if s.line.category == category]
            if not rows:
                return Segment("0", figure=True, link=link)
            total = sum((s.spent if attr == "spent" else s.budget for s in rows), Decimal(0))
            return Segment(format_wan(total), figure=True, link=link)
        if path == "budget":
            return Segment(format_wan(funds.budget), figure=True, link=link)
        if path == "price":
            return Segment(format_wan(funds.price), figure=True, link=link)
        if path == "paid":
            return Segment(format_wan(funds.paid), figure=True, link=link)
        if path == "spent":
            return Segment(format_wan(funds.spent), figure=True, link=link)
        if path == "balance":
            return Segment(format_wan(funds.price - funds.spent), figure=True, link=link)
        if path == "execution_rate":
            return Segment(format_percent(funds.execution_rate), figure=True, link=link)
        if path == "price_execution_rate":
            return Segment(format_percent(funds.price_execution_rate), figure=True, link=link)
        if path == "paid_rate":
            return Segment(format_percent(funds.paid_rate), figure=True, link=link)
        if path == "paid_status":
            if funds.price and funds.paid >= funds.price:
                return Segment("目前项目资金已经全部拨款到位")
            return Segment(
                f"尚有{format_wan(funds.price - funds.paid)}万元未拨付到位（资金到位率{format_percent(funds.paid_rate)}）",
                figure=True,
                link=link,
            )
        if path == "earmark":
            return Segment(earmark_sentence(funds), figure=True, link=link)
        if path == "lines":
            parts = [f"{s.line.name}{format_wan(s.spent)}万元" for s in funds.lines]
            if funds.unmapped:
                parts.append(f"未对应预算科目的支出{format_wan(funds.unmapped)}万元")
            return Segment("、".join(parts) or "暂无支出", figure=True, link=link)
        raise KeyError(path)

    def paragraphs(self, text: str) -> list[Paragraph]:
        out = []
        for raw_line in (text or "").splitlines():
            line = raw_line.strip()
            if not line:
                continue
            segments: list[Segment] = []
            position = 0
            for match in TOKEN.finditer(line):
                if match.start() > position:
                    segments.append(Segment(line[position : match.start()]))
                resolved = self.resolve(match.group(1), match.group(2))
                if resolved.text:
                    segments.append(resolved)
                position = match.end()
            if position < len(line):
                segments.append(Segment(line[position:]))
            heading = bool(HEADING2.match(line)) and len(line) <= 40 and not line.endswith("。")
            out.append(Paragraph(segments, heading))
        return out


def earmark_sentence(funds: Any) -> str:
    """The 专款专用 sentence of the year, from the earmarking checks of the funds summary."""
    problems = [c for c in funds.checks if c.level != "ok"]
    if not problems:
        if not funds.expenditures:
            return "本期尚无项目支出。"
        return (
            f"经逐笔核查，本期{funds.expenditures}笔支出均已对应预算科目并附原始凭证，无预算科目超支、"
            "无超出中标价的支出，项目资金专款专用。"
        )
    parts = []
    for check in problems:
        if check.code == "unmapped":
            parts.append(f"{check.count}笔支出（{format_wan(check.amount)}万元）未对应预算科目")
        elif check.code == "overspent":
            parts.append(f"有预算科目超支{format_wan(check.amount)}万元")
        elif check.code == "over_price":
            parts.append(f"支出超出中标价{format_wan(check.amount)}万元")
        elif check.code == "over_paid":
            parts.append(f"拨付资金超出中标价{format_wan(check.amount)}万元")
        elif check.code == "lines_total":
            parts.append("预算科目合计与中标价不一致")
        elif check.code == "no_lines":
            parts.append("尚未设置预算科目")
        elif check.code == "no_voucher":
            parts.append(f"{check.count}笔支出未附原始凭证")
        elif check.code == "outside_period":
            parts.append(f"{check.count}笔支出发生在服务期（含结算期）之外")
        else:
            parts.append(str(check.message))
    return f"经逐笔核查，本期资金使用存在{len(parts)}项问题：{'；'.join(parts)}，须整改后方符合专款专用要求。"


def score_verdict(evaluation: Any) -> str:
    """The score and grade of a finished year; for a year in progress, that it is not yet due."""
    if not evaluation.complete:
        day = evaluation.as_of
        return f"本报告为中期自评，数据截至{day.year}年{day.month}月{day.day}日；年度尚未结束，未到评价期，不评定等级"
    text = (
        f"本项目{evaluation.year}年度绩效自评得分{format_number(evaluation.normalised_total)}分，"
        f"评价等级为{evaluation.grade_zh}"
    )
    if evaluation.grade_bound is not None:
        text += f"（{evaluation.grade_bound.sentence.rstrip('。')}）"
    return text


def schedule_sentence(evaluation: Any) -> str:
    """The schedule sentence: which accumulating indicators fell behind their plan at a month end."""
    from jiaozheng.indicators.progress import contract_progress

    progress = contract_progress(evaluation, with_squadrons=False)
    if not progress:
        return "本期无按月累计考核的数量指标。"
    measured = [p for p in progress if p.actual is not None]
    late = [p for p in measured if p.late_months]
    as_of = evaluation.as_of
    when = "全年" if evaluation.complete else f"截至{as_of.year}年{as_of.month}月{as_of.day}日"
    unmeasured = len(progress) - len(measured)
    tail = f"另有{unmeasured}项指标尚无统计数。" if unmeasured else ""
    if not late:
        return f"{when}{len(measured)}项按月累计考核的数量指标，各月末累计完成量均达到进度计划。{tail}"
    parts = []
    for p in late:
        months = "、".join(f"{m.first.month}月" for m in p.late_months)
        parts.append(f"{p.indicator.name}（{months}）")
    return (
        f"{when}{len(measured)}项按月累计考核的数量指标中，{len(late)}项曾在月末落后于进度计划："
        f"{'；'.join(parts)}。{tail}"
    )


def absconding_sentence(evaluation: Any) -> str:
    """The absconding sentence, from the lost-contact measure (the indicator on it, if the year has one)."""
    outcome = evaluation.by_measure(LOST_CONTACT_MEASURE)
    value = outcome.actual if outcome is not None else evaluation.figures.value(LOST_CONTACT_MEASURE)
    if value is None:
        return ""
    when = "全年" if evaluation.complete else "本期"
    if value == 0:
        return f"{when}未发生脱管情况（脱管人数为0）。"
    return f"{when}发生脱管{format_number(value)}人（失联未归且经核实），须逐人查明原因、落实追查并报告。"


@dataclass(frozen=True)
class NotHeld:
    """The work planned but not held of one service: the measure of what was held, and those of what was
    not (cancelled, rescheduled), each with its verb."""

    name: str  # the service as the report names it
    held: str  # the measure of the held work (the indicator the sentence explains)
    parts: tuple[tuple[str, str], ...]  # (measure code, verb)


NOT_HELD: dict[str, NotHeld] = {
    "education": NotHeld(
        "教育学习",
        "education.sessions_held",
        (("education.sessions_cancelled", "取消"), ("education.sessions_rescheduled", "改期")),
    ),
    "community": NotHeld(
        "公益活动", "community.activities_held", (("community.activities_cancelled", "取消"),)
    ),
}


def not_held_segments(
    evaluation: Any, resolver: Resolver, service: str, *, when: str, ctx: Any = None
) -> list[Segment]:
    """The clause saying how much of a service's planned work was cancelled or rescheduled and that it was
    not counted as done, each figure computed from the records (over ``ctx``, the evaluation's own context
    if not given) and linked to them; nothing when none of its measures is installed."""
    spec = NOT_HELD[service]
    figures = []
    for code, verb in spec.parts:
        value = evaluation.figures.value(code, ctx)
        if value is not None:
            figures.append((code, verb, value))
    if not figures:
        return []
    shown = [f for f in figures if f[2]]
    if not shown:
        return [Segment(f"{when}无{'或'.join(verb for _c, verb, _v in figures)}的{spec.name}场次")]
    segments = [Segment(f"{when}计划的{spec.name}中，因故")]
    for i, (code, verb, value) in enumerate(shown):
        measure = evaluation.figures.measure(code)
        segments.append(Segment(("、" if i else "") + verb))
        segments.append(
            Segment(
                format_number(value),
                figure=True,
                link=resolver.link("measure", code),
                title=str(measure.label) if measure else code,
            )
        )
        segments.append(Segment("场次"))
    segments.append(Segment("，均未计入完成场次" if len(shown) > 1 else "，未计入完成场次"))
    if any(verb == "改期" for _c, verb, _v in shown):
        segments.append(Segment("（改期后举行的，按实际举行的日期计入）"))
    return segments


def lower_verdict(outcome: Any) -> str:
    """The verdict of a lower-is-better indicator; with target 0 it says whether any case occurred."""
    ind = outcome.indicator
    actual = format_number(outcome.actual)
    if not ind.target:
        base = ind.name.removesuffix("人数").removesuffix("数")
        if outcome.actual == 0:
            return f"未发生{base}情况（{ind.name}为0）"
        return f"发生{base}{actual}{ind.unit}，{ind.name}未达到目标值0的要求"
    if outcome.shortfall is None:
        return f"{ind.name}为{outcome.actual_text}，未超过{outcome.target_text.lstrip('≤')}的上限"
    return f"{ind.name}为{outcome.actual_text}，超过{outcome.target_text.lstrip('≤')}的上限"


def coverage_note(outcome: Any) -> str:
    """Why the seed's 电子监管率 can exceed 100 %, with the true coverage beside it."""
    ind = outcome.indicator
    if outcome.actual is None or ind.target is None:
        return ""
    text = (
        f"（{outcome.rate_name}按定位APP安装{format_number(outcome.actual)}{ind.unit}÷合同约定"
        f"{format_number(ind.target)}{ind.unit}计算"
    )
    if ind.coverage_measure_code:
        if outcome.coverage is None:
            text += "；按在矫对象计算的实际覆盖率未取得"
        else:
            text += f"；按在矫对象计算的实际覆盖率为{format_percent(outcome.coverage / 100)}"
    return text + "）"


def contract_attr(evaluation: Any, attr: str) -> str:
    contract = evaluation.contract
    counties = list(contract.counties.all())
    if attr == "name":
        return contract.name
    if attr == "code":
        return contract.code
    if attr == "buyer":
        return contract.buyer.bureau_name or contract.buyer.name
    if attr == "agency":
        return contract.buyer.agency_name or contract.buyer.name
    if attr == "county":
        return "、".join(c.name for c in counties) or contract.buyer.name
    if attr == "provider":
        return contract.provider.name
    if attr == "provider_short":
        return contract.provider.short_name or contract.provider.name
    if attr == "procurement":
        return contract.procurement or "政府采购程序"
    if attr == "signed":
        day = contract.signed_on
        return f"{day.year}年{day.month}月" if day else "（签订日期未录入）"
    if attr == "as_of":
        day = evaluation.as_of
        return f"{day.year}年{day.month}月{day.day}日"
    if attr in ("start", "end"):
        day = evaluation.start if attr == "start" else evaluation.end
        return f"{day.year}年{day.month}月{day.day}日"
    if attr in ("start_month", "end_month"):
        day = evaluation.start if attr == "start_month" else evaluation.end
        return f"{day.year}年{day.month}月"
    if attr == "year":
        return str(evaluation.year)
    if attr == "staff":
        return str(provider_staff(contract))
    raise KeyError(attr)


def provider_staff(contract: Any) -> int:
    """Active social workers of the provider posted in the contract's counties (or their squadrons)."""
    from jiaozheng.core.roles import Role
    from jiaozheng.orgs.models import User

    county_ids = list(contract.counties.values_list("pk", flat=True))
    return (
        User.objects.filter(
            is_active=True,
            role=Role.SOCIAL_WORKER,
            provider=contract.provider,
            assignments__unit__county_id__in=county_ids,
        )
        .distinct()
        .count()
    )
