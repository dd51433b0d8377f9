"""Fixtures of the security tests: two worlds, A in Margahayu and B in Bintara."""

import pytest

from households.models import Region
from tests.security.world import build_world, desk_of, security_rule


@pytest.fixture
def worlds(reference_data):
    margahayu = Region.objects.get(code="32.75.01.1002")
    bintara = Region.objects.get(code="32.75.02.1001")
    rule = security_rule()
    a = build_world(margahayu, agency_code="dinkes", desk=desk_of(margahayu, "desk_a"), rule=rule)
    b = build_world(bintara, agency_code="disdik", desk=desk_of(bintara, "desk_b"), rule=rule)
    return a, b
