"""系统设置 pages read in Chinese: no English left on the set-up pages, their error messages and the
page that shows a temporary password (the crawl test reads GET pages only; this one posts the forms too)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiaozheng.core.roles import Role
from jiaozheng.core.testing.texts import findings, html_text
from jiaozheng.orgs import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(world):
    return services.user_create(
        actor=world.system, username="hh_operator", role=Role.BUREAU_ADMIN, units=[world.city], password=None
    )


def _check(name, response, exempt=()):
    assert response.status_code == 200, name
    accounts = ["hh_operator", "bureau_admin", "cx_admin"]  # login names are the officers' own entries
    return findings(name, html_text(response.content), exempt=[*accounts, *exempt])


def test_the_set_up_pages_and_their_messages_are_in_chinese(world, operator, login):
    found = []
    client = login(operator)
    found += _check("setup (operator)", client.get(reverse("orgs:setup")))
    found += _check("county", client.get(reverse("orgs:setup_county")))
    found += _check(
        "county taken username",
        client.post(
            reverse("orgs:setup_county"),
            {"division": "431223", "admin_username": "bureau_admin", "admin_full_name": "重名"},
        ),
    )
    created = client.post(
        reverse("orgs:setup_county"),
        {"division": "431223", "admin_username": "cx_admin", "admin_full_name": "辰溪管理员"},
    )
    found += _check("password once", created, exempt=[created.context["password"]])

    client = login(world.bureau_admin)
    found += _check("setup (county)", client.get(reverse("orgs:setup")))
    found += _check("county refused", client.get(reverse("orgs:setup_county")))
    county = world.county_x
    squadron = world.squadron("A")
    found += _check("unit", client.get(reverse("orgs:setup_unit", args=[county.pk])))
    found += _check("township", client.get(reverse("orgs:setup_unit", args=[squadron.pk])))
    found += _check(
        "unit duplicate",
        client.post(reverse("orgs:setup_unit", args=[county.pk]), {"name": squadron.name}),
    )
    found += _check(
        "township half coordinates",
        client.post(reverse("orgs:setup_unit", args=[squadron.pk]), {"name": "新乡镇", "latitude": "27.9"}),
    )
    found += _check("provider", client.get(reverse("orgs:setup_provider")))
    found += _check(
        "provider duplicate",
        client.post(reverse("orgs:setup_provider"), {"name": world.provider_1.name, "credit_code": "123"}),
    )
    found += _check("staff", client.get(reverse("orgs:staff_create")))
    assert not found, "\n".join(found)
