"""Counselling parameters an agency may change (``jiaozheng rules set``)."""

from jiaozheng.core.rules import positive_int, register_rule

register_rule(
    "counselling.group_size_min",
    6,
    "Smallest counselling group (persons). psychometrics.md §7: the product's 6-12 is a parameter.",
    "D",
    positive_int,
)
register_rule(
    "counselling.group_size_max",
    12,
    "Largest counselling group (persons).",
    "D",
    positive_int,
)
