"""Performance pages: indicators with progress, suggestions and charts; the annual report with editable
texts (htmx); monthly plan and summary; the records behind every figure; report generation as a job."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiaozheng.audit.services import access_log
from jiaozheng.contracts.access import CONTRACT_ROLES
from jiaozheng.contracts.models import Contract
from jiaozheng.contracts.selectors import contract_get, contract_list
from jiaozheng.core.access import ui_view
from jiaozheng.core.jobs import job_start
from jiaozheng.core.measures import all_measures, get_measure
from jiaozheng.core.params import int_param, month_param
from jiaozheng.core.roles import CHANGE, VIEW, Domain, role_allows
from jiaozheng.core.scoping import get_scoped_or_404, scope_for, scoped
from jiaozheng.indicators import services
from jiaozheng.indicators.choices import IndicatorKind, ReportKind
from jiaozheng.indicators.evaluation import (
    YearOutsideContract,
    contract_year_period,
    default_year,
    evaluate,
    measure_context,
)
from jiaozheng.indicators.forms import AssessForm, GenerateForm, IndicatorForm, NarrativeForm, PlanForm
from jiaozheng.indicators.models import Indicator, PlanMonth, ReportRun
from jiaozheng.indicators.narratives import SECTION_TITLES, Resolver, default_text
from jiaozheng.indicators.progress import contract_progress, months_between
from jiaozheng.indicators.report import annual_report, monthly_plan, monthly_summary, stored_texts

SENSITIVE = {Domain.PSYCH: "psych", Domain.LOCATION: "location", Domain.COUNSELLING_NOTES: "counselling"}


def _can(user: Any, domain: str, action: str = VIEW) -> bool:
    scope = scope_for(user)
    return scope.unrestricted or role_allows(scope.role, domain, action)


def _year(request: Any, contract: Contract) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    if int_param(raw) in contract.years():
        return int(raw)
    return default_year(contract)


def _links(request: Any, contract: Contract, year: int):
    can_finance = _can(request.user, Domain.FINANCE)
    report = reverse("indicators:report", args=[contract.pk])

    def links(kind: str, key: str) -> str:
        if kind == "measure":
            return reverse("indicators:measure_records", args=[contract.pk, key]) + f"?year={year}"
        if kind == "indicator":
            return reverse("indicators:indicator_records", args=[int(key)])
        if kind == "funds":
            return reverse("contracts:funds", args=[contract.pk]) if can_finance else ""
        if kind == "score":
            return f"{report}?year={year}#score"
        return ""

    return links


def _base(request: Any, contract: Contract, tab: str, year: int) -> dict[str, Any]:
    return {
        "contract": contract,
        "tab": tab,
        "year": year,
        "years": contract.years(),
        "can_finance": _can(request.user, Domain.FINANCE),
        "can_change": _can(request.user, Domain.FINANCE, CHANGE),  # funds change (the contracts tabs)
        "can_edit": _can(request.user, Domain.PERFORMANCE, CHANGE),
    }


def _contract(request: Any, pk: int, action: str = VIEW) -> Contract:
    return contract_get(actor=request.user, pk=pk, action=action, domain=Domain.PERFORMANCE)


# --- overview of every contract ----------------------------------------------------------------------------


@ui_view(roles=CONTRACT_ROLES, domain=Domain.PERFORMANCE)
def index(request):
    rows = []
    for contract in contract_list(actor=request.user)[:50]:
        year = default_year(contract)
        evaluation = evaluate(contract, year)
        progress = contract_progress(evaluation, with_squadrons=False)
        rows.append(
            {
                "contract": contract,
                "year": year,
                "evaluation": evaluation,
                "behind": [p for p in progress if p.level in ("warning", "danger")],
            }
        )
    return render(request, "indicators/index.html", {"rows": rows})


# --- dashboard: indicators and progress --------------------------------------------------------------------


@ui_view(roles=CONTRACT_ROLES, domain=Domain.PERFORMANCE, obj=("pk", "contracts.Contract"))
def dashboard(request, pk: int):
    contract = _contract(request, pk)
    year = _year(request, contract)
    evaluation = evaluate(contract, year)
    progress = contract_progress(evaluation)
    by_code = {p.indicator.code: p for p in progress}
    context = _base(request, contract, "indicators", year)
    context.update(
        {
            "evaluation": evaluation,
            "rows": [(o, by_code.get(o.indicator.code)) for o in evaluation.outcomes],
            "progress": progress,
            "attention": [p for p in progress if p.level in ("warning", "danger")],
            "charts": json.dumps([p.chart() for p in progress], ensure_ascii=False),
            "links": _links(request, contract, year),
        }
    )
    return render(request, "indicators/dashboard.html", context)


def _indicator_data(form: Any) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    for key in (
        "measure_code",
        "coverage_measure_code",
        "rate_label",
        "unit",
        "description",
        "manual_source",
    ):
        data[key] = data.get(key) or ""
    return data


@ui_view(roles=CONTRACT_ROLES, domain=Domain.PERFORMANCE, action=CHANGE, obj=("pk", "contracts.Contract"))
def indicator_create(request, pk: int):
    contract = _contract(request, pk, CHANGE)
    year = _year(request, contract)
    form = IndicatorForm(
        request.POST or None,
        initial={"sort_order": Indicator.objects.filter(contract=contract, year=year).count()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_save(
                actor=request.user, contract=contract, year=year, data=_indicator_data(form)
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The indicator has been saved."))
            return redirect(f"{reverse('indicators:dashboard', args=[contract.pk])}?year={year}")
    context = _base(request, contract, "indicators", year)
    context.update({"form": form, "title": _("Add an indicator (%(year)s)") % {"year": year}})
    return render(request, "indicators/form.html", context)


@ui_view(roles=CONTRACT_ROLES, domain=Domain.PERFORMANCE, action=CHANGE, obj=("pk", "indicators.Indicator"))
def indicator_edit(request, pk: int):
    indicator = get_scoped_or_404(Indicator.objects.select_related("contract"), request.user, CHANGE, pk=pk)
    initial = {f: getattr(indicator, f) for f in services.INDICATOR_FIELDS}
    form = IndicatorForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if "delete" in request.POST:
            services.indicator_delete(actor=request.user, indicator=indicator)
            messages.success(request, _("The indicator has been deleted."))
            return redirect(
                f"{reverse('indicators:dashboard', args=[indicator.contract_id])}?year={indicator.year}"
            )
        if form.is_valid():
            try:
                services.indicator_save(
                    actor=request.user,
                    contract=indicator.contract,
                    year=indicator.year,
                    data=_indicator_data(form),
                    indicator=indicator,
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The indicator has been saved."))
                return redirect(
                    f"{reverse('indicators:dashboard', args=[indicator.contract_id])}?year={indicator.year}"
                )
    context = _base(request, indicator.contract, "indicators", indicator.year)
    context.update(
        {"form": form, "title": _("Edit indicator: %(name)s") % {"name": indicator.name}, "deletable": True}
    )
    return render(request, "indicators/form.html", context)


@ui_view(roles=CONTRACT_ROLES, domain=Domain.PERFORMANCE, action=CHANGE, obj=("pk", "indicators.Indicator"))
def indicator_assess(request, pk: int):
    indicator = get_scoped_or_404(Indicator.objects.select_related("contract"), request.user, CHANGE, pk=pk)
    qualitative = indicator.kind == IndicatorKind.QUALITATIVE
    initial = {f: getattr(indicator, f) for f in services.ASSESSMENT_FIELDS}
    form = AssessForm(request.POST or None, initial=initial, qualitative=qualitative)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_assess(actor=request.user, indicator=indicator, data=form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The assessment has been saved."))
            return redirect(
                f"{reverse('indicators:dashboard', args=[indicator.contract_id])}?year={indicator.year}"
            )
    context = _base(request, indicator.contract, "indicators", indicator.year)
    context.update(
        {"form": form, "title": _("Assess: %(name)s") % {"name": indicator.name}, "indicator": indicator}
    )
    return render(request, "indicators/form.html", context)


@ui_view(roles=CONTRACT_ROLES, domain=Domain.PERFORMANCE, action=CHANGE, obj=("pk", "indicators.Indicator"))
def indicator_plan(request, pk: int):
    indicator = get_scoped_or_404(Indicator.objects.select_related("contract"), request.user, CHANGE, pk=pk)
    start, end = contract_year_period(indicator.contract, indicator.year)
    months = [first.month for first, _last in months_between(start, end)]
    current = dict(PlanMonth.objects.filter(indicator=indicator).values_list("month", "planned"))
    form = PlanForm(request.POST or None, months=months, initial={f"m{m}": v for m, v in current.items()})
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_set(actor=request.user, indicator=indicator, monthly=form.monthly())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The monthly plan has been saved."))
            return redirect(
                f"{reverse('indicators:dashboard', args=[indicator.contract_id])}?year={indicator.year}"
            )
    context = _base(request, indicator.contract, "indicators", indicator.year)
    context.update(
        {
            "form": form,
            "title": _("Monthly plan: %(name)s (target %(target)s)")
            % {
                "name": indicator.name,
                "target": indicator.target.normalize() if indicator.target is not None else "—",
            },
            "indicator": indicator,
            "plan_help": True,
        }
    )
    return render(request, "indicators/form.html", context)


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


# --- drill-down: the records behind a figure ---------------------------------------------------------------


def _path_value(obj: Any, path: str) -> Any:
    value = obj
    for part in path.split("__"):
        if value is None:
            return None
        if part == "pk":
            return value
        value = getattr(value, part, None)
        if isinstance(value, models.Manager):
            return ", ".join(str(v) for v in value.all()[:5])
    return value


_DATE_NAMES = (
    "held_on",
    "date",
    "occurred_on",
    "visited_on",
    "installed_on",
    "assessed_on",
    "done_on",
    "started_at",
    "spent_on",
    "paid_on",
    "intake_on",
    "terminated_on",
    "created_at",
)


def _date_field(model: Any) -> str | None:
    fields = {f.name: f for f in model._meta.concrete_fields}
    for name in _DATE_NAMES:
        if name in fields:
            return name
    for f in model._meta.concrete_fields:
        if isinstance(f, (models.DateField, models.DateTimeField)):
            return f.name
    return None


def _records_response(
    request: Any, contract: Contract, year: int, measure: Any, title: str, back: str
) -> HttpResponse:
    start, end = contract_year_period(contract, year)
    month = request.GET.get("month") or ""
    ctx = measure_context(contract, start, min(end, timezone.localdate()))
    first = month_param(month) if len(month) == 7 else None
    if first is not None:
        for m_first, m_last in months_between(start, end):
            if m_first.year == first.year and m_first.month == first.month:
                ctx = ctx.with_start(m_first).with_end(min(m_last, ctx.end))
    context = _base(request, contract, "indicators", year)
    context.update(
        {"title": title, "measure": measure, "back": back, "period": (ctx.start, ctx.end), "month": month}
    )
    if measure is None or measure.records is None:
        context["unavailable"] = True
        return render(request, "indicators/records.html", context)
    qs = measure.records(ctx)
    model = qs.model
    rule = getattr(model, "scope_rule", None)
    if rule is None:
        context["unavailable"] = True
        return render(request, "indicators/records.html", context)
    visible = scoped(qs, request.user)
    total = qs.count()
    date_field = _date_field(model)
    ordered = visible.order_by(f"-{date_field}", "-pk") if date_field else visible.order_by("-pk")
    page = Paginator(ordered, 50).get_page(request.GET.get("page"))
    rows = []
    for obj in page:
        person = (
            _path_value(obj, rule.person)
            if rule.person and rule.person != "pk"
            else (obj if rule.person == "pk" else None)
        )
        rows.append(
            {
                "obj": obj,
                "date": getattr(obj, date_field) if date_field else None,
                "squadron": _path_value(obj, rule.squadron) if rule.squadron else None,
                "person": person,
                "url": obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else "",
            }
        )
    kind = SENSITIVE.get(rule.domain)
    if kind and rows:
        access_log(kind, detail=f"drill-down {measure.code} {contract.code} {year}: {len(rows)} rows")
    context.update(
        {
            "page": page,
            "rows": rows,
            "total": total,
            "visible": page.paginator.count,
            "model_name": model._meta.verbose_name_plural,
            "allowed": _can(request.user, rule.domain),
            "show_person": bool(rule.person),
        }
    )
    return render(request, "indicators/records.html", context)


@ui_view(roles=CONTRACT_ROLES, domain=Domain.PERFORMANCE, obj=("pk", "indicators.Indicator"))
def indicator_records(request, pk: int):
    indicator = get_scoped_or_404(Indicator.objects.select_related("contract"), request.user, pk=pk)
    measure = all_measures().get(indicator.measure_code) if indicator.measure_code else None
    back = f"{reverse('indicators:dashboard', args=[indicator.contract_id])}?year={indicator.year}"
    return _records_response(request, indicator.contract, indicator.year, measure, indicator.name, back)


@ui_view(
    roles=CONTRACT_ROLES,
    domain=Domain.PERFORMANCE,
    obj=("pk", "contracts.Contract"),
    samples={"code": "caseload.persons_served"},
)
def measure_records(request, pk: int, code: str):
    contract = _contract(request, pk)
    year = _year(request, contract)
    try:
        measure = get_measure(code)
    except KeyError:
        raise Http404
    back = f"{reverse('indicators:report', args=[contract.pk])}?year={year}"
    return _records_response(request, contract, year, measure, str(measure.label), back)


# --- the annual report (web) with editable texts ------------------------------------------------------------


def _groups(blocks: list[Any]) -> list[dict[str, Any]]:
    """Consecutive blocks of the same editable text, grouped so that each group can be edited in place."""
    groups: list[dict[str, Any]] = []
    for block in blocks:
        if block.key and groups and groups[-1]["key"] == block.key:
            groups[-1]["blocks"].append(block)
        else:
            groups.append({"key": block.key, "blocks": [block]})
    return groups


@ui_view(roles=CONTRACT_ROLES, domain=Domain.PERFORMANCE, obj=("pk", "contracts.Contract"))
def report(request, pk: int):
    contract = _contract(request, pk)
    year = _year(request, contract)
    doc = annual_report(contract, year, links=_links(request, contract, year))
    context = _base(request, contract, "report", year)
    context.update(
        {
            "doc": doc,
            "groups": _groups(doc.blocks),
            "runs": ReportRun.objects.filter(contract=contract, year=year, kind=ReportKind.ANNUAL)[:10],
            "month": 0,
            "kind": ReportKind.ANNUAL,
        }
    )
    return render(request, "indicators/report.html", context)


@ui_view(
    roles=CONTRACT_ROLES,
    domain=Domain.PERFORMANCE,
    action=CHANGE,
    obj=("pk", "contracts.Contract"),
    samples={"key": "overview"},
)
def narrative(request, pk: int, key: str):
    """GET: the editing form of one text block (htmx); POST: save it and return the block rendered."""
    contract = _contract(request, pk, CHANGE)
    year = _year(request, contract)
    month_raw = request.GET.get("month") or request.POST.get("month") or "0"
    month = int_param(month_raw, maximum=12) or 0
    stored = stored_texts(contract, year, month)
    text = stored.get(key, default_text(contract, year, key) if month == 0 else "")
    form = NarrativeForm(request.POST or None, initial={"text": text})
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.narrative_save(
                actor=request.user,
                contract=contract,
                year=year,
                key=key,
                text=form.cleaned_data["text"],
                month=month,
            )
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            return _text_block(request, contract, year, key, month)
    if request.method == "GET" or error:
        htmx = bool(request.headers.get("HX-Request"))
        context = _base(request, contract, "report" if month == 0 else "monthly", year)
        return render(
            request,
            "indicators/_text_form.html" if htmx else "indicators/text_page.html",
            {
                **context,
                "key": key,
                "month": month,
                "form": form,
                "error": error,
                "title": SECTION_TITLES.get(key, key),
                "tokens": _token_help(contract, year),
            },
            status=422 if error and htmx else 200,
        )
    back = reverse("indicators:report" if month == 0 else "indicators:monthly", args=[contract.pk])
    return redirect(f"{back}?year={year}" + (f"&month={month}" if month else ""))


def _text_block(request: Any, contract: Contract, year: int, key: str, month: int) -> HttpResponse:
    if month:
        evaluation = evaluate(contract, year)
        text = stored_texts(contract, year, month).get(key, "")
    else:
        evaluation = evaluate(contract, year)
        text = stored_texts(contract, year).get(key, default_text(contract, year, key))
    resolver = Resolver(evaluation, _links(request, contract, year))
    from jiaozheng.indicators.report import Block

    blocks = [Block("h2" if p.heading else "para", paragraph=p, key=key) for p in resolver.paragraphs(text)]
    if not blocks:
        blocks = [Block("para", "无。", key=key)]
    return render(
        request,
        "indicators/_text.html",
        {
            "group": {"key": key, "blocks": blocks},
            "contract": contract,
            "year": year,
            "month": month,
            "can_edit": True,
            "saved": True,
        },
    )


# The figure tokens an editor may type, each with what it stands for (token syntax is shown as typed).
TOKEN_HELP = (
    (
        "{{i.<code>.actual}}",
        gettext_lazy("An indicator's actual figure (<code>: the indicator's code, listed below)"),
    ),
    ("{{i.<code>.target}}", gettext_lazy("Its target")),
    ("{{i.<code>.rate}}", gettext_lazy("Its completion rate")),
    ("{{i.<code>.ratio}}", gettext_lazy("Its actual figure as a share of the target")),
    ("{{i.<code>.score}}", gettext_lazy("Its score")),
    ("{{i.<code>.excess_note}}", gettext_lazy("Its note on exceeding the target")),
    ("{{i.<code>.verdict}}", gettext_lazy("Its verdict")),
    ("{{f.spent}}", gettext_lazy("Money spent, in 10k yuan")),
    ("{{f.budget}}", gettext_lazy("Budget, in 10k yuan")),
    ("{{f.price}}", gettext_lazy("Contract price, in 10k yuan")),
    ("{{f.paid}}", gettext_lazy("Funds paid to the provider, in 10k yuan")),
    ("{{f.execution_rate}}", gettext_lazy("Budget execution rate")),
    ("{{f.lines}}", gettext_lazy("Spending by budget line")),
    ("{{c.buyer}}", gettext_lazy("The buyer")),
    ("{{c.provider}}", gettext_lazy("The provider")),
    ("{{c.provider_short}}", gettext_lazy("The provider's short name")),
    ("{{c.signed}}", gettext_lazy("Date the contract was signed")),
    ("{{c.start}}", gettext_lazy("First day of the service period")),
    ("{{c.end}}", gettext_lazy("Last day of the service period")),
    ("{{c.staff}}", gettext_lazy("Staff posted under the contract")),
    ("{{s.total}}", gettext_lazy("Self-evaluation score")),
    ("{{s.grade}}", gettext_lazy("Self-evaluation grade")),
)


def _token_help(contract: Contract, year: int) -> list[tuple[str, str]]:
    rows = [(token, str(label)) for token, label in TOKEN_HELP]
    for indicator in Indicator.objects.filter(contract=contract, year=year):
        rows.append((f"{{{{i.{indicator.code}.actual}}}}", indicator.name))
    for code, measure in all_measures().items():
        rows.append((f"{{{{m.{code}}}}}", str(measure.label)))
    return rows


@require_POST
@ui_view(roles=CONTRACT_ROLES, domain=Domain.PERFORMANCE, obj=("pk", "contracts.Contract"))
def generate(request, pk: int):
    """Start generating a report file in the background; the job page shows progress and the download."""
    contract = _contract(request, pk)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the report, the format and the period."))
        return redirect("indicators:report", pk=contract.pk)
    data = form.cleaned_data
    month = data.get("month") or 0
    from jiaozheng.indicators.generate import check_request

    try:
        check_request(contract, data["year"], data["kind"], data["format"], month)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(f"{reverse('indicators:report', args=[contract.pk])}?year={data['year']}")
    label = dict(ReportKind.choices)[data["kind"]]
    period = f"{data['year']}" + (f"-{month:02d}" if data["kind"] != ReportKind.ANNUAL else "")
    job = job_start(
        actor=request.user,
        kind="indicators.report",
        title=f"{contract.code} {period} {label} ({data['format'].upper()})",
        params={
            "contract": contract.pk,
            "year": data["year"],
            "kind": data["kind"],
            "format": data["format"],
            "month": month,
        },
        county=contract.buyer,
    )
    return redirect("job_detail", pk=job.pk)


@ui_view(roles=CONTRACT_ROLES, domain=Domain.PERFORMANCE, obj=("pk", "indicators.ReportRun"))
def run_download(request, pk: int):
    run = get_scoped_or_404(ReportRun, request.user, pk=pk)
    if not run.file:
        raise Http404
    name = run.file.name.rsplit("/", 1)[-1]
    content_type = (
        "application/pdf"
        if run.format == "pdf"
        else ("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    )
    return FileResponse(run.file.open("rb"), as_attachment=True, filename=name, content_type=content_type)


# --- monthly plan and summary ------------------------------------------------------------------------------


@ui_view(roles=CONTRACT_ROLES, domain=Domain.PERFORMANCE, obj=("pk", "contracts.Contract"))
def monthly(request, pk: int):
    contract = _contract(request, pk)
    year = _year(request, contract)
    start, end = contract_year_period(contract, year)
    months = [first.month for first, _last in months_between(start, end)]
    today = timezone.localdate()
    raw = request.GET.get("month") or ""
    if int_param(raw) in months:
        month = int(raw)
    elif today.year == year and today.month in months:
        month = today.month
    else:
        month = months[-1] if today > end else months[0]
    kind = request.GET.get("kind") if request.GET.get("kind") in ("plan", "summary") else "summary"
    links = _links(request, contract, year)
    builder = monthly_plan if kind == "plan" else monthly_summary
    try:
        doc = builder(contract, year, month, links=links)
    except (ValueError, YearOutsideContract):
        raise Http404
    context = _base(request, contract, "monthly", year)
    report_kind = ReportKind.MONTHLY_PLAN if kind == "plan" else ReportKind.MONTHLY_SUMMARY
    context.update(
        {
            "doc": doc,
            "groups": _groups(doc.blocks),
            "months": months,
            "month": month,
            "kind": report_kind,
            "page_kind": kind,
            "runs": ReportRun.objects.filter(contract=contract, year=year, month=month, kind=report_kind)[
                :10
            ],
            "charts": json.dumps([], ensure_ascii=False),
        }
    )
    return render(request, "indicators/monthly.html", context)
