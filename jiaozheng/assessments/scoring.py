"""The scorer: answers in, every metric, factor score, band, screening result, flag and validity check out.

Pure functions over a ``Scale`` (``jiaozheng.assessments.scales``); no database. The web pages, the API,
the imports, the demo and ``jiaozheng assess score`` all call :func:`score`.

Arithmetic is exact: sums are integers, means and ratios are ``Fraction``s, and cut-offs are compared on
the exact values. Only the stored and printed figures are rounded, half up, to the metric's precision.
``rounding: floor`` (取整数部分) and ``half_up`` (四舍五入) are computed on the exact fraction; Python's
``round()`` (half to even) is never used.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from jiaozheng.assessments.scales import DEFAULT_LANG, Scale

OPS = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}
ROUNDING = ("floor", "half_up", "none")
RISK_ORDER = {"low": 0, "medium": 1, "high": 2}


class AnswerError(ValueError):
    """The answers do not fit the scale (unknown item, value not among the item's options)."""


@dataclass
class ScoreOptions:
    """Overrides of the scale's defaults (from the county's rules, a report, or the command line).

    - ``rounding``: metric name -> "floor" | "half_up" | "none" for ``scale`` metrics (SDS/SAS 标准分).
    - ``cutoff_ops``: cut-off metric (as written in the scale, e.g. "subscales.*") -> operator.
    - ``total_seconds`` / ``item_seconds``: answering time, for the speed checks (None: not timed).
    """

    rounding: dict[str, str] = field(default_factory=dict)
    cutoff_ops: dict[str, str] = field(default_factory=dict)
    total_seconds: float | None = None
    item_seconds: dict[int, float] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"rounding": dict(self.rounding), "cutoff_ops": dict(self.cutoff_ops)}


# --- numbers -----------------------------------------------------------------------------------------


def to_fraction(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return Fraction(str(value))  # 2.5 -> 5/2 exactly as written, not the binary approximation
    return Fraction(value)


def round_half_up(value: Fraction, places: int = 0) -> Decimal:
    """Exact half-up rounding of a fraction to ``places`` decimals (四舍五入)."""
    scaled = value * (10**places)
    whole = math.floor(scaled + Fraction(1, 2))
    return Decimal(whole).scaleb(-places)


def apply_rounding(value: Fraction, rule: str) -> Fraction:
    if rule == "floor":
        return Fraction(math.floor(value))
    if rule == "half_up":
        return Fraction(math.floor(value + Fraction(1, 2)))
    if rule == "none":
        return value
    raise ValueError(f"unknown rounding rule {rule!r}")


def plain_number(value: Fraction | int | None, precision: int = 4) -> int | float | None:
    """JSON value: integers stay integers; other values are rounded half up to ``precision`` decimals."""
    if value is None:
        return None
    value = to_fraction(value)
    if value.denominator == 1:
        return int(value)
    return float(round_half_up(value, precision))


# --- answers -----------------------------------------------------------------------------------------


def normalise_answers(scale: Scale, answers: Mapping[Any, Any] | list[Any]) -> dict[int, int | None]:
    """Answers by item id (a list is taken in item order); blanks become None. Raises AnswerError."""
    if isinstance(answers, (list, tuple)):
        if len(answers) > len(scale.item_ids):
            raise AnswerError(
                f"{scale.code} has {len(scale.item_ids)} items; {len(answers)} answers were given"
            )
        answers = dict(zip(scale.item_ids, answers, strict=False))
    out: dict[int, int | None] = dict.fromkeys(scale.item_ids)
    for key, raw in answers.items():
        try:
            item_id = int(key)
        except (TypeError, ValueError):
            raise AnswerError(f"unknown item {key!r}")
        if item_id not in scale.item_by_id:
            raise AnswerError(f"{scale.code} has no item {item_id}")
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            out[item_id] = None
            continue
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise AnswerError(f"item {item_id}: {raw!r} is not a whole number")
        allowed = scale.option_values(item_id)
        if value not in allowed:
            raise AnswerError(
                f"item {item_id}: {value} is not one of the options {', '.join(str(v) for v in allowed)}"
            )
        out[item_id] = value
    return out


def keyed_values(scale: Scale, answers: dict[int, int | None]) -> dict[int, int | None]:
    """Scored values: reverse-keyed items are turned round (reversed = min + max − chosen)."""
    low, high = scale.value_range
    out: dict[int, int | None] = {}
    for item_id in scale.scored_ids:
        value = answers.get(item_id)
        if value is not None and item_id in scale.reverse_ids:
            value = low + high - value
        out[item_id] = value
    return out


# --- metrics -----------------------------------------------------------------------------------------


class _Evaluator:
    def __init__(self, scale: Scale, values: dict[int, int | None], options: ScoreOptions):
        self.scale = scale
        self.values = values
        self.options = options
        self.metrics: dict[str, Fraction | None] = {}
        self.default_missing = scale.data.get("missing_rule", "none")

    def item_set(self, spec: Any) -> list[int]:
        return list(self.scale.scored_ids) if spec in (None, "all") else list(spec)

    def operand(self, value: Any) -> Fraction | None:
        if isinstance(value, (int, float)):
            return to_fraction(value)
        if isinstance(value, str):
            return self.metrics.get(value)
        return self.expr(value, "")

    def expr(self, expr: dict[str, Any], name: str) -> Fraction | None:
        op = expr["op"]
        if op in ("sum", "mean", "count_where", "sum_where"):
            ids = self.item_set(expr.get("items"))
            answered: list[int] = [v for i in ids if (v := self.values.get(i)) is not None]
            n_missing = len(ids) - len(answered)
            if op == "count_where":
                test = OPS[expr["where"]["op"]]
                limit = to_fraction(expr["where"]["value"])
                return Fraction(sum(1 for v in answered if test(v, limit)))
            if op == "sum_where":
                test = OPS[expr["where"]["op"]]
                limit = to_fraction(expr["where"]["value"])
                return Fraction(sum(v for v in answered if test(v, limit)))
            missing_rule = expr.get("missing", self.default_missing)
            if n_missing and missing_rule == "none":
                return None
            if not answered:
                return None
            total = Fraction(sum(answered))
            if op == "mean":
                return total / len(answered)
            if n_missing and missing_rule == "prorate":
                most = expr.get("prorate_max")
                if most is not None and n_missing > most:
                    return None
                return total / len(answered) * len(ids)
            return total
        if op == "ratio":
            num, den = self.operand(expr["num"]), self.operand(expr["den"])
            if num is None or den is None or den == 0:
                return None
            return num / den
        if op in ("diff", "add"):
            a, b = self.operand(expr["a"]), self.operand(expr["b"])
            if a is None or b is None:
                return None
            return a - b if op == "diff" else a + b
        if op == "scale":
            src = self.operand(expr["src"])
            if src is None:
                return None
            rule = self.options.rounding.get(name) or expr.get("rounding", "none")
            return apply_rounding(src * to_fraction(expr["factor"]), rule)
        if op == "ref":
            return self.metrics.get(expr["metric"])
        raise ValueError(f"unknown op {op!r}")

    def run(self) -> dict[str, Fraction | None]:
        for name, expr in self.scale.metrics.items():
            self.metrics[name] = self.expr(expr, name)
        return self.metrics


def _subscales(scale: Scale, values: dict[int, int | None]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, sub in scale.subscales.items():
        answered: list[int] = [v for i in sub["items"] if (v := values.get(i)) is not None]
        total = Fraction(sum(answered))
        mean = total / len(answered) if answered else None
        out[name] = {
            "key": sub.get("key", name),
            "n": len(sub["items"]),
            "answered": len(answered),
            "sum": total
            if len(answered) == len(sub["items"])
            else (mean * len(sub["items"]) if mean is not None else None),
            "mean": mean,
            "aggregate": sub.get("aggregate", "mean"),
        }
    return out


def _score_of(sub: dict[str, Any]) -> Fraction | None:
    return sub["mean"] if sub["aggregate"] == "mean" else sub["sum"]


# --- bands, cut-offs, flags, conditions ---------------------------------------------------------------


def band_for(band_set: dict[str, Any], value: Fraction | None) -> dict[str, Any] | None:
    """The first range of ``band_set`` that holds ``value`` (ranges are tried in order)."""
    if value is None:
        return None
    for band in band_set["ranges"]:
        if value < to_fraction(band["min"]):
            continue
        if "max" in band and value > to_fraction(band["max"]):
            continue
        if "below" in band and value >= to_fraction(band["below"]):
            continue
        return band
    return None


def _band_out(band: dict[str, Any] | None, band_set: dict[str, Any]) -> dict[str, Any] | None:
    if band is None:
        return None
    return {
        "code": band["code"],
        "level": band["level"],
        "label": band["label"],
        "plain": band.get("plain", {}),
        "source": band_set.get("source", ""),
        "published": band_set.get("published", True),
    }


def _value_of(
    name: str, metrics: dict[str, Fraction | None], subs: dict[str, dict[str, Any]]
) -> Fraction | None:
    if name in metrics:
        return metrics[name]
    if name in subs:
        return _score_of(subs[name])
    return None


@dataclass
class _State:
    metrics: dict[str, Fraction | None]
    subs: dict[str, dict[str, Any]]
    flags: list[dict[str, Any]]
    screen_positive: bool | None
    band_levels: list[int]


def condition_met(cond: dict[str, Any], state: _State) -> bool:
    checks = []
    if "any" in cond:
        checks.append(any(condition_met(c, state) for c in cond["any"]))
    if "all" in cond:
        checks.append(all(condition_met(c, state) for c in cond["all"]))
    if "metric" in cond or "subscale" in cond:
        name = str(cond.get("metric") or cond.get("subscale"))
        value = _value_of(name, state.metrics, state.subs)
        checks.append(value is not None and OPS[cond["op"]](value, to_fraction(cond["value"])))
    if "subscales" in cond:
        spec = cond["subscales"]
        test, limit = OPS[spec["op"]], to_fraction(spec["value"])
        scores = [_score_of(sub) for sub in state.subs.values()]
        hits = sum(1 for s in scores if s is not None and test(s, limit))
        checks.append(hits >= spec.get("count", 1))
    if "flag" in cond:
        checks.append(any(f["code"] == cond["flag"] for f in state.flags))
    if "flag_severity" in cond:
        checks.append(any(f["severity"] == cond["flag_severity"] for f in state.flags))
    if "screen_positive" in cond:
        checks.append(state.screen_positive is cond["screen_positive"])
    if "band_level_at_least" in cond:
        checks.append(any(level >= cond["band_level_at_least"] for level in state.band_levels))
    return all(checks) if checks else False


def _screening(
    scale: Scale, metrics: dict[str, Fraction | None], subs: dict[str, dict[str, Any]], options: ScoreOptions
) -> dict[str, Any]:
    config = scale.screening
    if not config:
        return {"positive": None, "rules": [], "combine": "any"}
    rules_out = []
    results: list[bool | None] = []
    for rule in config["cutoffs"]:
        metric = rule["metric"]
        op = options.cutoff_ops.get(metric, rule["op"])
        if op not in OPS:
            raise ValueError(f"unknown cut-off operator {op!r}")
        test, limit = OPS[op], to_fraction(rule["value"])
        entry: dict[str, Any] = {
            "metric": metric,
            "op": op,
            "value": plain_number(limit),
            "source": rule.get("source", ""),
            "note": rule.get("note", ""),
        }
        if metric.startswith("subscales."):
            wanted = metric.split(".", 1)[1]
            names = [n for n in subs if (wanted == "*" or n == wanted) and n not in rule.get("exclude", [])]
            met_by = [n for n in names if (s := _score_of(subs[n])) is not None and test(s, limit)]
            undetermined = any(_score_of(subs[n]) is None for n in names)
            met: bool | None = bool(met_by) if (met_by or not undetermined) else None
            entry.update({"met": met, "met_by": met_by})
        else:
            value = _value_of(metric, metrics, subs)
            met = None if value is None else bool(test(value, limit))
            entry.update({"met": met, "observed": plain_number(value)})
        rules_out.append(entry)
        results.append(met)
    combine = config.get("combine", "any")
    if combine == "any":
        positive: bool | None = (
            True if any(r is True for r in results) else (None if None in results else False)
        )
    else:
        positive = False if any(r is False for r in results) else (None if None in results else True)
    return {"positive": positive, "combine": combine, "rules": rules_out, "label": config.get("label", {})}


def _flags(scale: Scale, answers: dict[int, int | None]) -> list[dict[str, Any]]:
    """Item flags on the answers as chosen (PHQ-9 item 9 ≥ 1 → urgent)."""
    raised = []
    for flag in scale.flags:
        value = answers.get(flag["item"])
        if value is None:
            continue
        if OPS[flag["op"]](to_fraction(value), to_fraction(flag["value"])):
            raised.append(
                {
                    "code": flag["code"],
                    "severity": flag["severity"],
                    "item": flag["item"],
                    "value": value,
                    "op": flag["op"],
                    "threshold": plain_number(to_fraction(flag["value"])),
                    "label": flag["label"],
                    "source": flag.get("source", ""),
                }
            )
    return raised


# --- validity ------------------------------------------------------------------------------------------


def longest_run(sequence: list[int | None]) -> tuple[int, int | None, int]:
    """Longest run of identical consecutive answers (careless::longstring): (length, value, start index)."""
    best, best_value, best_start = 0, None, 0
    run, start = 0, 0
    previous: object = object()
    for index, value in enumerate(sequence):
        if value is not None and value == previous:
            run += 1
        else:
            run, start = (1, index) if value is not None else (0, index + 1)
        previous = value
        if run > best:
            best, best_value, best_start = run, value, start
    return best, best_value, best_start


def _check(
    code: str, severity: str, raised: bool, value: Any, op: str, threshold: Any, **extra: Any
) -> dict[str, Any]:
    return {
        "code": code,
        "severity": severity,
        "raised": bool(raised),
        "value": value,
        "op": op,
        "threshold": threshold,
        **extra,
    }


def validity(
    scale: Scale,
    answers: dict[int, int | None],
    metrics: dict[str, Fraction | None],
    subs: dict[str, dict[str, Any]],
    options: ScoreOptions,
) -> dict[str, Any]:
    """Validity status with every check (raised or not) stored with its measured value and threshold.

    Hard checks make the form invalid; soft checks make it questionable, and ``soft_flags_invalid`` soft
    flags together make it invalid (e.g. straight-lining *and* answering fast).
    """
    config = scale.validity
    checks: list[dict[str, Any]] = []
    scored = scale.scored_ids
    missing = [i for i in scored if answers.get(i) is None]
    answered_n = len(scored) - len(missing)

    max_missing = config.get("max_missing", 0)
    checks.append(
        _check(
            "missing_items",
            "hard",
            len(missing) > max_missing,
            len(missing),
            ">",
            max_missing,
            items=missing,
            unit="items",
        )
    )
    if "max_subscale_missing_fraction" in config and subs:
        limit = to_fraction(config["max_subscale_missing_fraction"])
        worst_name, worst = "", Fraction(0)
        for name, sub in subs.items():
            fraction = Fraction(sub["n"] - sub["answered"], sub["n"])
            if fraction > worst:
                worst_name, worst = name, fraction
        checks.append(
            _check(
                "subscale_missing",
                "hard",
                worst > limit,
                plain_number(worst),
                ">",
                plain_number(limit),
                subscale=worst_name,
                unit="fraction of the factor's items",
            )
        )

    per_item = None
    if options.total_seconds is not None and answered_n:
        per_item = Fraction(str(options.total_seconds)) / answered_n
    elif options.item_seconds:
        timed = [options.item_seconds[i] for i in scored if i in options.item_seconds]
        if timed and answered_n:
            per_item = Fraction(str(sum(timed))) / len(timed)
    if "min_seconds_per_item" in config:
        minimum = to_fraction(config["min_seconds_per_item"])
        if per_item is None:
            checks.append(
                _check(
                    "too_fast",
                    "hard",
                    False,
                    None,
                    "<",
                    plain_number(minimum),
                    unit="seconds per item",
                    note="not timed",
                )
            )
        else:
            checks.append(
                _check(
                    "too_fast",
                    "hard",
                    per_item < minimum,
                    plain_number(per_item, 2),
                    "<",
                    plain_number(minimum),
                    unit="seconds per item",
                )
            )
            if "questionable_seconds_per_item" in config:
                slow = to_fraction(config["questionable_seconds_per_item"])
                checks.append(
                    _check(
                        "fast",
                        "soft",
                        minimum <= per_item < slow,
                        plain_number(per_item, 2),
                        "<",
                        plain_number(slow),
                        unit="seconds per item",
                    )
                )

    if "longstring_max_fraction" in config and scored:
        sequence = [answers.get(i) for i in scored]
        length, value, start = longest_run(sequence)
        fraction = Fraction(length, len(scored))
        limit = to_fraction(config["longstring_max_fraction"])
        exempt = set(config.get("longstring_exempt_values", []))
        long_run = fraction >= limit and value not in exempt and length > 1
        run_ids = scored[start : start + length]
        crosses_keys = (
            bool(scale.reverse_ids)
            and any(i in scale.reverse_ids for i in run_ids)
            and any(i not in scale.reverse_ids for i in run_ids)
        )
        checks.append(
            _check(
                "longstring",
                "soft",
                long_run and not crosses_keys,
                plain_number(fraction),
                ">=",
                plain_number(limit),
                answer=value,
                run=length,
                unit="fraction of items in one run of the same answer",
            )
        )
        if scale.reverse_ids:
            checks.append(
                _check(
                    "contradictory_longstring",
                    "hard",
                    fraction >= limit and crosses_keys and length > 1,
                    plain_number(fraction),
                    ">=",
                    plain_number(limit),
                    answer=value,
                    run=length,
                    unit="fraction of items answered the same across reverse-keyed items",
                )
            )

    pairs = config.get("antonym_pairs", [])
    if pairs:
        low, high = scale.value_range
        contradictory = [
            p
            for p in pairs
            if answers.get(p[0]) is not None
            and answers.get(p[0]) == answers.get(p[1])
            and answers.get(p[0]) in (low, high)
        ]
        fraction = Fraction(len(contradictory), len(pairs))
        limit = to_fraction(config.get("antonym_max_fraction", 0.5))
        checks.append(
            _check(
                "inconsistency",
                "hard",
                fraction > limit,
                plain_number(fraction),
                ">",
                plain_number(limit),
                pairs=contradictory,
                unit="fraction of opposite item pairs answered the same at an extreme",
            )
        )

    for extreme in config.get("extreme_metrics", []):
        observed = _value_of(extreme["metric"], metrics, subs)
        low, high = scale.value_range
        n = len(scored)
        bound = Fraction(high * n) if extreme["at"] == "max" else Fraction(low * n)
        checks.append(
            _check(
                f"extreme_{extreme['metric']}",
                "soft",
                observed is not None and observed == bound,
                plain_number(observed, 2),
                "==",
                plain_number(bound),
                unit=extreme["at"],
            )
        )

    flags = [c for c in checks if c["raised"]]
    hard = [c for c in flags if c["severity"] == "hard"]
    soft = [c for c in flags if c["severity"] == "soft"]
    soft_limit = config.get("soft_flags_invalid", 2)
    if hard or len(soft) >= soft_limit:
        status = "invalid"
    elif soft:
        status = "questionable"
    else:
        status = "valid"
    return {
        "status": status,
        "flags": flags,
        "checks": checks,
        "seconds_per_item": plain_number(per_item, 2) if per_item is not None else None,
        "timed": per_item is not None,
        "soft_flags_invalid": soft_limit,
    }


# --- the whole result -----------------------------------------------------------------------------------


def score(
    scale: Scale, answers: Mapping[Any, Any] | list[Any], options: ScoreOptions | None = None
) -> dict[str, Any]:
    """Score ``answers`` (as the person chose them) on ``scale``; a JSON-ready dict.

    Raises AnswerError for answers that do not fit the scale; missing answers are allowed (validity
    reports them).
    """
    if scale.is_external:
        raise AnswerError(f"{scale.code} is an external instrument: its results are imported, not scored")
    options = options or ScoreOptions()
    for _metric, rule in options.rounding.items():
        if rule not in ROUNDING:
            raise AnswerError(f"unknown rounding rule {rule!r} (use floor, half_up or none)")
    for metric, op in options.cutoff_ops.items():
        if op not in OPS:
            raise AnswerError(f"unknown cut-off operator {op!r} for {metric}")
    chosen = normalise_answers(scale, answers)
    values = keyed_values(scale, chosen)
    metrics = _Evaluator(scale, values, options).run()
    subs = _subscales(scale, values)
    screening = _screening(scale, metrics, subs, options)
    flags = _flags(scale, chosen)

    bands = []
    band_levels = []
    for band_set in scale.data.get("bands", []):
        value = _value_of(band_set["metric"], metrics, subs)
        band = _band_out(band_for(band_set, value), band_set)
        if band is not None:
            band_levels.append(band["level"])
        bands.append({"metric": band_set["metric"], "band": band})
    subscale_bands: dict[str, Any] = {}
    if scale.data.get("subscale_bands"):
        band_set = scale.data["subscale_bands"]
        for name, sub in subs.items():
            subscale_bands[name] = _band_out(band_for(band_set, _score_of(sub)), band_set)

    state = _State(metrics, subs, flags, screening["positive"], band_levels)
    risk_config = scale.data.get("risk", {})
    risk = risk_config.get("default", "low")
    risk_reason = ""
    for rule in risk_config.get("rules", []):
        if condition_met(rule["when"], state) and RISK_ORDER[rule["level"]] > RISK_ORDER[risk]:
            risk, risk_reason = rule["level"], rule.get("source", "")
    intervention = condition_met(scale.data["intervention"], state) if "intervention" in scale.data else False
    individual = (
        condition_met(scale.data["individual_route"], state) if "individual_route" in scale.data else False
    )
    check = validity(scale, chosen, metrics, subs, options)
    precision = {name: expr.get("precision", 4) for name, expr in scale.metrics.items()}
    primary_value = _value_of(scale.primary_metric, metrics, subs)
    return {
        "scale": scale.code,
        "version": scale.version,
        "definition_hash": scale.definition_hash,
        "answers": {str(k): v for k, v in chosen.items()},
        "answered": sum(1 for i in scale.scored_ids if chosen.get(i) is not None),
        "items": len(scale.scored_ids),
        "missing": [i for i in scale.scored_ids if chosen.get(i) is None],
        "metrics": {name: plain_number(value, precision[name]) for name, value in metrics.items()},
        "subscales": {
            name: {
                "key": sub["key"],
                "items": sub["n"],
                "answered": sub["answered"],
                "sum": plain_number(sub["sum"], 2),
                "mean": plain_number(sub["mean"], 4),
            }
            for name, sub in subs.items()
        },
        "bands": bands,
        "subscale_bands": subscale_bands,
        "screening": screening,
        "flags": flags,
        "urgent": any(f["severity"] == "urgent" for f in flags),
        "validity": check,
        "risk_level": risk,
        "risk_reason": risk_reason,
        "intervention": intervention,
        "individual_route": individual,
        "primary": {"metric": scale.primary_metric, "value": plain_number(primary_value, 4)},
        "options": options.as_dict(),
    }


def score_label(result: dict[str, Any], lang: str = DEFAULT_LANG) -> str:
    """A one-line summary such as "总均分 1.52 · 筛查阴性" (for lists)."""
    from jiaozheng.assessments.scales import get_scale

    scale = get_scale(result["scale"])
    primary = result.get("primary", {})
    label = scale.metric_label(primary.get("metric", ""), lang)
    value = primary.get("value")
    return f"{label} {value}" if value is not None else label
