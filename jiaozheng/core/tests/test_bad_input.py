"""The bad-input catalogue: hostile or broken inputs across the API, the forms and the imports.

Every case must be refused with a clear 4xx answer (with a message) or a form/import error, and change
nothing: no audited write (the audit trail is the witness of every write) and no new rows in the tables
the input aimed at. Modules add their own cases in their tests (location fixes, selfies, scale answers...);
this file holds the platform's and the caseload's, and ``catalogue_size`` counts them all.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.utils import timezone

from jiaozheng.audit.models import AuditEntry
from jiaozheng.core.imports import run_import
from jiaozheng.core.testing.edges import ECHO_PROBE, PAGE_EDGES, Edge, api_edges, page_params
from jiaozheng.core.testing.world import person_data
from jiaozheng.people.models import Person

pytestmark = pytest.mark.django_db


@dataclass
class Outcome:
    status: int | None = None  # HTTP status, or None for a service/import result
    refused: bool = False
    message: str = ""
    echoed: bool = False  # the answer repeats a 100k-character value in full


@dataclass
class Case:
    id: str
    run: Callable[[Any, Any], Outcome]
    # Made before the counting starts (objects, signed-in clients): prepare(world, clients)
    prepare: Callable[[Any, Any], None] | None = None
    # A page may ignore a bad filter (200); it must still answer without a 5xx or a full echo.
    must_refuse: bool = True


CASES: list[Case] = []


def case(case_id: str):
    def decorator(func):
        CASES.append(Case(case_id, func))
        return func

    return decorator


def _api(
    world,
    clients,
    method: str,
    url: str,
    body: Any = None,
    raw: bytes | None = None,
    content_type: str = "application/json",
) -> Outcome:
    client = clients.api
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    kwargs = {"content_type": content_type} if data is not None else {}
    response = (
        getattr(client, method)(url, data, **kwargs) if data is not None else getattr(client, method)(url)
    )
    try:
        message = response.json().get("message", "")
    except ValueError:
        message = ""
    return Outcome(response.status_code, 400 <= response.status_code < 500, message)


def _person_payload(world, **changes) -> dict:
    data = person_data(squadron=world.squadron_a, township=world.township_a)
    payload = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in data.items()
        if k not in ("squadron", "township")
    }
    payload.update(squadron_id=world.squadron_a.pk, township_id=world.township_a.pk)
    payload.update(changes)
    return payload


# --- API: the caseload -------------------------------------------------------------------------------


@case("api: latitude out of range")
def _(world, c):
    return _api(
        world, c, "post", "/api/v1/persons", _person_payload(world, home_latitude=91.0, home_longitude=110.0)
    )


@case("api: longitude out of range")
def _(world, c):
    return _api(
        world, c, "post", "/api/v1/persons", _person_payload(world, home_latitude=27.0, home_longitude=-181)
    )


@case("api: NaN coordinate")
def _(world, c):
    body = json.dumps(_person_payload(world)).replace('"home_latitude": null', '"home_latitude": NaN')
    body = body[:-1] + ', "home_latitude": NaN, "home_longitude": 110.0}'
    return _api(world, c, "post", "/api/v1/persons", raw=body.encode())


@case("api: infinite coordinate")
def _(world, c):
    body = json.dumps(_person_payload(world))[:-1] + ', "home_latitude": Infinity, "home_longitude": 110.0}'
    return _api(world, c, "post", "/api/v1/persons", raw=body.encode())


@case("api: ID number with a wrong check digit")
def _(world, c):
    payload = _person_payload(world)
    last = payload["id_number"][-1]
    payload["id_number"] = payload["id_number"][:-1] + ("0" if last != "0" else "1")
    return _api(world, c, "post", "/api/v1/persons", payload)


@case("api: ID number too short")
def _(world, c):
    return _api(world, c, "post", "/api/v1/persons", _person_payload(world, id_number="43122419850312"))


@case("api: birth date in the future")
def _(world, c):
    future = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    return _api(world, c, "post", "/api/v1/persons", _person_payload(world, birth_date=future))


@case("api: impossible date")
def _(world, c):
    return _api(world, c, "post", "/api/v1/persons", _person_payload(world, term_start="2026-02-30"))


@case("api: term ends before it starts")
def _(world, c):
    return _api(world, c, "post", "/api/v1/persons", _person_payload(world, term_end="2001-01-01"))


@case("api: empty name")
def _(world, c):
    return _api(world, c, "post", "/api/v1/persons", _person_payload(world, name=""))


@case("api: 500-character name")
def _(world, c):
    return _api(world, c, "post", "/api/v1/persons", _person_payload(world, name="张" * 500))


@case("api: script injection in the name")
def _(world, c):
    return _api(world, c, "post", "/api/v1/persons", _person_payload(world, name="<script>alert(1)</script>"))


@case("api: markup in the address")
def _(world, c):
    return _api(
        world, c, "post", "/api/v1/persons", _person_payload(world, address='<img src=x onerror="x()">')
    )


@case("api: control characters in the address")
def _(world, c):
    return _api(world, c, "post", "/api/v1/persons", _person_payload(world, address="卢峰镇\x00\x1b[2J"))


@case("api: unknown correction type")
def _(world, c):
    return _api(world, c, "post", "/api/v1/persons", _person_payload(world, correction_type="death_row"))


@case("api: a squadron of another county")
def _(world, c):
    return _api(world, c, "post", "/api/v1/persons", _person_payload(world, squadron_id=world.squadron_c.pk))


@case("api: a squadron id that does not exist")
def _(world, c):
    return _api(world, c, "post", "/api/v1/persons", _person_payload(world, squadron_id=987654321))


@case("api: malformed JSON")
def _(world, c):
    return _api(world, c, "post", "/api/v1/persons", raw=b'{"name": "x",')


@case("api: a body that is not JSON at all")
def _(world, c):
    return _api(world, c, "post", "/api/v1/persons", raw=b"\x00\x01\x02binary")


@case("api: a huge body")
def _(world, c):
    return _api(world, c, "post", "/api/v1/persons", raw=b'{"name": "' + b"x" * (6 * 1024 * 1024) + b'"}')


@case("api: a form body where JSON is expected")
def _(world, c):
    return _api(
        world,
        c,
        "post",
        "/api/v1/persons",
        raw=b"name=x&gender=male",
        content_type="application/x-www-form-urlencoded",
    )


@case("api: a list where an object is expected")
def _(world, c):
    return _api(world, c, "post", "/api/v1/persons", [1, 2, 3])


@case("api: negative paging offset")
def _(world, c):
    return _api(world, c, "get", "/api/v1/persons?offset=-1")


@case("api: absurd page size")
def _(world, c):
    return _api(world, c, "get", "/api/v1/persons?limit=100000")


@case("api: a person id beyond 64 bits")
def _(world, c):
    return _api(world, c, "get", "/api/v1/persons/99999999999999999999999")


@case("api: patch with a wrong type")
def _(world, c):
    return _api(world, c, "patch", f"/api/v1/persons/{world.person_a.pk}", {"home_latitude": "north"})


@case("api: a NUL character in a filter")
def _(world, c):
    return _api(world, c, "get", "/api/v1/persons?status=%00x")


@case("api: a NUL character escaped inside a JSON string")
def _(world, c):
    return _api(world, c, "post", "/api/v1/persons", raw=b'{"name": "\\u0000"}')


@case("page: a NUL character in a search box")
def _(world, c):
    response = c.officer.get("/people/?q=%E5%BC%A0%00")
    return Outcome(response.status_code, response.status_code == 400, response.content.decode()[:200])


@case("api: a forged bearer token")
def _(world, c):
    from django.test import Client

    response = Client(HTTP_AUTHORIZATION="Bearer jz_" + "A" * 43).get("/api/v1/persons")
    return Outcome(response.status_code, response.status_code == 401, response.json().get("message", ""))


@case("api: an oversized bearer token")
def _(world, c):
    from django.test import Client

    response = Client(HTTP_AUTHORIZATION="Bearer " + "x" * 5000).get("/api/v1/persons")
    return Outcome(response.status_code, response.status_code == 401, response.json().get("message", ""))


# --- generated: every API parameter and body field, every page filter, at its edges (security) ------
#
# From the OpenAPI schema and the URL configuration (jiaozheng.core.testing.edges): integers beyond 64 bits,
# decimals, booleans, superscript digits and 100k-character values in every path and query parameter; days
# at year 1 / 9999; booleans and strings where a body wants a number; nesting 100000 deep. A new operation,
# parameter or page filter is covered the day it exists.


def _spec() -> dict:
    from jiaozheng.api import api

    return api.get_openapi_schema(path_prefix="/api/v1")


def _routes() -> dict[str, Any]:
    from jiaozheng.core.testing.matrix import all_routes, discover

    discover()
    return {route.id: route for route in all_routes()}


ROUTES = _routes()
PERSONA_ORDER = (
    "bureau_admin",
    "bureau_officer",
    "squadron_officer",
    "social_worker",
    "counsellor",
    "supervisor",
    "auditor",
    "subject",
)


def _prepare_for(route_id: str):
    """Sign in a persona the route's policy allows and make the route's object in its scope."""

    def prepare(world, clients):
        from django.test import Client

        from jiaozheng.core.testing.matrix import OBJECT_FACTORIES, OWNED

        route = ROUTES[route_id]
        policy = route.policy
        persona = next(
            (
                name
                for name in PERSONA_ORDER
                if policy is not None and policy.allows_role(world.personas[name].role)
            ),
            "bureau_admin",
        )
        user = world.personas[persona]
        values = dict(policy.samples) if policy is not None else {}
        if policy is not None and policy.obj:
            obj_param, label = policy.obj
            factory = OBJECT_FACTORIES[label]
            where = "own" if label in OWNED else ("subject" if persona == "subject" else "A")
            obj = factory(world, where, user) if label in OWNED else factory(world, where)
            if obj is not None:
                values[obj_param] = obj.pk
        for param in route.params:
            values.setdefault(param, 1)
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.edge = SimpleNamespace(route=route, client=client, values=values, user=user)

    return prepare


def _answer(response) -> Outcome:
    body = response.content if not getattr(response, "streaming", False) else b""
    try:
        message = (
            response.json().get("message", "")
            if response["Content-Type"].startswith("application/json")
            else ""
        )
    except (ValueError, AttributeError):
        message = ""
    return Outcome(
        response.status_code,
        400 <= response.status_code < 500,
        str(message)[:200],
        echoed=ECHO_PROBE.encode() in body,
    )


def _api_edge_run(edge: Edge):
    def run(world, c):
        from jiaozheng.core.testing.matrix import API_BODIES

        ctx = c.edge
        url = edge.path
        for param, value in ctx.values.items():
            url = url.replace(
                "{" + param + "}",
                quote(str(edge.value if (edge.where == "path" and param == edge.name) else value), safe=""),
            )
        query = {edge.name: edge.value} if edge.where == "query" else {}
        method = edge.method.lower()
        if method in ("get", "delete"):
            return _answer(getattr(ctx.client, method)(url, query))
        if query:
            url += "?" + urlencode(query)
        if edge.where == "raw":
            data = edge.value
        else:
            body = {}
            if ctx.route.name in API_BODIES:
                try:
                    body = API_BODIES[ctx.route.name](world, None)
                except Exception:  # a body factory that needs the object: the edge alone is still sent
                    body = {}
            if edge.where == "body":
                body[edge.name] = edge.value
            data = json.dumps(body).encode()
        return _answer(getattr(ctx.client, method)(url, data, content_type="application/json"))

    return run


def _page_edge_run(params, value: str, day_value: str):
    def run(world, c):
        ctx = c.edge
        url = ctx.route.pattern
        for param, v in ctx.values.items():
            url = re.sub(r"<(?:\w+:)?" + param + r">", str(v), url)
        query = dict.fromkeys(params.ids + params.other, value) | dict.fromkeys(params.days, day_value)
        outcome = _answer(ctx.client.get(url, query))
        outcome.refused = outcome.status is not None and outcome.status < 500
        return outcome

    return run


def _generated_cases() -> list[Case]:
    out: list[Case] = []
    for edge in api_edges(_spec()):
        route_id = f"api:{edge.operation_id}"
        if route_id in ROUTES:
            out.append(Case(edge.id, _api_edge_run(edge), prepare=_prepare_for(route_id)))
    for route in ROUTES.values():
        if route.kind != "ui" or route.policy is None or route.policy.public:
            continue
        params = page_params(route.name.split(":")[0]) if ":" in route.name else None
        if params is None:
            continue
        for label, value, day_value in PAGE_EDGES:
            out.append(
                Case(
                    f"page edge: {route.pattern} filters = {label}",
                    _page_edge_run(params, value, day_value),
                    prepare=_prepare_for(route.id),
                    must_refuse=False,
                )
            )
    return out


CASES.extend(_generated_cases())


# --- forms ------------------------------------------------------------------------------------------


def _form(world, clients, url: str, data: dict, admin: bool = False) -> Outcome:
    client = clients.admin if admin else clients.officer
    response = client.post(url, data, follow=True)
    body = response.content.decode()
    refused = 'class="errorlist"' in body or '<li class="error">' in body
    return Outcome(None, refused and response.status_code == 200, "form error")  # re-rendered with the error


def _person_form(world, **changes) -> dict:
    data = person_data(squadron=world.squadron_a, township=world.township_a)
    form = {k: (v.pk if hasattr(v, "pk") else ("" if v is None else v)) for k, v in data.items()}
    form.update(changes)
    return form


@case("form: script in the name")
def _(world, c):
    return _form(world, c, "/people/new/", _person_form(world, name="<script>x</script>"))


@case("form: a date that is not a date")
def _(world, c):
    return _form(world, c, "/people/new/", _person_form(world, birth_date="1985-13-45"))


@case("form: ID number with letters")
def _(world, c):
    return _form(world, c, "/people/new/", _person_form(world, id_number="43122419850312ABCD"))


@case("form: phone number with letters")
def _(world, c):
    return _form(world, c, "/people/new/", _person_form(world, phone="138abc12345"))


@case("form: latitude out of range")
def _(world, c):
    return _form(world, c, "/people/new/", _person_form(world, home_latitude="95", home_longitude="110"))


@case("form: a township of another squadron")
def _(world, c):
    return _form(world, c, "/people/new/", _person_form(world, township=world.township_b.pk))


@case("form: class change without a reason")
def _(world, c):
    today = timezone.localdate().isoformat()
    return _form(
        world,
        c,
        f"/people/{world.person_a.pk}/do/class/",
        {"to_class": "strict", "effective_on": today, "reason": ""},
    )


@case("form: release dated in the future")
def _(world, c):
    future = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    return _form(world, c, f"/people/{world.person_a.pk}/do/release/", {"released_on": future})


@case("form: prohibition zone that crosses itself")
def _(world, c):
    bowtie = json.dumps(
        {"type": "Polygon", "coordinates": [[[110, 27], [111, 28], [111, 27], [110, 28], [110, 27]]]}
    )
    today = timezone.localdate().isoformat()
    return _form(
        world,
        c,
        f"/people/{world.person_a.pk}/do/prohibition/",
        {"kind": "area", "content": "x", "start_on": today, "end_on": today, "polygon": bowtie},
    )


@case("form: prohibition zone of radius 1 m")
def _(world, c):
    today = timezone.localdate().isoformat()
    return _form(
        world,
        c,
        f"/people/{world.person_a.pk}/do/prohibition/",
        {
            "kind": "area",
            "content": "x",
            "start_on": today,
            "end_on": today,
            "center_latitude": "27.9",
            "center_longitude": "110.6",
            "radius_m": "1",
        },
    )


@case("form: weak new password")
def _(world, c):
    from jiaozheng.core.testing.world import PASSWORD

    return _form(
        world,
        c,
        "/orgs/account/",
        {"form": "password", "old_password": PASSWORD, "new_password1": "123456", "new_password2": "123456"},
    )


@case("form: staff posted to another county")
def _(world, c):
    return _form(
        world,
        c,
        "/orgs/staff/new/",
        {"username": "x_bad", "full_name": "越权", "role": "social_worker", "units": [world.squadron_c.pk]},
        admin=True,
    )


@case("form: staff account name with a path")
def _(world, c):
    return _form(
        world,
        c,
        "/orgs/staff/new/",
        {"username": "../admin", "full_name": "x", "role": "social_worker", "units": [world.squadron_a.pk]},
        admin=True,
    )


# --- imports -----------------------------------------------------------------------------------------


def _import(world, name: str, content: bytes) -> Outcome:
    result = run_import(actor=world.squadron_officer, kind="persons", name=name, content=content)
    return Outcome(
        None, not result.ok and bool(result.errors), result.errors[0].message if result.errors else ""
    )


def _good_csv_row(world) -> str:
    data = person_data(squadron=world.squadron_a)
    return (
        f"{data['name']},男,{data['birth_date']},汉族,{data['id_number']},,初中,务农,,地址,卢峰中队,,,,,缓刑,危险驾驶,"
        ",,,,2026-01-05,2027-01-04,,,\n"
    )


HEADER = "姓名,性别,出生日期,民族,身份证号,手机号,文化程度,就业情况,工作单位或学校,居住地址,中队/司法所,乡镇,村（社区）,住址纬度,住址经度,矫正类别,犯罪类型,罪名,原判刑罚,决定机关,判决生效日期,矫正起始日期,矫正结束日期,报到日期,管理等级,风险等级\n"


@case("import: corrupt XLSX")
def _(world, c):
    return _import(world, "x.xlsx", b"PK\x03\x04\x14\x00garbage" * 10)


@case("import: an XLSX that is really a text file")
def _(world, c):
    return _import(world, "x.xlsx", HEADER.encode())


@case("import: a program renamed .exe")
def _(world, c):
    return _import(world, "x.exe", b"MZ\x90\x00")


@case("import: path tricks in the file name")
def _(world, c):
    return _import(world, "../../etc/cron.d/x.csv", (HEADER + _good_csv_row(world)).encode("utf-8"))


@case("import: an absolute Windows path as file name")
def _(world, c):
    return _import(world, "C:\\Windows\\x.csv", (HEADER + _good_csv_row(world)).encode("utf-8"))


@case("import: header only")
def _(world, c):
    return _import(world, "x.csv", HEADER.encode())


@case("import: required columns missing")
def _(world, c):
    return _import(world, "x.csv", "名字,年龄\n张三,30\n".encode())


@case("import: binary content in a CSV")
def _(world, c):
    return _import(world, "x.csv", b"\x00\x01\x02\x03" * 100)


@case("import: a formula-looking cell that is not a valid value")
def _(world, c):
    row = _good_csv_row(world).replace(",男,", ',"=HYPERLINK(""http://evil"")",', 1)
    return _import(world, "x.csv", (HEADER + row).encode("utf-8"))


@case("import: one good row and one with a script name")
def _(world, c):
    bad = _good_csv_row(world).split(",", 1)
    return _import(world, "x.csv", (HEADER + _good_csv_row(world) + "<script>," + bad[1]).encode("utf-8"))


@case("import: a zip bomb posing as XLSX")
def _(world, c):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<x/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\x00" * (210 * 1024 * 1024))
    return _import(world, "bomb.xlsx", out.getvalue())


def catalogue_size() -> int:
    return len(CASES)


@pytest.fixture
def clients(world, api_client):
    """Signed-in clients, made before the counting starts (signing in records last_login)."""
    from types import SimpleNamespace

    from django.test import Client

    officer, admin = Client(), Client()
    officer.force_login(world.squadron_officer)
    admin.force_login(world.bureau_admin)
    return SimpleNamespace(api=api_client(world.bureau_admin), officer=officer, admin=admin)


@pytest.mark.parametrize("bad", CASES, ids=lambda c: c.id[:160])
def test_bad_input_is_refused_clearly_and_changes_nothing(bad, world, clients):
    if bad.prepare is not None:
        bad.prepare(world, clients)
    audit_before = AuditEntry.objects.count()
    persons_before = Person.objects.count()
    outcome = bad.run(world, clients)
    if outcome.status is not None:
        assert outcome.status < 500, f"{bad.id}: answered {outcome.status}"
    assert not outcome.echoed, f"{bad.id}: the answer repeats the 100k-character value"
    if not bad.must_refuse:
        return  # a page ignoring a bad filter: no 5xx and no echo is all it owes
    assert outcome.refused, f"{bad.id}: not refused ({outcome})"
    if outcome.status is not None:
        assert 400 <= outcome.status < 500, f"{bad.id}: answered {outcome.status}"
    assert AuditEntry.objects.count() == audit_before, f"{bad.id}: something was written"
    assert Person.objects.count() == persons_before


def test_the_catalogue_is_large_enough():
    assert catalogue_size() >= 500
    generated = [c for c in CASES if c.id.startswith(("api edge:", "page edge:"))]
    operations = {c.id.split(" ")[3] for c in generated if c.id.startswith("api edge:")}
    assert len(operations) >= len(_spec()["paths"]) // 2, "the generator misses most API operations"
