"""Group formation (psychometrics.md §7, §8.4): feasibility, sort-and-chunk sizes, bounds, strata, quality."""

from __future__ import annotations

import random
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiaozheng.counselling.grouping import (
    Candidate,
    Params,
    chunk_sizes,
    feasible_k,
    form_groups,
    sort_and_chunk,
    within_sd,
)


def people(n, *, gender="male", offence="traffic", seed=1, start=1, juvenile=False):
    rng = random.Random(seed)
    return [
        Candidate(
            person_id=start + i,
            name=f"p{start + i}",
            gender=gender,
            offence_group=offence,
            level=round(rng.uniform(1.5, 3.5), 2),
            age=rng.randint(20, 65),
            education=rng.randint(0, 6),
            juvenile=juvenile,
            factors=tuple(rng.sample(["depression", "anxiety", "hostility", "interpersonal"], 2)),
        )
        for i in range(n)
    ]


@pytest.mark.parametrize(
    ("n", "expected"), [(5, None), (6, (1, 1)), (12, (1, 2)), (13, (2, 2)), (25, (3, 4)), (1, None)]
)
def test_feasibility_rule(n, expected):
    # ⌈n/12⌉ ≤ k ≤ ⌊n/6⌋ (§7); n = 5 is infeasible
    assert feasible_k(n) == expected


@pytest.mark.parametrize(("n", "sizes"), [(6, [6]), (12, [12]), (13, [7, 6]), (25, [9, 8, 8])])
def test_sort_and_chunk_sizes_of_the_specification(n, sizes):
    groups = sort_and_chunk(people(n))
    assert [len(g) for g in groups] == sizes
    # contiguous chunks of the level order
    flat = [c.level for g in groups for c in g]
    assert flat == sorted(flat)


def test_a_stratum_of_five_cannot_be_split():
    with pytest.raises(ValueError, match="cannot be split"):
        sort_and_chunk(people(5))


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=6, max_value=400), st.integers(min_value=2, max_value=8))
def test_property_chunk_sizes_respect_the_bounds_whenever_feasible(n, size_min):
    from hypothesis import assume

    assume(n >= size_min)
    size_max = size_min * 2
    bounds = feasible_k(n, size_min, size_max)
    assert bounds is not None  # some k exists for every n ≥ min when max = 2 × min
    sizes = chunk_sizes(n, bounds[0])
    assert sum(sizes) == n
    assert all(size_min <= s <= size_max for s in sizes)
    assert max(sizes) - min(sizes) <= 1


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["male", "female"]),
            st.sampled_from(["traffic", "property", "violent"]),
            st.booleans(),
        ),
        min_size=0,
        max_size=90,
    )
)
def test_property_groups_respect_bounds_and_hard_strata(specs):
    candidates = [
        Candidate(
            person_id=i + 1,
            name=str(i),
            gender=g,
            offence_group=o,
            level=1 + (i * 7 % 23) / 10,
            age=20 + i % 40,
            education=i % 7,
            juvenile=j and i % 5 == 0,
        )
        for i, (g, o, j) in enumerate(specs)
    ]
    proposal = form_groups(candidates, Params(offence_stratum=True))
    by_id = {c.person_id: c for c in candidates}
    placed = [pid for g in proposal.groups for pid in g["members"]] + [
        w["person_id"] for w in proposal.waitlist
    ]
    # every candidate is placed once: in one group or on the waiting list
    assert sorted(placed) == sorted(by_id)
    for group in proposal.groups:
        members = [by_id[pid] for pid in group["members"]]
        # size bounds
        assert 6 <= len(members) <= 12
        # hard strata: one gender, juveniles never with adults; offence groups only as the stratum allows
        assert len({c.gender for c in members}) == 1
        assert len({c.juvenile for c in members}) == 1
        allowed = set(group["stratum"][2].split("+"))
        assert {c.offence_group for c in members} <= allowed


def test_small_strata_merge_on_the_soft_constraint_only_and_never_across_gender():
    # given 14 men with traffic offences, 4 men with property offences, and 4 women
    men = people(14, offence="traffic", seed=2) + people(4, offence="property", seed=3, start=100)
    women = people(4, gender="female", seed=4, start=200)
    proposal = form_groups(men + women, Params(offence_stratum=True))
    # then the 4 property men join the traffic men (offence relaxed), and the 4 women wait (gender is hard)
    assert sorted(len(g["members"]) for g in proposal.groups) == [9, 9]
    assert {w["person_id"] for w in proposal.waitlist} == {200, 201, 202, 203}
    assert proposal.waitlist[0]["reason"] == "too_few"
    assert any(
        m["from"] == ["adult", "male", "property"] and m["into"] == ["adult", "male", "traffic"]
        for m in proposal.merges
    )


def test_groups_are_more_homogeneous_than_random_partitions_of_the_same_sizes():
    candidates = people(60, seed=7)
    proposal = form_groups(candidates)
    by_id = {c.person_id: c for c in candidates}
    levels = [[by_id[pid].level for pid in g["members"]] for g in proposal.groups]
    sizes = [len(g) for g in levels]
    rng = random.Random(1)
    random_sds = []
    for _ in range(200):
        shuffled = [c.level for c in candidates]
        rng.shuffle(shuffled)
        parts, start = [], 0
        for size in sizes:
            parts.append(shuffled[start : start + size])
            start += size
        random_sds.append(within_sd(parts))
    assert within_sd(levels) < statistics.fmean(random_sds) / 2


def test_the_proposal_is_deterministic_and_explains_each_group():
    candidates = people(30, seed=9)
    first = form_groups(candidates).as_dict()
    assert first == form_groups(list(reversed(candidates))).as_dict()
    group = first["groups"][0]["profile"]
    assert {
        "size",
        "level_min",
        "level_max",
        "level_mean",
        "age_mean",
        "education",
        "common_factors",
        "theme",
    } <= set(group)
    assert group["level_min"] <= group["level_mean"] <= group["level_max"]


def test_params_are_checked():
    with pytest.raises(ValueError):
        Params(size_min=8, size_max=6)


def test_a_person_listed_twice_is_refused():
    twice = people(6) + people(1)
    with pytest.raises(ValueError, match="more than once"):
        form_groups(twice)
