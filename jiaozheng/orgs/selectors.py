"""Reads for the organisation set-up pages: the shipped division list, units, providers, accounts.

Every selector takes the acting user and reads through the scope helpers (rows outside the actor's
area do not exist for them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import QuerySet

from jiaozheng.core.roles import STAFF_ROLES, Role
from jiaozheng.core.scoping import scope_for, scoped
from jiaozheng.orgs.models import OrgUnit, ServiceProvider, User


@dataclass(frozen=True)
class Division:
    """A county-level division of the shipped boundary dataset (GB/T 2260 code, 6 digits)."""

    code: str
    name: str
    city_code: str
    city_name: str
    province_code: str
    province_name: str

    @property
    def label(self) -> str:
        return f"{self.province_name} {self.city_name} {self.name}（{self.code}）"


def _names(file: str) -> dict[str, str]:
    from jiaozheng.core.geo import _dataset_path

    path = _dataset_path().parent / file
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    return {
        f["properties"]["gb"][3:]: f["properties"]["name"] for f in data["features"] if f["properties"]["gb"]
    }


@lru_cache(maxsize=1)
def divisions() -> dict[str, Division]:
    """Every county, district and county-level city of the boundary dataset, by 6-digit code."""
    from jiaozheng.core.geo import county_names

    cities, provinces = _names("city.geojson"), _names("province.geojson")
    out = {}
    for gb, name in county_names().items():
        code = gb[3:]
        if len(code) != 6:
            continue
        province_code = code[:2] + "0000"
        province = provinces.get(province_code, "")
        city_code = code[:4] + "00"
        # Municipalities (北京市, 上海市 ...) have no prefecture level in the dataset: the city is the province.
        city = cities.get(city_code) or cities.get(province_code) or province
        out[code] = Division(code, name, city_code, city, province_code, province)
    return dict(sorted(out.items()))


def division(code: str) -> Division | None:
    code = (code or "").strip()
    if len(code) == 9 and code.startswith("156"):
        code = code[3:]
    return divisions().get(code)


def operator_units(*, actor: Any) -> list[OrgUnit]:
    """The province and city units an operator is posted to (their area for creating counties)."""
    if not getattr(actor, "is_authenticated", False) or actor.role != Role.BUREAU_ADMIN:
        return []
    return [
        a.unit
        for a in actor.assignments.select_related("unit")
        if a.unit.kind in (OrgUnit.Kind.CITY, OrgUnit.Kind.PROVINCE)
    ]


def is_operator(actor: Any) -> bool:
    """Superusers and bureau administrators posted to a city or province create counties."""
    return bool(getattr(actor, "is_superuser", False)) or bool(operator_units(actor=actor))


def divisions_for(*, actor: Any) -> list[Division]:
    """The divisions the actor may create a county for (superuser: all; operator: their city/province)."""
    if getattr(actor, "is_superuser", False):
        return list(divisions().values())
    prefixes = []
    for unit in operator_units(actor=actor):
        code = unit.code or ""
        if unit.kind == OrgUnit.Kind.PROVINCE and len(code) == 6:
            prefixes.append(code[:2])
        elif unit.kind == OrgUnit.Kind.CITY and len(code) == 6:
            prefixes.append(code[:4])
    return [d for d in divisions().values() if any(d.code.startswith(p) for p in prefixes)]


def counties(*, actor: Any) -> QuerySet[OrgUnit]:
    return scoped(OrgUnit, actor).filter(kind=OrgUnit.Kind.COUNTY).order_by("code", "name")


def county_units(*, actor: Any, county: OrgUnit) -> QuerySet[OrgUnit]:
    """Squadrons and townships of one county the actor sees, in tree order."""
    return (
        scoped(OrgUnit, actor)
        .filter(county=county, kind__in=[OrgUnit.Kind.SQUADRON, OrgUnit.Kind.TOWNSHIP])
        .order_by("path", "sort_order")
    )


def providers(*, actor: Any) -> QuerySet[ServiceProvider]:
    """Providers are not scoped rows: every administrator chooses among them (a provider may serve
    several counties); only administrators reach the set-up pages."""
    scope = scope_for(actor)
    if scope.is_empty:
        return ServiceProvider.objects.none()
    return ServiceProvider.objects.order_by("name")


def staff_accounts(*, actor: Any) -> QuerySet[User]:
    return scoped(User, actor).filter(is_system=False, role__in=STAFF_ROLES)
