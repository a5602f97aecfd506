"""Writes for supervision procedures.

Every service takes the acting user, checks the role (``require``: decisions are the bureau's, i.e. the
CASELOAD change right, which social workers do not hold) and the row (``get_scoped_or_404``), validates,
and writes in one transaction; a ValidationError changes nothing. Saves are audited by AuditedModel.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.core.roles import Domain
from jiaozheng.core.rules import rule
from jiaozheng.core.scoping import get_scoped_or_404, require, scope_for
from jiaozheng.supervision.choices import Commissioner, Conclusion, InvestigationStatus
from jiaozheng.supervision.models import Investigation
from jiaozheng.supervision.workdays import deadline


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _text(value: Any, field: str, label: str, *, required: bool = True, max_length: int = 5000) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: _("%(label)s is required.") % {"label": label}})
    if len(text) > max_length:
        raise ValidationError(
            {field: _("%(label)s is longer than %(n)s characters.") % {"label": label, "n": max_length}}
        )
    return text


def _actor_county(actor: Any, county: Any = None) -> Any:
    from jiaozheng.orgs.models import OrgUnit

    scope = scope_for(actor)
    if county is not None:
        pk = getattr(county, "pk", county)
        if not scope.unrestricted and pk not in scope.all_county_ids:
            raise ValidationError({"county": _("Choose a county you work for.")})
        return OrgUnit.objects.get(pk=pk, kind=OrgUnit.Kind.COUNTY)
    ids = scope.all_county_ids
    if len(ids) != 1:
        raise ValidationError({"county": _("Choose the county.")})
    return OrgUnit.objects.get(pk=next(iter(ids)))


def investigation_due_on(county: Any, commissioned_on: dt.date, summary: bool) -> dt.date:
    if summary:
        days = rule("supervision.investigation_summary_working_days", county)
        return deadline("investigation_summary", commissioned_on, days, county)
    return deadline(
        "investigation", commissioned_on, rule("supervision.investigation_working_days", county), county
    )


def _open(inv: Investigation) -> None:
    if inv.status == InvestigationStatus.ANSWERED:
        raise ValidationError(_("This commission is closed: its opinion has already been sent."))


@transaction.atomic
def investigation_register(
    *,
    actor: Any,
    commissioner: str,
    commissioner_name: str,
    defendant_name: str,
    commissioned_on: dt.date | None,
    summary_procedure: bool = False,
    reference: str = "",
    county: Any = None,
    squadron: Any = None,
) -> Investigation:
    require(actor, Domain.CASELOAD)
    if commissioner not in Commissioner.values:
        raise ValidationError({"commissioner": _("Choose who commissioned the investigation.")})
    name = _text(commissioner_name, "commissioner_name", _("Commissioning authority"), max_length=120)
    defendant = _text(defendant_name, "defendant_name", _("Defendant"), max_length=64)
    ref = _text(reference, "reference", _("Commission number"), required=False, max_length=64)
    if commissioned_on is None:
        raise ValidationError({"commissioned_on": _("Give the date of the commission.")})
    if commissioned_on > timezone.localdate():
        raise ValidationError({"commissioned_on": _("The commission date cannot be in the future.")})
    unit = _actor_county(actor, county)
    office = None
    if squadron not in (None, ""):
        from jiaozheng.orgs.models import OrgUnit

        office = OrgUnit.objects.filter(
            pk=getattr(squadron, "pk", squadron), kind=OrgUnit.Kind.SQUADRON, parent=unit
        ).first()
        if office is None:
            raise ValidationError({"squadron": _("Choose a squadron of this county.")})
    due = investigation_due_on(unit, commissioned_on, bool(summary_procedure))
    return Investigation.objects.create(
        county=unit,
        squadron=office,
        commissioner=commissioner,
        commissioner_name=name,
        reference=ref,
        defendant_name=defendant,
        summary_procedure=bool(summary_procedure),
        commissioned_on=commissioned_on,
        due_on=due,
        registered_by=_user(actor),
    )


@transaction.atomic
def investigation_assign(*, actor: Any, investigation: Investigation | int, assignee: Any) -> Investigation:
    require(actor, Domain.CASELOAD)
    inv = get_scoped_or_404(
        Investigation.objects.select_for_update(), actor, pk=getattr(investigation, "pk", investigation)
    )
    _open(inv)
    from jiaozheng.orgs.models import User

    staff = User.objects.filter(pk=getattr(assignee, "pk", assignee), is_active=True).first()
    if (
        staff is None
        or not scope_for(staff).unrestricted
        and inv.county_id not in scope_for(staff).all_county_ids
    ):
        raise ValidationError({"assignee": _("Choose a staff member of this county.")})
    inv.assignee = staff
    inv.status = InvestigationStatus.INVESTIGATING
    inv.save(update_fields=["assignee", "status"])
    return inv


@transaction.atomic
def investigation_answer(
    *,
    actor: Any,
    investigation: Investigation | int,
    findings: str,
    conclusion: str,
    opinion: str,
    answered_on: dt.date | None = None,
    copy_procuratorate: bool = True,
) -> Investigation:
    """Send the 调查评估意见书; the copy to the procuratorate is recorded the same day."""
    require(actor, Domain.CASELOAD)
    inv = get_scoped_or_404(
        Investigation.objects.select_for_update(), actor, pk=getattr(investigation, "pk", investigation)
    )
    _open(inv)
    if inv.status != InvestigationStatus.INVESTIGATING:
        raise ValidationError(_("Assign an investigator before sending the opinion."))
    if conclusion not in Conclusion.values:
        raise ValidationError({"conclusion": _("Choose the conclusion of the opinion.")})
    found = _text(findings, "findings", _("Findings"))
    text = _text(opinion, "opinion", _("Opinion"))
    day = answered_on or timezone.localdate()
    if day < inv.commissioned_on:
        raise ValidationError({"answered_on": _("The opinion cannot be dated before the commission.")})
    if day > timezone.localdate():
        raise ValidationError({"answered_on": _("The opinion cannot be dated in the future.")})
    inv.findings, inv.conclusion, inv.opinion = found, conclusion, text
    inv.answered_on = day
    inv.procuratorate_copied_on = day if copy_procuratorate else None
    inv.status = InvestigationStatus.ANSWERED
    inv.save(
        update_fields=[
            "findings",
            "conclusion",
            "opinion",
            "answered_on",
            "procuratorate_copied_on",
            "status",
        ]
    )
    return inv
