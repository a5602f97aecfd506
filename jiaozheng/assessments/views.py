"""Assessment pages: results query, assigning, paper forms, results with reports, the mental-health file,
the counsellors' flag list, scales and norms, external results; and the supervised person's phone pages.

Every read of a person's results is logged (selectors call access_log); every write goes through
``jiaozheng.assessments.services``.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiaozheng.assessments import forms as af
from jiaozheng.assessments import selectors, services
from jiaozheng.assessments.choices import AssessmentStatus, FlagStatus, RiskLevel, Validity
from jiaozheng.assessments.models import Assessment, ExternalResult, RiskFlag
from jiaozheng.assessments.norms import available_norms, compare, default_norm, find_norm
from jiaozheng.assessments.scales import ScaleError, all_scales, get_scale
from jiaozheng.audit.services import access_log
from jiaozheng.core.access import ui_view
from jiaozheng.core.import_pages import import_page, import_template_response
from jiaozheng.core.params import id_param, int_param
from jiaozheng.core.registry import provider
from jiaozheng.core.roles import CHANGE, STAFF_ROLES, Domain, Role, role_allows
from jiaozheng.core.scoping import get_scoped_or_404, scope_for, scoped
from jiaozheng.people.choices import Status
from jiaozheng.people.models import Person
from jiaozheng.people.selectors import squadrons_for

PAGE_SIZE = 30
STAFF = {"roles": STAFF_ROLES, "domain": Domain.PSYCH}
STAFF_CHANGE = {"roles": STAFF_ROLES, "domain": Domain.PSYCH, "action": CHANGE}


def _lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh-hans"


def _can_change(user: Any) -> bool:
    scope = scope_for(user)
    return scope.unrestricted or (
        scope.role != Role.SUBJECT and role_allows(scope.role, Domain.PSYCH, CHANGE)
    )


def _errors_to_messages(request: Any, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _apply_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _persons_in_correction(user: Any):
    return (
        scoped(Person, user)
        .filter(status=Status.IN_CORRECTION)
        .select_related("squadron")
        .order_by("name", "id")
    )


# --- results query -------------------------------------------------------------------------------------


@ui_view(**STAFF)
def result_list(request):
    filters = selectors.AssessmentFilters.from_mapping(request.GET)
    qs = selectors.assessment_list(actor=request.user, filters=filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    access_log("psych", detail=f"results list page {page.number}, {page.paginator.count} rows")
    lang = _lang()
    rows = []
    for a in page:
        scale = get_scale(a.scale_code)
        rows.append(
            {
                "a": a,
                "scale": scale.short_title(lang),
                "metric": scale.metric_label(scale.primary_metric, lang),
            }
        )
    return render(
        request,
        "assessments/result_list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "scales": af.scale_choices(),
            "squadrons": squadrons_for(actor=request.user),
            "statuses": AssessmentStatus.choices,
            "validities": Validity.choices,
            "risks": RiskLevel.choices,
            "can_change": _can_change(request.user),
        },
    )


@ui_view(**STAFF, obj=("pk", "assessments.Assessment"))
def assessment_detail(request, pk: int):
    assessment = selectors.assessment_get(actor=request.user, pk=pk)
    lang = _lang()
    scale = assessment.scale
    context: dict[str, Any] = {
        "a": assessment,
        "scale": scale,
        "title": scale.short_title(lang),
        "can_change": _can_change(request.user),
        "entries": assessment.entries.select_related("entered_by"),
        "reports": assessment.reports.all(),
        "flags": assessment.flags.all(),
        "pack": scale.content(lang),
    }
    if assessment.status == AssessmentStatus.COMPLETED and assessment.result:
        county = assessment.person.county
        norms = available_norms(assessment.scale_code, county, lang)
        norm = find_norm(assessment.scale_code, request.GET.get("norm", ""), county, lang) or default_norm(
            assessment.scale_code, county, lang
        )
        context.update(result_context(assessment, lang, norm))
        context["norms"] = norms
        context["norm"] = norm
        if context["can_change"] and not assessment.reports.filter(withdrawn=False).exists():
            context["report_form"] = af.ReportForm(
                norms=norms,
                scale_code=assessment.scale_code,
                initial={
                    "norm_code": norm["code"] if norm else "",
                    "counsellor_name": request.user.full_name or request.user.username,
                    "issued_on": timezone.localdate(),
                    "comments": suggested_comments(assessment, lang),
                },
            )
        context["correct_form"] = af.CorrectForm()
    context["answers"] = answer_rows(assessment, lang)
    context["cancel_form"] = af.ReasonForm()
    return render(request, "assessments/assessment_detail.html", context)


def result_context(assessment: Assessment, lang: str, norm: dict[str, Any] | None) -> dict[str, Any]:
    """What the result pages, the PDF and the DOCX show, in the reader's language."""
    scale = assessment.scale
    result = assessment.result
    metrics = [
        {"name": name, "label": scale.metric_label(name, lang), "value": value}
        for name, value in result["metrics"].items()
    ]
    rows = compare(result, norm, lang)
    by_name = {r["metric"]: r for r in rows}
    pack = scale.content(lang)
    subscales = []
    for name, sub in result.get("subscales", {}).items():
        band = (result.get("subscale_bands") or {}).get(name)
        subscales.append(
            {
                "name": name,
                "key": sub["key"],
                "label": scale.subscale_label(name, lang),
                "sum": sub["sum"],
                "mean": sub["mean"],
                "answered": sub["answered"],
                "items": sub["items"],
                "band": band["label"][lang]
                if band and lang in band["label"]
                else (band["label"]["zh-hans"] if band else ""),
                "band_level": band["level"] if band else 0,
                "norm": by_name.get(name),
                "description": pack.subscales.get(name, ""),
            }
        )
    bands = []
    for entry in result.get("bands", []):
        band = entry["band"]
        if band:
            bands.append(
                {
                    "metric": scale.metric_label(entry["metric"], lang),
                    "label": band["label"].get(lang) or band["label"]["zh-hans"],
                    "plain": (band.get("plain") or {}).get(lang)
                    or (band.get("plain") or {}).get("zh-hans", ""),
                    "level": band["level"],
                    "source": band["source"],
                    "published": band["published"],
                }
            )
    screening = result["screening"]
    rules = []
    for rule_ in screening.get("rules", []):
        if rule_["metric"].startswith("subscales."):
            what = (
                _("any factor")
                if rule_["metric"] == "subscales.*"
                else scale.metric_label(rule_["metric"].split(".", 1)[1], lang)
            )
            observed = "、".join(scale.subscale_label(n, lang) for n in rule_.get("met_by", [])) or "—"
        else:
            what = scale.metric_label(rule_["metric"], lang)
            observed = rule_.get("observed")
        rules.append({**rule_, "what": what, "observed_text": observed})
    checks = []
    for check in result["validity"]["checks"]:
        key = "extreme" if check["code"].startswith("extreme_") else check["code"]
        checks.append({**check, "label": str(VALIDITY_LABELS.get(key, check["code"]))})
    chart = None
    if subscales:
        chart = {
            "labels": [s["label"] for s in subscales],
            "values": [s["mean"] for s in subscales],
            "norm_mean": [s["norm"]["mean"] if s["norm"] else None for s in subscales],
            "norm_high": [
                round(s["norm"]["mean"] + s["norm"]["sd"], 2) if s["norm"] else None for s in subscales
            ],
            "cutoff": 2,
        }
    return {
        "metrics": metrics,
        "subscales": subscales,
        "bands": bands,
        "norm_rows": [r for r in rows if not r["is_subscale"]],
        "screen_rules": rules,
        "screen_label": (screening.get("label") or {}).get(lang)
        or (screening.get("label") or {}).get("zh-hans", ""),
        "checks": checks,
        "validity": result["validity"],
        "result_flags": result.get("flags", []),
        "chart": chart,
    }


VALIDITY_LABELS = {
    "missing_items": gettext_lazy("Missing answers"),
    "subscale_missing": gettext_lazy("Factor with too many missing answers"),
    "too_fast": gettext_lazy("Answered too fast"),
    "fast": gettext_lazy("Answered fast"),
    "longstring": gettext_lazy("Same answer in a long run"),
    "contradictory_longstring": gettext_lazy("Same answer across reverse-keyed items"),
    "inconsistency": gettext_lazy("Opposite items answered alike"),
    "extreme": gettext_lazy("Score at the scale's extreme"),
}


def answer_rows(assessment: Assessment, lang: str) -> list[dict[str, Any]]:
    scale = assessment.scale
    rows = []
    for item in scale.items:
        value = (assessment.answers or {}).get(str(item.id))
        rows.append(
            {
                "id": item.id,
                "text": scale.item_text(item.id, lang),
                "value": value,
                "label": scale.option_label(item.id, value, lang) if value is not None else "",
                "reverse": item.reverse,
                "seconds": (assessment.item_seconds or {}).get(str(item.id)),
            }
        )
    return rows


def suggested_comments(assessment: Assessment, lang: str) -> str:
    """A starting text for the counsellor's comments, from the bands and the screening result."""
    result = assessment.result
    scale = assessment.scale
    parts = []
    high = [
        scale.subscale_label(n, lang)
        for n, band in (result.get("subscale_bands") or {}).items()
        if band and band["level"] >= 1
    ]
    if result["screening"].get("positive"):
        parts.append(_("The screening is positive"))
        if high:
            parts.append(_("with raised scores on %(f)s") % {"f": "、".join(high)})
        parts.append(_("; suggest individual follow-up and a retest in three months."))
    else:
        parts.append(_("No marked symptoms at screening; suggest routine follow-up."))
    return "".join(parts)


# --- assigning ---------------------------------------------------------------------------------------------


@ui_view(**STAFF_CHANGE)
def assign(request):
    persons = _persons_in_correction(request.user)
    squadrons = squadrons_for(actor=request.user)
    initial = {}
    if id_param(request.GET, "person") is not None:
        initial["person"] = id_param(request.GET, "person")
    if request.GET.get("scale"):
        initial["scale"] = request.GET["scale"]
    single = af.AssignForm(
        request.POST if request.POST.get("mode") == "single" else None,
        persons=persons,
        initial=initial,
        prefix="one",
    )
    batch = af.BatchForm(
        request.POST if request.POST.get("mode") in ("preview", "batch") else None,
        squadrons=squadrons,
        prefix="batch",
    )
    preview = None
    if request.method == "POST":
        mode = request.POST.get("mode")
        if mode == "single" and single.is_valid():
            person = single.cleaned_data["person"]
            if person is None:
                single.add_error("person", _("Choose a person."))
            else:
                try:
                    assessment = services.assessment_assign(
                        actor=request.user,
                        person=person,
                        scale_code=single.cleaned_data["scale"],
                        due_on=single.cleaned_data["due_on"],
                    )
                except ValidationError as exc:
                    _apply_errors(single, exc)
                else:
                    messages.success(request, _("Assigned to %(name)s.") % {"name": person.name})
                    return redirect("assessments:person_file", pk=assessment.person_id)
        elif mode in ("preview", "batch") and batch.is_valid():
            data = batch.cleaned_data
            county = _county_of(request.user, data.get("squadron"))
            if county is None:
                batch.add_error(None, _("Choose a squadron: you work in several counties."))
            else:
                try:
                    candidates = services.batch_candidates(
                        actor=request.user,
                        county=county,
                        intake_month=data.get("intake_month", ""),
                        squadron=data.get("squadron"),
                        not_assessed_months=data.get("not_assessed_months"),
                        scale_code=data["scale"],
                    )
                    if mode == "preview":
                        preview = candidates
                    else:
                        label = data.get("label") or _batch_label(data)
                        result, skipped = services.assessment_assign_batch(
                            actor=request.user,
                            scale_code=data["scale"],
                            persons=candidates,
                            label=label,
                            county=county,
                            due_on=data.get("due_on"),
                            criteria={
                                k: (v.pk if hasattr(v, "pk") else v)
                                for k, v in data.items()
                                if v not in (None, "")
                            },
                        )
                        messages.success(
                            request,
                            _("%(n)s persons were assigned (%(label)s).")
                            % {"n": result.size, "label": result.label},
                        )
                        for reason in skipped[:10]:
                            messages.warning(request, reason)
                        return redirect(f"{reverse('assessments:result_list')}?status=assigned")
                except ValidationError as exc:
                    _apply_errors(batch, exc)
    return render(
        request,
        "assessments/assign.html",
        {
            "single": single,
            "batch": batch,
            "preview": preview,
            "tab": request.POST.get("mode") or request.GET.get("tab", "single"),
        },
    )


def _batch_label(data: dict[str, Any]) -> str:
    scale = get_scale(data["scale"]).short_title()
    if data.get("intake_month"):
        return f"{data['intake_month']} 新入矫 {scale}"
    return f"{timezone.localdate():%Y-%m-%d} {scale}"


def _county_of(user: Any, squadron: Any) -> Any:
    from jiaozheng.orgs.models import OrgUnit

    if squadron is not None:
        return squadron.county
    counties = scoped(OrgUnit, user).filter(kind=OrgUnit.Kind.COUNTY)
    scope = scope_for(user)
    if scope.all_county_ids:
        counties = counties.filter(pk__in=scope.all_county_ids)
    counties = list(counties[:2])
    return counties[0] if len(counties) == 1 else None


# --- paper forms -----------------------------------------------------------------------------------------


def _grid_answers(request: Any, scale: Any) -> dict[int, Any]:
    return {item.id: request.POST.get(f"item_{item.id}", "") for item in scale.items}


def _paper(request, *, scale, person, assessment, meta_form):
    lang = _lang()
    answers: dict[int, Any] = {}
    if request.method == "POST" and meta_form.is_valid():
        quick = meta_form.cleaned_data.get("quick")
        try:
            if quick:
                answers = dict(zip(scale.item_ids, af.parse_quick(quick, len(scale.item_ids)), strict=True))
            else:
                answers = _grid_answers(request, scale)
        except ValueError as exc:
            meta_form.add_error("quick", str(exc))
        else:
            try:
                done = services.paper_form_enter(
                    actor=request.user,
                    person=person or meta_form.cleaned_data["person"],
                    scale_code=scale.code,
                    answers=answers,
                    administered_on=meta_form.cleaned_data["administered_on"],
                    minutes=meta_form.cleaned_data.get("minutes"),
                    assessment=assessment,
                )
            except ValidationError as exc:
                _apply_errors(meta_form, exc)
            else:
                messages.success(request, _("The paper form has been keyed in and scored."))
                return redirect("assessments:assessment_detail", pk=done.pk)
    elif request.method == "POST":
        answers = _grid_answers(request, scale)
    items = [
        {
            "id": item.id,
            "text": scale.item_text(item.id, lang),
            "options": [
                {"value": o["value"], "label": (o["label"].get(lang) or o["label"]["zh-hans"])}
                for o in scale.options(item.id)
            ],
            "chosen": str(answers.get(item.id, "")),
        }
        for item in scale.items
    ]
    return render(
        request,
        "assessments/paper_form.html",
        {
            "form": meta_form,
            "scale": scale,
            "title": scale.short_title(lang),
            "items": items,
            "person": person,
            "assessment": assessment,
            "pack": scale.content(lang),
        },
    )


@ui_view(**STAFF_CHANGE, obj=("pk", "assessments.Assessment"))
def paper_for_assessment(request, pk: int):
    assessment = selectors.assessment_get(actor=request.user, pk=pk, action=CHANGE, log=False)
    if not assessment.is_open:
        messages.error(request, _("This assessment is no longer open."))
        return redirect("assessments:assessment_detail", pk=assessment.pk)
    form = af.PaperMetaForm(request.POST or None)
    return _paper(
        request, scale=assessment.scale, person=assessment.person, assessment=assessment, meta_form=form
    )


@ui_view(**STAFF_CHANGE)
def paper_new(request):
    persons = _persons_in_correction(request.user)
    code = request.POST.get("scale") or request.GET.get("scale") or "scl90"
    try:
        scale = get_scale(code)
    except ScaleError:
        raise Http404("unknown scale")
    if scale.is_external:
        raise Http404("external scale")
    initial = {"scale": scale.code}
    if id_param(request.GET, "person") is not None:
        initial["person"] = id_param(request.GET, "person")
    form = af.NewPaperForm(request.POST or None, persons=persons, initial=initial)
    if request.method == "POST" and request.POST.get("switch"):
        form = af.NewPaperForm(initial={**initial, "person": request.POST.get("person")}, persons=persons)
    return _paper(request, scale=scale, person=None, assessment=None, meta_form=form)


@require_POST
@ui_view(**STAFF_CHANGE, obj=("pk", "assessments.Assessment"))
def correct(request, pk: int):
    assessment = selectors.assessment_get(actor=request.user, pk=pk, action=CHANGE, log=False)
    form = af.CorrectForm(request.POST)
    if form.is_valid():
        value = form.cleaned_data["value"]
        try:
            services.answers_correct(
                actor=request.user,
                assessment=assessment,
                changes={form.cleaned_data["item"]: "" if value is None else value},
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("The answer has been corrected and the result rescored."))
    else:
        messages.error(request, _("Give the item number, the correct answer and the reason."))
    return redirect("assessments:assessment_detail", pk=assessment.pk)


@require_POST
@ui_view(**STAFF_CHANGE, obj=("pk", "assessments.Assessment"))
def cancel(request, pk: int):
    assessment = selectors.assessment_get(actor=request.user, pk=pk, action=CHANGE, log=False)
    form = af.ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_cancel(
                actor=request.user, assessment=assessment, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("The assessment has been cancelled."))
    else:
        messages.error(request, _("Give the reason for cancelling."))
    return redirect("assessments:assessment_detail", pk=assessment.pk)


# --- reports -------------------------------------------------------------------------------------------------


@require_POST
@ui_view(**STAFF_CHANGE, obj=("pk", "assessments.Assessment"))
def report_issue(request, pk: int):
    assessment = selectors.assessment_get(actor=request.user, pk=pk, action=CHANGE, log=False)
    norms = (
        available_norms(assessment.scale_code, assessment.person.county, _lang()) if assessment.result else []
    )
    form = af.ReportForm(request.POST, norms=norms, scale_code=assessment.scale_code)
    if form.is_valid():
        try:
            report = services.report_issue(actor=request.user, assessment=assessment, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("Report %(number)s has been issued.") % {"number": report.number})
    else:
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request, f"{form.fields[field].label}：{error}" if field in form.fields else error
                )
    return redirect("assessments:assessment_detail", pk=assessment.pk)


@ui_view(**STAFF, obj=("pk", "assessments.Report"))
def report_pdf(request, pk: int):
    from jiaozheng.assessments.reports import render_pdf

    report = selectors.report_get(actor=request.user, pk=pk)
    content = render_pdf(report)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{report.number}.pdf"'
    return response


@ui_view(**STAFF, obj=("pk", "assessments.Report"))
def report_docx(request, pk: int):
    from jiaozheng.assessments.reports import render_docx

    report = selectors.report_get(actor=request.user, pk=pk)
    response = HttpResponse(
        render_docx(report),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="{report.number}.docx"'
    return response


# --- the mental-health file -------------------------------------------------------------------------------


@ui_view(**STAFF, obj=("pk", "people.Person"))
def person_file(request, pk: int):
    data = selectors.person_file(actor=request.user, person_pk=pk)
    lang = _lang()
    series = selectors.trend_series(data["assessments"])
    trends = []
    for code, points in series.items():
        scale = get_scale(code)
        trends.append(
            {
                "code": code,
                "title": scale.short_title(lang),
                "metric": scale.metric_label(scale.primary_metric, lang),
                "json": json.dumps(
                    {
                        "labels": [p["date"] for p in points],
                        "values": [p["value"] for p in points],
                        "validity": [p["validity"] for p in points],
                    }
                ),
                "points": len(points),
            }
        )
    rows = []
    for a in reversed(data["assessments"]):
        scale = get_scale(a.scale_code)
        rows.append(
            {
                "a": a,
                "title": scale.short_title(lang),
                "metric": scale.metric_label(scale.primary_metric, lang),
            }
        )
    cases = provider("counselling.cases_for_person")(actor=request.user, person=data["person"])
    return render(
        request,
        "assessments/person_file.html",
        {
            **data,
            "rows": rows,
            "trends": trends,
            "cases": cases,
            "can_change": _can_change(request.user),
            "scales": af.scale_choices(),
        },
    )


# --- flags ----------------------------------------------------------------------------------------------------


@ui_view(**STAFF)
def flag_list(request):
    status = request.GET.get("status", FlagStatus.OPEN)
    qs = selectors.flag_list(actor=request.user, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    access_log("psych", detail=f"flag list, {page.paginator.count} rows")
    return render(
        request,
        "assessments/flag_list.html",
        {
            "page": page,
            "status": status,
            "statuses": FlagStatus.choices,
            "form": af.FlagForm(),
            "can_change": _can_change(request.user),
        },
    )


@require_POST
@ui_view(**STAFF_CHANGE, obj=("pk", "assessments.RiskFlag"))
def flag_handle(request, pk: int):
    flag = get_scoped_or_404(RiskFlag, request.user, CHANGE, pk=pk)
    form = af.FlagForm(request.POST)
    if form.is_valid():
        try:
            services.flag_handle(actor=request.user, flag=flag, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("The flag has been updated."))
    else:
        messages.error(request, _("Choose an action and write what was done."))
    return redirect("assessments:flag_list")


# --- scales and norms --------------------------------------------------------------------------------------------


@ui_view(**STAFF)
def scale_list(request):
    lang = _lang()
    form = af.NormBuildForm(request.POST or None)
    if request.method == "POST":
        if not _can_change(request.user):
            raise PermissionDenied("role not permitted")
        if form.is_valid():
            county = _county_of(request.user, None)
            try:
                norm = services.norm_build(
                    actor=request.user,
                    scale_code=form.cleaned_data["scale"],
                    county=county,
                    date_from=form.cleaned_data["date_from"],
                    date_to=form.cleaned_data["date_to"],
                    label=form.cleaned_data["label"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Local norm %(label)s has been built.") % {"label": norm.label})
                return redirect("assessments:scale_list")
    rows = []
    for code, scale in all_scales().items():
        pack = scale.content(lang)
        rows.append(
            {
                "code": code,
                "scale": scale,
                "title": scale.title(lang),
                "short": scale.short_title(lang),
                "pack": pack,
                "norms": len(scale.norms),
                "licence": licence_label(scale.licence.get("status", "unknown")),
            }
        )
    return render(
        request,
        "assessments/scale_list.html",
        {
            "rows": rows,
            "local_norms": selectors.local_norms(actor=request.user),
            "form": form,
            "can_change": _can_change(request.user),
        },
    )


LICENCE_LABELS = {
    "free": gettext_lazy("free to use"),
    "restricted": gettext_lazy("licensed: used only under the agency's licence"),
    "unknown": gettext_lazy("licence not established: the agency approves the item texts it uses"),
}


def licence_label(status: str) -> str:
    return str(LICENCE_LABELS.get(status, LICENCE_LABELS["unknown"]))


def _metric_label(scale: Any, metric: str, lang: str) -> str:
    if metric == "subscales.*":
        return _("any factor score")
    return scale.metric_label(metric, lang)


@ui_view(**STAFF, samples={"code": "scl90"})
def scale_detail(request, code: str):
    lang = _lang()
    try:
        scale = get_scale(code)
    except ScaleError:
        raise Http404("unknown scale")
    pack = scale.content(lang)
    items = []
    if not scale.is_external:
        for item in scale.items:
            owner = [
                scale.subscale_label(n, lang) for n, s in scale.subscales.items() if item.id in s["items"]
            ]
            items.append(
                {
                    "id": item.id,
                    "text": scale.item_text(item.id, lang),
                    "reverse": item.reverse,
                    "scored": item.scored,
                    "subscale": "、".join(owner),
                }
            )
    norms = []
    for norm in scale.norms:
        norms.append(
            {
                "norm": norm,
                "label": norm["label"].get(lang) or norm["label"]["zh-hans"],
                "values": [(scale.metric_label(k, lang), v[0], v[1]) for k, v in norm["values"].items()],
            }
        )
    return render(
        request,
        "assessments/scale_detail.html",
        {
            "scale": scale,
            "title": scale.title(lang),
            "short": scale.short_title(lang),
            "pack": pack,
            "items": items,
            "norms": norms,
            "options": [
                (o["value"], o["label"].get(lang) or o["label"]["zh-hans"]) for o in scale.response_scale
            ],
            "cutoffs": [
                {**c, "label": _metric_label(scale, c.get("metric", ""), lang)}
                for c in scale.screening.get("cutoffs", [])
            ],
            "bands": [
                {**b, "label": _metric_label(scale, b.get("metric", ""), lang)}
                for b in scale.data.get("bands", [])
            ],
            "licence": licence_label(scale.licence.get("status", "unknown")),
            "flags": scale.flags,
            "lang": lang,
        },
    )


# --- external results (COPA-PI) ----------------------------------------------------------------------------------


@ui_view(**STAFF)
def external_list(request):
    from jiaozheng.assessments.imports import copa_pi_columns

    qs = (
        scoped(ExternalResult, request.user)
        .select_related("person", "person__squadron", "entered_by")
        .order_by("-administered_on", "-id")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    access_log("psych", detail=f"external results list, {page.paginator.count} rows")
    form = af.ExternalImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST":
        if not _can_change(request.user):
            raise PermissionDenied("role not permitted")
        if form.is_valid():
            from django.conf import settings

            from jiaozheng.core.imports import run_import

            upload = form.cleaned_data["file"]
            if upload.size > settings.MAX_UPLOAD_BYTES:
                form.add_error("file", _("The file is too large."))
            else:
                content = upload.read()
                result = run_import(
                    actor=request.user,
                    kind="copa_pi",
                    name=upload.name,
                    content=content,
                    context={
                        "source_name": upload.name[:200],
                        "source_bytes": content,
                        "keep_file": form.cleaned_data["keep_file"],
                    },
                )
                if result.ok:
                    messages.success(request, result.message)
                    return redirect("assessments:external_list")
                errors = result.errors
                messages.error(request, result.message or _("Nothing was imported."))
    return render(
        request,
        "assessments/external_list.html",
        {
            "page": page,
            "form": form,
            "errors": errors,
            "columns": copa_pi_columns(request.user),
            "can_change": _can_change(request.user),
        },
    )


@ui_view(**STAFF)
def external_template(request):
    from jiaozheng.assessments.imports import copa_pi_template

    response = HttpResponse(copa_pi_template(request.user), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="copa-pi-template.csv"'
    return response


@ui_view(**STAFF, obj=("pk", "assessments.ExternalResult"))
def external_detail(request, pk: int):
    result = get_scoped_or_404(
        ExternalResult.objects.select_related("person", "entered_by"), request.user, pk=pk
    )
    access_log("psych", person=result.person, obj=result, detail=f"external result {result.instrument}")
    return render(request, "assessments/external_detail.html", {"r": result, "scores": result.scores.all()})


@ui_view(**STAFF, obj=("pk", "assessments.ExternalResult"))
def external_source(request, pk: int):
    result = get_scoped_or_404(ExternalResult, request.user, pk=pk)
    if not result.source_file:
        raise Http404("no file kept")
    access_log("psych", person=result.person_id, obj=result, detail="external source document")
    response = HttpResponse(result.source_file.read(), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="source-{result.pk}"'
    return response


# --- the supervised person's phone pages ------------------------------------------------------------------------

SUBJECT = {"roles": [Role.SUBJECT], "domain": Domain.PSYCH}


@ui_view(**SUBJECT)
def my_list(request):
    lang = _lang()
    data = selectors.my_assessments(actor=request.user)
    open_rows = [
        {"a": a, "title": get_scale(a.scale_code).title(lang), "total": len(get_scale(a.scale_code).item_ids)}
        for a in data["open"]
    ]
    done_rows = [
        {"a": a, "title": get_scale(a.scale_code).title(lang), "plain": plain_words(a, lang)}
        for a in data["done"]
    ]
    if done_rows:
        access_log("psych", person=request.user.person_id, detail="own results list")
    return render(request, "assessments/my_list.html", {"open": open_rows, "done": done_rows})


def _my(request, pk: int) -> Assessment:
    return get_scoped_or_404(Assessment, request.user, pk=pk)


@ui_view(**SUBJECT, action=CHANGE, obj=("pk", "assessments.Assessment"))
def my_answer(request, pk: int):
    assessment = _my(request, pk)
    if not assessment.is_open:
        return redirect("assessments:my_result", pk=assessment.pk)
    scale = assessment.scale
    lang = _lang()
    if request.method == "POST":
        try:
            item = int(request.POST.get("item", ""))
        except ValueError:
            item = 0
        try:
            assessment = services.answer_record(
                actor=request.user, assessment=assessment, item=item, value=request.POST.get("value")
            )
        except ValidationError as exc:
            _errors_to_messages(request, exc)
            return redirect(f"{reverse('assessments:my_answer', args=[assessment.pk])}?item={item}")
        following = _following(scale, item, assessment)
        target = reverse("assessments:my_answer", args=[assessment.pk])
        return redirect(f"{target}?item={following}" if following else f"{target}?review=1")
    requested = request.GET.get("item", "")
    item = int_param(requested) if int_param(requested) in scale.item_by_id else None
    if item is None and not request.GET.get("review"):
        item = services.next_item(assessment)
    if item is None:
        missing = [i for i in scale.scored_ids if (assessment.answers or {}).get(str(i)) is None]
        return render(
            request,
            "assessments/my_review.html",
            {
                "a": assessment,
                "title": scale.title(lang),
                "missing": missing,
                "total": len(scale.item_ids),
                "last": scale.item_ids[-1],
            },
        )
    services.item_shown(actor=request.user, assessment=assessment, item=item)
    position = scale.item_ids.index(item) + 1
    pack = scale.content(lang)
    chosen = (assessment.answers or {}).get(str(item))
    return render(
        request,
        "assessments/my_answer.html",
        {
            "a": assessment,
            "title": scale.title(lang),
            "item": item,
            "text": scale.item_text(item, lang),
            "options": [
                {
                    "value": o["value"],
                    "label": o["label"].get(lang) or o["label"]["zh-hans"],
                    "letter": o.get("letter", ""),
                }
                for o in scale.options(item)
            ],
            "chosen": chosen,
            "position": position,
            "total": len(scale.item_ids),
            "percent": int((position - 1) * 100 / len(scale.item_ids)),
            "previous": scale.item_ids[position - 2] if position > 1 else None,
            "timeframe": scale.timeframe(lang),
            "instructions": pack.instructions if position == 1 else "",
        },
    )


def _following(scale: Any, item: int, assessment: Assessment) -> int | None:
    """The next item after ``item`` still without an answer, else the first unanswered one."""
    ids = scale.item_ids
    answers = assessment.answers or {}
    if item in ids:
        for i in ids[ids.index(item) + 1 :]:
            if answers.get(str(i)) is None:
                return i
    return services.next_item(assessment)


@require_POST
@ui_view(**SUBJECT, action=CHANGE, obj=("pk", "assessments.Assessment"))
def my_submit(request, pk: int):
    assessment = _my(request, pk)
    try:
        services.assessment_submit(actor=request.user, assessment=assessment)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return redirect("assessments:my_answer", pk=assessment.pk)
    messages.success(request, _("Thank you. Your answers have been handed in."))
    return redirect("assessments:my_result", pk=assessment.pk)


@ui_view(**SUBJECT, obj=("pk", "assessments.Assessment"))
def my_result(request, pk: int):
    assessment = _my(request, pk)
    if assessment.is_open:
        return redirect("assessments:my_answer", pk=assessment.pk)
    lang = _lang()
    if assessment.status == AssessmentStatus.COMPLETED:
        access_log("psych", person=assessment.person_id, obj=assessment, detail="own result")
    return render(
        request,
        "assessments/my_result.html",
        {
            "a": assessment,
            "title": get_scale(assessment.scale_code).title(lang),
            "plain": plain_words(assessment, lang),
        },
    )


def plain_words(assessment: Assessment, lang: str) -> dict[str, Any]:
    """The person's own result in plain words: no scores, no jargon."""
    if assessment.status != AssessmentStatus.COMPLETED or not assessment.result:
        return {"text": _("Not finished."), "tone": "muted", "retest": False, "urgent": False}
    result = assessment.result
    if assessment.validity == Validity.INVALID:
        return {
            "text": _(
                "Some answers were missing or given very quickly, so this test cannot be read. Your social worker may ask you to take it again."
            ),
            "tone": "warning",
            "retest": True,
            "urgent": assessment.urgent,
        }
    texts = []
    tone = "ok"
    for entry in result.get("bands", []):
        band = entry.get("band")
        if band and band.get("plain"):
            texts.append(band["plain"].get(lang) or band["plain"].get("zh-hans", ""))
            if band["level"] >= 2:
                tone = "warning"
    if not texts:
        if result["screening"].get("positive"):
            texts.append(_("You have had some troubles lately; a counsellor will arrange to talk with you."))
            tone = "warning"
        else:
            texts.append(_("Overall, you have been doing fairly well lately."))
    return {"text": " ".join(texts), "tone": tone, "retest": False, "urgent": assessment.urgent}


# --- import of past records (the shared import page) -------------------------------------------------------

IMPORT_ROLES = [Role.COUNSELLOR, Role.BUREAU_ADMIN]  # the kinds' own checks: docs/imports.md


@ui_view(any_staff=True, roles=IMPORT_ROLES)
def import_view(request):
    return import_page(request, "assessments", template_url=reverse("assessments:import_template"))


@ui_view(any_staff=True, roles=IMPORT_ROLES)
def import_template(request):
    return import_template_response("assessments")
