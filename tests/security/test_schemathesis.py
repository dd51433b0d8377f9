"""Schemathesis against the project's own OpenAPI schema (drf-spectacular), in process (WSGI).

Choices, on a bounded budget (about half a minute per database):
- safe methods only (GET): the writes (`POST .../transition/`, `.../flags/review/`, raising a
  referral) change state that later examples would then read, and their validation is the
  services' tests' job; the scope of every POST is in test_scope_matrix.py;
- every GET operation, on the suite's hypothesis budget (the "slrt" profile in
  tests/conftest.py: derandomized, the same cases every run, no deadline); one test per
  caller, the data built once for all its examples;
- plus, for each detail operation, one call with a real record of the worlds (KNOWN);
- callers: a city-wide verifier (every row visible) and the Margahayu desk (kelurahan scope),
  each with its API token;
- checks: no 5xx, responses conform to the schema (body, content type, headers). Status codes
  the schema does not list (404 for a random pk, 400 for a bad filter value) are the scope and
  validation answers and are not checked against the schema here.
"""

import functools
import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import given
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

from households.models import Region
from slrt.wsgi import application
from tests.security.world import build_world, desk_of, security_rule

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
]


@functools.cache
def _schema():
    """Built at the first test that needs it, not at import: collecting the suite (or running
    one unrelated test) does not pay for generating the whole API schema."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    raw = json.loads(OpenApiJsonRenderer().render(generated))
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = application
    return schema.include(method="GET")


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The real WSGI handler closes the database connection around each request (Django's
    test Client does not): on PostgreSQL that would end the test's transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def worlds(reference_data):
    margahayu = Region.objects.get(code="32.75.01.1002")
    bintara = Region.objects.get(code="32.75.02.1001")
    rule = security_rule()
    a = build_world(margahayu, agency_code="dinkes", desk=desk_of(margahayu, "desk_a"), rule=rule)
    build_world(bintara, agency_code="disdik", desk=desk_of(bintara, "desk_b"), rule=rule)
    return a


# The records of world A each detail operation is also called with, so that a real row (with
# its nulls: no parent region, no assignee, an event without a sending agency) is validated
# whatever ids the examples draw.
KNOWN = {
    "/api/v1/agencies/{id}/": lambda a: a.referral.agency_id,
    "/api/v1/eligibility/flags/{id}/": lambda a: a.flag.pk,
    "/api/v1/eligibility/rule-sets/{id}/": lambda a: a.flag.rule.rule_set_id,
    "/api/v1/eligibility/rules/{id}/": lambda a: a.flag.rule_id,
    "/api/v1/households/{id}/": lambda a: a.household.pk,
    "/api/v1/members/{id}/": lambda a: a.member.pk,
    "/api/v1/programs/{id}/": lambda a: a.enrolment.program_id,
    "/api/v1/referrals/{id}/": lambda a: a.referral.pk,
    "/api/v1/referrals/{id}/events/": lambda a: a.referral.pk,
    "/api/v1/regions/{id}/": lambda a: Region.objects.get(code="32").pk,  # no parent
}


def _fuzz_every_operation(token: str, world) -> list[str]:
    headers = {"Authorization": f"Token {token}"}
    failures = []
    operations = [result.ok() for result in _schema().get_all_operations()]
    assert operations, "the schema lists no GET operation"
    for operation in operations:

        @given(case=operation.as_strategy())
        def fuzz(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            if operation.path in KNOWN:
                case = operation.Case(path_parameters={"id": KNOWN[operation.path](world)})
                case.call_and_validate(headers=headers, checks=CHECKS)
            fuzz()
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 (one report for all)
            failures.append(f"{operation.label}: {error}")
    return failures


def test_the_api_conforms_to_its_schema_city_wide(worlds, verifikator):
    token, _ = Token.objects.get_or_create(user=verifikator)
    failures = _fuzz_every_operation(token.key, worlds)
    assert not failures, "\n\n".join(failures)


def test_the_api_conforms_to_its_schema_in_a_kelurahan(worlds, operator):
    token, _ = Token.objects.get_or_create(user=operator)
    failures = _fuzz_every_operation(token.key, worlds)
    assert not failures, "\n\n".join(failures)
