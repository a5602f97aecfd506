"""犯罪记录封存: sealing a released juvenile's records, lawful queries of sealed records, and lifting a seal.

A juvenile's criminal records are sealed once the correction has ended (刑事诉讼法 art. 286; 社区矫正法
art. 54: juveniles' identities and records are kept confidential). Sealed, the person and every record
linked to them leave every list, page, export and API answer for every role (the row-scoping gate hides
them: ``core.scoping.ScopeRule.q``), while the year's aggregate figures, computed by the system actor, still
count the work that was done. Only the county's bureau administrator seals, grants a lawful query or lifts
a seal; each step is audited, and a grant is written to the access log.

A lawful query (依法查询, by a judicial organ or a unit the law entitles) opens one person's records to one
named account until the grant expires; the administrator may revoke it earlier.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.audit.services import access_log, timeline_add
from jiaozheng.core.roles import Role
from jiaozheng.core.scoping import scope_for
from jiaozheng.people.choices import EventKind, Status
from jiaozheng.people.models import LifecycleEvent, Person, SealedRecordAccess

MAX_GRANT_DAYS = 30
ENDED = (Status.RELEASED, Status.TERMINATED)


def _county_ids(actor: Any) -> frozenset[int]:
    """The counties whose seals ``actor`` administers: a bureau administrator's own counties only."""
    if getattr(actor, "role", None) != Role.BUREAU_ADMIN:
        raise PermissionDenied("only the bureau administrator handles sealed records")
    return scope_for(actor).county_ids


def _person(actor: Any, person: Person | int, *, sealed: bool) -> Person:
    """The person (sealed or not, as asked) in the administrator's county; 404 otherwise, so that no answer
    tells whether a sealed person exists elsewhere."""
    pk = person.pk if isinstance(person, Person) else person
    found = (
        Person.objects.select_for_update()
        .filter(pk=pk, county_id__in=_county_ids(actor), records_sealed=sealed)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def person_seal(*, actor: Any, person: Person | int, basis: str, sealed_on: dt.date | None = None) -> Person:
    """Seal a juvenile's records after the correction has ended."""
    person = _person(actor, person, sealed=False)
    basis = (basis or "").strip()
    errors: dict[str, list[str]] = {}
    if not person.is_juvenile:
        errors.setdefault("__all__", []).append(_("Only a juvenile's records are sealed."))
    if person.status not in ENDED:
        errors.setdefault("__all__", []).append(_("Records are sealed once the correction has ended."))
    if not basis:
        errors["basis"] = [_("Give the decision or legal basis of the sealing.")]
    sealed_on = sealed_on or timezone.localdate()
    if sealed_on > timezone.localdate():
        errors["sealed_on"] = [_("This date is in the future.")]
    if errors:
        raise ValidationError(errors)
    person.records_sealed = True
    person.sealed_on = sealed_on
    person.save(update_fields=["records_sealed", "sealed_on", "updated_at"])
    event = LifecycleEvent.objects.create(
        person=person,
        kind=EventKind.SEALED,
        occurred_on=sealed_on,
        note=basis[:2000],
        recorded_by=_user(actor),
    )
    timeline_add(person, "person.sealed", obj=event, date=sealed_on.isoformat())
    return person


@transaction.atomic
def person_unseal(*, actor: Any, person: Person | int, reason: str) -> Person:
    """Lift a seal (a new offence, or a court's decision): the records are visible again as before."""
    person = _person(actor, person, sealed=True)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for lifting the seal.")})
    person.records_sealed = False
    person.save(update_fields=["records_sealed", "updated_at"])
    SealedRecordAccess.objects.filter(person=person, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    event = LifecycleEvent.objects.create(
        person=person,
        kind=EventKind.UNSEALED,
        occurred_on=timezone.localdate(),
        note=reason[:2000],
        recorded_by=_user(actor),
    )
    timeline_add(person, "person.unsealed", obj=event)
    return person


@transaction.atomic
def sealed_access_grant(
    *, actor: Any, person: Person | int, granted_to: Any, authority: str, basis: str, days: int
) -> SealedRecordAccess:
    """Open a sealed person's records to one account of the county for a lawful query."""
    from jiaozheng.orgs.models import User

    person = _person(actor, person, sealed=True)
    authority, basis = (authority or "").strip(), (basis or "").strip()
    errors: dict[str, list[str]] = {}
    if not authority:
        errors["authority"] = [_("Name the authority that asks.")]
    if not basis:
        errors["basis"] = [_("Give the legal basis and purpose of the query.")]
    if not isinstance(days, int) or not 1 <= days <= MAX_GRANT_DAYS:
        errors["days"] = [_("Access lasts from 1 to %(n)s days.") % {"n": MAX_GRANT_DAYS}]
    user_pk = getattr(granted_to, "pk", granted_to)
    staff = (
        User.objects.filter(pk=user_pk, is_active=True, assignments__unit__county_id=person.county_id)
        .exclude(role=Role.SUBJECT)
        .distinct()
        .first()
        if isinstance(user_pk, int)
        else None
    )
    if staff is None:
        errors["granted_to"] = [_("Choose an active staff account of this county.")]
    if errors:
        raise ValidationError(errors)
    grant = SealedRecordAccess.objects.create(
        person=person,
        granted_to=staff,
        granted_by=_user(actor),
        authority=authority[:120],
        basis=basis[:5000],
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    access_log(
        "sealed", person=person, obj=grant, detail=f"{authority[:120]} → {staff.username}", actor=actor
    )
    return grant


@transaction.atomic
def sealed_access_revoke(*, actor: Any, grant: SealedRecordAccess | int) -> SealedRecordAccess:
    pk = getattr(grant, "pk", grant)
    found = (
        SealedRecordAccess.objects.select_for_update()
        .filter(pk=pk, person__county_id__in=_county_ids(actor), revoked_at__isnull=True)
        .first()
    )
    if found is None:
        raise Http404
    found.revoked_at = timezone.now()
    found.save(update_fields=["revoked_at"])
    return found


def sealed_list(*, actor: Any) -> list[dict[str, Any]]:
    """The sealed persons of the administrator's county, with their grants: case number, name, dates. This
    list is itself a read of sealed records and is logged."""
    persons = list(
        Person.objects.filter(county_id__in=_county_ids(actor), records_sealed=True).order_by(
            "-sealed_on", "id"
        )
    )
    grants: dict[int, list[SealedRecordAccess]] = {}
    for g in SealedRecordAccess.objects.filter(person__in=persons).select_related("granted_to", "granted_by"):
        grants.setdefault(g.person_id, []).append(g)
    if persons:
        access_log("sealed", detail=f"{len(persons)} sealed", actor=actor)
    now = timezone.now()
    return [
        {
            "person": p,
            "grants": grants.get(p.pk, []),
            "open": [g for g in grants.get(p.pk, []) if g.revoked_at is None and g.expires_at > now],
        }
        for p in persons
    ]


def may_seal(actor: Any, person: Person) -> bool:
    """Whether the person page offers sealing to ``actor``."""
    return (
        getattr(actor, "role", None) == Role.BUREAU_ADMIN
        and person.is_juvenile
        and person.status in ENDED
        and not person.records_sealed
    )
