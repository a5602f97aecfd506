"""Writes of participant feedback, the county questionnaire and the buyer's evaluation.

Every function takes the acting user, checks the role and the rows, validates, and changes nothing on
error (one transaction; every save is audited by AuditedModel).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.core.activities import ActivityRef, activity_source
from jiaozheng.core.roles import Domain, Role
from jiaozheng.core.rules import rule
from jiaozheng.core.scoping import require, scope_for
from jiaozheng.feedback.models import BuyerEvaluation, CountyQuestionnaire, FeedbackResponse
from jiaozheng.feedback.questionnaire import questionnaire_for
from jiaozheng.orgs.models import OrgUnit, ServiceProvider

BUREAU_ROLES = frozenset({Role.BUREAU_ADMIN, Role.BUREAU_OFFICER})
COMMENT_MAX = 500
MAX_ITEMS = 10


def _subject_person_id(actor: Any) -> int:
    scope = scope_for(actor)
    if scope.role != Role.SUBJECT or scope.person_id is None:
        raise PermissionDenied("only the supervised person answers their own feedback")
    return scope.person_id


def window_open(ref: ActivityRef, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return ref.date <= today <= ref.date + dt.timedelta(days=int(rule("feedback.window_days", ref.county_id)))


def feedback_submit(
    *, actor: Any, kind: str, activity_id: Any, answers: dict[str, Any], comment: str = ""
) -> FeedbackResponse:
    """A supervised person's feedback on an activity they attended, once, within the window."""
    person_id = _subject_person_id(actor)
    source = activity_source(kind) if isinstance(kind, str) else None
    ref = None
    if source is not None and isinstance(activity_id, int) and not isinstance(activity_id, bool):
        if 0 < activity_id < 2**63:
            ref = source.get(activity_id)
    if ref is None or person_id not in ref.attendee_ids:
        raise ValidationError(_("You can give feedback only on an activity you took part in."))
    if not window_open(ref):
        days = rule("feedback.window_days", ref.county_id)
        raise ValidationError(
            _("Feedback on this activity closed %(days)s days after it was held.") % {"days": days}
        )
    if FeedbackResponse.objects.filter(activity_kind=kind, activity_id=ref.id, person_id=person_id).exists():
        raise ValidationError(_("You have already given feedback on this activity."))
    questionnaire = questionnaire_for(ref.county_id)
    if not isinstance(answers, dict):
        raise ValidationError(_("Please answer every question."))
    clean: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    for key, _text in questionnaire.items:
        value = answers.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value not in questionnaire.values:
            errors[key] = [_("Please choose one of the answers.")]
        else:
            clean[key] = value
    if errors:
        raise ValidationError(errors)
    comment = comment if isinstance(comment, str) else ""
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": [_("At most %(n)s characters.") % {"n": COMMENT_MAX}]})
    mean = (Decimal(sum(clean.values())) / Decimal(len(clean))).quantize(Decimal("0.01"))
    satisfied = mean >= Decimal(rule("feedback.satisfied_min", ref.county_id))
    try:
        with transaction.atomic():
            return FeedbackResponse.objects.create(
                activity_kind=kind,
                activity_id=ref.id,
                activity_date=ref.date,
                activity_title=ref.title[:200],
                county_id=ref.county_id,
                person_id=person_id,
                questionnaire_version=questionnaire.version[:20],
                answers_data=json.dumps(clean, sort_keys=True),
                comment=comment,
                mean_score=mean,
                satisfied=satisfied,
            )
    except IntegrityError:
        raise ValidationError(_("You have already given feedback on this activity."))


def _require_bureau(actor: Any, message: str) -> None:
    scope = scope_for(actor)
    if not scope.unrestricted and scope.role not in BUREAU_ROLES:
        raise PermissionDenied(message)


def _county_in_scope(actor: Any, county_id: Any) -> OrgUnit:
    scope = scope_for(actor)
    if isinstance(county_id, bool) or not isinstance(county_id, int) or not 0 < county_id < 2**63:
        raise ValidationError({"county": [_("Choose a county of your area.")]})
    county = OrgUnit.objects.filter(pk=county_id, kind=OrgUnit.Kind.COUNTY).first()
    if county is None or not (scope.unrestricted or county.pk in scope.county_ids):
        raise ValidationError({"county": [_("Choose a county of your area.")]})
    return county


@transaction.atomic
def questionnaire_save(
    *, actor: Any, county_id: int, items: list[str], open_question: str = ""
) -> CountyQuestionnaire:
    """A county's own wording of the feedback questionnaire (the five-point scale stays the same)."""
    require(actor, Domain.PERFORMANCE)
    _require_bureau(actor, "only the bureau words the feedback questionnaire")
    county = _county_in_scope(actor, county_id)
    texts = [t.strip() for t in items if isinstance(t, str) and t.strip()]
    if not texts:
        raise ValidationError({"items": [_("Give at least one question.")]})
    if len(texts) > MAX_ITEMS:
        raise ValidationError({"items": [_("At most %(n)s questions.") % {"n": MAX_ITEMS}]})
    too_long = [t for t in texts if len(t) > 100]
    if too_long:
        raise ValidationError({"items": [_("Each question has at most 100 characters.")]})
    if len(set(texts)) != len(texts):
        raise ValidationError({"items": [_("A question appears twice.")]})
    open_question = (open_question or "").strip()
    if len(open_question) > 200:
        raise ValidationError({"open_question": [_("At most %(n)s characters.") % {"n": 200}]})
    own = CountyQuestionnaire.objects.select_for_update().filter(county=county).first()
    rows = [{"key": f"q{i}", "text": t} for i, t in enumerate(texts, start=1)]
    if own is None:
        own = CountyQuestionnaire(county=county)
    else:
        own.version += 1
    own.items = rows
    own.open_question = open_question
    own.updated_by = actor
    own.updated_at = timezone.now()
    own.save()
    return own


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("Enter a number.")]})
    if not number.is_finite():
        raise ValidationError({field: [_("Enter a number.")]})
    return number


@transaction.atomic
def buyer_evaluation_sign(
    *,
    actor: Any,
    county_id: int,
    provider_id: int,
    period_start: dt.date,
    period_end: dt.date,
    score: Any,
    signer_title: str,
    comments: str = "",
) -> BuyerEvaluation:
    """The buyer's satisfaction evaluation of a provider for one period, signed by a bureau role.

    A signed evaluation is never edited: an evaluation for an overlapping period of the same county and
    provider is refused.
    """
    require(actor, Domain.PERFORMANCE)
    _require_bureau(actor, "only the bureau signs the buyer's evaluation")
    county = _county_in_scope(actor, county_id)
    provider = None
    if isinstance(provider_id, int) and not isinstance(provider_id, bool) and 0 < provider_id < 2**63:
        provider = providers_of_county(county).filter(pk=provider_id).first()
    if provider is None:
        raise ValidationError({"provider": [_("Choose a provider that serves this county.")]})
    if not isinstance(period_start, dt.date) or not isinstance(period_end, dt.date):
        raise ValidationError({"period_start": [_("Enter the period's first and last day.")]})
    if period_end < period_start:
        raise ValidationError({"period_end": [_("The period ends before it starts.")]})
    if (period_end - period_start).days > 366:
        raise ValidationError({"period_end": [_("A period is at most one year.")]})
    if period_end > timezone.localdate():
        raise ValidationError({"period_end": [_("A period can be evaluated only once it has ended.")]})
    value = _decimal(score, "score")
    if not Decimal(0) <= value <= Decimal(100):
        raise ValidationError({"score": [_("The score is between 0 and 100.")]})
    signer_title = (signer_title or "").strip()
    if not signer_title or len(signer_title) > 60:
        raise ValidationError({"signer_title": [_("Give the signer's post (at most 60 characters).")]})
    comments = (comments or "").strip()
    if len(comments) > 2000:
        raise ValidationError({"comments": [_("At most %(n)s characters.") % {"n": 2000}]})
    overlapping = BuyerEvaluation.objects.select_for_update().filter(
        county=county, provider=provider, period_start__lte=period_end, period_end__gte=period_start
    )
    if overlapping.exists():
        raise ValidationError(
            {"period_start": [_("This provider already has a signed evaluation for part of this period.")]}
        )
    return BuyerEvaluation.objects.create(
        county=county,
        provider=provider,
        period_start=period_start,
        period_end=period_end,
        score=value.quantize(Decimal("0.1")),
        comments=comments,
        signer_title=signer_title,
        signed_by=actor,
    )


def providers_of_county(county: OrgUnit):
    """Providers with staff posted in the county (the organisations that serve it)."""
    from jiaozheng.orgs.models import User

    ids = User.objects.filter(provider__isnull=False, assignments__unit__county_id=county.pk).values(
        "provider_id"
    )
    return ServiceProvider.objects.filter(pk__in=ids)
