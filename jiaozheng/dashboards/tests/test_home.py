"""Home pages per role: what each shows, and a query count that does not grow with the caseload."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiaozheng.people.models import Person

pytestmark = pytest.mark.django_db
STAFF = [
    "bureau_admin",
    "bureau_officer",
    "squadron_officer",
    "social_worker",
    "counsellor",
    "supervisor",
    "auditor",
]


def _grow(world, total: int) -> None:
    """Bulk-add persons in correction to squadron A until the county holds ``total``."""
    have = Person.objects.filter(county=world.county_x).count()
    today = timezone.localdate()
    batch = []
    for n in range(have, total):
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=n)
        start = today - dt.timedelta(days=30 + n % 600)
        batch.append(
            Person(
                case_number=f"GROW-{n:06d}",
                name=f"增{n}",
                gender="male",
                birth_date=birth,
                id_number=f"GROW{n:014d}",
                id_index=f"grow{n}",
                id_tail=f"{n % 10000:04d}",
                education="primary",
                employment="farming",
                address="地址",
                county=world.county_x,
                squadron=world.squadron_a,
                township=world.township_a,
                correction_type="probation",
                offence_category="theft",
                term_start=start,
                term_end=start + dt.timedelta(days=900),
                intake_on=start + dt.timedelta(days=2),
                supervision_class=["strict", "ordinary", "lenient"][n % 3],
                status="in_correction",
            )
        )
    Person.objects.bulk_create(batch, batch_size=1000)


def _queries(client, path="/") -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def test_each_staff_home_page_makes_the_same_number_of_queries_for_50_and_5000_persons(world, client):
    clients = {}
    for name in STAFF:
        from django.test import Client

        clients[name] = Client()
        clients[name].force_login(getattr(world, name))
        clients[name].get("/")  # warm up: session, rule caches, contract evaluations
    _grow(world, 50)
    small = {name: _queries(c) for name, c in clients.items()}
    _grow(world, 5000)
    large = {name: _queries(c) for name, c in clients.items()}
    assert small == large


def test_the_supervised_persons_phone_home_is_constant_too(world, client):
    client.force_login(world.subject)
    client.get("/me/")
    _grow(world, 50)
    small = _queries(client, "/me/")
    _grow(world, 5000)
    assert _queries(client, "/me/") == small


def test_home_redirects_the_supervised_person_to_their_phone_page(world, client):
    client.force_login(world.subject)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/me/"


@pytest.mark.parametrize(
    ("persona", "present", "absent"),
    [
        ("bureau_officer", ["在矫", "待处置告警", "待走访"], ["项目资金"]),
        ("social_worker", ["我的待走访", "本周教育学习"], ["项目资金"]),
        ("counsellor", ["心理测量评估", "心理辅导"], ["待处置告警", "项目资金"]),
        ("supervisor", ["项目资金"], ["待处置告警"]),
        ("auditor", ["项目资金"], ["在矫", "待走访", "心理测量评估"]),
    ],
)
def test_each_role_sees_its_own_sections(world, client, persona, present, absent):
    client.force_login(getattr(world, persona))
    body = client.get("/").content.decode()
    for text in present:
        assert text in body, f"{persona} should see {text}"
    for text in absent:
        assert text not in body, f"{persona} should not see {text}"
