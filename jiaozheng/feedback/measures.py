"""Satisfaction measures: participants' feedback and the buyer's signed evaluation (满意度指标)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Avg
from django.utils.translation import gettext_lazy as _

from jiaozheng.core.measures import MeasureContext, measure
from jiaozheng.feedback.models import BuyerEvaluation
from jiaozheng.feedback.selectors import period_figures


@measure(
    "feedback.subject_satisfaction",
    label=_("Satisfaction of the persons served"),
    unit="%",
    kind="rate",
    description=_(
        "Share of participants' feedback after held activities (education, community service, group "
        "counselling) whose mean answer is satisfied or very satisfied. Feedback is anonymous to staff."
    ),
)
def subject_satisfaction(ctx: MeasureContext) -> Decimal | None:
    figures = period_figures(ctx.county_ids, ctx.start, ctx.end)
    if not figures["responses"]:
        return None
    return Decimal(figures["satisfied"]) / Decimal(figures["responses"])


@measure(
    "feedback.response_rate",
    label=_("Feedback response rate"),
    unit="%",
    kind="rate",
    description=_("Feedback answers received per attendance at held activities."),
)
def response_rate(ctx: MeasureContext) -> Decimal | None:
    figures = period_figures(ctx.county_ids, ctx.start, ctx.end)
    if not figures["attendances"]:
        return None
    return Decimal(figures["responses"]) / Decimal(figures["attendances"])


def _evaluations(ctx: MeasureContext):
    return BuyerEvaluation.objects.filter(
        county_id__in=ctx.county_ids, period_end__range=(ctx.start, ctx.end)
    )


@measure(
    "feedback.buyer_satisfaction",
    label=_("Buyer's satisfaction"),
    unit="%",
    kind="rate",
    records=_evaluations,
    description=_(
        "Score of the buyer's signed satisfaction evaluations whose period ends in the period (the mean "
        "when there are several)."
    ),
)
def buyer_satisfaction(ctx: MeasureContext) -> Decimal | None:
    mean = _evaluations(ctx).aggregate(m=Avg("score"))["m"]
    if mean is None:
        return None
    return Decimal(mean) / Decimal(100)
