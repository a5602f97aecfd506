"""系统设置: an operator creates a county and its administrator; the administrator sets the county up."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jiaozheng.audit.models import AuditEntry
from jiaozheng.core.roles import Role
from jiaozheng.orgs import selectors, services
from jiaozheng.orgs.models import OrgUnit, ServiceProvider, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(world):
    """A bureau administrator posted to the city 怀化市: the city's operator."""
    return services.user_create(
        actor=world.system, username="hh_operator", role=Role.BUREAU_ADMIN, units=[world.city], password=None
    )


def test_the_division_list_names_counties_with_their_city_and_province():
    chenxi = selectors.division("431223")
    assert (chenxi.name, chenxi.city_name, chenxi.province_name) == ("辰溪县", "怀化市", "湖南省")
    assert selectors.division("156431223") == chenxi
    assert selectors.division("999999") is None


def test_the_superuser_creates_a_county_from_an_empty_database(db):
    root = User.objects.create_superuser("root", password="Root-pass-2026")
    county = services.county_create(actor=root, code="431223")
    assert (county.name, county.code, county.boundary_code) == ("辰溪县", "431223", "431223")
    assert county.parent.name == "怀化市" and county.parent.parent.name == "湖南省"
    assert county.bureau_name == "辰溪县司法局"
    admin, password = services.account_create(
        actor=root, username="cx_admin", full_name="辰溪管理员", role=Role.BUREAU_ADMIN, units=[county]
    )
    assert admin.check_password(password) and admin.must_change_password
    assert AuditEntry.objects.filter(verb="orgs.county_set_up").exists()


def test_an_operator_creates_counties_of_their_city_only(world, operator):
    county = services.county_create(actor=operator, code="431223")
    assert county.parent == world.city
    with pytest.raises(ValidationError) as exc:
        services.county_create(actor=operator, code="430102")  # 芙蓉区, 长沙市
    assert "outside" in str(exc.value) or "以外" in str(exc.value)
    with pytest.raises(ValidationError):
        services.county_create(actor=operator, code="431223")  # already set up
    with pytest.raises(PermissionDenied):
        services.county_create(actor=world.bureau_admin, code="431225")  # a county administrator


def test_an_unknown_division_is_refused(world, operator):
    with pytest.raises(ValidationError):
        services.county_create(actor=operator, code="431299")
    assert not OrgUnit.objects.filter(code="431299").exists()


def test_the_county_page_creates_the_county_and_shows_the_password_once(world, operator, login):
    client = login(operator)
    response = client.post(
        reverse("orgs:setup_county"),
        {"division": "431223", "admin_username": "cx_admin", "admin_full_name": "辰溪管理员"},
    )
    assert response.status_code == 200
    admin = User.objects.get(username="cx_admin")
    assert admin.check_password(response.context["password"])
    assert [a.unit.name for a in admin.assignments.all()] == ["辰溪县"]
    # the county administrator cannot reach the operator's form
    assert login(world.bureau_admin).get(reverse("orgs:setup_county")).context.get("refused")


def test_a_taken_username_changes_nothing(world, operator, login):
    response = login(operator).post(
        reverse("orgs:setup_county"),
        {"division": "431223", "admin_username": "bureau_admin", "admin_full_name": "重名"},
    )
    assert response.status_code == 200
    assert "bureau_admin" in response.content.decode()
    assert not OrgUnit.objects.filter(code="431223").exists()


def test_the_administrator_adds_squadrons_and_townships_of_their_county(world, login):
    client = login(world.bureau_admin)
    response = client.post(reverse("orgs:setup_unit", args=[world.county_x.pk]), {"name": "桥江中队"})
    assert response.status_code == 302
    squadron = OrgUnit.objects.get(name="桥江中队")
    assert squadron.kind == OrgUnit.Kind.SQUADRON and squadron.county == world.county_x
    client.post(reverse("orgs:setup_unit", args=[squadron.pk]), {"name": "桥江镇"})
    assert OrgUnit.objects.get(name="桥江镇").squadron == squadron


def test_a_squadron_outside_the_county_is_refused(world, login):
    response = login(world.bureau_admin).post(
        reverse("orgs:setup_unit", args=[world.county_y.pk]), {"name": "越权中队"}
    )
    assert response.status_code == 404
    with pytest.raises(ValidationError):
        services.unit_add(actor=world.bureau_admin, parent=world.county_y, name="越权中队")
    assert not OrgUnit.objects.filter(name="越权中队").exists()


def test_a_duplicate_squadron_name_gets_a_message(world, login):
    response = login(world.bureau_admin).post(
        reverse("orgs:setup_unit", args=[world.county_x.pk]), {"name": world.squadron_a.name}
    )
    assert response.status_code == 200 and response.context["form"].errors


def test_the_administrator_registers_a_provider(world, login):
    response = login(world.bureau_admin).post(
        reverse("orgs:setup_provider"),
        {"name": "辰溪县同心社会工作服务中心", "short_name": "同心社工", "head_office": "长沙市岳麓区"},
    )
    assert response.status_code == 302
    assert ServiceProvider.objects.get(short_name="同心社工").head_office == "长沙市岳麓区"
    response = login(world.bureau_admin).post(
        reverse("orgs:setup_provider"), {"name": "辰溪县同心社会工作服务中心"}
    )
    assert response.status_code == 200 and ServiceProvider.objects.filter(short_name="同心社工").count() == 1


def test_a_county_administrator_cannot_post_accounts_outside_the_county(world):
    for units in ([world.squadron_c], [world.county_y], [world.city]):
        with pytest.raises(ValidationError):
            services.account_create(
                actor=world.bureau_admin,
                username="x_out",
                full_name="越权",
                role=Role.BUREAU_OFFICER,
                units=units,
            )
    assert not User.objects.filter(username="x_out").exists()


def test_no_role_above_the_grantors_own(world, operator):
    assert services.grantable_roles(world.bureau_officer) == []
    assert Role.BUREAU_ADMIN in services.grantable_roles(world.bureau_admin)
    with pytest.raises(PermissionDenied):
        services.account_create(
            actor=world.bureau_officer,
            username="x_up",
            full_name="越级",
            role=Role.BUREAU_OFFICER,
            units=[world.county_x],
        )
    with pytest.raises(ValidationError):
        services.account_create(
            actor=world.bureau_admin,
            username="x_up",
            full_name="越级",
            role="superuser",
            units=[world.county_x],
        )
    # an operator's posting (the city) is above a county administrator: refused
    with pytest.raises(ValidationError):
        services.account_create(
            actor=world.bureau_admin,
            username="x_up",
            full_name="越级",
            role=Role.BUREAU_ADMIN,
            units=[world.city],
        )
    assert not User.objects.filter(username="x_up").exists()


def test_a_temporary_password_must_be_changed_at_first_sign_in(world, client):
    user, password = services.account_create(
        actor=world.bureau_admin,
        username="sw_first",
        full_name="新社工",
        role=Role.SOCIAL_WORKER,
        units=[world.squadron_a],
        provider=world.provider_1,
    )
    client.post("/login/", {"username": "sw_first", "password": password})
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("orgs:account"))
    new = "Own-choice-2026x"
    client.post(
        reverse("orgs:account"),
        {"form": "password", "old_password": password, "new_password1": new, "new_password2": new},
    )
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get("/").status_code == 200
