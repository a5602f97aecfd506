"""Declared access policies for every UI view and API operation.

Every route states who may use it with ``@ui_view(...)``/``PolicyMixin`` (web UI) or ``@api_access(...)``
(django-ninja operations). The decorators enforce the role check (anonymous -> login or 401; wrong role
-> 403) and attach the ``Policy`` so that the access-matrix test can enumerate all routes and fail on any
route that declares nothing. Row scoping (404 outside the user's rows) is done by selectors through
``jiaozheng.core.scoping``; ``Policy.obj`` tells the matrix which object a URL parameter names.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from jiaozheng.core.roles import VIEW, Role, role_allows
from jiaozheng.core.scoping import scope_for


@dataclass(frozen=True)
class Policy:
    """Who may use a route.

    - ``public``: no login (login page, health check, the device protocol endpoints with their own auth).
    - ``domain`` + ``action``: roles allowed by ROLE_DOMAIN_ACTIONS.
    - ``roles``: narrows (never widens) the allowed roles further.
    - ``any_staff`` / ``any_user``: every staff role / every signed-in user (home page, inbox).
    - ``obj``: ``(url_kwarg, "app_label.Model")`` for routes about one object.
    - ``auth``: "session" (UI), "user" (API: session or bearer token), "device" (location app token).
    - ``samples``: example values of other URL parameters, used by the access-matrix tests.
    """

    domain: str | None = None
    action: str = VIEW
    roles: frozenset[str] | None = None
    public: bool = False
    any_staff: bool = False
    any_user: bool = False
    obj: tuple[str, str] | None = None
    auth: str = "user"
    # Example values for other URL parameters, for the access-matrix tests: (("action", "report"),)
    samples: tuple[tuple[str, str], ...] = ()

    def allows_role(self, role: str | None, *, superuser: bool = False) -> bool:
        if self.public:
            return True
        if superuser:
            return True
        if role is None:
            return False
        if self.any_user:
            allowed = True
        elif self.any_staff:
            allowed = role != Role.SUBJECT
        elif self.domain is not None:
            allowed = role_allows(role, self.domain, self.action)
        else:
            allowed = False
        if allowed and self.roles is not None:
            allowed = role in self.roles
        return allowed

    def allowed_roles(self) -> frozenset[str]:
        return frozenset(r for r in Role.values if self.allows_role(r))


def _make_policy(**kwargs: Any) -> Policy:
    roles = kwargs.pop("roles", None)
    if roles is not None:
        kwargs["roles"] = frozenset(roles)
    samples = kwargs.pop("samples", None)
    if samples:
        kwargs["samples"] = tuple(sorted(dict(samples).items()))
    return Policy(**kwargs)


def user_allowed(user: Any, policy: Policy) -> bool:
    if policy.public:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    scope = scope_for(user)
    return policy.allows_role(scope.role, superuser=scope.unrestricted)


def ui_view(**kwargs: Any) -> Callable:
    """Decorate a function-based UI view with its policy."""
    policy = _make_policy(auth="session", **kwargs)

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request, *args, **kw):
            if not policy.public:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                if not user_allowed(request.user, policy):
                    raise PermissionDenied("role not permitted")
            return view(request, *args, **kw)

        wrapped.access_policy = policy  # type: ignore[attr-defined]
        return wrapped

    return decorator


class PolicyMixin:
    """For class-based UI views: set ``policy = Policy(...)`` on the class."""

    policy: Policy

    def dispatch(self, request, *args, **kwargs):
        policy = self.policy
        if not policy.public:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_allowed(request.user, policy):
                raise PermissionDenied("role not permitted")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)  # type: ignore[misc]
        view.access_policy = cls.policy
        return view


def api_access(**kwargs: Any) -> Callable:
    """Decorate a django-ninja operation with its policy (use under the router decorator)."""
    policy = _make_policy(**kwargs)

    def decorator(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapped(request, *args, **kw):
            if not policy.public and policy.auth != "device" and not user_allowed(request.user, policy):
                from jiaozheng.core.errors import Forbidden

                raise Forbidden("role not permitted")
            return func(request, *args, **kw)

        wrapped.access_policy = policy  # type: ignore[attr-defined]
        return wrapped

    return decorator


def policy_of(view: Any) -> Policy | None:
    policy = getattr(view, "access_policy", None)
    if policy is None and hasattr(view, "view_class"):
        policy = getattr(view.view_class, "policy", None)
    return policy
