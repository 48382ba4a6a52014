"""
Every API operation × every role → the expected status: the web's permission
matrix, for the API. Each role calls with its own read-and-write token; the
anonymous caller sends none. A new operation without an entry fails
`test_every_operation_has_a_matrix_entry`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.api.conftest import bearer
from tests.security.conftest import ANONYMOUS, NO_ROLE, PARTICIPANT_FILE, ROLES, World

from klynge.api.api import api

pytestmark = pytest.mark.django_db

SEC, MUN, LEAD, OFFICE, READ = "sekretariat", "greve", "naestved", "webuild", "laeser"
ALL = (SEC, MUN, LEAD, OFFICE, READ)
STAFF = (SEC, MUN, LEAD, OFFICE)


@dataclass(frozen=True)
class Op:
    """How to call one operation, and the status each role gets."""

    url: Callable[[World], str]
    expected: dict[str, int]
    body: Callable[[World, str], Any] | None = None  # JSON, or a dict with a file (multipart)


def statuses(
    ok: tuple[str, ...] = ALL, *, status: int = 200, others: int = 403, **overrides: int
) -> dict[str, int]:
    result = {role: (status if role in ok else others) for role in ALL}
    result[NO_ROLE] = 403
    result[ANONYMOUS] = 401
    result.update(overrides)
    return result


def fixed(path: str) -> Callable[[World], str]:
    return lambda world: path


def _payment(world: World, role: str) -> dict[str, Any]:
    return {"request_id": world.greve_request_pk, "amount_ore": 100, "paid_on": "2024-03-20",
            "reference": f"MATRIX-{role}"}  # fmt: skip


def _file(world: World, role: str) -> dict[str, Any]:
    data = PARTICIPANT_FILE.replace("M-1", f"X-{role}").encode()
    return {"office_id": world.own_office.pk, "file": SimpleUploadedFile("m.csv", data)}


MATRIX: dict[str, Op] = {
    "GET /api/v1/me": Op(fixed("/api/v1/me"), statuses(**{NO_ROLE: 200})),
    # The register and the allocation: every role, as on the web.
    "GET /api/v1/municipalities": Op(fixed("/api/v1/municipalities"), statuses()),
    "GET /api/v1/municipalities/{code}": Op(fixed("/api/v1/municipalities/253"), statuses()),
    "GET /api/v1/population": Op(fixed("/api/v1/population?year=2023"), statuses()),
    "GET /api/v1/clusters": Op(fixed("/api/v1/clusters"), statuses()),
    "GET /api/v1/offices": Op(fixed("/api/v1/offices"), statuses()),
    # Another office than webuild's own: the office user gets 404, as on the web.
    "GET /api/v1/offices/{office_id}": Op(
        lambda w: f"/api/v1/offices/{w.other_office.pk}", statuses(webuild=404)
    ),
    "GET /api/v1/agreements": Op(fixed("/api/v1/agreements"), statuses()),
    "GET /api/v1/allocation-runs": Op(fixed("/api/v1/allocation-runs"), statuses()),
    "GET /api/v1/allocation-runs/{run_id}": Op(
        lambda w: f"/api/v1/allocation-runs/{w.run.pk}", statuses()
    ),
    "GET /api/v1/allocations/{year}": Op(fixed("/api/v1/allocations/2024"), statuses()),
    "GET /api/v1/grants": Op(fixed("/api/v1/grants"), statuses()),
    # Requests and payments: the secretariat, a municipality its own, a lead
    # municipality also those it collects (Næstved collects a line of Greve's).
    "GET /api/v1/payment-requests": Op(
        fixed("/api/v1/payment-requests?year=2024"), statuses((SEC, MUN, LEAD))
    ),
    "GET /api/v1/payment-requests/{request_id}": Op(
        lambda w: f"/api/v1/payment-requests/{w.greve_request_pk}", statuses((SEC, MUN, LEAD))
    ),
    "GET /api/v1/payments": Op(fixed("/api/v1/payments"), statuses((SEC, MUN, LEAD))),
    "POST /api/v1/payments": Op(
        fixed("/api/v1/payments"), statuses((SEC, LEAD), status=201), body=_payment
    ),
    # Contracts and follow-up: staff; an office its own contract and reports.
    "GET /api/v1/contracts": Op(fixed("/api/v1/contracts"), statuses(STAFF)),
    "GET /api/v1/contracts/{contract_id}": Op(
        lambda w: f"/api/v1/contracts/{w.other_contract_pk}", statuses(STAFF, webuild=404)
    ),
    "GET /api/v1/office-reports": Op(fixed("/api/v1/office-reports"), statuses(STAFF)),
    "GET /api/v1/office-reports/{report_id}": Op(
        lambda w: f"/api/v1/office-reports/{w.report_pk}", statuses(STAFF)
    ),
    "GET /api/v1/kpi-results": Op(fixed("/api/v1/kpi-results"), statuses(STAFF)),
    # Only the office's own users enter its actuals.
    "PUT /api/v1/office-reports/{report_id}/results": Op(
        lambda w: f"/api/v1/office-reports/{w.report_pk}/results",
        statuses((OFFICE,)),
        body=lambda w, role: {"results": []},
    ),
    # Participation: the register for everyone; imports for the secretariat and the office.
    "GET /api/v1/activities": Op(fixed("/api/v1/activities"), statuses()),
    "GET /api/v1/reach": Op(fixed("/api/v1/reach?year=2024"), statuses()),
    "POST /api/v1/participation-imports": Op(
        fixed("/api/v1/participation-imports"), statuses((SEC, OFFICE), status=201), body=_file
    ),
    "GET /api/v1/participation-imports/{batch_id}": Op(
        lambda w: f"/api/v1/participation-imports/{w.batch_pk}", statuses((SEC, OFFICE))
    ),
    # A refused file: those who may store get the refusal (422), the rest 403.
    "POST /api/v1/participation-imports/{batch_id}/store": Op(
        lambda w: f"/api/v1/participation-imports/{w.refused_batch_pk}/store",
        statuses((SEC, OFFICE), status=422),
        body=lambda w, role: {},
    ),
}


def _operations() -> set[str]:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return {f"{method.upper()} {path}" for path, item in schema["paths"].items() for method in item}


def test_every_operation_has_a_matrix_entry() -> None:
    assert _operations() == set(MATRIX)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_expected_status(
    name: str, world: World, tokens: dict[str, str]
) -> None:
    op = MATRIX[name]
    method = name.split()[0].lower()
    got = {}
    for role in ROLES:
        headers = bearer(tokens[role]) if role in tokens else {}
        call = getattr(Client(), method)
        if op.body is None:
            response = call(op.url(world), **headers)
        else:
            body = op.body(world, role)
            if any(isinstance(v, SimpleUploadedFile) for v in body.values()):
                response = call(op.url(world), body, **headers)
            else:
                response = call(
                    op.url(world), json.dumps(body), content_type="application/json", **headers
                )
        got[role] = response.status_code
        assert response["Content-Type"].startswith("application/json"), (name, role)

    assert got == op.expected, name
