"""Configuration from the environment; production settings pass `check --deploy`."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from jiaozheng.core.env import database_from_url, env_bool

PROD_ENV = {
    "JZ_SECRET_KEY": "k" * 20 + "-Very-Long-Random-Secret-Key-For-Production-Use-0123456789",
    "JZ_FIELD_KEYS": "pEt-_KchY7svGwsnAFkSk167gQZH6SyJLDKMzcj_TFw=",
    "JZ_FIELD_HASH_KEY": "hash-key",
    "DATABASE_URL": "postgresql://jz:secret@db.internal:5432/jiaozheng?sslmode=require",
    "JZ_ALLOWED_HOSTS": "jz.example.gov.cn",
}


def _run(args, extra_env):
    # Only the machine's environment: nothing this test process set for itself (the browser fixture sets
    # DJANGO_ALLOW_ASYNC_UNSAFE, which `check --deploy` rightly refuses).
    inherited = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("JZ_") and k not in inherited}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "-m", "jiaozheng.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy():
    result = _run(["check", "--deploy", "--settings=jiaozheng.settings.production"], PROD_ENV)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["JZ_SECRET_KEY", "JZ_FIELD_KEYS", "DATABASE_URL"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {k: v for k, v in PROD_ENV.items() if k != missing}
    result = _run(["check", "--settings=jiaozheng.settings.production"], env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_database_url_parsing():
    pg = database_from_url("postgresql://jz:p%40ss@db:6432/corr?sslmode=require")
    assert (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql",
        "corr",
        "jz",
        "p@ss",
        "db",
        "6432",
    )
    assert pg["OPTIONS"] == {"sslmode": "require"}
    assert database_from_url("sqlite:////var/lib/jz/db.sqlite3")["NAME"] == "/var/lib/jz/db.sqlite3"
    with pytest.raises(ImproperlyConfigured):
        database_from_url("mysql://x/y")


def test_a_malformed_boolean_stops_start_up(monkeypatch):
    monkeypatch.setenv("JZ_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("JZ_DEBUG")


def test_metrics_are_served_to_allowed_addresses_only(client, db):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert "jz_persons_in_correction" in response.content.decode()
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 403


def test_health_answers(client, db):
    assert client.get("/health/").json()["status"] == "ok"
