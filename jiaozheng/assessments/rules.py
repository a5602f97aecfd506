"""Assessment parameters an agency may change per province or county (``jiaozheng rules set``)."""

from django.core.exceptions import ValidationError

from jiaozheng.core.rules import positive_int, register_rule


def _mapping_of_mappings(value):
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise ValidationError('must map scale codes to {"metric": "value"} mappings')


def _cutoff_ops(value):
    _mapping_of_mappings(value)
    for ops in value.values():
        for op in ops.values():
            if op not in (">", ">=", "<", "<=", "==", "!="):
                raise ValidationError(f"unknown operator {op!r}")


def _rounding(value):
    _mapping_of_mappings(value)
    for rules in value.values():
        for rounding in rules.values():
            if rounding not in ("floor", "half_up", "none"):
                raise ValidationError(f"unknown rounding {rounding!r} (floor, half_up or none)")


def _names(value):
    if value is not None and (
        not isinstance(value, list) or not all(isinstance(v, str) and v for v in value)
    ):
        raise ValidationError("must be a list of dimension names, or null for the scale's default list")


def _norms(value):
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValidationError('must map scale codes to norm codes, e.g. {"scl90": "cn-1986-a"}')


register_rule(
    "assessments.cutoff_operators",
    {},
    'Cut-off operators that differ from the scale files, e.g. {"scl90": {"subscales.*": ">"}} for the '
    "strict reading of 超过2分 (psychometrics.md §1.2; the default is >= 2.0).",
    "D",
    _cutoff_ops,
)
register_rule(
    "assessments.rounding",
    {},
    'Rounding of scaled scores that differs from the scale files, e.g. {"sds": {"standard": "half_up"}} '
    "for 四舍五入; the default is floor, 取整数部分 (psychometrics.md §3, §8.3).",
    "D",
    _rounding,
)
register_rule(
    "assessments.default_norms",
    {"scl90": "cn-1986-a"},
    "The norm a report compares with, per scale (a built-in norm id or a local norm code).",
    "D",
    _norms,
)
register_rule(
    "assessments.copa_pi_dimensions",
    None,
    "Dimension columns of the COPA-PI import template; null = the 12 default names of psychometrics.md §4.",
    "D",
    _names,
)
register_rule(
    "assessments.local_norm_min_n",
    30,
    "Smallest number of valid assessments a local norm may be built from.",
    "D",
    positive_int,
)
register_rule(
    "assessments.due_days",
    14,
    "Days given to answer an assigned assessment.",
    "D",
    positive_int,
)
