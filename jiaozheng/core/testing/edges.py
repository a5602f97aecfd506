"""Edge values for every parameter of every API operation and every page, generated, never hand-listed.

The bad-input catalogue (core/tests/test_bad_input.py) turns each ``Edge`` into a case; the fuzz and the
page crawl use the same value lists. Sources:

- the API: the OpenAPI schema of /api/v1 (path and query parameters by type, the JSON body's fields by
  type, and the body as a whole: deep nesting, a body that is not an object);
- the pages: every UI route of the access matrix, with the query parameters its app reads
  (``request.GET.get("squadron")``, ``id_param(data, "person")``, ``as_date("start")``...), found in the
  app's source so that a new filter is covered the day it is written.

Every value here is impossible for the parameter it is sent to: an API must refuse it (4xx, nothing
written); a page may ignore it but must answer without a server error and without echoing it in full.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LONG_TEXT = "7" * 100_000  # a 100k-character "id": refused, and never echoed back in full
ECHO_PROBE = LONG_TEXT[:2000]

# (label, value as it appears in a URL)
INT_EDGES: list[tuple[str, str]] = [
    ("2^63", str(2**63)),
    ("2^64", str(2**64)),
    ("-2^63-1", str(-(2**63) - 1)),
    ("30 digits", "9" * 30),
    ("a decimal", "1.5"),
    ("an exponent", "1e3"),
    ("a boolean", "true"),
    ("a superscript digit", "\u00b2"),
    ("hexadecimal", "0x10"),
    ("100k characters", LONG_TEXT),
]
# a path id is looked up, never computed with: the classes that reach the database or the parser
PATH_INT_EDGES = [
    e
    for e in INT_EDGES
    if e[0] in ("2^63", "-2^63-1", "an exponent", "a superscript digit", "100k characters")
]
DATE_EDGES: list[tuple[str, str]] = [
    ("year 1", "0001-01-01"),
    ("year 9999", "9999-12-31"),
    ("year 10000", "10000-01-01"),
    ("30 February", "2026-02-30"),
    ("before 1900", "1899-12-31"),
    ("after 2199", "2200-01-01"),
    ("100k characters", LONG_TEXT),
]
TEXT_EDGES: list[tuple[str, str]] = [("100k characters", LONG_TEXT)]

# JSON values for body fields: (label, value)
BODY_INT_EDGES: list[tuple[str, Any]] = [
    ("2^63", 2**63),
    ("-2^63-1", -(2**63) - 1),
    ("true", True),
    ('the string "1"', "1"),
    ("a fraction", 1.5),
]
BODY_NUMBER_EDGES: list[tuple[str, Any]] = [
    ("true", True),
    ('the string "1.5"', "1.5"),
    ("1e400 (infinite)", float("inf")),
]
BODY_DATE_EDGES: list[tuple[str, Any]] = [("year 1", "0001-01-01"), ("year 9999", "9999-12-31")]
BODY_DATETIME_EDGES: list[tuple[str, Any]] = [
    ("year 1", "0001-01-01T00:00:00+08:00"),
    ("year 9999", "9999-12-31T23:59:59+08:00"),
]
NESTING_DEPTH = 100_000
RAW_BODIES: list[tuple[str, bytes]] = [
    ("nested 100000 deep", b'{"x": ' + b"[" * NESTING_DEPTH + b"]" * NESTING_DEPTH + b"}"),
    (
        "objects nested 100000 deep",
        b'{"x": ' + b'{"y": ' * NESTING_DEPTH + b"1" + b"}" * NESTING_DEPTH + b"}",
    ),
    ("the JSON value true", b"true"),
    ("a JSON number", b"12345678901234567890123456789"),
    ("a JSON string", b'"x"'),
    ("null", b"null"),
]


@dataclass(frozen=True)
class Edge:
    id: str
    operation_id: str
    method: str
    path: str  # the OpenAPI path template, /api/v1/... with {param}
    where: str  # "path", "query", "body" (one field) or "raw" (the whole body)
    name: str = ""
    value: Any = None


def _resolve(spec: dict, schema: dict) -> dict:
    """Follow $ref to the components (or to the local $defs a body schema may carry, kept in spec)."""
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = spec["components"]["schemas"].get(name) or spec.get("$defs", {}).get(name, {})
    return schema


def _kind(spec: dict, schema: dict) -> str:
    """'integer', 'number', 'date', 'date-time', 'boolean', 'array:integer', 'string', '' (other)."""
    schema = _resolve(spec, schema)
    for key in ("anyOf", "allOf", "oneOf"):
        if key in schema:
            kinds = {_kind(spec, s) for s in schema[key]} - {"null"}
            return kinds.pop() if len(kinds) == 1 else ""
    kind = schema.get("type", "")
    if kind == "null":
        return "null"
    if kind == "string" and schema.get("format") in ("date", "date-time"):
        return schema["format"]
    if kind == "array":
        inner = _kind(spec, schema.get("items", {}))
        return f"array:{inner}" if inner in ("integer", "number") else ""
    return kind if kind in ("integer", "number", "boolean", "string") else ""


def _label(text: str) -> str:
    return text if len(text) < 40 else text[:12] + "..."


def api_edges(spec: dict) -> list[Edge]:
    """Every path and query parameter, and every field of every JSON body, at its edges."""
    edges: list[Edge] = []
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            op_id = op.get("operationId") or f"{method} {path}"
            base = f"{method.upper()} {path}"
            for param in op.get("parameters", []):
                where, name = param["in"], param["name"]
                if where not in ("path", "query"):
                    continue
                kind = _kind(spec, param.get("schema", {}))
                values = (
                    (PATH_INT_EDGES if where == "path" else INT_EDGES)
                    if kind == "integer"
                    else DATE_EDGES
                    if kind in ("date", "date-time")
                    else TEXT_EDGES
                    if kind == "string"
                    else []
                )
                for label, value in values:
                    edges.append(
                        Edge(
                            f"api edge: {base} {where} {name} = {label}",
                            op_id,
                            method,
                            path,
                            where,
                            name,
                            value,
                        )
                    )
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if not body:
                continue
            schema = body.get("schema", {})
            local = {**spec, "$defs": schema.get("$defs", {})}
            schema = _resolve(local, schema)
            for name, prop in schema.get("properties", {}).items():
                kind = _kind(local, prop)
                values = {
                    "integer": BODY_INT_EDGES,
                    "number": BODY_NUMBER_EDGES,
                    "date": BODY_DATE_EDGES,
                    "date-time": BODY_DATETIME_EDGES,
                    "array:integer": [(f"[{lbl}]", [v]) for lbl, v in BODY_INT_EDGES[:4]],
                    "array:number": [(f"[{lbl}]", [v]) for lbl, v in BODY_NUMBER_EDGES[:2]],
                }.get(kind, [])
                for label, value in values:
                    edges.append(
                        Edge(
                            f"api edge: {base} body {name} = {label}",
                            op_id,
                            method,
                            path,
                            "body",
                            name,
                            value,
                        )
                    )
            for label, raw in RAW_BODIES:
                edges.append(Edge(f"api edge: {base} body {label}", op_id, method, path, "raw", "", raw))
    return edges


# --- pages ---------------------------------------------------------------------------------------------

_READS = re.compile(
    r"""(?:GET\.get\(|GET\[|source\.get\(|data\.get\(|_as_int\(data,\s*|as_int\(|as_date\(|"""
    r"""id_param\((?:request\.GET|data|source),\s*|date_param\((?:request\.GET|data|source),\s*|"""
    r"""month_param\((?:request\.GET|data|source),\s*|int_param\((?:request\.GET|data|source),\s*)["'](\w+)["']"""
)
_DATE_NAME = re.compile(r"date|day|start|end|month|from|to|_on$|since|until")


@dataclass
class PageParams:
    ids: list[str] = field(default_factory=list)
    days: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)


def page_params(app_label: str) -> PageParams:
    """The query parameters an app's pages read, split into id-like, day-like and other names."""
    from django.apps import apps

    folder = Path(apps.get_app_config(app_label).path)
    names: set[str] = set()
    for source in ("views.py", "selectors.py", "forms.py", "exports.py"):
        path = folder / source
        if path.exists():
            names |= set(_READS.findall(path.read_text(encoding="utf-8")))
    names |= {"page", "squadron", "person", "county"}
    out = PageParams()
    for name in sorted(names):
        (out.days if _DATE_NAME.search(name) else out.ids if name not in ("q",) else out.other).append(name)
    return out


# (label, value for id-like and other names, value for day-like names): three requests per page
PAGE_EDGES: list[tuple[str, str, str]] = [
    ("2^63 and year 9999", str(2**63), "9999-12-31"),
    ("a superscript digit and year 1", "\u00b2", "0001-01-01"),
    ("100k characters", LONG_TEXT, LONG_TEXT),
]
