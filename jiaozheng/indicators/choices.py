"""Kinds of performance indicators (domain.md (e): the 单位自评表 structure)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorGroup(models.TextChoices):
    """Level-1/level-2 groups of the self-evaluation form, with their usual weights (10/50/30/10)."""

    BUDGET_EXECUTION = "budget_execution", _("Budget execution rate")  # 预算执行率
    OUTPUT_QUANTITY = "output_quantity", _("Output: quantity")  # 产出指标-数量指标
    OUTPUT_QUALITY = "output_quality", _("Output: quality")  # 产出指标-质量指标
    OUTPUT_TIMELINESS = "output_timeliness", _("Output: timeliness")  # 产出指标-时效指标
    OUTPUT_COST = "output_cost", _("Output: cost")  # 产出指标-成本指标
    EFFECT = "effect", _("Effect")  # 效益指标
    SATISFACTION = "satisfaction", _("Satisfaction")  # 满意度指标


# The level-1 heading of each group in the form (预算执行率 / 产出指标 / 效益指标 / 满意度指标).
GROUP_LEVEL1 = {
    IndicatorGroup.BUDGET_EXECUTION: "预算执行率",
    IndicatorGroup.OUTPUT_QUANTITY: "产出指标",
    IndicatorGroup.OUTPUT_QUALITY: "产出指标",
    IndicatorGroup.OUTPUT_TIMELINESS: "产出指标",
    IndicatorGroup.OUTPUT_COST: "产出指标",
    IndicatorGroup.EFFECT: "效益指标",
    IndicatorGroup.SATISFACTION: "满意度指标",
}
GROUP_LEVEL2 = {
    IndicatorGroup.BUDGET_EXECUTION: "全年执行数÷全年预算数",
    IndicatorGroup.OUTPUT_QUANTITY: "数量指标",
    IndicatorGroup.OUTPUT_QUALITY: "质量指标",
    IndicatorGroup.OUTPUT_TIMELINESS: "时效指标",
    IndicatorGroup.OUTPUT_COST: "成本指标",
    IndicatorGroup.EFFECT: "社会效益指标",
    IndicatorGroup.SATISFACTION: "服务对象满意度指标",
}


class IndicatorKind(models.TextChoices):
    QUANTITATIVE = "quantitative", _("Quantitative")  # 定量
    QUALITATIVE = "qualitative", _("Qualitative")  # 定性


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")  # 正向指标
    LOWER = "lower", _("Lower is better")  # 反向指标


class RateDisplay(models.TextChoices):
    """How a completion rate over 100 % is shown (docs/performance-report.md, "over 100 %")."""

    CAPPED = "capped", _("Capped at 100 % (excess stated)")
    UNCAPPED = "uncapped", _("Actual ÷ target, uncapped")


class Band(models.TextChoices):
    """Qualitative bands: share of the weight awarded."""

    ACHIEVED = "achieved", _("Achieved (80-100 %)")  # 达成年度指标
    PARTIAL = "partial", _("Partly achieved (60-80 %)")  # 部分达成并有一定效果
    NOT_ACHIEVED = "not_achieved", _("Not achieved (0-60 %)")  # 未达成且效果较差


# Inclusive lower and upper bound of the percentage of the weight in each band; upper bounds of the
# lower bands are exclusive in practice (80 belongs to "achieved", 60 to "partial").
BAND_RANGE: dict[str, tuple[int, int]] = {
    Band.ACHIEVED: (80, 100),
    Band.PARTIAL: (60, 79),
    Band.NOT_ACHIEVED: (0, 59),
}
BAND_DEFAULT: dict[str, int] = {Band.ACHIEVED: 100, Band.PARTIAL: 70, Band.NOT_ACHIEVED: 30}
BAND_ZH: dict[str, str] = {Band.ACHIEVED: "达成", Band.PARTIAL: "部分达成", Band.NOT_ACHIEVED: "未达成"}


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")  # 优
    GOOD = "good", _("Good")  # 良
    FAIR = "fair", _("Fair")  # 中
    POOR = "poor", _("Poor")  # 差


GRADE_ZH: dict[str, str] = {Grade.EXCELLENT: "优", Grade.GOOD: "良", Grade.FAIR: "中", Grade.POOR: "差"}


class ReportKind(models.TextChoices):
    ANNUAL = "annual", _("Annual self-evaluation report")  # 年度绩效自评报告
    MONTHLY_PLAN = "monthly_plan", _("Monthly plan")  # 月度工作计划
    MONTHLY_SUMMARY = "monthly_summary", _("Monthly summary")  # 月度工作总结


class ReportFormat(models.TextChoices):
    DOCX = "docx", "DOCX"
    PDF = "pdf", "PDF"
