"""系统设置 · the contract-year page: a contract with its budget lines and indicators in one step,
started from a contract template (the seed programme's five service lines) and edited. Indicators are
chosen by the plain name of the measure a module registers; codes are never typed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiaozheng.contracts.choices import FundCategory
from jiaozheng.contracts.forms import ContractForm
from jiaozheng.core.access import ui_view
from jiaozheng.core.roles import CHANGE, Domain, Role
from jiaozheng.core.scoping import scope_for, scoped
from jiaozheng.indicators import services
from jiaozheng.indicators.choices import Direction, IndicatorGroup
from jiaozheng.indicators.contract_templates import TEMPLATES, default_unit, measure_choices
from jiaozheng.indicators.registry import all_measures
from jiaozheng.orgs.models import OrgUnit

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


class LineRowForm(forms.Form):
    # The blank first choice keeps an untouched empty row unchanged: without it the browser posts the first
    # category, the row counts as filled in and its empty name and amount refuse the whole page.
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=[("", "—"), *FundCategory.choices])
    name = forms.CharField(label=gettext_lazy("Line"), max_length=120)
    amount = forms.DecimalField(label=gettext_lazy("Budgeted (yuan)"), **MONEY)


class IndicatorRowForm(forms.Form):
    include = forms.BooleanField(label=gettext_lazy("Include"), required=False)
    measure = forms.ChoiceField(label=gettext_lazy("What is counted"), required=False)
    name = forms.CharField(label=gettext_lazy("Indicator"), max_length=100, required=False)
    group = forms.ChoiceField(label=gettext_lazy("Group"), choices=IndicatorGroup.choices)
    direction = forms.ChoiceField(label=gettext_lazy("Direction"), choices=Direction.choices)
    target = forms.DecimalField(label=gettext_lazy("Target"), max_digits=12, decimal_places=4, required=False)
    unit = forms.CharField(label=gettext_lazy("Unit"), max_length=20, required=False)
    weight = forms.DecimalField(
        label=gettext_lazy("Weight (points)"), max_digits=6, decimal_places=2, min_value=0, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [("", "—")] + measure_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("include"):
            if not data.get("measure"):
                self.add_error("measure", _("Choose what the indicator counts."))
            if data.get("target") is None:
                self.add_error("target", _("A quantitative indicator needs a target."))
            if data.get("weight") is None:
                self.add_error("weight", _("Give the weight in points."))
        return data


LineFormSet = forms.formset_factory(LineRowForm, extra=2, can_delete=True)
IndicatorFormSet = forms.formset_factory(IndicatorRowForm, extra=3)


def _initial(template_key: str, year: int) -> tuple[dict[str, Any], list[dict], list[dict]]:
    template = TEMPLATES.get(template_key) or next(iter(TEMPLATES.values()))
    measures = all_measures()
    header = {
        "start_on": dt.date(year, 1, 1),
        "end_on": dt.date(year, 12, 31),
        "budget_amount": template.budget,
        "contract_amount": template.price,
        "procurement": "公开招标",
    }
    lines = [{"category": s.category, "name": s.name, "amount": s.amount} for s in template.lines]
    indicators = [
        {
            "include": True,
            "measure": s.measure,
            "name": s.name,
            "group": s.group,
            "direction": s.direction,
            "target": s.target,
            "unit": s.unit or default_unit(measures[s.measure]),
            "weight": s.weight,
        }
        for s in template.indicators
        if s.measure in measures  # a module not installed here: its line is left out
    ]
    return header, lines, indicators


def _counties(user: Any):
    counties = scoped(OrgUnit, user).filter(kind=OrgUnit.Kind.COUNTY)
    scope = scope_for(user)
    if not scope.unrestricted:
        counties = counties.filter(pk__in=scope.county_ids)
    return counties.order_by("code")


@ui_view(roles=[Role.BUREAU_ADMIN], domain=Domain.FINANCE, action=CHANGE)
def contract_setup(request):
    year = timezone.localdate().year
    template_key = request.GET.get("template") or "seed"
    header, lines, indicators = _initial(template_key, year)
    counties = _counties(request.user)
    if request.method == "POST":
        form = ContractForm(request.POST, counties=counties, prefix="c")
        line_set = LineFormSet(request.POST, prefix="lines")
        indicator_set = IndicatorFormSet(request.POST, prefix="ind")
    else:
        if counties.count() == 1:
            header["buyer"] = counties.first()
        form = ContractForm(initial=header, counties=counties, prefix="c")
        line_set = LineFormSet(initial=lines, prefix="lines")
        indicator_set = IndicatorFormSet(initial=indicators, prefix="ind")
    problems: list[str] = []
    if request.method == "POST" and form.is_valid() and line_set.is_valid() and indicator_set.is_valid():
        chosen_lines = [
            f.cleaned_data
            for f in line_set.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("name")
        ]
        chosen = [f.cleaned_data for f in indicator_set.forms if f.cleaned_data.get("include")]
        try:
            contract = services.contract_year_setup(
                actor=request.user, contract=dict(form.cleaned_data), lines=chosen_lines, indicators=chosen
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    for message in errors:
                        if field in form.fields:
                            form.add_error(field, message)
                        else:
                            problems.append(message)
            else:
                problems.extend(exc.messages)
        except PermissionDenied as exc:
            problems.append(str(exc))
        else:
            messages.success(
                request,
                _("Contract-year %(code)s is set up with %(l)s budget lines and %(i)s indicators.")
                % {"code": contract.code, "l": len(chosen_lines), "i": len(chosen)},
            )
            return redirect("indicators:dashboard", pk=contract.pk)
    elif request.method == "POST":
        problems.append(_("Some values are missing or not valid: see the marked fields."))
    total = sum((Decimal(str(row["amount"])) for row in lines), Decimal(0))
    return render(
        request,
        "indicators/contract_setup.html",
        {
            "form": form,
            "line_set": line_set,
            "indicator_set": indicator_set,
            "problems": problems,
            "templates": TEMPLATES.values(),
            "template_key": template_key,
            "template_total": total,
        },
    )
