"""Synthetic data at provincial and national scale, for benchmarks (never for the demo).

``generate_province(persons=35000)`` builds a province of ~120 counties (5 squadrons each, 3 townships per
squadron), staff in every county and ``persons`` persons in correction, with bulk inserts and encrypted
identity fields, in a few minutes. Modules with high-volume data (location fixes) provide their own
generators that take the persons created here.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from jiaozheng.core.demo import make_id_number
from jiaozheng.core.fields import blind_index


@dataclass
class Province:
    province: Any
    counties: list[Any] = field(default_factory=list)
    squadrons: list[Any] = field(default_factory=list)
    person_ids: list[int] = field(default_factory=list)
    users: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def _unit(OrgUnit: Any, kind: str, name: str, parent: Any, **extra: Any) -> Any:
    unit = OrgUnit(kind=kind, name=name, parent=parent, **extra)
    unit.save()
    return unit


def generate_province(
    *, persons: int = 35000, counties: int = 120, seed: int = 7, name: str = "合成省", code: str = "990000"
) -> Province:
    from jiaozheng.orgs.models import Assignment, OrgUnit, User
    from jiaozheng.people.models import Person

    started = time.monotonic()
    rng = random.Random(seed)
    today = timezone.localdate()
    K = OrgUnit.Kind
    with transaction.atomic():
        province = _unit(OrgUnit, K.PROVINCE, name, None, code=code)
        result = Province(province=province)
        cities = [
            _unit(OrgUnit, K.CITY, f"{name}第{i + 1}市", province, code=f"{code[:2]}{i + 1:02d}00")
            for i in range(max(1, counties // 9))
        ]
        for c in range(counties):
            city = cities[c % len(cities)]
            county = _unit(
                OrgUnit,
                K.COUNTY,
                f"{city.name}第{c + 1}县",
                city,
                code=f"{code[:2]}{c:04d}",
                agency_name=f"第{c + 1}县社区矫正管理局",
            )
            result.counties.append(county)
            for s in range(5):
                squadron = _unit(OrgUnit, K.SQUADRON, f"第{s + 1}中队", county, sort_order=s)
                result.squadrons.append(squadron)
                for t in range(3):
                    _unit(
                        OrgUnit,
                        K.TOWNSHIP,
                        f"第{s * 3 + t + 1}镇",
                        squadron,
                        latitude=27 + rng.random(),
                        longitude=110 + rng.random(),
                    )
        password = make_password("Bench-2026-pass")
        users = []
        for i in range(len(result.counties)):
            users.append(
                User(
                    username=f"bench_{code}_admin_{i}",
                    role="bureau_admin",
                    full_name="局管理员",
                    password=password,
                )
            )
            users.append(
                User(
                    username=f"bench_{code}_officer_{i}",
                    role="bureau_officer",
                    full_name="局工作人员",
                    password=password,
                )
            )
        users.append(
            User(username=f"bench_{code}_sw_0", role="social_worker", full_name="社工", password=password)
        )
        User.objects.bulk_create(users, batch_size=500)
        by_name = {u.username: u for u in User.objects.filter(username__startswith=f"bench_{code}_")}
        assignments = [
            Assignment(user=by_name[f"bench_{code}_admin_{i}"], unit=county)
            for i, county in enumerate(result.counties)
        ]
        assignments += [
            Assignment(user=by_name[f"bench_{code}_officer_{i}"], unit=county)
            for i, county in enumerate(result.counties)
        ]
        assignments.append(Assignment(user=by_name[f"bench_{code}_sw_0"], unit=result.squadrons[0]))
        Assignment.objects.bulk_create(assignments)
        result.users = {
            "admin": by_name[f"bench_{code}_admin_0"],
            "officer": by_name[f"bench_{code}_officer_0"],
            "social_worker": by_name[f"bench_{code}_sw_0"],
        }
        townships: dict[int, list[Any]] = {}
        for unit in OrgUnit.objects.filter(kind=K.TOWNSHIP, path__startswith=province.path):
            townships.setdefault(unit.squadron_id, []).append(unit)
        batch: list[Any] = []
        last_case = 0
        for n in range(persons):
            squadron = result.squadrons[n % len(result.squadrons)]
            birth = dt.date(1960, 1, 1) + dt.timedelta(days=n % 14000)
            gender = "male" if rng.random() < 0.88 else "female"
            id_number = make_id_number("990000", birth, gender, rng)
            phone = f"13{n:09d}"[:11]
            start = today - dt.timedelta(days=rng.randrange(5, 700))
            last_case += 1
            batch.append(
                Person(
                    case_number=f"BENCH-{code}-{last_case:07d}",
                    name=f"合成{n}",
                    gender=gender,
                    birth_date=birth,
                    id_number=id_number,
                    id_index=blind_index(id_number),
                    id_tail=id_number[-4:],
                    phone=phone,
                    phone_index=blind_index(phone),
                    phone_tail=phone[-4:],
                    education="junior_secondary",
                    employment="farming",
                    address="合成地址",
                    county_id=squadron.county_id,
                    squadron=squadron,
                    township=rng.choice(townships[squadron.pk]),
                    home_latitude=27 + rng.random(),
                    home_longitude=110 + rng.random(),
                    correction_type="probation",
                    offence_category=rng.choice(
                        ["dangerous_driving", "theft", "fraud", "intentional_injury"]
                    ),
                    term_start=start,
                    term_end=start + dt.timedelta(days=rng.randrange(400, 1500)),
                    intake_on=start + dt.timedelta(days=3),
                    supervision_class=rng.choice(["strict", "ordinary", "lenient"]),
                    status="in_correction",
                )
            )
            if len(batch) >= 2000:
                _flush(Person, batch)
                batch = []
        _flush(Person, batch)
        result.person_ids = list(
            Person.objects.filter(case_number__startswith=f"BENCH-{code}-").values_list("pk", flat=True)
        )
    result.seconds = time.monotonic() - started
    return result


def _flush(Person: Any, batch: list[Any]) -> None:
    if batch:
        Person.objects.bulk_create(batch, batch_size=1000)  # the encrypted fields encrypt on the way in
