"""The one row-scoping mechanism used by every view, endpoint, selector and service.

Each scoped model declares once, in a ``ScopeRule``, the ORM paths from its rows to a county, a squadron,
a person and the juvenile flag, and the data domain it belongs to. ``Model.objects.visible_to(user)``
turns the user's ``Scope`` (their counties, squadrons or own person) into a filter. Rows outside the
filter do not exist for that user: selectors start from ``visible_to`` and ``get_scoped_or_404`` answers
404 for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from jiaozheng.core.roles import ASSIGNABLE_ROLES, CHANGE, JUVENILE_DEFAULT_ROLES, VIEW, Role, role_allows

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Scope:
    """What one user may see: computed once per request and cached on the user object."""

    role: str | None
    unrestricted: bool = False  # superusers and the system actor
    county_ids: frozenset[int] = frozenset()  # whole counties
    squadron_ids: frozenset[int] = frozenset()  # single squadrons
    squadron_county_ids: frozenset[int] = frozenset()  # counties of those squadrons (county-wide rows)
    person_id: int | None = None  # a supervised person's own record
    provider_id: int | None = None
    juveniles: bool = False
    # 犯罪记录封存: a sealed person's records are hidden from every role; a lawful query opens one person's
    # records to one named user until the grant expires (people.SealedRecordAccess).
    sealed_person_ids: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (self.unrestricted or self.county_ids or self.squadron_ids or self.person_id)

    @property
    def all_county_ids(self) -> frozenset[int]:
        return self.county_ids | self.squadron_county_ids


EMPTY_SCOPE = Scope(role=None)


@dataclass(frozen=True)
class ScopeRule:
    """How a model's rows map onto the organisation.

    Paths are ORM lookups from the model: ``county`` and ``squadron`` lead to OrgUnit ids, ``person``
    to the supervised person, ``juvenile`` to a boolean. ``multi`` marks paths through many-to-many
    relations (a session for several squadrons), filtered through a subquery to avoid duplicates.
    ``county_wide`` lets squadron staff see rows of their county that belong to no squadron (a
    county-wide session, a contract's indicators).
    """

    domain: str
    county: str | None = None
    squadron: str | None = None
    person: str | None = None
    juvenile: str | None = None
    subject: str | None = None  # path to a person id for rows a subject may see that are not "theirs"
    multi: bool = False
    county_wide: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def q(self, scope: Scope) -> Q | None:
        """The filter for ``scope``; ``None`` means no row is visible."""
        if scope.unrestricted:
            return Q()
        if scope.role == Role.SUBJECT:
            path = self.person or self.subject
            if path is None or scope.person_id is None:
                return None
            return Q(**{path: scope.person_id})
        parts: list[Q] = []
        if self.county and scope.county_ids:
            parts.append(Q(**{f"{self.county}__in": scope.county_ids}))
        if scope.squadron_ids:
            if self.squadron:
                parts.append(Q(**{f"{self.squadron}__in": scope.squadron_ids}))
            if self.county_wide and self.county:
                wide = Q(**{f"{self.county}__in": scope.squadron_county_ids})
                if self.squadron:
                    wide &= Q(**{f"{self.squadron}__isnull": True})
                parts.append(wide)
        if not parts:
            return None
        q = reduce(or_, parts)
        if self.juvenile and not scope.juveniles:
            q &= ~Q(**{self.juvenile: True})
        if self.juvenile:
            # only juveniles' records are ever sealed: the flag sits beside the juvenile one
            sealed = Q(**{self.juvenile.removesuffix("is_juvenile") + "records_sealed": True})
            if scope.sealed_person_ids and self.person:
                sealed &= ~Q(**{f"{self.person}__in": scope.sealed_person_ids})
            q &= ~sealed
        return q


class ScopedQuerySet(QuerySet[M]):
    def visible_to(self, user: Any, action: str = VIEW, domain: str | None = None) -> ScopedQuerySet[M]:
        """Rows of this model that ``user`` may see (and, for ``action='change'``, change).

        ``domain`` reads the same rows under another domain's role rule (a contract's indicators are
        PERFORMANCE data although the contract itself is FINANCE data).
        """
        rule: ScopeRule | None = getattr(self.model, "scope_rule", None)
        if rule is None:
            raise TypeError(f"{self.model.__name__} declares no scope_rule")
        scope = scope_for(user)
        if not scope.unrestricted and not role_allows(scope.role, domain or rule.domain, action):
            return self.none()
        q = rule.q(scope)
        if q is None:
            return self.none()
        if rule.multi and q:
            inner = self.model._default_manager.filter(q).values("pk")
            return self.filter(pk__in=inner)
        return self.filter(q)


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass


def scope_for(user: AbstractBaseUser | AnonymousUser | Any) -> Scope:
    """The user's scope, cached on the user object for the rest of the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return EMPTY_SCOPE
    cached = getattr(user, "_jz_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    user._jz_scope = scope
    return scope


def _compute_scope(user: Any) -> Scope:
    if getattr(user, "is_system", False) or user.is_superuser:
        return Scope(role=getattr(user, "role", None), unrestricted=True, juveniles=True)
    role = getattr(user, "role", None)
    juveniles = (
        user.can_view_juveniles if user.can_view_juveniles is not None else (role in JUVENILE_DEFAULT_ROLES)
    )
    if role == Role.SUBJECT:
        return Scope(role=role, person_id=user.person_id)
    OrgUnit = apps.get_model("orgs", "OrgUnit")
    county_ids: set[int] = set()
    squadron_ids: set[int] = set()
    squadron_county_ids: set[int] = set()
    if role in ASSIGNABLE_ROLES:
        for unit_id, kind, county_id in user.assignments.values_list(
            "unit_id", "unit__kind", "unit__county_id"
        ):
            if kind == OrgUnit.Kind.COUNTY:
                county_ids.add(unit_id)
            elif kind == OrgUnit.Kind.SQUADRON:
                squadron_ids.add(unit_id)
                squadron_county_ids.add(county_id)
            elif kind in (OrgUnit.Kind.CITY, OrgUnit.Kind.PROVINCE):
                county_ids.update(
                    OrgUnit.objects.filter(
                        kind=OrgUnit.Kind.COUNTY, path__startswith=_path_of(unit_id)
                    ).values_list("pk", flat=True)
                )
    if role == Role.SUPERVISOR and user.provider_id:
        Contract = apps.get_model("contracts", "Contract")
        county_ids.update(
            Contract.objects.filter(provider_id=user.provider_id).values_list("counties__pk", flat=True)
        )
        county_ids.discard(None)  # type: ignore[arg-type]
    return Scope(
        role=role,
        county_ids=frozenset(county_ids),
        squadron_ids=frozenset(squadron_ids),
        squadron_county_ids=frozenset(squadron_county_ids),
        provider_id=user.provider_id,
        juveniles=juveniles,
        sealed_person_ids=_sealed_grants(user),
    )


def _sealed_grants(user: Any) -> frozenset[int]:
    """The sealed persons whose records a lawful query has opened to ``user``, for now."""
    from django.utils import timezone

    try:
        grants = apps.get_model("people", "SealedRecordAccess")
    except LookupError:
        return frozenset()
    return frozenset(
        grants.objects.filter(
            granted_to=user, expires_at__gt=timezone.now(), revoked_at__isnull=True
        ).values_list("person_id", flat=True)
    )


def _path_of(unit_id: int) -> str:
    OrgUnit = apps.get_model("orgs", "OrgUnit")
    return OrgUnit.objects.values_list("path", flat=True).get(pk=unit_id)


def forget_scope(user: Any) -> None:
    """Drop the cached scope after the user's assignments changed."""
    if hasattr(user, "_jz_scope"):
        del user._jz_scope


def scoped(
    model_or_qs: type[M] | QuerySet[M], user: Any, action: str = VIEW, domain: str | None = None
) -> QuerySet[M]:
    qs = model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs._default_manager.all()
    return ScopedQuerySet.visible_to(qs, user, action, domain)  # type: ignore[arg-type]


def get_scoped_or_404(
    model_or_qs: type[M] | QuerySet[M],
    user: Any,
    action: str = VIEW,
    domain: str | None = None,
    **lookup: Any,
) -> M:
    """The object if ``user`` may see it; Http404 otherwise (never 403: its existence stays hidden).

    With ``action='change'``, an object the user may see but not change raises PermissionDenied (403).
    """
    from django.core.exceptions import PermissionDenied

    for value in lookup.values():
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            raise Http404("not found")  # beyond any 64-bit key: no such row (and no database error)
    visible = scoped(model_or_qs, user, VIEW, domain)
    try:
        obj = visible.get(**lookup)
    except (visible.model.DoesNotExist, ValueError, TypeError):
        raise Http404("not found")
    if action != VIEW:
        rule: ScopeRule = visible.model.scope_rule  # type: ignore[attr-defined]
        scope = scope_for(user)
        if not scope.unrestricted and not role_allows(scope.role, domain or rule.domain, action):
            raise PermissionDenied("action not permitted for this role")
    return obj


def require(user: Any, domain: str, action: str = CHANGE) -> None:
    """Raise PermissionDenied unless the user's role may do ``action`` on ``domain`` data."""
    from django.core.exceptions import PermissionDenied

    scope = scope_for(user)
    if not scope.unrestricted and not role_allows(scope.role, domain, action):
        raise PermissionDenied("action not permitted for this role")


def is_visible(obj: models.Model, user: Any) -> bool:
    return scoped(type(obj), user).filter(pk=obj.pk).exists()
