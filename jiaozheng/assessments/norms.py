"""Norms: the built-in norms of the scale files and the agency's local norms, and comparison with them.

A norm is {metric or subscale: [mean, SD]} with its n, source and variant. A report states which norm it
used; comparison gives z = (x − M) / SD and T = 50 + 10z for each metric the norm carries
(psychometrics.md §1.3).
"""

from __future__ import annotations

import math
import re
import statistics
from typing import Any

from jiaozheng.assessments.scales import DEFAULT_LANG, Scale, get_scale
from jiaozheng.assessments.scoring import plain_number, round_half_up, to_fraction

CITATION_TAG = re.compile(r"\s*(\[S\d+[a-z]?\])+")


def officer_text(text: str) -> str:
    """A source as printed for an officer: without the research notes' citation tags ([S30])."""
    return CITATION_TAG.sub("", text or "").strip()


def criterion_referenced(scale: Scale) -> bool:
    """A scale read against its published cut-offs (PHQ-9, GAD-7 ...), not against a norm."""
    return not scale.norms and bool(
        (scale.data.get("screening") or {}).get("cutoffs") or scale.data.get("bands")
    )


def cutoff_sources(scale: Scale) -> list[str]:
    """The published cut-offs and severity bands a criterion-referenced report is read against."""
    out = []
    for cutoff in (scale.data.get("screening") or {}).get("cutoffs", []):
        if cutoff.get("source"):
            out.append(officer_text(cutoff["source"]))
    for band in scale.data.get("bands", []):
        if band.get("source") and band.get("published", True):
            out.append(officer_text(band["source"]))
    return out


def _builtin(scale: Scale, norm: dict[str, Any], lang: str) -> dict[str, Any]:
    label = norm["label"].get("zh-hans" if not lang.startswith("en") else "en") or norm["label"]["zh-hans"]
    return {
        "code": norm["id"],
        "kind": "builtin",
        "label": label,
        "source": officer_text(norm["source"]),
        "n": norm.get("n"),
        "variant": norm.get("variant", ""),
        "variant_note": norm.get("variant_note", ""),
        "verified": norm.get("verified", True),
        "values": norm["values"],
        "scale": scale.code,
        "date_range": "",
    }


def _local(norm: Any) -> dict[str, Any]:
    return {
        "code": norm.code,
        "kind": "local",
        "label": norm.label,
        "source": f"本机构有效测评 {norm.date_from:%Y-%m-%d} ~ {norm.date_to:%Y-%m-%d}",
        "n": norm.n,
        "variant": "",
        "variant_note": "",
        "verified": True,
        "values": norm.values,
        "scale": norm.scale_code,
        "date_range": f"{norm.date_from:%Y-%m-%d} ~ {norm.date_to:%Y-%m-%d}",
        "county_id": norm.county_id,
    }


def available_norms(scale_code: str, county: Any = None, lang: str = DEFAULT_LANG) -> list[dict[str, Any]]:
    """Built-in norms of the scale, then the active local norms of the county (and agency-wide ones)."""
    from django.db.models import Q

    from jiaozheng.assessments.models import LocalNorm

    scale = get_scale(scale_code)
    out = [_builtin(scale, n, lang) for n in scale.norms]
    county_id = getattr(county, "pk", county)
    locals_ = LocalNorm.objects.filter(scale_code=scale_code, active=True)
    locals_ = locals_.filter(Q(county__isnull=True) | Q(county_id=county_id)) if county_id else locals_
    out.extend(_local(n) for n in locals_.order_by("-built_at"))
    return out


def find_norm(
    scale_code: str, code: str, county: Any = None, lang: str = DEFAULT_LANG
) -> dict[str, Any] | None:
    for norm in available_norms(scale_code, county, lang):
        if norm["code"] == code:
            return norm
    return None


def default_norm(scale_code: str, county: Any = None, lang: str = DEFAULT_LANG) -> dict[str, Any] | None:
    """The county's chosen norm (rule assessments.default_norms), else the scale file's default."""
    from jiaozheng.core.rules import rule

    norms = available_norms(scale_code, county, lang)
    if not norms:
        return None
    chosen = (rule("assessments.default_norms", county) or {}).get(scale_code)
    for norm in norms:
        if norm["code"] == chosen:
            return norm
    scale = get_scale(scale_code)
    for raw, norm in zip(scale.norms, norms, strict=False):
        if raw.get("default"):
            return norm
    return norms[0]


def compare(
    result: dict[str, Any], norm: dict[str, Any] | None, lang: str = DEFAULT_LANG
) -> list[dict[str, Any]]:
    """Rows of (metric, value, M, SD, z, T) for every metric or subscale the norm carries."""
    if not norm:
        return []
    scale = get_scale(result["scale"])
    rows = []
    names = list(result.get("subscales", {})) + list(result.get("metrics", {}))
    for name in names:
        if name not in norm["values"]:
            continue
        if name in result.get("subscales", {}):
            value = result["subscales"][name]["mean"]
        else:
            value = result["metrics"][name]
        mean, sd = norm["values"][name]
        z = None
        t = None
        if value is not None and sd:
            zf = (to_fraction(value) - to_fraction(mean)) / to_fraction(sd)
            z = float(round_half_up(zf, 2))
            t = float(round_half_up(50 + 10 * zf, 1))
        rows.append(
            {
                "metric": name,
                "label": scale.metric_label(name, lang),
                "is_subscale": name in result.get("subscales", {}),
                "value": value,
                "mean": mean,
                "sd": sd,
                "z": z,
                "t": t,
                "above": z is not None and z > 0,
                "above_1sd": z is not None and z >= 1,
                "above_2sd": z is not None and z >= 2,
            }
        )
    return rows


def build_values(scale: Scale, results: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Mean and sample SD of every metric and subscale mean over ``results`` (valid assessments)."""
    series: dict[str, list[float]] = {}
    for result in results:
        for name, sub in result.get("subscales", {}).items():
            if sub.get("mean") is not None:
                series.setdefault(name, []).append(float(sub["mean"]))
        for name, value in result.get("metrics", {}).items():
            if value is not None:
                series.setdefault(name, []).append(float(value))
    values: dict[str, list[Any]] = {}
    for name, data in series.items():
        if len(data) < 2:
            continue
        mean = statistics.fmean(data)
        sd = statistics.stdev(data)
        if sd <= 0 or math.isnan(sd):
            continue
        values[name] = [
            plain_number(to_fraction(str(mean)), 2 if mean > 10 else 4),
            plain_number(to_fraction(str(sd)), 2 if sd > 10 else 4),
        ]
    return values
