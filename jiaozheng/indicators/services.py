"""Writes for indicators, their monthly plan and the report texts.

Every service checks the PERFORMANCE change permission and that the contract is within the actor's scope
(404 otherwise), validates, and writes in one transaction (audited by AuditedModel). Bad input raises
ValidationError and changes nothing.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.contracts.models import Contract
from jiaozheng.core.measures import all_measures
from jiaozheng.core.roles import CHANGE, Domain
from jiaozheng.core.scoping import get_scoped_or_404, require
from jiaozheng.indicators.choices import (
    Band,
    Direction,
    IndicatorGroup,
    IndicatorKind,
    RateDisplay,
)
from jiaozheng.indicators.models import Indicator, Narrative, PlanMonth
from jiaozheng.indicators.narratives import ANNUAL_KEYS, MONTHLY_KEYS, token_problems
from jiaozheng.indicators.scoring import band_problem

INDICATOR_FIELDS = (
    "code",
    "name",
    "group",
    "kind",
    "measure_code",
    "direction",
    "target",
    "unit",
    "weight",
    "rate_display",
    "rate_label",
    "coverage_measure_code",
    "description",
    "manual_actual",
    "manual_source",
    "sort_order",
)
ASSESSMENT_FIELDS = ("band", "band_percent", "assessment_note", "deviation_reason", "corrective_measure")


def _contract(actor: Any, contract: Contract) -> Contract:
    require(actor, Domain.PERFORMANCE, CHANGE)
    return get_scoped_or_404(Contract, actor, CHANGE, Domain.PERFORMANCE, pk=contract.pk)


def _year(contract: Contract, year: Any) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("Give a year.")})
    if year not in contract.years():
        raise ValidationError(
            {"year": _("The contract's service period does not cover %(year)s.") % {"year": year}}
        )
    return year


def _decimal(value: Any, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")})
    if not result.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    return result


def indicator_clean(indicator: Indicator, *, allow_unregistered: bool = False) -> None:
    """Cross-field rules of an indicator; raises ValidationError with every problem at once.

    ``allow_unregistered``: accept a measure code no installed module registers yet (the demo binds the
    contract's indicators before every service module is deployed); the indicator shows "not installed"
    until the module arrives.
    """
    errors: dict[str, str] = {}
    measures = all_measures()
    if indicator.group not in IndicatorGroup.values:
        errors["group"] = _("Unknown group.")
    if indicator.kind == IndicatorKind.QUANTITATIVE:
        if indicator.target is None:
            errors["target"] = _("A quantitative indicator needs a target.")
        elif indicator.target < 0:
            errors["target"] = _("A target cannot be negative.")
        elif indicator.target == 0 and indicator.direction == Direction.HIGHER:
            errors["target"] = _("A higher-is-better target must be more than zero.")
        if indicator.measure_code:
            measure = measures.get(indicator.measure_code)
            if measure is None and not allow_unregistered:
                errors["measure_code"] = _("No module registers the measure %(code)s.") % {
                    "code": indicator.measure_code
                }
            elif (
                measure is not None
                and measure.kind == "rate"
                and indicator.target is not None
                and indicator.target > 100
            ):
                errors["target"] = _("A rate is a percentage: the target cannot exceed 100.")
            if indicator.manual_actual is not None:
                errors["manual_actual"] = _(
                    "A measured indicator takes its actual value from the records, not from entry."
                )
        elif indicator.manual_actual is not None and not indicator.manual_source.strip():
            errors["manual_source"] = _("Say where the entered value comes from (e.g. the survey).")
    else:
        if indicator.measure_code:
            errors["measure_code"] = _("A qualitative indicator is assessed, not measured.")
        if indicator.manual_actual is not None:
            errors["manual_actual"] = _("A qualitative indicator has no numeric actual value.")
    if (
        indicator.coverage_measure_code
        and indicator.coverage_measure_code not in measures
        and not allow_unregistered
    ):
        errors["coverage_measure_code"] = _("No module registers the measure %(code)s.") % {
            "code": indicator.coverage_measure_code
        }
    if indicator.direction not in Direction.values:
        errors["direction"] = _("Unknown direction.")
    if indicator.rate_display not in RateDisplay.values:
        errors["rate_display"] = _("Unknown rate display.")
    if indicator.weight is None or indicator.weight < 0 or indicator.weight > 100:
        errors["weight"] = _("A weight lies between 0 and 100 points.")
    if indicator.band:
        problem = band_problem(indicator.band, indicator.band_percent)
        if problem:
            errors["band_percent"] = _("In this band the share of the weight lies within %(range)s %%.") % {
                "range": problem
            }
    elif indicator.band_percent is not None:
        errors["band"] = _("Choose the band the share belongs to.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def indicator_save(
    *,
    actor: Any,
    contract: Contract,
    year: Any,
    data: dict[str, Any],
    indicator: Indicator | None = None,
    allow_unregistered: bool = False,
) -> Indicator:
    contract = _contract(actor, contract)
    year = _year(contract, year)
    if indicator is None:
        indicator = Indicator(contract=contract, year=year)
    elif indicator.contract_id != contract.pk:
        raise ValidationError(_("The indicator belongs to another contract."))
    else:
        indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    for key in INDICATOR_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if key in ("target", "weight", "manual_actual"):
            value = _decimal(value, key)
        elif isinstance(value, str):
            value = value.strip()
        setattr(indicator, key, value)
    if indicator.sort_order is None:
        indicator.sort_order = 0
    if indicator.weight is None:
        raise ValidationError({"weight": _("Give the weight in points.")})
    indicator_clean(indicator, allow_unregistered=allow_unregistered)
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def indicator_assess(*, actor: Any, indicator: Indicator, data: dict[str, Any]) -> Indicator:
    """Record the assessment of an indicator: the band (qualitative), and the reason for a shortfall with
    its corrective measure (偏差原因分析及改进措施) for any indicator."""
    _contract(actor, indicator.contract)
    current = Indicator.objects.select_for_update().get(pk=indicator.pk)
    for key in ASSESSMENT_FIELDS:
        if key in data:
            value = data[key]
            if key == "band_percent":
                value = None if value in (None, "") else int(value)
            elif isinstance(value, str):
                value = value.strip()
            setattr(current, key, value)
    if current.band and current.kind != IndicatorKind.QUALITATIVE:
        raise ValidationError({"band": _("Only qualitative indicators are assessed in bands.")})
    if current.band and current.band not in Band.values:
        raise ValidationError({"band": _("Unknown band.")})
    indicator_clean(current, allow_unregistered=True)
    current.full_clean()
    current.save()
    return current


@transaction.atomic
def indicator_delete(*, actor: Any, indicator: Indicator) -> None:
    _contract(actor, indicator.contract)
    Indicator.objects.filter(pk=indicator.pk).delete()


@transaction.atomic
def plan_set(*, actor: Any, indicator: Indicator, monthly: dict[int, Any]) -> list[PlanMonth]:
    """Replace the indicator's planned curve with planned quantities per month (empty: linear plan).

    Months outside the contract-year are refused; the planned total must equal the target, so that the
    curve ends where the contract does.
    """
    contract = _contract(actor, indicator.contract)
    from jiaozheng.indicators.evaluation import contract_year_period
    from jiaozheng.indicators.progress import months_between

    start, end = contract_year_period(contract, indicator.year)
    allowed = {first.month for first, _last in months_between(start, end)}
    values: dict[int, Decimal] = {}
    errors: dict[str, str] = {}
    for month, raw in monthly.items():
        if raw in (None, ""):
            continue
        if int(month) not in allowed:
            errors[f"m{month}"] = _("Month %(m)s lies outside the contract-year.") % {"m": month}
            continue
        try:
            value = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            errors[f"m{month}"] = _("Enter a number.")
            continue
        if value < 0:
            errors[f"m{month}"] = _("A planned quantity cannot be negative.")
            continue
        values[int(month)] = value
    if (
        not errors
        and values
        and indicator.target is not None
        and sum(values.values(), Decimal(0)) != indicator.target
    ):
        errors["__all__"] = _("The months add up to %(sum)s; the target is %(target)s.") % {
            "sum": sum(values.values(), Decimal(0)).normalize(),
            "target": indicator.target.normalize(),
        }
    if errors:
        raise ValidationError(errors)
    PlanMonth.objects.filter(indicator=indicator).delete()
    rows = [PlanMonth(indicator=indicator, month=m, planned=v) for m, v in sorted(values.items())]
    for row in rows:
        row.save()
    return rows


@transaction.atomic
def narrative_save(
    *, actor: Any, contract: Contract, year: Any, key: str, text: str, month: int = 0
) -> Narrative:
    """Store the text of one report block; tokens are checked so that every figure stays computed."""
    contract = _contract(actor, contract)
    year = _year(contract, year)
    month = int(month or 0)
    if month == 0 and key not in ANNUAL_KEYS:
        raise ValidationError({"key": _("Unknown section.")})
    if month and (key not in MONTHLY_KEYS or not 1 <= month <= 12):
        raise ValidationError({"key": _("Unknown section.")})
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > 20000:
        raise ValidationError({"text": _("The text is too long (20,000 characters at most).")})
    codes = set(Indicator.objects.filter(contract=contract, year=year).values_list("code", flat=True))
    problems = token_problems(text, codes)
    if problems:
        raise ValidationError({"text": [_("Unknown figure: %(t)s") % {"t": p} for p in problems]})
    narrative, _created = Narrative.objects.select_for_update().get_or_create(
        contract=contract, year=year, month=month, key=key, defaults={"text": text, "updated_by": actor}
    )
    if not _created:
        narrative.text = text
        narrative.updated_by = actor if getattr(actor, "pk", None) else None
        narrative.updated_at = timezone.now()
        narrative.save()
    return narrative


# --- a contract-year set up in one step (系统设置: contract, budget lines, indicators) ------------------


@transaction.atomic
def contract_year_setup(
    *,
    actor: Any,
    contract: dict[str, Any],
    lines: list[dict[str, Any]],
    indicators: list[dict[str, Any]],
) -> Contract:
    """Register a contract-year with its budget lines and indicators, all or nothing.

    ``contract``: code, name, buyer (the county), provider, start_on, end_on, budget_amount,
    contract_amount, signed_on, procurement. ``lines``: category, name, amount. ``indicators``: measure
    (a registered measure's code), name, group, target, unit, weight, direction. Refused with every
    problem at once (nothing written): a period outside one calendar year, budget lines that do not add
    up to the price, an unknown measure, a contract-year overlapping another of the same provider for
    the same county (contracts.services).
    """
    from jiaozheng.contracts import services as contract_services
    from jiaozheng.indicators.contract_templates import indicator_code

    errors: dict[str, list[str]] = {}

    def problem(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    start, end = contract.get("start_on"), contract.get("end_on")
    if start is None or end is None:
        problem("start_on", _("Give the service period."))
    elif start.year != end.year:
        problem("end_on", _("A contract-year starts and ends in the same calendar year."))
    try:
        price = Decimal(str(contract.get("contract_amount")))
    except (InvalidOperation, ValueError):
        price = None
        problem("contract_amount", _("Enter an amount in yuan."))
    total = Decimal(0)
    for n, line in enumerate(lines, 1):
        try:
            total += Decimal(str(line.get("amount")))
        except (InvalidOperation, ValueError):
            problem("lines", _("Budget line %(n)s: enter an amount in yuan.") % {"n": n})
    if price is not None and not errors.get("lines") and total != price:
        problem(
            "lines",
            _("The budget lines add up to ¥%(total)s; the contract price is ¥%(price)s.")
            % {"total": f"{total:,.2f}", "price": f"{price:,.2f}"},
        )
    measures = all_measures()
    if not indicators:
        problem("indicators", _("Choose at least one indicator."))
    for n, item in enumerate(indicators, 1):
        code = item.get("measure") or ""
        if code not in measures:
            problem(
                "indicators",
                _("Indicator %(n)s (%(name)s): no module registers the measure %(m)s.")
                % {"n": n, "name": item.get("name") or "", "m": code or "—"},
            )
    if errors:
        raise ValidationError(errors)
    saved = contract_services.contract_create(actor=actor, data=contract, counties=[contract["buyer"]])
    for order, line in enumerate(lines):
        contract_services.fund_line_save(
            actor=actor,
            contract=saved,
            category=line.get("category") or "other",
            name=line.get("name") or "",
            amount=line.get("amount"),
            note=line.get("note") or "",
            sort_order=order,
        )
    used: set[str] = set()
    for order, item in enumerate(indicators):
        code = indicator_code(item["measure"])
        suffix = 2
        while code in used:
            code = f"{indicator_code(item['measure'])[:37]}-{suffix}"
            suffix += 1
        used.add(code)
        measure = measures[item["measure"]]
        indicator_save(
            actor=actor,
            contract=saved,
            year=saved.start_on.year,
            data={
                "code": code,
                "name": (item.get("name") or str(measure.label)).strip(),
                "group": item.get("group") or IndicatorGroup.OUTPUT_QUANTITY,
                "kind": IndicatorKind.QUANTITATIVE,
                "measure_code": item["measure"],
                "direction": item.get("direction") or Direction.HIGHER,
                "target": item.get("target"),
                "unit": item.get("unit") or "",
                "weight": item.get("weight"),
                "sort_order": order,
            },
        )
    return saved
