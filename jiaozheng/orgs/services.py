"""Writes for the organisation tree and accounts."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiaozheng.audit.services import record_action
from jiaozheng.core.roles import ASSIGNABLE_ROLES, Role
from jiaozheng.core.scoping import forget_scope
from jiaozheng.orgs.models import ApiToken, Assignment, LoginAttempt, OrgUnit, ServiceProvider, User

SYSTEM_USERNAME = "system"


def system_user() -> User:
    """The actor of background jobs and sweeps (never logs in)."""
    user = User.objects.filter(username=SYSTEM_USERNAME, is_system=True).first()
    if user is None:
        user = User(username=SYSTEM_USERNAME, full_name="系统", is_system=True, is_active=True)
        user.set_unusable_password()
        user.save()
    return user


@transaction.atomic
def unit_create(*, actor: Any, kind: str, name: str, parent: OrgUnit | None = None, **fields: Any) -> OrgUnit:
    expected_parent = OrgUnit.PARENT_KIND.get(kind)  # type: ignore[call-overload]
    if expected_parent is None and parent is not None:
        raise ValidationError({"parent": _("A province has no parent unit.")})
    if expected_parent is not None and (parent is None or parent.kind != expected_parent):
        raise ValidationError(
            {
                "parent": _("This kind of unit must sit under a unit of kind %(kind)s.")
                % {"kind": OrgUnit.Kind(expected_parent).label}
            }
        )
    unit = OrgUnit(kind=kind, name=name, parent=parent, **fields)
    unit.full_clean(exclude=["path", "county", "squadron"])
    unit.save()
    return unit


@transaction.atomic
def provider_create(*, actor: Any, name: str, **fields: Any) -> ServiceProvider:
    provider = ServiceProvider(name=name, **fields)
    provider.full_clean()
    provider.save()
    return provider


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    role: str,
    full_name: str = "",
    password: str | None = None,
    provider: ServiceProvider | None = None,
    person: Any = None,
    units: Iterable[OrgUnit] = (),
    validate: bool = True,
    **fields: Any,
) -> User:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if role == Role.SUBJECT and person is None:
        raise ValidationError({"person": _("A supervised person's account must be bound to their record.")})
    if role in (Role.SUPERVISOR,) and provider is None:
        raise ValidationError({"provider": _("A contractor supervisor belongs to a service provider.")})
    user = User(username=username, role=role, full_name=full_name, provider=provider, person=person, **fields)
    if password:
        if validate:
            validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    for unit in units:
        assign(actor=actor, user=user, unit=unit)
    return user


@transaction.atomic
def assign(*, actor: Any, user: User, unit: OrgUnit) -> Assignment:
    if user.role not in ASSIGNABLE_ROLES:
        raise ValidationError(_("This role is not assigned to units."))
    if unit.kind not in (
        OrgUnit.Kind.COUNTY,
        OrgUnit.Kind.SQUADRON,
        OrgUnit.Kind.CITY,
        OrgUnit.Kind.PROVINCE,
    ):
        raise ValidationError(_("Staff are assigned to squadrons, counties, cities or provinces."))
    assignment, _created = Assignment.objects.get_or_create(user=user, unit=unit)
    forget_scope(user)
    return assignment


@transaction.atomic
def token_issue(*, actor: Any, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Issue an API token; the clear key is returned once and never stored."""
    key = "jz_" + secrets.token_urlsafe(32)
    expires = timezone.now() + dt.timedelta(days=days) if days else None
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:10], key_hash=ApiToken.hash_key(key), expires_at=expires
    )
    record_action(user, "token.issued", {"token": token.prefix, "name": name})
    return token, key


# --- sign-in throttling --------------------------------------------------------------------------------


def login_allowed(username: str, ip: str) -> bool:
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)
    recent = LoginAttempt.objects.filter(at__gte=since, success=False)
    limit = settings.LOGIN_MAX_FAILURES
    if recent.filter(username=username.lower()).count() >= limit:
        return False
    return not (ip and recent.filter(ip=ip).count() >= limit * 4)


def login_record(username: str, ip: str, success: bool) -> None:
    LoginAttempt.objects.create(username=username.lower()[:150], ip=ip[:64], success=success)
    if success:
        # a successful sign-in clears that username's failures
        LoginAttempt.objects.filter(username=username.lower(), success=False).delete()


# --- optional two-step verification (TOTP) for staff -------------------------------------------------------


def totp_begin(*, user: User) -> str:
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.totp_enabled = False
    user.save(update_fields=["totp_secret", "totp_enabled"])
    return secret


def totp_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name="Jiaozheng")


def totp_verify(user: User, code: str) -> bool:
    if not user.totp_secret:
        return False
    return pyotp.TOTP(user.totp_secret).verify((code or "").strip(), valid_window=1)


def totp_confirm(*, user: User, code: str) -> None:
    if not totp_verify(user, code):
        raise ValidationError({"code": _("The code is not correct.")})
    user.totp_enabled = True
    user.save(update_fields=["totp_enabled"])
    record_action(user, "totp.enabled")


def totp_disable(*, user: User) -> None:
    user.totp_secret = ""
    user.totp_enabled = False
    user.save(update_fields=["totp_secret", "totp_enabled"])
    record_action(user, "totp.disabled")


# --- staff management by a bureau administrator ----------------------------------------------------------


def _check_units(actor: Any, units: list[OrgUnit]) -> None:
    from jiaozheng.core.roles import Domain
    from jiaozheng.core.scoping import is_visible, require

    require(actor, Domain.ADMIN)
    if not units:
        raise ValidationError(_("Post the account to at least one squadron or county."))
    for unit in units:
        if unit.kind not in (OrgUnit.Kind.COUNTY, OrgUnit.Kind.SQUADRON) or not is_visible(unit, actor):
            raise ValidationError(_("You may only post staff to squadrons or counties of your own area."))


@transaction.atomic
def staff_create(
    *,
    actor: Any,
    username: str,
    full_name: str,
    role: str,
    units: list[OrgUnit],
    phone: str = "",
    can_view_juveniles: bool | None = None,
) -> User:
    _check_units(actor, units)
    if role not in ASSIGNABLE_ROLES:
        raise ValidationError(_("This role cannot be given here."))
    user = user_create(
        actor=actor,
        username=username,
        role=role,
        full_name=full_name,
        units=units,
        phone=phone,
        can_view_juveniles=can_view_juveniles,
        provider=getattr(actor, "provider", None) if role in (Role.SOCIAL_WORKER, Role.COUNSELLOR) else None,
    )
    return user


@transaction.atomic
def staff_update(
    *,
    actor: Any,
    user: User,
    full_name: str,
    role: str,
    units: list[OrgUnit],
    phone: str = "",
    can_view_juveniles: bool | None = None,
) -> User:
    _check_units(actor, units)
    if role not in ASSIGNABLE_ROLES:
        raise ValidationError(_("This role cannot be given here."))
    user.full_name, user.role, user.phone, user.can_view_juveniles = (
        full_name,
        role,
        phone,
        can_view_juveniles,
    )
    user.full_clean(exclude=["password"])
    user.save()
    keep = {u.pk for u in units}
    for assignment in list(user.assignments.all()):
        if assignment.unit_id not in keep:
            assignment.delete()
    for unit in units:
        assign(actor=actor, user=user, unit=unit)
    forget_scope(user)
    return user


@transaction.atomic
def staff_set_active(*, actor: Any, user: User, active: bool) -> User:
    from jiaozheng.core.roles import Domain
    from jiaozheng.core.scoping import require

    require(actor, Domain.ADMIN)
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user
