"""The individual report (心理测验与评估分析报告) as PDF (WeasyPrint) and DOCX (python-docx).

Both are rendered from the Report row and its assessment's stored result, so they can be reproduced at
any time. Layout after GB/T 9704-2012 (docs/style.md §6): A4, margins 37/35/28/26 mm, body 仿宋 16 pt,
title 小标宋 22 pt, "一、" headings in 黑体, "（一）" in 楷体, page numbers "— 1 —". The PDF embeds free
substitutes (Noto Serif CJK for 宋/仿宋, Noto Sans CJK for 黑体, AR PL UKai for 楷体); the DOCX names the
Windows fonts (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312) on w:eastAsia.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from jiaozheng.assessments.models import Report
from jiaozheng.assessments.norms import compare, criterion_referenced, cutoff_sources, officer_text

CHART_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
LANG = "zh-hans"
CN_NUMBERS = "一二三四五六七八九十"


@dataclass
class ReportData:
    report: Report
    person: Any
    assessment: Any
    scale: Any
    identity: list[tuple[str, str]]
    metrics: list[dict[str, Any]]
    subscales: list[dict[str, Any]]
    screening_text: str
    interpretation: list[str]
    validity_text: list[str]
    norm_text: list[str]
    organisation: str
    placeholder_notice: str
    chart_png: bytes | None
    has_norm: bool = False

    @property
    def norm_heading(self) -> str:
        return "常模说明" if self.has_norm else "判定依据"

    @property
    def identity_rows(self) -> list[list[tuple[str, str]]]:
        pairs = list(self.identity)
        if len(pairs) % 2:
            pairs.append(("", ""))
        return [pairs[i : i + 2] for i in range(0, len(pairs), 2)]


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        text = f"{value:.4f}".rstrip("0").rstrip(".")
        return text
    return str(value)


OP_TEXT = {">=": "≥", "<=": "≤", "==": "=", "!=": "≠"}


def _op(op: str) -> str:
    return OP_TEXT.get(op, op)


def _norm_text(row: dict[str, Any] | None) -> str:
    if not row:
        return ""
    digits = 2 if abs(float(row["mean"])) < 100 else 2
    return f"{float(row['mean']):.{digits}f} ± {float(row['sd']):.{digits}f}"


def _wrap(label: str) -> str:
    """Break a long factor name over two lines for the chart's axis."""
    label = label.replace("（睡眠饮食）", "")
    return (
        label if len(label) <= 4 else label[: (len(label) + 1) // 2] + "\n" + label[(len(label) + 1) // 2 :]
    )


def build(report: Report) -> ReportData:
    """Everything the two renderers print, in Chinese (the report's language)."""
    with translation.override("zh-hans"):
        return _build(report)


def _build(report: Report) -> ReportData:
    assessment = report.assessment
    person = assessment.person
    scale = assessment.scale
    result = assessment.result
    norm = report.norm or None
    rows = {r["metric"]: r for r in compare(result, norm, LANG)}
    identity = [
        ("姓名", person.name),
        ("性别", person.get_gender_display()),
        ("年龄", f"{person.age_on(assessment.administered_on)}岁"),
        ("文化程度", person.get_education_display()),
        ("矫正类别", person.get_correction_type_display()),
        ("案件编号", person.case_number),
        ("所属中队", person.squadron.name),
        ("测评日期", f"{assessment.administered_on:%Y年%m月%d日}" if assessment.administered_on else "—"),
        ("测评量表", f"{scale.title(LANG)}（{scale.short_title(LANG)}）"),
        ("施测方式", assessment.get_mode_display()),
    ]
    metrics = []
    for name, value in result["metrics"].items():
        row = rows.get(name)
        metrics.append(
            {
                "label": scale.metric_label(name, LANG),
                "value": _fmt(value),
                "norm": _norm_text(row),
                "z": _fmt(row["z"]) if row else "",
            }
        )
    pack = scale.content(LANG)
    subscales = []
    interpretation = []
    for name, sub in result.get("subscales", {}).items():
        band = (result.get("subscale_bands") or {}).get(name)
        row = rows.get(name)
        label = scale.subscale_label(name, LANG)
        subscales.append(
            {
                "label": label,
                "sum": _fmt(sub["sum"]),
                "mean": _fmt(sub["mean"]),
                "norm": _norm_text(row) or "—",
                "z": _fmt(row["z"]) if row else "—",
                "t": _fmt(row["t"]) if row else "—",
                "band": band["label"]["zh-hans"] if band else "—",
                "raised": bool(band and band["level"] >= 1),
                "value": sub["mean"],
                "norm_mean": row["mean"] if row else None,
                "norm_sd": row["sd"] if row else None,
            }
        )
        if band and band["level"] >= 1:
            extra = f"；与常模比较 z = {_fmt(row['z'])}" if row and row.get("z") is not None else ""
            interpretation.append(
                f"{label}因子分 {_fmt(sub['mean'])}，属{band['label']['zh-hans']}{extra}。{pack.subscales.get(name, '')}"
            )
    screening = result["screening"]
    positive = screening.get("positive")
    label = (screening.get("label") or {}).get("zh-hans", "筛查阳性")
    met = []
    for rule_ in screening.get("rules", []):
        if not rule_.get("met"):
            continue
        if rule_["metric"] == "subscales.*":
            names = "、".join(scale.subscale_label(n, LANG) for n in rule_.get("met_by", []))
            met.append(f"因子分 {_op(rule_['op'])} {_fmt(rule_['value'])}（{names}）")
        else:
            met.append(
                f"{scale.metric_label(rule_['metric'], LANG)} {_fmt(rule_.get('observed'))} {_op(rule_['op'])} {_fmt(rule_['value'])}"
            )
    if positive:
        screening_text = f"结论：{label}。符合的标准：{'；'.join(met)}。"
    elif positive is False:
        screening_text = "结论：筛查阴性，未达到量表规定的筛查标准。"
    else:
        screening_text = "结论：因作答缺失，筛查结果无法确定。"
    for entry in result.get("bands", []):
        band = entry.get("band")
        if band:
            note = "" if band.get("published", True) else "（该分级为参考分级，非常模划界）"
            interpretation.insert(
                0, f"{scale.metric_label(entry['metric'], LANG)}：{band['label']['zh-hans']}{note}。"
            )
    if not interpretation:
        interpretation.append("各项得分均在正常范围内，未见明显心理症状。")
    validity = result["validity"]
    status = {"valid": "有效", "questionable": "存疑", "invalid": "无效"}[validity["status"]]
    validity_text = [f"本次测评有效性判定为：{status}。"]
    if validity.get("timed"):
        validity_text.append(f"平均每题作答 {validity.get('seconds_per_item')} 秒。")
    else:
        validity_text.append("本次为纸笔或未计时施测，未检查作答速度。")
    for flag in validity.get("flags", []):
        validity_text.append(
            f"提示：{VALIDITY_TEXT.get(flag['code'].split('_')[0] if flag['code'].startswith('extreme_') else flag['code'], flag['code'])}"
            f"（测得 {_fmt(flag['value'])}，规则 {_op(flag['op'])} {_fmt(flag['threshold'])}）。"
        )
    if validity["status"] == "questionable":
        validity_text.append("解释结果时请结合访谈等其他信息。")
    if norm:
        kind = "本机构本地常模" if norm.get("kind") == "local" else "公开发表的常模"
        norm_text = [f"比较常模：{norm.get('label', '')}（{kind}，n = {norm.get('n') or '—'}）。"]
        if norm.get("kind") == "local":
            norm_text.append(f"该常模由本机构{norm.get('date_range', '')}期间的有效测评结果建立。")
        else:
            norm_text.append(f"来源：{officer_text(norm.get('source', ''))}。")
        if norm.get("variant_note"):
            norm_text.append(f"版本说明：{norm['variant_note']}。")
        if norm.get("verified") is False:
            norm_text.append("注：该常模数值取自公开资料的转载，原始文献尚未核对。")
        norm_text.append("z = (得分 − 常模均数) / 常模标准差；T = 50 + 10z。")
    elif criterion_referenced(scale):
        norm_text = ["本量表按其公布的划界分判定结果，不使用常模比较。"]
        norm_text.extend(f"判定依据：{source}。" for source in cutoff_sources(scale))
    else:
        norm_text = ["本次未作常模比较：尚无可用的公开发表常模或本机构本地常模。"]
    if result.get("subscale_bands"):
        band_set = scale.data.get("subscale_bands", {})
        if band_set and not band_set.get("published", True):
            norm_text.append("因子分分级（正常/轻度/中度/重度）为参考分级，非常模划界。")
    issuer = getattr(report.issued_by, "provider", None)
    organisation = str(issuer) if issuer else (person.county.agency_name or person.county.name)
    placeholder = pack.notice if pack.placeholder else ""
    return ReportData(
        report=report,
        person=person,
        assessment=assessment,
        scale=scale,
        identity=identity,
        metrics=metrics,
        subscales=subscales,
        screening_text=screening_text,
        interpretation=interpretation,
        validity_text=validity_text,
        norm_text=norm_text,
        organisation=organisation,
        placeholder_notice=placeholder,
        chart_png=profile_chart(subscales) if subscales else None,
        has_norm=bool(norm),
    )


VALIDITY_TEXT = {
    "missing_items": "漏答题目较多",
    "subscale_missing": "个别因子漏答题目较多",
    "too_fast": "作答速度过快",
    "fast": "作答速度较快",
    "longstring": "连续多题选择同一答案",
    "contradictory_longstring": "正反向题目选择同一答案",
    "inconsistency": "意义相反的题目回答一致",
    "extreme": "总分处于量表极值",
}


@lru_cache(maxsize=1)
def _chart_font() -> Any:
    from matplotlib import font_manager

    for path in CHART_FONTS:
        if Path(path).is_file():
            return font_manager.FontProperties(fname=path)
    return None


def profile_chart(subscales: list[dict[str, Any]]) -> bytes:
    """Factor profile against the norm (matplotlib, CJK font) as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    font = _chart_font()
    labels = [_wrap(s["label"]) for s in subscales]
    values = [s["value"] or 0 for s in subscales]
    fig, ax = plt.subplots(figsize=(7.2, 3.4), dpi=150)
    colors = ["#d98a00" if v >= 2 else "#1f6fd1" for v in values]
    positions = list(range(len(values)))
    ax.bar(positions, values, color=colors, width=0.6, label="因子分", zorder=2)
    means = [s["norm_mean"] for s in subscales]
    if any(m is not None for m in means):
        xs = [i for i, m in enumerate(means) if m is not None]
        ax.plot(
            xs, [means[i] for i in xs], color="#2c9a4b", marker="o", linewidth=1.5, label="常模均数", zorder=3
        )
        highs = [means[i] + subscales[i]["norm_sd"] for i in xs]
        ax.plot(xs, highs, color="#2c9a4b", linestyle="--", linewidth=1, label="常模均数+1SD", zorder=3)
    ax.axhline(2, color="#d63b3b", linestyle=":", linewidth=1.2, label="筛查线 2", zorder=1)
    for i, v in enumerate(values):
        ax.text(i, v + 0.05, f"{v:.2f}", ha="center", va="bottom", fontsize=7, fontproperties=font)
    ax.set_xticks(positions)
    ax.set_xticklabels(labels, fontproperties=font, fontsize=8)
    ax.set_ylim(1, 5)
    ax.set_ylabel("因子分", fontproperties=font, fontsize=9)
    ax.grid(axis="y", color="#e4e7ed", zorder=0)
    legend = ax.legend(prop=font, fontsize=7, loc="upper right", ncol=4, frameon=False)
    for text in legend.get_texts():
        text.set_fontsize(7)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


# --- PDF ------------------------------------------------------------------------------------------------------


def render_pdf(report: Report) -> bytes:
    import base64

    from weasyprint import HTML

    data = build(report)
    chart = base64.b64encode(data.chart_png).decode("ascii") if data.chart_png else ""
    html = render_to_string(
        "assessments/report_pdf.html",
        {"d": data, "r": report, "chart": chart, "sections": CN_NUMBERS},
    )
    return HTML(string=html, base_url=str(Path(__file__).parent)).write_pdf()


# --- DOCX -----------------------------------------------------------------------------------------------------

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
KAI_FONT = "楷体_GB2312"


def _set_font(run: Any, name: str, size: float | None = None, bold: bool | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.insert(0, fonts)
    for key in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(key), name)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold


def _para(
    doc: Any,
    text: str,
    *,
    font: str = BODY_FONT,
    size: float = 16,
    bold: bool = False,
    align: Any = None,
    indent: bool = True,
    space_after: float = 0,
) -> Any:
    from docx.shared import Pt

    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_after = Pt(space_after)
    fmt.space_before = Pt(0)
    fmt.line_spacing = Pt(28)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    _set_font(paragraph.add_run(text), font, size, bold)
    return paragraph


def _table(doc: Any, header: list[str], rows: list[list[str]], widths_cm: list[float] | None = None) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for i, text in enumerate(header):
        cell = table.rows[0].cells[i]
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        _set_font(run, HEADING_FONT, 12)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for row in rows:
        cells = table.add_row().cells
        for i, text in enumerate(row):
            cells[i].text = ""
            run = cells[i].paragraphs[0].add_run(str(text))
            _set_font(run, BODY_FONT, 12)
            cells[i].paragraphs[0].paragraph_format.space_after = Pt(0)
    if widths_cm:
        for row in table.rows:
            for i, width in enumerate(widths_cm):
                row.cells[i].width = Cm(width)


def _page_number_footer(section: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(paragraph.add_run("— "), BODY_FONT, 14)
    run = paragraph.add_run()
    _set_font(run, BODY_FONT, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._element.append(element)
    _set_font(paragraph.add_run(" —"), BODY_FONT, 14)


def render_docx(report: Report) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Mm, Pt

    data = build(report)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(16)
    from docx.oxml.ns import qn

    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    _page_number_footer(section)

    _para(
        doc,
        "心理测验与评估分析报告",
        font=TITLE_FONT,
        size=22,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
        space_after=6,
    )
    _para(doc, f"编号：{report.number}", size=14, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _para(
        doc,
        "本报告仅供社区矫正工作参考，含个人敏感信息，请妥善保管，不得外传。",
        font=KAI_FONT,
        size=12,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
        space_after=12,
    )
    if data.placeholder_notice:
        _para(doc, f"【{data.placeholder_notice}】", font=KAI_FONT, size=12, indent=False, space_after=6)

    n = iter(CN_NUMBERS)
    _para(doc, f"{next(n)}、基本信息", font=HEADING_FONT, indent=False)
    pairs = data.identity
    _table(
        doc,
        ["项目", "内容", "项目", "内容"],
        [[*pairs[i], *(pairs[i + 1] if i + 1 < len(pairs) else ("", ""))] for i in range(0, len(pairs), 2)],
        [2.8, 5, 2.8, 5],
    )

    _para(doc, f"{next(n)}、测评结果", font=HEADING_FONT, indent=False)
    _para(doc, "（一）总体指标", font=KAI_FONT, indent=False)
    if data.has_norm:
        _table(
            doc,
            ["指标", "得分", "常模 M ± SD", "z"],
            [[m["label"], m["value"], m["norm"] or "—", m["z"] or "—"] for m in data.metrics],
            [6, 3, 4, 2.6],
        )
    else:
        _table(doc, ["指标", "得分"], [[m["label"], m["value"]] for m in data.metrics], [10, 5.6])
    if data.subscales:
        _para(doc, "（二）因子分", font=KAI_FONT, indent=False)
        if data.has_norm:
            _table(
                doc,
                ["因子", "总分", "因子分", "常模 M ± SD", "z", "T", "分级"],
                [
                    [s["label"], s["sum"], s["mean"], s["norm"], s["z"], s["t"], s["band"]]
                    for s in data.subscales
                ],
                [3.6, 1.6, 1.8, 3, 1.4, 1.4, 2.8],
            )
        else:
            _table(
                doc,
                ["因子", "总分", "因子分", "分级"],
                [[s["label"], s["sum"], s["mean"], s["band"]] for s in data.subscales],
                [5.6, 3, 3, 4],
            )
    if data.chart_png:
        _para(doc, "（三）因子剖面图", font=KAI_FONT, indent=False)
        doc.add_picture(io.BytesIO(data.chart_png), width=Cm(15.6))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    _para(doc, f"{next(n)}、结果解释", font=HEADING_FONT, indent=False)
    _para(doc, data.screening_text)
    for line in data.interpretation:
        _para(doc, line)
    _para(doc, f"{next(n)}、效度说明", font=HEADING_FONT, indent=False)
    _para(doc, "".join(data.validity_text))
    _para(doc, f"{next(n)}、咨询师意见", font=HEADING_FONT, indent=False)
    for line in report.comments.splitlines() or [""]:
        if line.strip():
            _para(doc, line.strip())
    _para(doc, f"{next(n)}、{data.norm_heading}", font=HEADING_FONT, indent=False)
    for line in data.norm_text:
        _para(doc, line, size=14)

    _para(doc, "", indent=False, space_after=12)
    _para(doc, f"心理咨询师（签名）：__________　　{report.counsellor_name}", indent=False)
    _para(doc, "审核人（签名）：__________", indent=False)
    _para(doc, f"出具单位：{data.organisation}（盖章）", indent=False)
    _para(doc, f"{report.issued_on:%Y年%m月%d日}", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
