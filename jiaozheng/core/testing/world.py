"""The standard test world: two counties, three squadrons, two providers, a persona for every role.

    province 湖南省 -> city 怀化市 -> county X (squadrons A and B) and county Y (squadron C)
    provider P1 serves county X (contract), provider P2 serves county Y

Personas (all in county X unless named otherwise):
    bureau_admin, bureau_officer (county X), squadron_officer (A), social_worker (A), social_worker_b (B),
    counsellor (county X), supervisor (P1), auditor (county X), subject (bound to person ``subject_person``
    in A), bureau_officer_y (county Y), supervisor_y (P2).
Persons: person_a (A), person_b (B), person_y (Y), subject_person (A), juvenile_a (A).

``make_world()`` builds it in a few hundred queries; tests get it from the ``world`` fixture.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from jiaozheng.core.context import acting_as
from jiaozheng.core.demo import make_id_number
from jiaozheng.core.roles import Role

PASSWORD = "Test-pass-2026"
_counter = itertools.count(1)


@dataclass
class World:
    province: Any
    city: Any
    county_x: Any
    county_y: Any
    squadron_a: Any
    squadron_b: Any
    squadron_c: Any
    township_a: Any
    village_a: Any
    township_b: Any
    township_c: Any
    provider_1: Any
    provider_2: Any
    contract_x: Any
    contract_y: Any
    users: dict[str, Any] = field(default_factory=dict)
    persons: dict[str, Any] = field(default_factory=dict)
    system: Any = None

    def __getattr__(self, name: str) -> Any:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        persons = self.__dict__.get("persons", {})
        if name in persons:
            return persons[name]
        raise AttributeError(name)

    @property
    def personas(self) -> dict[str, Any]:
        return dict(self.users)

    def squadron(self, where: str) -> Any:
        return {"A": self.squadron_a, "B": self.squadron_b, "Y": self.squadron_c}[where]

    def county(self, where: str) -> Any:
        return self.county_y if where == "Y" else self.county_x

    def person(self, where: str) -> Any:
        return {"A": self.person_a, "B": self.person_b, "Y": self.person_y, "subject": self.subject_person}[
            where
        ]


def person_data(
    *,
    squadron: Any,
    township: Any = None,
    name: str | None = None,
    gender: str = "male",
    age: int = 35,
    intake_days_ago: int = 200,
    **overrides: Any,
) -> dict[str, Any]:
    """Valid registration data for a test person (unique ID number every call)."""
    import random

    today = timezone.localdate()
    n = next(_counter)
    # distinct birth dates make distinct, valid ID numbers (no random collisions between test persons)
    birth = today - dt.timedelta(days=age * 365 + 100 + n % 250)
    rng = random.Random(n)
    county_code = squadron.county.code or "431224"
    started = today - dt.timedelta(days=(intake_days_ago or 0) + 3)
    data = {
        "name": name or f"测试{n}",
        "gender": gender,
        "birth_date": birth,
        "ethnicity": "01",
        "id_number": make_id_number(county_code, birth, gender, rng),
        "phone": f"138{n:08d}"[-11:],
        "education": "junior_secondary",
        "employment": "farming",
        "address": "测试地址1号",
        "squadron": squadron,
        "township": township,
        "correction_type": "probation",
        "offence_category": "dangerous_driving",
        "term_start": started,
        "term_end": today + dt.timedelta(days=365),
        "judgment_effective_on": started,
        "intake_on": today - dt.timedelta(days=intake_days_ago) if intake_days_ago is not None else None,
        "supervision_class": "ordinary",
    }
    data.update(overrides)
    return data


def make_world() -> World:
    from jiaozheng.contracts.models import Contract
    from jiaozheng.orgs.models import OrgUnit
    from jiaozheng.orgs.services import provider_create, system_user, unit_create, user_create
    from jiaozheng.people.services import person_create

    system = system_user()
    with acting_as(system, "cli"):
        K = OrgUnit.Kind
        province = unit_create(actor=system, kind=K.PROVINCE, name="湖南省", code="430000")
        city = unit_create(actor=system, kind=K.CITY, name="怀化市", code="431200", parent=province)
        county_x = unit_create(
            actor=system,
            kind=K.COUNTY,
            name="溆浦县",
            code="431224",
            parent=city,
            boundary_code="431224",
            agency_name="溆浦县社区矫正管理局",
            bureau_name="溆浦县司法局",
        )
        county_y = unit_create(
            actor=system,
            kind=K.COUNTY,
            name="沅陵县",
            code="431222",
            parent=city,
            boundary_code="431222",
            agency_name="沅陵县社区矫正管理局",
            bureau_name="沅陵县司法局",
        )
        squadron_a = unit_create(actor=system, kind=K.SQUADRON, name="卢峰中队", parent=county_x)
        squadron_b = unit_create(
            actor=system, kind=K.SQUADRON, name="龙潭中队", parent=county_x, sort_order=1
        )
        squadron_c = unit_create(actor=system, kind=K.SQUADRON, name="沅陵中队", parent=county_y)
        township_a = unit_create(
            actor=system,
            kind=K.TOWNSHIP,
            name="卢峰镇",
            parent=squadron_a,
            latitude=27.908,
            longitude=110.595,
        )
        village_a = unit_create(actor=system, kind=K.VILLAGE, name="城东社区", parent=township_a)
        township_b = unit_create(
            actor=system, kind=K.TOWNSHIP, name="龙潭镇", parent=squadron_b, latitude=27.56, longitude=110.80
        )
        township_c = unit_create(
            actor=system, kind=K.TOWNSHIP, name="沅陵镇", parent=squadron_c, latitude=28.45, longitude=110.39
        )
        provider_1 = provider_create(actor=system, name="湖南省德馨社会工作服务中心", short_name="德馨社工")
        provider_2 = provider_create(actor=system, name="怀化市阳光社会工作服务中心", short_name="阳光社工")
        year = timezone.localdate().year
        contract_x = Contract.objects.create(
            code="X-1",
            name="X 县购买服务",
            buyer=county_x,
            provider=provider_1,
            start_on=dt.date(year, 1, 1),
            end_on=dt.date(year, 12, 31),
            budget_amount=891000,
            contract_amount=890980,
        )
        contract_x.counties.add(county_x)
        contract_y = Contract.objects.create(
            code="Y-1",
            name="Y 县购买服务",
            buyer=county_y,
            provider=provider_2,
            start_on=dt.date(year, 1, 1),
            end_on=dt.date(year, 12, 31),
            budget_amount=500000,
            contract_amount=500000,
        )
        contract_y.counties.add(county_y)
        world = World(
            province,
            city,
            county_x,
            county_y,
            squadron_a,
            squadron_b,
            squadron_c,
            township_a,
            village_a,
            township_b,
            township_c,
            provider_1,
            provider_2,
            contract_x,
            contract_y,
            system=system,
        )
        staff = [
            ("bureau_admin", Role.BUREAU_ADMIN, [county_x], None, {}),
            ("bureau_officer", Role.BUREAU_OFFICER, [county_x], None, {}),
            ("squadron_officer", Role.SQUADRON_OFFICER, [squadron_a], None, {}),
            ("social_worker", Role.SOCIAL_WORKER, [squadron_a], provider_1, {}),
            ("social_worker_b", Role.SOCIAL_WORKER, [squadron_b], provider_1, {}),
            ("counsellor", Role.COUNSELLOR, [county_x], provider_1, {}),
            ("supervisor", Role.SUPERVISOR, [], provider_1, {}),
            ("auditor", Role.AUDITOR, [county_x], None, {}),
            ("bureau_officer_y", Role.BUREAU_OFFICER, [county_y], None, {}),
            ("supervisor_y", Role.SUPERVISOR, [], provider_2, {}),
        ]
        for username, role, units, provider, extra in staff:
            world.users[username] = user_create(
                actor=system,
                username=username,
                role=role,
                full_name=username,
                password=PASSWORD,
                provider=provider,
                units=units,
                validate=False,
                **extra,
            )
        officer = world.users["bureau_admin"]
        world.persons["person_a"] = person_create(
            actor=officer,
            data=person_data(
                squadron=squadron_a,
                township=township_a,
                name="甲某",
                home_latitude=27.91,
                home_longitude=110.60,
            ),
        )
        world.persons["person_b"] = person_create(
            actor=officer,
            data=person_data(
                squadron=squadron_b,
                township=township_b,
                name="乙某",
                home_latitude=27.56,
                home_longitude=110.80,
            ),
        )
        world.persons["subject_person"] = person_create(
            actor=officer,
            data=person_data(squadron=squadron_a, township=township_a, name="本人", gender="female"),
        )
        world.persons["juvenile_a"] = person_create(
            actor=officer, data=person_data(squadron=squadron_a, township=township_a, name="少年", age=16)
        )
        officer_y = world.users["bureau_officer_y"]
        world.persons["person_y"] = person_create(
            actor=officer_y, data=person_data(squadron=squadron_c, township=township_c, name="丙某")
        )
        world.users["subject"] = user_create(
            actor=system,
            username="subject",
            role=Role.SUBJECT,
            full_name="本人",
            password=PASSWORD,
            person=world.persons["subject_person"],
            validate=False,
        )
    return world


# Which personas see objects placed in squadron A of county X, and which do not.
IN_SCOPE_OF_A = (
    "bureau_admin",
    "bureau_officer",
    "squadron_officer",
    "social_worker",
    "counsellor",
    "supervisor",
    "auditor",
)
OUT_OF_SCOPE_OF_A = ("social_worker_b", "bureau_officer_y", "supervisor_y")
