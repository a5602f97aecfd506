"""Forming homogeneous counselling groups (psychometrics.md §7). Pure functions, deterministic.

Pipeline:
1. Eligibility is decided by the caller (persons flagged for intervention; urgent cases are routed to
   individual counselling and never reach this module as group candidates).
2. Hard strata: juvenile/adult (always: minors are handled apart, 社区矫正法 art. 52-58), gender, and
   optionally the offence group (jiaozheng.people.choices.OFFENCE_GROUP). A stratum smaller than the
   minimum size is merged into the most similar stratum that differs only in the optional offence group
   (relaxing that soft constraint); if there is none, its members go to the waiting list.
3. Within a stratum of n persons, k = ⌈n / max⌉ groups (feasible iff ⌈n/max⌉ ≤ k ≤ ⌊n/min⌋): sort by the
   primary mental-health level (ties: age, then id) and cut into k contiguous chunks of near-equal size
   (larger chunks first), e.g. n = 13 → [7, 6], n = 25 → [9, 8, 8].
4. Optional improvement: swaps of two members between groups of the stratum that lower the within-group
   spread of the weighted, standardised features (level, age, education). Sizes and strata never change.
5. Each group gets a profile: size, strata, level range and mean, age, education mix, common elevated
   factors and a suggested theme.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# Design: the theme a group of people with this elevated factor usually works on.
FACTOR_THEMES = {
    "depression": "情绪调适与希望感",
    "anxiety": "压力与焦虑管理",
    "hostility": "情绪与冲动管理",
    "interpersonal": "人际沟通与信任",
    "obsessive": "放松训练与正念",
    "somatization": "身心放松与健康",
    "paranoid": "信任建立与沟通",
    "phobic": "社会适应与融入",
    "other": "睡眠与规律作息",
    "psychoticism": "现实检验与支持",
}


@dataclass(frozen=True)
class Candidate:
    person_id: int
    name: str
    gender: str
    offence_group: str
    level: float  # the primary mental-health metric (e.g. SCL-90 GSI)
    age: int
    education: int  # ordinal rank (jiaozheng.people.choices.EDUCATION_RANK)
    juvenile: bool = False
    factors: tuple[str, ...] = ()  # elevated factors, for the profile
    education_label: str = ""
    offence_label: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "name": self.name,
            "gender": self.gender,
            "offence_group": self.offence_group,
            "level": self.level,
            "age": self.age,
            "education": self.education,
            "juvenile": self.juvenile,
            "factors": list(self.factors),
            "education_label": self.education_label,
            "offence_label": self.offence_label,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Candidate:
        return cls(**{**data, "factors": tuple(data.get("factors", ()))})


@dataclass(frozen=True)
class Params:
    size_min: int = 6
    size_max: int = 12
    offence_stratum: bool = False
    weights: dict[str, float] = field(default_factory=lambda: {"level": 1.0, "age": 0.5, "education": 0.5})
    improve: bool = True
    max_passes: int = 8

    def __post_init__(self) -> None:
        if self.size_min < 2 or self.size_max < self.size_min:
            raise ValueError("group sizes need 2 ≤ min ≤ max")


def feasible_k(n: int, size_min: int = 6, size_max: int = 12) -> tuple[int, int] | None:
    """The range of group counts k with ⌈n/max⌉ ≤ k ≤ ⌊n/min⌋, or None when no k exists."""
    low, high = math.ceil(n / size_max), n // size_min
    return (low, high) if n > 0 and low <= high else None


def chunk_sizes(n: int, k: int) -> list[int]:
    """k near-equal sizes adding up to n, larger first ([9, 8, 8] for n = 25, k = 3)."""
    base, extra = divmod(n, k)
    return [base + 1] * extra + [base] * (k - extra)


def sort_and_chunk(members: list[Candidate], size_min: int = 6, size_max: int = 12) -> list[list[Candidate]]:
    """Sort by level (ties: age, id) and cut into k = ⌈n/max⌉ contiguous near-equal chunks."""
    n = len(members)
    bounds = feasible_k(n, size_min, size_max)
    if bounds is None:
        raise ValueError(f"a stratum of {n} cannot be split into groups of {size_min}-{size_max}")
    ordered = sorted(members, key=lambda c: (c.level, c.age, c.person_id))
    groups, start = [], 0
    for size in chunk_sizes(n, bounds[0]):
        groups.append(ordered[start : start + size])
        start += size
    return groups


# --- strata ----------------------------------------------------------------------------------------------


def stratum_key(c: Candidate, params: Params) -> tuple[str, ...]:
    key = ("juvenile" if c.juvenile else "adult", c.gender)
    return key + ((c.offence_group,) if params.offence_stratum else ())


def _mean_level(members: list[Candidate]) -> float:
    return statistics.fmean(c.level for c in members) if members else 0.0


def build_strata(
    candidates: list[Candidate], params: Params
) -> tuple[dict[tuple[str, ...], list[Candidate]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Strata after merging small ones; returns (strata, merges, waitlist entries)."""
    strata: dict[tuple[str, ...], list[Candidate]] = {}
    for c in sorted(candidates, key=lambda c: c.person_id):
        strata.setdefault(stratum_key(c, params), []).append(c)
    merges: list[dict[str, Any]] = []
    waitlist: list[dict[str, Any]] = []
    while True:
        small = sorted(
            (k for k, v in strata.items() if len(v) < params.size_min), key=lambda k: (len(strata[k]), k)
        )
        if not small:
            break
        key = small[0]
        # only the optional offence stratum may be relaxed: partners share juvenile status and gender
        partners = [k for k in strata if k != key and k[:2] == key[:2]]
        if not partners:
            removed = strata.pop(key)
            for c in removed:
                waitlist.append(
                    {
                        "person_id": c.person_id,
                        "reason": "too_few",
                        "stratum": list(key),
                        "stratum_size": len(removed),
                    }
                )
            merges.append({"from": list(key), "into": None, "n": len(removed)})
            continue
        level = _mean_level(strata[key])
        target = min(partners, key=lambda k: (abs(_mean_level(strata[k]) - level), -len(strata[k]), k))
        moved = strata.pop(key)
        merged_key = _merge_key(target, key)
        strata[merged_key] = strata.pop(target) + moved
        merges.append({"from": list(key), "into": list(target), "as": list(merged_key), "n": len(moved)})
    return strata, merges, waitlist


def _merge_key(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    if len(a) < 3:
        return a
    offences = sorted(set(a[2].split("+")) | set(b[2].split("+")))
    return a[:2] + ("+".join(offences),)


# --- improvement by swaps -----------------------------------------------------------------------------------


def _features(members: list[Candidate], weights: dict[str, float]) -> dict[int, tuple[float, ...]]:
    names = [n for n in ("level", "age", "education") if weights.get(n, 0) > 0]
    out: dict[int, list[float]] = {c.person_id: [] for c in members}
    for name in names:
        values = [float(getattr(c, name)) for c in members]
        mean = statistics.fmean(values)
        sd = statistics.pstdev(values) or 1.0
        for c, v in zip(members, values, strict=True):
            out[c.person_id].append(weights[name] * (v - mean) / sd)
    return {k: tuple(v) for k, v in out.items()}


def _sse(points: list[tuple[float, ...]]) -> float:
    if not points:
        return 0.0
    dims = len(points[0])
    total = 0.0
    for d in range(dims):
        values = [p[d] for p in points]
        mean = sum(values) / len(values)
        total += sum((v - mean) ** 2 for v in values)
    return total


def improve(groups: list[list[Candidate]], params: Params) -> list[list[Candidate]]:
    """Swap members between groups while the total within-group spread falls (sizes never change)."""
    if len(groups) < 2:
        return groups
    members = [c for g in groups for c in g]
    feats = _features(members, params.weights)
    if not feats or not next(iter(feats.values())):
        return groups
    groups = [list(g) for g in groups]
    cost = [_sse([feats[c.person_id] for c in g]) for g in groups]
    for _ in range(params.max_passes):
        changed = False
        for gi in range(len(groups)):
            for gj in range(gi + 1, len(groups)):
                for ai in range(len(groups[gi])):
                    for bj in range(len(groups[gj])):
                        a, b = groups[gi][ai], groups[gj][bj]
                        new_i = groups[gi][:ai] + [b] + groups[gi][ai + 1 :]
                        new_j = groups[gj][:bj] + [a] + groups[gj][bj + 1 :]
                        ci = _sse([feats[c.person_id] for c in new_i])
                        cj = _sse([feats[c.person_id] for c in new_j])
                        if ci + cj < cost[gi] + cost[gj] - 1e-9:
                            groups[gi], groups[gj] = new_i, new_j
                            cost[gi], cost[gj] = ci, cj
                            changed = True
        if not changed:
            break
    return [sorted(g, key=lambda c: (c.level, c.age, c.person_id)) for g in groups]


# --- profiles -----------------------------------------------------------------------------------------------


def profile(members: list[Candidate]) -> dict[str, Any]:
    levels = [c.level for c in members]
    ages = [c.age for c in members]
    education = Counter(c.education_label or str(c.education) for c in members)
    offences = Counter(c.offence_label or c.offence_group for c in members)
    genders = Counter(c.gender for c in members)
    factors = Counter(f for c in members for f in c.factors)
    common = [f for f, n in factors.most_common() if n * 2 >= len(members)][:3] or [
        f for f, _n in factors.most_common(2)
    ]
    return {
        "size": len(members),
        "genders": dict(genders),
        "juvenile": any(c.juvenile for c in members),
        "level_min": round(min(levels), 2),
        "level_max": round(max(levels), 2),
        "level_mean": round(statistics.fmean(levels), 2),
        "level_sd": round(statistics.pstdev(levels), 3),
        "age_min": min(ages),
        "age_max": max(ages),
        "age_mean": round(statistics.fmean(ages), 1),
        "education": dict(education.most_common()),
        "offences": dict(offences.most_common()),
        "factors": dict(factors.most_common()),
        "common_factors": common,
        "theme": "、".join(FACTOR_THEMES.get(f, f) for f in common[:2]) or "心理健康与适应",
    }


@dataclass
class Proposal:
    groups: list[dict[str, Any]]
    waitlist: list[dict[str, Any]]
    merges: list[dict[str, Any]]
    params: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "groups": self.groups,
            "waitlist": self.waitlist,
            "merges": self.merges,
            "params": self.params,
        }


def form_groups(candidates: list[Candidate], params: Params | None = None) -> Proposal:
    """Propose groups for ``candidates``; every group is within the size bounds and one stratum."""
    params = params or Params()
    ids = [c.person_id for c in candidates]
    if len(ids) != len(set(ids)):
        raise ValueError("a person appears more than once among the candidates")
    strata, merges, waitlist = build_strata(candidates, params)
    groups: list[dict[str, Any]] = []
    for key in sorted(strata):
        members = strata[key]
        chunks = sort_and_chunk(members, params.size_min, params.size_max)
        if params.improve:
            chunks = improve(chunks, params)
        for chunk in chunks:
            groups.append(
                {
                    "stratum": list(key),
                    "members": [c.person_id for c in chunk],
                    "profile": profile(chunk),
                }
            )
    groups.sort(key=lambda g: (g["stratum"], g["profile"]["level_mean"]))
    for i, g in enumerate(groups, 1):
        g["number"] = i
    return Proposal(
        groups=groups,
        waitlist=waitlist,
        merges=merges,
        params={
            "size_min": params.size_min,
            "size_max": params.size_max,
            "offence_stratum": params.offence_stratum,
            "weights": dict(params.weights),
            "improve": params.improve,
        },
    )


def within_sd(groups: list[list[float]]) -> float:
    """Mean within-group standard deviation (quality metric)."""
    return statistics.fmean(statistics.pstdev(g) for g in groups if g)
