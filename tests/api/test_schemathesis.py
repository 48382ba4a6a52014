"""
schemathesis against the OpenAPI description, as each role with its own token.

Every operation gets at least `EXAMPLES` generated cases per role, valid and
invalid (hypothesis stops early only for an operation whose every input it
has tried: one without parameters). No case may give a server error, an
undocumented status, or a body that breaks the described schema.
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
    operation: Any, headers: dict[str, str], cases: Counter[str], answers: Counter[int]
) -> Callable[[], None]:
    """The hypothesis test of one operation: `EXAMPLES` cases, each sent and checked."""

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
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        answers[response.status_code] += 1

    return run


@pytest.mark.parametrize("role", ["sekretariat", "greve", "naestved", "webuild", "laeser"])
def test_every_operation_as_each_role(role: str, api_schema: Any, tokens: dict[str, str]) -> None:
    headers = {"Authorization": f"Bearer {tokens[role]}"}
    cases: Counter[str] = Counter()
    answers: Counter[int] = Counter()
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        try:
            _runner(operation, headers, cases, answers)()
        except Exception as error:
            failures.append(f"{operation.label}: {error}")

    assert failures == []
    few = {label: n for label, n in cases.items() if n < EXAMPLES}
    assert set(few) <= PARAMETERLESS, few
    # The token worked: the role read something, and invalid cases were refused.
    assert answers[200] > 0 and answers[422] > 0, answers
    assert answers[401] == 0, answers


PARAMETERLESS = {"GET /api/v1/me"}
