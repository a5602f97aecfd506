"""Schemathesis against /api/v1/openapi.json: bounded fuzzing of every operation.

Generated requests (valid and invalid bodies, parameters and paths) as a bureau officer with a bearer token
must never cause a server error, and every response must match the schema: a documented status code,
the documented content type and a body that validates against the documented response schema.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jiaozheng.wsgi import application

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The real WSGI handler closes "old" connections after each request, as a server should; inside the
    test's transaction that would close the connection under the test (Django's test client does the same)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db):
    from jiaozheng.core.testing.world import make_world
    from jiaozheng.orgs.services import token_issue

    world = make_world()
    _token, key = token_issue(actor=world.bureau_admin, user=world.bureau_admin, name="fuzz")
    return key


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_operations_answer_within_their_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
