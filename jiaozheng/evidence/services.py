"""Writes of the monthly hand-over (提交 by the provider, 确认接收 or 退回 by the bureau) and of evidence packs.

Every submission is a new version, frozen once made (its text is never edited). A month the bureau has
acknowledged is read-only: a further submission is refused with a message and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.contracts.models import Contract
from jiaozheng.core.roles import CHANGE, VIEW, Domain, Role
from jiaozheng.core.rules import rule
from jiaozheng.core.scoping import get_scoped_or_404, require, scope_for
from jiaozheng.evidence.models import MonthlySubmission, SubmissionStatus

PROVIDER_ROLES = frozenset({Role.SOCIAL_WORKER, Role.SUPERVISOR})
BUREAU_ROLES = frozenset({Role.BUREAU_ADMIN, Role.BUREAU_OFFICER})
TEXT_LIMIT = 20000


def _role(actor: Any) -> str | None:
    return scope_for(actor).role


def month_first(value: Any) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValidationError({"month": [_("Choose a month.")]})
    return value.replace(day=1)


def month_due(month: dt.date, contract: Contract) -> dt.date:
    """The last day on which the month's hand-over counts as on time."""
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    day = int(rule("evidence.handover_due_day", contract.buyer))
    return nxt + dt.timedelta(days=max(day, 1) - 1)


def _text(value: Any, field: str, errors: dict[str, list[str]]) -> str:
    if not isinstance(value, str) or not value.strip():
        errors.setdefault(field, []).append(_("This field is required."))
        return ""
    if len(value) > TEXT_LIMIT:
        errors.setdefault(field, []).append(_("At most %(n)s characters.") % {"n": TEXT_LIMIT})
    return value.strip()


def latest(contract: Contract, month: dt.date) -> MonthlySubmission | None:
    return MonthlySubmission.objects.filter(contract=contract, month=month).order_by("-version").first()


@transaction.atomic
def submission_submit(
    *, actor: Any, contract: Contract, month: Any, plan: Any, summary: Any
) -> MonthlySubmission:
    """The provider hands over the month: its plan and summary. A new version replaces a pending or returned
    one; an acknowledged month is refused."""
    require(actor, Domain.PERFORMANCE, CHANGE)
    if _role(actor) not in PROVIDER_ROLES:
        raise PermissionDenied("only the provider's staff hand over a month")
    contract = get_scoped_or_404(Contract, actor, domain=Domain.PERFORMANCE, pk=contract.pk)
    Contract.objects.select_for_update().filter(pk=contract.pk).first()  # serialise submissions
    first = month_first(month)
    if not (contract.start_on.replace(day=1) <= first <= contract.end_on):
        raise ValidationError({"month": [_("The month lies outside the contract's service period.")]})
    if first > timezone.localdate():
        raise ValidationError({"month": [_("A month cannot be handed over before it has begun.")]})
    errors: dict[str, list[str]] = {}
    plan_text = _text(plan, "plan", errors)
    summary_text = _text(summary, "summary", errors)
    if errors:
        raise ValidationError(errors)
    previous = latest(contract, first)
    if previous is not None and previous.status == SubmissionStatus.ACKNOWLEDGED:
        raise ValidationError(
            _(
                "The bureau has already acknowledged %(month)s; an acknowledged month is read-only and "
                "cannot be submitted again."
            )
            % {"month": f"{first:%Y-%m}"}
        )
    if previous is not None and previous.status == SubmissionStatus.SUBMITTED:
        previous.status = SubmissionStatus.SUPERSEDED
        previous.save(update_fields=["status"])
    now = timezone.now()
    first_made = MonthlySubmission.objects.filter(contract=contract, month=first).order_by("version").first()
    on_time = (first_made.submitted_at if first_made else now).date() <= month_due(first, contract)
    return MonthlySubmission.objects.create(
        contract=contract,
        month=first,
        version=(previous.version + 1) if previous else 1,
        plan=plan_text,
        summary=summary_text,
        submitted_by=actor,
        submitted_at=now,
        on_time=on_time,
    )


def _review(actor: Any, submission: MonthlySubmission) -> MonthlySubmission:
    require(actor, Domain.PERFORMANCE, CHANGE)
    if _role(actor) not in BUREAU_ROLES and not scope_for(actor).unrestricted:
        raise PermissionDenied("only the bureau acknowledges a month")
    visible = get_scoped_or_404(MonthlySubmission, actor, CHANGE, pk=submission.pk)
    row = MonthlySubmission.objects.select_for_update().get(pk=visible.pk)
    if row.status != SubmissionStatus.SUBMITTED:
        raise ValidationError(_("Only a submission awaiting the bureau can be acknowledged or returned."))
    return row


@transaction.atomic
def submission_acknowledge(
    *, actor: Any, submission: MonthlySubmission, remarks: Any = ""
) -> MonthlySubmission:
    row = _review(actor, submission)
    row.status = SubmissionStatus.ACKNOWLEDGED
    row.reviewed_by = actor
    row.reviewed_at = timezone.now()
    row.remarks = str(remarks or "").strip()[:2000]
    row.save()
    return row


@transaction.atomic
def submission_return(*, actor: Any, submission: MonthlySubmission, remarks: Any) -> MonthlySubmission:
    if not isinstance(remarks, str) or not remarks.strip():
        raise ValidationError({"remarks": [_("Say what is missing when returning a month.")]})
    row = _review(actor, submission)
    row.status = SubmissionStatus.RETURNED
    row.reviewed_by = actor
    row.reviewed_at = timezone.now()
    row.remarks = remarks.strip()[:2000]
    row.save()
    return row


# --- the evidence pack --------------------------------------------------------------------------------------

PACK_ROLES = frozenset({Role.BUREAU_ADMIN, Role.BUREAU_OFFICER, Role.AUDITOR})


def _require_pack_role(actor: Any) -> None:
    require(actor, Domain.PERFORMANCE, VIEW)
    scope = scope_for(actor)
    if not scope.unrestricted and scope.role not in PACK_ROLES:
        raise PermissionDenied("evidence packs are made for the bureau and the auditors")


def pack_check(*, actor: Any, contract: Contract, year: Any) -> int:
    """Validate a pack request: the role, the contract in scope, a year of the contract."""
    _require_pack_role(actor)
    contract = get_scoped_or_404(Contract, actor, domain=Domain.PERFORMANCE, pk=contract.pk)
    if isinstance(year, bool) or not isinstance(year, int) or year not in contract.years():
        raise ValidationError({"year": [_("Choose a year of the contract.")]})
    return year


def pack_generate(
    *, actor: Any, contract: Contract, year: int, on_indicator: Any = None, path: str | None = None
) -> Any:
    """Build the pack into a temporary file, store it as an ``EvidencePack`` (audited), return the row.

    With ``path`` the ZIP is written there and not stored (the command line)."""
    import os
    import tempfile

    from django.core.files import File

    from jiaozheng.audit.services import record_action
    from jiaozheng.evidence.models import EvidencePack
    from jiaozheng.evidence.pack import build_pack

    year = pack_check(actor=actor, contract=contract, year=year)
    if path is not None:
        result = build_pack(actor=actor, contract=contract, year=year, path=path, on_indicator=on_indicator)
        record_action(
            contract,
            "evidence.pack_exported",
            {"year": year, "records": result.records, "attachments": result.attachments, "file": path},
        )
        return result
    fd, tmp = tempfile.mkstemp(suffix=".zip")
    os.close(fd)
    try:
        result = build_pack(actor=actor, contract=contract, year=year, path=tmp, on_indicator=on_indicator)
        pack = EvidencePack(
            contract=contract,
            year=year,
            size=result.size,
            records=result.records,
            attachments=result.attachments,
            domains=result.domains,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        with open(tmp, "rb") as handle:
            pack.file.save(f"evidence-{contract.code}-{year}.zip", File(handle), save=False)
        pack.save()
    finally:
        os.unlink(tmp)
    record_action(pack, "evidence.pack_generated", {"records": pack.records, "attachments": pack.attachments})
    pack.result = result  # type: ignore[attr-defined]
    return pack


def pack_opened(*, actor: Any, pack: Any) -> None:
    """A download of a pack, in the audit trail."""
    from jiaozheng.audit.services import record_action

    record_action(pack, "evidence.pack_downloaded", {"by": getattr(actor, "username", "")})
