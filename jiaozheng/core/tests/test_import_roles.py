"""docs/imports.md names the roles that may import each kind; the kinds' own checks agree, and the bureau
administrator may import every kind of the county."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from jiaozheng.core.imports import import_kinds

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[3] / "docs" / "imports.md"
STAFF = [
    "bureau_admin",
    "bureau_officer",
    "squadron_officer",
    "social_worker",
    "counsellor",
    "supervisor",
    "auditor",
]


def documented() -> dict[str, set[str]]:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("**Who may import each kind**") :]
    out: dict[str, set[str]] = {}
    for kinds, roles in re.findall(r"^\s*\| (`[^|]+) \| ([a-z_, ]+) \|$", section, re.M):
        for kind in re.findall(r"`([a-z_]+)`", kinds):
            out[kind] = {r.strip() for r in roles.split(",")}
    return out


def allowed(kind, user) -> bool:
    if kind.begin is None:
        return True
    try:
        kind.begin(user, {"source_name": "x.csv", "source_bytes": b"x"})
    except PermissionDenied:
        return False
    except Exception:  # past the role check, the kind wanted more of the file than this probe gives
        return True
    return True


def test_the_documented_roles_are_the_roles_the_code_lets_import(world):
    doc = documented()
    kinds = import_kinds()
    assert set(doc) == set(kinds), set(doc) ^ set(kinds)
    wrong = {}
    for code, kind in kinds.items():
        actual = {name for name in STAFF if allowed(kind, world.users[name])}
        if actual != doc[code]:
            wrong[code] = (sorted(actual), sorted(doc[code]))
        assert not allowed(kind, world.subject)
    assert not wrong, wrong
    assert all("bureau_admin" in roles for roles in doc.values())
