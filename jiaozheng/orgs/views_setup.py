"""系统设置: the pages a province/city operator and a county's bureau administrator set a county up with.

Operator: a county picked from the shipped division list and its first bureau administrator.
Bureau administrator: squadrons / 司法所 and townships, providers, staff accounts (views.py). The
contract-year with its budget lines and indicators is set up on the indicators pages.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiaozheng.core.access import ui_view
from jiaozheng.core.roles import CHANGE, Domain, Role
from jiaozheng.core.scoping import get_scoped_or_404
from jiaozheng.orgs import selectors, services
from jiaozheng.orgs.models import OrgUnit


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _setup_kinds() -> list:
    """The set-up's import kinds present in this install, in ``jiaozheng import --list`` order."""
    from jiaozheng.core.imports import import_kinds
    from jiaozheng.orgs.jobs import SETUP_KINDS

    return [k for k in import_kinds().values() if k.kind in SETUP_KINDS]


@ui_view(domain=Domain.ADMIN)
def setup_home(request):
    counties = list(selectors.counties(actor=request.user))
    tree = [(c, list(selectors.county_units(actor=request.user, county=c))) for c in counties]
    return render(
        request,
        "orgs/setup_home.html",
        {
            "tree": tree,
            "providers": selectors.providers(actor=request.user),
            "is_operator": selectors.is_operator(request.user),
            "import_kinds": _setup_kinds() if _may_import(request.user) else [],
        },
    )


def _may_import(user) -> bool:
    return bool(getattr(user, "is_superuser", False) or getattr(user, "role", None) == Role.BUREAU_ADMIN)


class SetupImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Workbook (XLSX or CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def _setup_kind(kind: str):
    definition = next((k for k in _setup_kinds() if k.kind == kind), None)
    if definition is None:
        raise Http404
    return definition


@ui_view(roles=[Role.BUREAU_ADMIN], domain=Domain.ADMIN, action=CHANGE, samples={"kind": "org_units"})
def setup_import(request, kind: str):
    """One set-up kind from a workbook, all or nothing, run as a job (like the other import pages)."""
    from django.conf import settings
    from django.urls import reverse

    from jiaozheng.core.jobs import job_start

    definition = _setup_kind(kind)
    form = SetupImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            form.add_error(
                "file", _("The file is larger than %(mb)s MB.") % {"mb": settings.MAX_UPLOAD_BYTES // 2**20}
            )
        elif definition.sheets and not upload.name.lower().endswith(".xlsx"):
            form.add_error("file", _("This kind has several sheets: upload the .xlsx workbook."))
        else:
            safe_name = "upload.xlsx" if upload.name.lower().endswith(".xlsx") else "upload.csv"
            job = job_start(
                actor=request.user,
                kind="orgs.setup_import",
                title=_("Set-up import (%(kind)s): %(f)s")
                % {"kind": definition.label, "f": upload.name[:80]},
                params={"filename": safe_name, "kind": definition.kind},
                input_name=safe_name,
                input_bytes=upload.read(),
            )
            return redirect("job_detail", pk=job.pk)
    return render(
        request,
        "orgs/setup_import.html",
        {
            "form": form,
            "kind": definition,
            "template_url": reverse("orgs:setup_import_template", args=[definition.kind]),
        },
    )


@ui_view(roles=[Role.BUREAU_ADMIN], domain=Domain.ADMIN, samples={"kind": "org_units"})
def setup_import_template(request, kind: str):
    definition = _setup_kind(kind)
    response = HttpResponse(
        definition.template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{definition.kind}-template.xlsx"'
    return response


class CountyForm(forms.Form):
    division = forms.ChoiceField(
        label=gettext_lazy("County (administrative division)"),
        help_text=gettext_lazy("From the shipped division list: the county's boundary comes with it."),
    )
    bureau_name = forms.CharField(
        label=gettext_lazy("Justice bureau"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Empty: the county's name followed by 司法局"),
    )
    agency_name = forms.CharField(
        label=gettext_lazy("Community-corrections agency"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Empty: the county's name followed by 社区矫正管理局"),
    )
    admin_username = forms.RegexField(
        label=gettext_lazy("Account of the first bureau administrator"),
        max_length=40,
        regex=r"^[a-z0-9_.-]{3,40}$",
        help_text=gettext_lazy("3-40 lower-case letters, digits, _ . -"),
    )
    admin_full_name = forms.CharField(label=gettext_lazy("Full name of the administrator"), max_length=50)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        taken = set(OrgUnit.objects.filter(kind=OrgUnit.Kind.COUNTY).values_list("code", flat=True))
        division = self.fields["division"]
        assert isinstance(division, forms.ChoiceField)
        division.choices = [("", "—")] + [
            (d.code, d.label) for d in selectors.divisions_for(actor=actor) if d.code not in taken
        ]


@ui_view(domain=Domain.ADMIN, action=CHANGE)
def county_create(request):
    if not selectors.is_operator(request.user):
        return render(request, "orgs/setup_form.html", {"title": _("New county"), "refused": True})
    form = CountyForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                county = services.county_create(
                    actor=request.user,
                    code=data["division"],
                    bureau_name=data["bureau_name"],
                    agency_name=data["agency_name"],
                )
                admin, password = services.account_create(
                    actor=request.user,
                    username=data["admin_username"],
                    full_name=data["admin_full_name"],
                    role=Role.BUREAU_ADMIN,
                    units=[county],
                )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return render(
                request,
                "orgs/password_once.html",
                {
                    "title": _("%(county)s is set up") % {"county": county.name},
                    "account": admin,
                    "password": password,
                },
            )
    return render(request, "orgs/setup_form.html", {"form": form, "title": _("New county")})


class UnitForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    is_judicial_office = forms.BooleanField(label=gettext_lazy("Judicial office (司法所)"), required=False)
    latitude = forms.FloatField(label=gettext_lazy("Latitude (WGS-84)"), required=False)
    longitude = forms.FloatField(label=gettext_lazy("Longitude (WGS-84)"), required=False)

    def __init__(self, *args, parent, **kwargs):
        super().__init__(*args, **kwargs)
        if parent.kind != OrgUnit.Kind.COUNTY:
            del self.fields["is_judicial_office"]
        else:
            del self.fields["latitude"]
            del self.fields["longitude"]


@ui_view(domain=Domain.ADMIN, action=CHANGE, obj=("parent", "orgs.OrgUnit"))
def unit_create(request, parent: int):
    parent_unit = get_scoped_or_404(OrgUnit, request.user, CHANGE, Domain.ADMIN, pk=parent)
    kind = services.CHILD_KIND.get(OrgUnit.Kind(parent_unit.kind))
    if kind is None:
        messages.error(request, _("Squadrons sit under a county, townships under a squadron."))
        return redirect("orgs:setup")
    form = UnitForm(request.POST or None, parent=parent_unit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = services.unit_add(
                actor=request.user,
                parent=parent_unit,
                name=data["name"],
                is_judicial_office=data.get("is_judicial_office") or False,
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s added.") % {"name": unit.name})
            return redirect("orgs:setup")
    title = _("New %(kind)s under %(parent)s") % {
        "kind": OrgUnit.Kind(kind).label,
        "parent": parent_unit.name,
    }
    return render(request, "orgs/setup_form.html", {"form": form, "title": title})


class ProviderForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=120, help_text=gettext_lazy("Full registered name")
    )
    short_name = forms.CharField(label=gettext_lazy("Short name"), max_length=60, required=False)
    credit_code = forms.CharField(
        label=gettext_lazy("Unified social credit code"), max_length=18, required=False
    )
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    head_office = forms.CharField(
        label=gettext_lazy("Head office"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Where the organisation's lead, supervisor and counsellors come from"),
    )
    contact_name = forms.CharField(label=gettext_lazy("Contact"), max_length=50, required=False)
    contact_phone = forms.CharField(label=gettext_lazy("Contact phone"), max_length=30, required=False)


@ui_view(domain=Domain.ADMIN, action=CHANGE)
def provider_create(request):
    form = ProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            provider = services.provider_save(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s registered.") % {"name": provider.name})
            return redirect("orgs:setup")
    return render(request, "orgs/setup_form.html", {"form": form, "title": _("New service provider")})
