"""Bounded request parameters: ids and days that the database and the calendar can hold.

A filter such as ``?squadron=99999999999999999999`` or ``?date=9999-12-31`` is well-formed text, but an id
beyond 64 bits cannot be bound to an SQL parameter and the last representable day has no "next day": left
unchecked, both end as server errors deep in a query. Every id and day taken from a request goes through
the types and helpers below, so the check lives in one place:

- API (django-ninja schemas and path parameters): ``Id`` (a positive 64-bit key) and ``Day`` (a date
  between ``MIN_DAY`` and ``MAX_DAY``); out-of-range values answer 422 with the field named.
- API request bodies derive from ``BodySchema``: a number field refuses ``true`` and ``"27.5"`` (422).
- Pages (``request.GET``): ``id_param(request.GET, "squadron")``, ``date_param(...)``,
  ``month_param(...)``, ``int_param(...)``: an out-of-range or malformed value reads as "not given".
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from ninja import Schema
from pydantic import Field, ValidationInfo, field_validator

MAX_ID = 2**63 - 1  # the largest key a 64-bit integer column (SQLite and PostgreSQL bigint) holds
MIN_DAY = dt.date(1900, 1, 1)  # no record of the platform is older (birth dates included)
MAX_DAY = dt.date(2199, 12, 31)  # far beyond any term, plan or report, and safe to add days to

Id = Annotated[int, Field(ge=1, le=MAX_ID, description="An object's id (a positive 64-bit integer)")]
Day = Annotated[dt.date, Field(ge=MIN_DAY, le=MAX_DAY)]

_ASCII_INT = re.compile(r"[+-]?[0-9]{1,19}")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")


def _raw(source: Any, key: str | None) -> str:
    value = source.get(key) if key is not None and hasattr(source, "get") else source
    return str(value if value is not None else "").strip()


def int_param(source: Any, key: str | None = None, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """An integer within [minimum, maximum] from ``source[key]`` (or ``source`` itself when no key is
    given); None when absent, not written in ASCII digits ("²", "1e3", "1.0") or out of range."""
    text = _raw(source, key)
    if not _ASCII_INT.fullmatch(text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def id_param(source: Any, key: str | None = None) -> int | None:
    """An object's id (1 .. 2^63-1) from a query string; None when absent or impossible."""
    return int_param(source, key, minimum=1, maximum=MAX_ID)


def date_param(source: Any, key: str | None = None) -> dt.date | None:
    """An ISO day (YYYY-MM-DD) between MIN_DAY and MAX_DAY; None otherwise."""
    text = _raw(source, key)
    if not _ISO_DAY.fullmatch(text):
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if MIN_DAY <= day <= MAX_DAY else None


def month_param(source: Any, key: str | None = None) -> dt.date | None:
    """'2026-03' -> date(2026, 3, 1) when between MIN_DAY and MAX_DAY; None otherwise."""
    match = _MONTH.fullmatch(_raw(source, key))
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (MIN_DAY.year <= year <= MAX_DAY.year and 1 <= month <= 12):
        return None
    return dt.date(year, month, 1)


# --- request bodies: a number is a JSON number -----------------------------------------------------------

NOT_A_NUMBER = "a number is expected here (not text, and not true/false)"
NOT_FINITE = "a finite number is expected here (not NaN or Infinity)"
DAY_OUT_OF_RANGE = f"the date must lie between {MIN_DAY.isoformat()} and {MAX_DAY.isoformat()}"


def _number_kind(annotation: Any) -> str:
    """'scalar' for int/float (optional or not), 'list' for a list of them, 'decimal' for an amount,
    '' otherwise."""
    origin = get_origin(annotation)
    if origin in (Union, UnionType):
        kinds = {_number_kind(arg) for arg in get_args(annotation) if arg is not type(None)}
        return kinds.pop() if len(kinds) == 1 else ""
    if origin is Annotated:
        return _number_kind(get_args(annotation)[0])
    if origin in (list, tuple, set, frozenset):
        args = [a for a in get_args(annotation) if a is not Ellipsis]
        return "list" if args and all(_number_kind(a) == "scalar" for a in args) else ""
    if annotation in (int, float):
        return "scalar"
    if isinstance(annotation, type) and issubclass(annotation, Decimal):
        return "decimal"  # an amount may be written "300.00" (exact), but never true/false
    return ""


def _not_a_number(value: Any) -> bool:
    return isinstance(value, (bool, str))


class BodySchema(Schema):
    """The base of every JSON request body: numbers must be JSON numbers.

    Pydantic's default ("lax") mode would read ``true`` as 1 and ``"27.5"`` as 27.5, so a boolean or a
    string sent for a coordinate, a count or an id would be stored as a number. Here a field declared
    int/float/Decimal (optional or in a list) refuses booleans and strings with 422; everything else (dates
    as ISO strings, choices) is validated as before. A number must be finite (JSON bodies may carry NaN
    and Infinity), and a date or a time must lie between MIN_DAY and MAX_DAY. An amount (Decimal) may
    also be written as a string ("300.00"), the exact form for money.
    """

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        kind = _number_kind(field.annotation) if field is not None else ""
        if kind == "scalar" and _not_a_number(value):
            raise ValueError(NOT_A_NUMBER)
        if kind == "decimal" and isinstance(value, bool):
            raise ValueError(NOT_A_NUMBER)
        if kind == "list" and isinstance(value, (list, tuple)) and any(_not_a_number(v) for v in value):
            raise ValueError(NOT_A_NUMBER)
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _finite_numbers_and_days_within_the_calendar(cls, value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(NOT_FINITE)
        day = value.date() if isinstance(value, dt.datetime) else value
        if isinstance(day, dt.date) and not MIN_DAY <= day <= MAX_DAY:
            raise ValueError(DAY_OUT_OF_RANGE)
        return value
