"""
schemathesis against the OpenAPI description, as each role with its own token.

Every operation gets at least `EXAMPLES` generated cases, valid and invalid
(hypothesis stops early only for an operation whose every input it has tried:
one without parameters), and each case is sent as every role, so each role
gets them all. No response may be a server error, have an undocumented
status, or a body that breaks the described schema.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi import checks
from tests.security.conftest import World

pytestmark = [pytest.mark.django_db, pytest.mark.schemathesis]

EXAMPLES = int(os.environ.get("KLYNGE_SCHEMATHESIS_EXAMPLES", "300"))
ROLES = ("sekretariat", "greve", "naestved", "webuild", "laeser")
PARTS = 4  # the operations in four test items, so the CI's workers share them
CHECKS = [
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]


@pytest.fixture
def api_schema(world: World, settings_fixture: object) -> Iterator[Any]:
    request_started.disconnect(close_old_connections)  # else PostgreSQL: a closed connection
    request_finished.disconnect(close_old_connections)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=EXAMPLES
    )
    yield schema
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def settings_fixture(settings: object) -> object:
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]  # type: ignore[attr-defined]
    return settings


def _runner(
    operation: Any,
    headers: dict[str, dict[str, str]],
    cases: Counter[str],
    answers: dict[str, Counter[int]],
) -> Callable[[], None]:
    """The hypothesis test of one operation: each generated case sent as every role."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        cases[operation.label] += 1
        for role, sent in headers.items():
            response = case.call_and_validate(headers=sent, checks=CHECKS)
            answers[role][response.status_code] += 1

    return run


@pytest.mark.parametrize("part", range(PARTS))
def test_every_operation_as_each_role(part: int, api_schema: Any, tokens: dict[str, str]) -> None:
    headers = {role: {"Authorization": f"Bearer {tokens[role]}"} for role in ROLES}
    cases: Counter[str] = Counter()
    answers: dict[str, Counter[int]] = {role: Counter() for role in ROLES}
    operations = sorted(
        (result.ok() for result in api_schema.get_all_operations()), key=lambda op: op.label
    )
    failures = []
    for operation in operations[part::PARTS]:
        try:
            _runner(operation, headers, cases, answers)()
        except Exception as error:
            failures.append(f"{operation.label}: {error}")

    assert failures == []
    assert cases, "no operation in this part"
    few = {label: n for label, n in cases.items() if n < EXAMPLES}
    assert set(few) <= PARAMETERLESS, few
    for role, seen in answers.items():
        # The token worked: the role read something, and no case was unauthenticated.
        assert seen[200] > 0 and seen[401] == 0, (role, seen)


PARAMETERLESS = {"GET /api/v1/me"}
