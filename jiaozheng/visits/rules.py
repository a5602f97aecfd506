"""Visit parameters a province or county may change (``jiaozheng rules set`` / admin); defaults with sources.

The visit standards themselves (which visits are due how often, per class) are rows of
``VisitStandard`` with built-in defaults in ``jiaozheng.visits.standards``; these rules tune how windows,
warnings, attachments, route planning and the provincial export behave.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jiaozheng.core.rules import non_negative_number, positive_int, register_rule


def _non_negative_int(value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError(f"must be an integer ≥ 0, got {value!r}")


def _hhmm(value: Any) -> None:
    import re

    if not isinstance(value, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ValidationError(f"must be a time HH:MM, got {value!r}")


def _factor(value: Any) -> None:
    non_negative_number(value)
    if value < 1 or value > 5:
        raise ValidationError(f"must be between 1 and 5, got {value!r}")


def _speeds(value: Any) -> None:
    if not isinstance(value, dict) or set(value) != {"main", "rural", "mountain"}:
        raise ValidationError('must be {"main": km/h, "rural": km/h, "mountain": km/h}')
    for speed in value.values():
        if not isinstance(speed, (int, float)) or isinstance(speed, bool) or not 3 <= speed <= 120:
            raise ValidationError(f"speeds must be between 3 and 120 km/h, got {speed!r}")


def _names(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError("must be a list of township names")


def _mapping_name(value: Any) -> None:
    from jiaozheng.visits.exports import available_mappings

    if value not in available_mappings():
        raise ValidationError(f"unknown export mapping {value!r}; shipped: {', '.join(available_mappings())}")


register_rule(
    "visits.min_window_days",
    10,
    _(
        "A window of a visit standard (e.g. a calendar month) in which the person is under the standard for "
        "fewer days than this is not due (entry late in the month, release early in the month)"
    ),
    source="D",
    validate=positive_int,
)
register_rule(
    "visits.due_soon_days",
    7,
    _("Days before the end of a window from which an open visit is shown as due soon"),
    source="D",
    validate=_non_negative_int,
)
register_rule(
    "visits.task_default_days",
    14,
    _("Default number of days to complete a follow-up task"),
    source="D",
    validate=positive_int,
)
register_rule(
    "visits.attachment_max_mb",
    10,
    _("Largest attachment of a visit record, in MB"),
    source="D",
    validate=positive_int,
)
register_rule(
    "visits.route_day_start",
    "08:30",
    _("Start of a field day (HH:MM)"),
    source="D",
    validate=_hhmm,
)
register_rule(
    "visits.route_day_minutes",
    480,
    _("Length of a field day in minutes, from leaving the office to returning"),
    source="D",
    validate=positive_int,
)
register_rule(
    "visits.route_service_minutes",
    45,
    _("Minutes spent at each focus visit"),
    source="D",
    validate=positive_int,
)
register_rule(
    "visits.route_speeds_kmh",
    {"main": 45, "rural": 30, "mountain": 18},
    _("Travel speeds by road class (km/h): main roads, rural roads, mountain roads"),
    source="D: typical county, township and mountain road speeds",
    validate=_speeds,
)
register_rule(
    "visits.route_detour_factor",
    1.3,
    _("Road distance ÷ straight-line distance on ordinary terrain"),
    source="D",
    validate=_factor,
)
register_rule(
    "visits.route_mountain_detour_factor",
    1.8,
    _("Road distance ÷ straight-line distance for legs to or from a mountain township"),
    source="D; R: mountain townships make visits slow (seed report, problems)",
    validate=_factor,
)
register_rule(
    "visits.route_main_road_min_km",
    10,
    _("Straight-line legs at least this long are driven on main roads; shorter ones on rural roads (km)"),
    source="D",
    validate=non_negative_number,
)
register_rule(
    "visits.mountain_townships",
    [],
    _("Townships in mountain areas: legs to or from them use the mountain speed and detour factor"),
    source="R: 不少乡镇地处山区，分布较散 (seed report); the list is set per county",
    validate=_names,
)
register_rule(
    "visits.export_mapping",
    "hunan",
    _("Column mapping of the provincial visit export (a file under jiaozheng/visits/data/export/)"),
    source="D: layout of the 湖南省社区矫正管理系统 visit entry as documented in docs/visits.md",
    validate=_mapping_name,
)
