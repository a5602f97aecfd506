"""Sign-in throttling, session expiry, password policy, optional TOTP, admin access."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings

from jiaozheng.core.testing.world import PASSWORD
from jiaozheng.orgs.services import totp_begin, totp_confirm

pytestmark = pytest.mark.django_db


def _login(client, username, password, otp=""):
    return client.post("/login/", {"username": username, "password": password, "otp": otp})


def test_a_correct_login_goes_home_and_a_wrong_one_says_why(client, world):
    response = _login(client, "bureau_officer", "wrong-password")
    assert response.status_code == 200
    assert "账号或密码不正确" in response.content.decode()
    assert _login(client, "bureau_officer", PASSWORD).status_code == 302


def test_five_failures_lock_the_account_even_with_the_right_password(client, world):
    for _ in range(5):
        _login(client, "bureau_officer", "wrong")
    response = _login(client, "bureau_officer", PASSWORD)
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()


@override_settings(SESSION_IDLE_TIMEOUT=1)
def test_an_idle_session_expires(client, world):
    assert _login(client, "bureau_officer", PASSWORD).status_code == 302
    assert client.get("/people/").status_code == 200
    session = client.session
    session["jz_last_seen"] = int(time.time()) - 10
    session.save()
    response = client.get("/people/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("password", ["short1A!", "alllowercaseletters", "12345678901234", "password12345"])
def test_weak_passwords_are_refused(password, world):
    with pytest.raises(ValidationError):
        validate_password(password, world.bureau_officer)


def test_a_strong_password_is_accepted(world):
    validate_password("Xupu-2026-county!", world.bureau_officer)


def test_totp_when_enabled_is_required_at_login(client, world):
    user = world.bureau_officer
    secret = totp_begin(user=user)
    totp_confirm(user=user, code=pyotp.TOTP(secret).now())
    assert _login(client, "bureau_officer", PASSWORD).status_code == 200
    assert _login(client, "bureau_officer", PASSWORD, otp=pyotp.TOTP(secret).now()).status_code == 302


def test_the_admin_is_for_superusers_only(client, world):
    client.force_login(world.bureau_admin)
    assert client.get("/admin/").status_code == 302
    world.bureau_admin.is_superuser = True
    world.bureau_admin.is_staff = True
    world.bureau_admin.save()
    client.force_login(world.bureau_admin)
    assert client.get("/admin/").status_code == 200


def test_the_system_actor_cannot_sign_in(client, world):
    world.system.set_password(PASSWORD)
    world.system.save()
    assert _login(client, "system", PASSWORD).status_code == 200


def test_next_urls_outside_the_site_are_ignored(client, world):
    response = client.post(
        "/login/", {"username": "bureau_officer", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
