"""Rules as data: parameters that national law leaves to the provinces.

Each app registers its parameters with a default, a description and the source of the default
(domain.md labels L/R/S/U/D). An administrator overrides a value for a province (or for one county)
in the ``RuleValue`` table, through the admin or ``jiaozheng rules set``. Code reads
``rule("people.new_entrant_months", unit)`` and never hard-codes these numbers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class RuleDef:
    key: str
    default: Any
    description: str
    source: str = "D"
    validate: Callable[[Any], None] | None = None


_REGISTRY: dict[str, RuleDef] = {}
_cache: dict[tuple[str, int | None], tuple[float, Any]] = {}
_lock = threading.Lock()
CACHE_SECONDS = 60  # other processes (web workers, the Huey worker) see a change within a minute


def register_rule(
    key: str, default: Any, description: str, source: str = "D", validate: Callable[[Any], None] | None = None
) -> RuleDef:
    definition = RuleDef(key, default, description, source, validate)
    if validate is not None:
        validate(default)
    _REGISTRY[key] = definition
    return definition


def registered_rules() -> dict[str, RuleDef]:
    return dict(sorted(_REGISTRY.items()))


def positive_int(value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValidationError(f"must be a positive integer, got {value!r}")


def non_negative_number(value: Any) -> None:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
        raise ValidationError(f"must be a number ≥ 0, got {value!r}")


def rule(key: str, unit: Any = None) -> Any:
    """The value in force for ``unit`` (any OrgUnit, or None for the national default).

    Lookup order: the unit's county, then its province, then the registered default.
    """
    if key not in _REGISTRY:
        raise KeyError(f"rule {key!r} is not registered")
    county_id, province_id = _unit_keys(unit)
    for scope_id in (county_id, province_id):
        if scope_id is None:
            continue
        value = _lookup(key, scope_id)
        if value is not _MISSING:
            return value
    return _REGISTRY[key].default


_MISSING = object()


def _cached(cache: dict[Any, tuple[float, Any]], key: Any, load: Callable[[], Any]) -> Any:
    """``cache[key]`` if it was loaded less than CACHE_SECONDS ago, else ``load()``, kept for next time."""
    cached = cache.get(key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    value = load()
    with _lock:
        cache[key] = (now, value)
    return value


def _lookup(key: str, unit_id: int) -> Any:
    from jiaozheng.core.models import RuleValue

    def load() -> Any:
        row = RuleValue.objects.filter(key=key, unit_id=unit_id).values_list("value", flat=True).first()
        return _MISSING if row is None else row

    return _cached(_cache, (key, unit_id), load)


_unit_cache: dict[int, tuple[float, Any]] = {}


def _unit_keys(unit: Any) -> tuple[int | None, int | None]:
    if unit is None:
        return None, None
    if isinstance(unit, int):
        OrgUnit = unit_model()
        pk = unit
        unit = _cached(_unit_cache, pk, lambda: OrgUnit.objects.only("path", "county_id", "kind").get(pk=pk))
    county_id = unit.county_id
    ids = [int(p) for p in unit.path.strip("/").split("/") if p]
    province_id = ids[0] if ids else None
    return county_id, province_id


def unit_model() -> Any:
    """The organisation-unit model, found through the foreign key of ``RuleValue`` (core imports no app)."""
    from jiaozheng.core.models import RuleValue

    return RuleValue._meta.get_field("unit").related_model


def clear_cache() -> None:
    with _lock:
        _cache.clear()
        _unit_cache.clear()


def validate_value(key: str, value: Any) -> None:
    definition = _REGISTRY.get(key)
    if definition is None:
        raise ValidationError(f"unknown rule {key!r}")
    if definition.validate is not None:
        definition.validate(value)
