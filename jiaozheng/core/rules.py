"""Rules as data: parameters that national law leaves to the provinces.

Each app registers its parameters with a default, a description and the source of the default
(domain.md labels L/R/S/U/D). An administrator overrides a value for a province (or for one county)
in the ``RuleValue`` table, through the admin or ``jiaozheng rules set``. Code reads
``rule("people.new_entrant_months", unit)`` and never hard-codes these numbers.

Values are cached per process, but a change reaches every process (web workers, the Huey worker) within
about CHECK_SECONDS: at most that often a process reads a cheap signature of the ``RuleValue`` table (row
count and latest ``updated_at``) and drops its cached values when the signature has changed. Writes that
bypass ``save()`` (``QuerySet.update``) do not touch ``updated_at``: such a change is seen after
CACHE_SECONDS, or at once after ``clear_cache()``.
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
_lock = threading.RLock()
CACHE_SECONDS = 600  # the longest a cached value is kept, even when the table's signature has not changed
CHECK_SECONDS = 1.0  # how often a process compares the table's signature with the one its cache was built on
UNIT_CACHE_SECONDS = 60  # an organisation unit's place in the tree (its county and province)
_now = time.monotonic  # the clock of the caches (replaced in tests)
_signature: Any = None  # the signature of the RuleValue table when it was last compared
_checked_at: float | None = None  # when it was last compared
_generation = 0  # bumped by every clear, so that a value loaded before a clear is not cached after it


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
    if county_id is not None or province_id is not None:
        _check_signature()
    for scope_id in (county_id, province_id):
        if scope_id is None:
            continue
        value = _lookup(key, scope_id)
        if value is not _MISSING:
            return value
    return _REGISTRY[key].default


_MISSING = object()


def _cached(
    cache: dict[Any, tuple[float, Any]], key: Any, load: Callable[[], Any], seconds: float | None = None
) -> Any:
    """``cache[key]`` if it was loaded less than ``seconds`` (CACHE_SECONDS) ago, else ``load()``, kept."""
    cached = cache.get(key)
    now = _now()
    if cached is not None and now - cached[0] < (CACHE_SECONDS if seconds is None else seconds):
        return cached[1]
    generation = _generation
    value = load()
    with _lock:
        if generation == _generation:  # a clear during the load means the value may be stale: not kept
            cache[key] = (now, value)
    return value


def _table_signature() -> tuple[int, Any]:
    """Changes whenever a rule value is added, changed (``updated_at``) or deleted (the count)."""
    from django.db.models import Count, Max

    from jiaozheng.core.models import RuleValue

    row = RuleValue.objects.aggregate(count=Count("id"), latest=Max("updated_at"))
    return row["count"], row["latest"]


def _check_signature() -> None:
    """At most every CHECK_SECONDS: drop the cached values if the table changed since the last check."""
    global _signature, _checked_at
    now = _now()
    checked_at = _checked_at
    if checked_at is not None and 0 <= now - checked_at < CHECK_SECONDS:
        return
    _checked_at = now  # set first, so that concurrent threads do not all query
    signature = _table_signature()
    with _lock:
        if signature != _signature:
            _signature = signature
            _clear_values()


def _clear_values() -> None:
    global _generation
    with _lock:
        _generation += 1
        _cache.clear()


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
        unit = _cached(
            _unit_cache,
            pk,
            lambda: OrgUnit.objects.only("path", "county_id", "kind").get(pk=pk),
            UNIT_CACHE_SECONDS,
        )
    county_id = unit.county_id
    ids = [int(p) for p in unit.path.strip("/").split("/") if p]
    province_id = ids[0] if ids else None
    return county_id, province_id


def unit_model() -> Any:
    """The organisation-unit model, found through the foreign key of ``RuleValue`` (core imports no app)."""
    from jiaozheng.core.models import RuleValue

    return RuleValue._meta.get_field("unit").related_model


def clear_cache() -> None:
    """Forget every cached value and unit at once (this process only); the next read checks the table."""
    global _signature, _checked_at
    with _lock:
        _clear_values()
        _unit_cache.clear()
        _signature = None
        _checked_at = None


def validate_value(key: str, value: Any) -> None:
    definition = _REGISTRY.get(key)
    if definition is None:
        raise ValidationError(f"unknown rule {key!r}")
    if definition.validate is not None:
        definition.validate(value)
