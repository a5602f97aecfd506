"""The access matrix: every UI route and API operation x every persona x in/out-of-scope objects.

Routes come from the URL configuration and the django-ninja API, never from a hand-kept list, so a new
route is checked the moment it exists; a route without a declared policy fails the suite.

Each app tells the matrix how to make its objects in its ``testing.py``:

    @object_factory("visits.Visit")
    def make_visit(world, where):      # where: "A", "B", "Y" or "subject"
        return Visit.objects.create(person=world.person(where), ...)

and, for API writes, a valid body (``@api_body("operation_id")``) so that out-of-scope writes are seen to
answer 404 rather than 422.

Expectations for each route:
- anonymous: UI -> redirect to the login page; API -> 401 (public routes are exempt);
- a persona whose role the policy does not allow: 403;
- an allowed persona and an object in its scope: not 403/404 and no server error;
- an allowed persona and an object outside its scope (another squadron, another county, another person's
  own record for the supervised person): 404 (or 422 for API writes without a registered body);
- never a 5xx.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from jiaozheng.core.access import Policy, policy_of
from jiaozheng.core.testing.world import IN_SCOPE_OF_A, World

ObjectFactory = Callable[..., Any]
OBJECT_FACTORIES: dict[str, ObjectFactory] = {}
OWNED: set[str] = set()  # models scoped to their owner (notifications, jobs): factory(world, where, user)
API_BODIES: dict[str, Callable[[World, Any], dict]] = {}
ROUTE_SETUPS: dict[str, Callable[[], Any]] = {}  # route name -> context manager factory

# URL namespaces not covered by declared policies, with the reason.
EXEMPT_NAMESPACES = {
    "admin": "Django admin: superusers only (JZAdminSite.has_permission), tested in core/tests/test_admin.py",
}


def object_factory(label: str, *, owned: bool = False) -> Callable[[ObjectFactory], ObjectFactory]:
    """Register how to make an object of ``label`` placed at ``where`` for the matrix.

    ``owned=True``: the object belongs to a user rather than to a place; the factory is called as
    ``factory(world, where, user)`` and must return the user's own object for ``where="own"`` and someone
    else's for ``where="other"``.
    """

    def decorator(func: ObjectFactory) -> ObjectFactory:
        OBJECT_FACTORIES[label] = func
        if owned:
            OWNED.add(label)
        return func

    return decorator


def api_body(operation_id: str) -> Callable:
    def decorator(func: Callable[[World, Any], dict]) -> Callable[[World, Any], dict]:
        API_BODIES[operation_id] = func
        return func

    return decorator


def route_setup(route_name: str) -> Callable:
    """Register a context manager that the matrix enters around every request of ``route_name`` (a UI
    route's ``namespace:name``): for routes that answer from something other than database rows, e.g. a
    file the deployment provides."""

    def decorator(func: Callable[[], Any]) -> Callable[[], Any]:
        ROUTE_SETUPS[route_name] = func
        return func

    return decorator


def discover() -> None:
    from jiaozheng.core.registry import app_modules

    for _cfg, _module in app_modules("testing"):
        pass  # importing registers the factories


@dataclass
class Route:
    kind: str  # "ui" or "api"
    name: str
    pattern: str
    policy: Policy | None
    methods: list[str] = field(default_factory=list)
    params: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.name}"


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[tuple[str, str, Any, str]]:
    out = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            out.extend(_walk(entry, prefix + str(entry.pattern), ns))
        elif isinstance(entry, URLPattern):
            out.append((prefix + str(entry.pattern), entry.name or "", entry.callback, namespace))
    return out


def ui_routes() -> list[Route]:
    routes = []
    for pattern, name, callback, namespace in _walk(get_resolver()):
        if pattern.startswith("api/v1/"):
            continue
        if namespace in EXEMPT_NAMESPACES or pattern.startswith("admin/"):
            continue
        if pattern.startswith("^static") or pattern.startswith("static/"):
            continue
        params = re.findall(r"<(?:\w+:)?(\w+)>", pattern)
        full_name = f"{namespace}:{name}" if namespace and name else name or pattern
        routes.append(Route("ui", full_name, "/" + pattern, policy_of(callback), params=params))
    return routes


def api_routes() -> list[Route]:
    from jiaozheng.api import api

    routes = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                full = "/api/v1" + (prefix + path).replace("//", "/")
                params = re.findall(r"\{(?:\w+:)?(\w+)\}", full)
                op_id = op.operation_id or api.get_openapi_operation_id(op)
                routes.append(
                    Route(
                        "api", op_id, full, policy_of(op.view_func), methods=list(op.methods), params=params
                    )
                )
    return routes


def all_routes() -> list[Route]:
    return ui_routes() + api_routes()


# --- running the checks --------------------------------------------------------------------------


@dataclass
class Outcome:
    persona: str
    where: str
    method: str
    url: str
    status: int
    expected: str
    ok: bool


def _url(route: Route, values: dict[str, Any]) -> str:
    if route.kind == "ui":
        url = route.pattern
        for param in route.params:
            url = re.sub(r"<(?:\w+:)?" + param + r">", str(values[param]), url)
        return url
    url = route.pattern
    for param in route.params:
        url = re.sub(r"\{(?:\w+:)?" + param + r"\}", str(values[param]), url)
    return url


def _request(client: Client, route: Route, url: str, body: dict | None) -> tuple[str, Any]:
    if route.kind == "api":
        method = route.methods[0]
        if method in ("GET", "DELETE"):
            return method, getattr(client, method.lower())(url)
        return method, getattr(client, method.lower())(
            url, data=json.dumps(body or {}), content_type="application/json"
        )
    response = client.get(url)
    if response.status_code == 405:
        return "POST", client.post(url, data={})
    return "GET", response


def _isolated(func: Callable[[], Any]) -> Any:
    """Run one request in a savepoint that is rolled back, so requests cannot affect each other."""
    result = None
    try:
        with transaction.atomic():
            result = func()
            raise _Rollback
    except _Rollback:
        pass
    return result


class _Rollback(Exception):
    pass


def _client_for(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def check(route: Route, world: World) -> list[Outcome]:
    """All outcomes for one route; the caller asserts that every ``ok`` is True."""
    setup = ROUTE_SETUPS.get(route.name)
    if setup is None:
        return _check(route, world)
    with setup():
        return _check(route, world)


def _check(route: Route, world: World) -> list[Outcome]:
    policy = route.policy
    outcomes: list[Outcome] = []
    if policy is None:
        return [Outcome("-", "-", "-", route.pattern, 0, "a declared policy", False)]
    obj_param, model_label = policy.obj if policy.obj else (None, None)
    factory = OBJECT_FACTORIES.get(model_label) if model_label else None
    if model_label and factory is None:
        return [Outcome("-", "-", "-", route.pattern, 0, f"an object factory for {model_label}", False)]
    samples = dict(policy.samples)

    def values_for(obj: Any) -> dict[str, Any]:
        values = dict(samples)
        if obj_param:
            values[obj_param] = obj.pk
        for param in route.params:
            values.setdefault(param, 1)
        return values

    def run(persona: str, user: Any, where: str, expected: str) -> None:
        def go() -> tuple[str, str, int]:
            if factory is None:
                obj = None
            elif model_label in OWNED:
                obj = factory(world, where, user)
            else:
                obj = factory(world, where)
            if factory and obj is None:
                return "-", "", -1  # no object of this kind for this placement
            url = _url(route, values_for(obj))
            body = API_BODIES[route.name](world, obj) if route.name in API_BODIES else None
            method, response = _request(_client_for(user), route, url, body)
            return method, url, response.status_code

        method, url, status = _isolated(go)
        if status == -1:
            return
        outcomes.append(
            Outcome(persona, where, method, url, status, expected, _meets(status, expected, route))
        )

    # anonymous
    if not policy.public:
        run("anonymous", None, "A", "login")
    if policy.public:
        return outcomes
    if policy.auth == "device":
        return outcomes  # device-token endpoints are checked by their app's tests
    for persona, user in world.personas.items():
        allowed = policy.allows_role(user.role)
        if not allowed:
            run(persona, user, "subject" if persona == "subject" else "A", "forbidden")
            continue
        if not factory:
            run(persona, user, "A", "ok")
            continue
        if model_label in OWNED:
            run(persona, user, "own", "ok")
            run(persona, user, "other", "hidden")
        elif persona == "subject":
            run(persona, user, "subject", "ok")
            run(persona, user, "A", "hidden")
        elif persona in IN_SCOPE_OF_A:
            run(persona, user, "A", "ok")
            run(persona, user, "Y", "hidden")
        else:
            run(persona, user, "A", "hidden")
    return outcomes


def _meets(status: int, expected: str, route: Route) -> bool:
    if status >= 500:
        return False
    if expected == "login":
        return status == 401 if route.kind == "api" else status in (302, 401)
    if expected == "forbidden":
        return status == 403
    if expected == "hidden":
        if route.kind == "api" and route.methods[0] not in ("GET", "DELETE") and route.name not in API_BODIES:
            return status in (404, 422)
        return status == 404
    return status not in (401, 403, 404)
