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


# --- set-up of a county (系统设置): operators, bureau administrators -----------------------------------

# How far a role reaches; an administrator grants roles up to their own. An operator is a bureau
# administrator posted to a city or province (they create counties and their first administrators).
ROLE_RANK = {
    Role.BUREAU_ADMIN: 3,
    Role.BUREAU_OFFICER: 2,
    Role.AUDITOR: 2,
    Role.SQUADRON_OFFICER: 1,
    Role.SOCIAL_WORKER: 1,
    Role.COUNSELLOR: 1,
    Role.SUPERVISOR: 1,
}
PROVIDER_ROLES = frozenset({Role.SOCIAL_WORKER, Role.COUNSELLOR, Role.SUPERVISOR})


def grantable_roles(actor: Any) -> list[str]:
    """The staff roles ``actor`` may give to an account (never one above their own)."""
    from jiaozheng.core.roles import Domain, role_allows

    if getattr(actor, "is_superuser", False) or getattr(actor, "is_system", False):
        return list(ROLE_RANK)
    role = getattr(actor, "role", None)
    if not role_allows(role, Domain.ADMIN, "change"):
        return []
    own = ROLE_RANK.get(Role(role), 0) if role in Role.values else 0
    return [r for r, rank in ROLE_RANK.items() if rank <= own]


def _require_admin(actor: Any) -> None:
    from jiaozheng.core.roles import Domain
    from jiaozheng.core.scoping import require

    require(actor, Domain.ADMIN)


@transaction.atomic
def county_create(
    *, actor: Any, code: str, bureau_name: str = "", agency_name: str = "", sort_order: int = 0
) -> OrgUnit:
    """A county picked from the shipped division list (so its boundary comes with it), with its
    province and city created on first use. Only superusers and operators (bureau administrators
    posted to the county's city or province) create counties."""
    from django.core.exceptions import PermissionDenied

    from jiaozheng.orgs import selectors

    if not selectors.is_operator(actor):
        raise PermissionDenied(_("Only a province or city operator creates counties."))
    division = selectors.division(code)
    if division is None:
        raise ValidationError(
            {"code": _("%(code)s is not in the administrative division list.") % {"code": code}}
        )
    if division.code not in {d.code for d in selectors.divisions_for(actor=actor)}:
        raise ValidationError(
            {"code": _("%(name)s lies outside your city or province.") % {"name": division.name}}
        )
    if OrgUnit.objects.filter(kind=OrgUnit.Kind.COUNTY, code=division.code).exists():
        raise ValidationError({"code": _("%(name)s has already been set up.") % {"name": division.name}})
    province = OrgUnit.objects.filter(kind=OrgUnit.Kind.PROVINCE, code=division.province_code).first()
    if province is None:
        province = unit_create(
            actor=actor, kind=OrgUnit.Kind.PROVINCE, name=division.province_name, code=division.province_code
        )
    city = OrgUnit.objects.filter(kind=OrgUnit.Kind.CITY, code=division.city_code).first()
    if city is None:
        city = unit_create(
            actor=actor,
            kind=OrgUnit.Kind.CITY,
            name=division.city_name,
            code=division.city_code,
            parent=province,
        )
    county = unit_create(
        actor=actor,
        kind=OrgUnit.Kind.COUNTY,
        name=division.name,
        code=division.code,
        boundary_code=division.code,
        parent=city,
        bureau_name=(bureau_name or "").strip() or f"{division.name}司法局",
        agency_name=(agency_name or "").strip() or f"{division.name}社区矫正管理局",
        sort_order=sort_order,
    )
    forget_scope(actor)
    record_action(county, "orgs.county_set_up", {"code": division.code})
    return county


CHILD_KIND = {
    OrgUnit.Kind.COUNTY: OrgUnit.Kind.SQUADRON,
    OrgUnit.Kind.SQUADRON: OrgUnit.Kind.TOWNSHIP,
    OrgUnit.Kind.TOWNSHIP: OrgUnit.Kind.VILLAGE,
}


@transaction.atomic
def unit_add(
    *,
    actor: Any,
    parent: OrgUnit,
    name: str,
    is_judicial_office: bool = False,
    latitude: float | None = None,
    longitude: float | None = None,
    sort_order: int | None = None,
) -> OrgUnit:
    """A squadron / 司法所 under a county, a township under a squadron or a village under a township,
    inside the actor's own county."""
    from jiaozheng.core.roles import CHANGE
    from jiaozheng.core.scoping import scoped

    _require_admin(actor)
    if parent is None or not scoped(OrgUnit, actor, CHANGE).filter(pk=parent.pk).exists():
        raise ValidationError({"parent": _("You may only add units inside your own county.")})
    kind = CHILD_KIND.get(OrgUnit.Kind(parent.kind))
    if kind is None:
        raise ValidationError({"parent": _("Squadrons sit under a county, townships under a squadron.")})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the unit.")})
    if OrgUnit.objects.filter(parent=parent, name=name).exists():
        raise ValidationError(
            {
                "name": _("%(parent)s already has a unit named %(name)s.")
                % {"parent": parent.name, "name": name}
            }
        )
    if (latitude is None) != (longitude is None):
        raise ValidationError({"latitude": _("Give both latitude and longitude, or neither.")})
    if (
        latitude is not None
        and longitude is not None
        and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        raise ValidationError({"latitude": _("The coordinates are not valid WGS-84 degrees.")})
    if sort_order is None:
        sort_order = OrgUnit.objects.filter(parent=parent).count()
    return unit_create(
        actor=actor,
        kind=kind,
        name=name,
        parent=parent,
        is_judicial_office=bool(is_judicial_office) if kind == OrgUnit.Kind.SQUADRON else False,
        latitude=latitude,
        longitude=longitude,
        sort_order=sort_order,
    )


PROVIDER_FIELDS = (
    "name",
    "short_name",
    "credit_code",
    "address",
    "head_office",
    "contact_name",
    "contact_phone",
)


@transaction.atomic
def provider_save(
    *, actor: Any, data: dict[str, Any], provider: ServiceProvider | None = None
) -> ServiceProvider:
    """Register (or correct) a social-work organisation the bureau buys services from."""
    import re

    _require_admin(actor)
    values = {k: str(data.get(k) or "").strip() for k in PROVIDER_FIELDS if k in data}
    if provider is None:
        if not values.get("name"):
            raise ValidationError({"name": _("Name the organisation.")})
        if ServiceProvider.objects.filter(name=values["name"]).exists():
            raise ValidationError({"name": _("%(name)s is already registered.") % {"name": values["name"]}})
        provider = ServiceProvider()
    code = values.get("credit_code", "")
    if code and not re.fullmatch(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}", code):
        raise ValidationError({"credit_code": _("A unified social credit code has 18 characters.")})
    for key, value in values.items():
        setattr(provider, key, value)
    provider.full_clean()
    provider.save()
    return provider


def temporary_password() -> str:
    """A random password that satisfies the password rules; shown once, changed at first sign-in."""
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        word = "".join(secrets.choice(alphabet) for _i in range(12))
        if (
            any(c.islower() for c in word)
            and any(c.isupper() for c in word)
            and any(c.isdigit() for c in word)
        ):
            return word


def _check_postings(actor: Any, role: str, units: list[OrgUnit]) -> None:
    from jiaozheng.core.roles import CHANGE
    from jiaozheng.core.scoping import scoped

    if role not in ASSIGNABLE_ROLES:
        if units:
            raise ValidationError({"units": _("A contractor supervisor is not posted to units.")})
        return
    if not units:
        raise ValidationError({"units": _("Post the account to at least one squadron or county.")})
    visible = set(scoped(OrgUnit, actor, CHANGE).values_list("pk", flat=True))
    unrestricted = getattr(actor, "is_superuser", False) or getattr(actor, "is_system", False)
    for unit in units:
        if unit.kind not in (OrgUnit.Kind.COUNTY, OrgUnit.Kind.SQUADRON):
            raise ValidationError(
                {
                    "units": _("Accounts are posted to a county or a squadron, not to %(name)s.")
                    % {"name": unit.name}
                }
            )
        if not unrestricted and unit.pk not in visible:
            raise ValidationError({"units": _("%(name)s is outside your area.") % {"name": unit.name}})


@transaction.atomic
def account_create(
    *,
    actor: Any,
    username: str,
    full_name: str,
    role: str,
    units: Iterable[OrgUnit] = (),
    provider: ServiceProvider | None = None,
    phone: str = "",
    can_view_juveniles: bool | None = None,
) -> tuple[User, str]:
    """A staff account with a temporary password (returned once, never stored in clear); its holder
    must change it at first sign-in. The actor grants no role above their own and posts the account
    only inside their own area."""
    _require_admin(actor)
    units = list(units)
    username = (username or "").strip().lower()
    if not username:
        raise ValidationError({"username": _("Give the account name.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("The account name %(u)s is taken.") % {"u": username}})
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if role not in grantable_roles(actor):  # never one above the actor's own, never a supervised person
        raise ValidationError(
            {"role": _("You may not grant the role %(role)s.") % {"role": Role(role).label}}
        )
    _check_postings(actor, role, units)
    if role == Role.SUPERVISOR and provider is None:
        raise ValidationError({"provider": _("A contractor supervisor belongs to a service provider.")})
    if role not in PROVIDER_ROLES and provider is not None:
        raise ValidationError({"provider": _("Only provider staff belong to a service provider.")})
    password = temporary_password()
    user = user_create(
        actor=actor,
        username=username,
        role=role,
        full_name=(full_name or "").strip(),
        password=password,
        provider=provider,
        units=units,
        phone=phone or "",
        can_view_juveniles=can_view_juveniles,
    )
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    record_action(user, "orgs.account_created", {"role": role, "units": [u.pk for u in units]})
    return user, password


@transaction.atomic
def password_reset_temporary(*, actor: Any, user: User) -> str:
    """A new temporary password for a staff account of the actor's area; changed at next sign-in."""
    from jiaozheng.core.roles import CHANGE
    from jiaozheng.core.scoping import get_scoped_or_404

    _require_admin(actor)
    user = get_scoped_or_404(User, actor, CHANGE, pk=user.pk)
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.save()
    record_action(user, "orgs.password_reset")
    return password
