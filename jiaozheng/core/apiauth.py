"""API authentication: session (with CSRF) and bearer tokens; both set the audit actor.

``Router`` (use it instead of ninja's) gives every operation declared with ``api_access`` an
authentication step that also checks the policy's roles, so that a wrong role gets 403 before the body is
validated, and an anonymous caller gets 401.
"""

from __future__ import annotations

from typing import Any

from ninja import Router as NinjaRouter
from ninja import Schema
from ninja.constants import NOT_SET
from ninja.security import APIKeyCookie, HttpBearer

from jiaozheng.core import context
from jiaozheng.core.access import Policy, policy_of, user_allowed
from jiaozheng.core.registry import provider


def _check_policy(request, user, policy: Policy | None):
    if user is None or policy is None:
        return user
    if not user_allowed(user, policy):
        from jiaozheng.core.errors import Forbidden

        raise Forbidden("role not permitted")
    return user


def _bind(request, user) -> None:
    request.user = user
    context.set_actor(user, "api", getattr(request, "id", context.new_request_id()))


class SessionAuth(APIKeyCookie):
    """The staff UI's session cookie; unsafe methods need the CSRF token."""

    param_name = "sessionid"
    openapi_description = "Session cookie of the staff web UI (CSRF token required for writes)"

    def __init__(self, policy: Policy | None = None) -> None:
        super().__init__(csrf=True)
        self.policy = policy

    def _get_key(self, request):
        from django.conf import settings
        from ninja.errors import HttpError
        from ninja.utils import check_csrf

        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        user = getattr(request, "user", None)
        if not key or user is None or not user.is_authenticated:
            return None  # not a session request: let the next method (bearer token) try
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF check failed")
        return key

    def authenticate(self, request, key):
        if key is None:
            return None
        user = request.user
        if user.is_active:
            _bind(request, user)
            return _check_policy(request, user, self.policy)
        return None


class BearerTokenAuth(HttpBearer):
    openapi_description = "API token issued to an account (`jiaozheng tokens issue`)"

    def __init__(self, policy: Policy | None = None) -> None:
        super().__init__()
        self.policy = policy

    def authenticate(self, request, token: str):
        user = provider("auth.user_for_token")(token)
        if user is None:
            return None
        _bind(request, user)
        return _check_policy(request, user, self.policy)


class ErrorOut(Schema):
    """Every error: a message and, for invalid input, one entry per problem."""

    message: str
    errors: list[dict[str, Any]] = []


ERROR_STATUSES = (400, 401, 403, 404, 413, 414, 422)


class Router(NinjaRouter):
    """A ninja Router whose operations authenticate and check their declared policy's roles first.

    It also documents the error answers every operation can give (400 malformed body, 401, 403, 404, 413
    body too large, 414 address too long, 422 invalid input), all in the ErrorOut shape, so clients and
    the schema agree.
    """

    def add_api_operation(
        self, path: str, methods: list[str], view_func: Any, *, auth: Any = NOT_SET, **kwargs: Any
    ) -> None:
        policy = policy_of(view_func)
        if auth is NOT_SET and policy is not None:
            if policy.public:
                auth = None
            elif policy.auth != "device":
                auth = [BearerTokenAuth(policy), SessionAuth(policy)]
        response = kwargs.get("response", NOT_SET)
        if response is not NOT_SET:
            responses = dict(response) if isinstance(response, dict) else {200: response}
            for status in ERROR_STATUSES:
                responses.setdefault(status, ErrorOut)
            kwargs["response"] = responses
        super().add_api_operation(path, methods, view_func, auth=auth, **kwargs)
