"""
Whole flows through the API, as a script with a token would run them, and
the bad inputs the issue names: each a documented 4xx, and nothing changed.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from tests.api.conftest import bearer
from tests.security.conftest import PARTICIPANT_FILE, World

from klynge.audit.models import AuditEntry
from klynge.collection.models import Payment
from klynge.contracts.models import KpiResult, OfficeReport
from klynge.participation.models import Activity, ImportBatch

pytestmark = pytest.mark.django_db


def _get(raw: str, path: str) -> dict:
    response = Client().get(f"/api/v1{path}", **bearer(raw))
    assert response.status_code == 200, response.content
    return response.json()


def _send(raw: str, method: str, path: str, body: object) -> tuple[int, dict]:
    response = getattr(Client(), method)(
        f"/api/v1{path}", json.dumps(body), content_type="application/json", **bearer(raw)
    )
    return response.status_code, response.json()


def test_a_script_reads_a_year_s_allocation_and_posts_a_participation_file(
    world: World, tokens: dict[str, str]
) -> None:
    raw = tokens["webuild"]  # the office's own user, with a read-and-write token

    allocation = _get(raw, "/allocations/2024")
    assert allocation["id"] == world.run.pk and allocation["status"] == "approved"
    per_office: dict[int, int] = {}
    for line in allocation["lines"]:
        per_office[line["office_id"]] = per_office.get(line["office_id"], 0) + line["amount_ore"]
        assert line["explanation"]
    assert set(per_office.values()) == {100_000_000}  # 1.000.000 kr. per office, exactly
    assert allocation["total_ore"] == 100_000_000 * len(per_office)

    file = PARTICIPANT_FILE.replace("M-1", "API-1").replace("12345674", "10150817")
    upload = Client().post(
        "/api/v1/participation-imports",
        {"office_id": world.own_office.pk, "file": _named(file.encode(), "deltagere.csv")},
        **bearer(raw),
    )
    assert upload.status_code == 201, upload.content
    batch = upload.json()
    assert batch["status"] == "checked" and batch["problems"] == []
    assert not Activity.objects.filter(external_id="API-1").exists()  # a dry run

    status, stored = _send(raw, "post", f"/participation-imports/{batch['id']}/store", {})
    assert status == 200 and stored["status"] == "committed"
    assert Activity.objects.filter(external_id="API-1", office=world.own_office).exists()
    # The audit names the token the change came with.
    entry = AuditEntry.objects.filter(model="participation.importbatch").latest("pk")
    assert entry.actor_label.startswith("webuild (API ")


def _named(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_a_refused_participation_file_lists_its_problems(
    world: World, tokens: dict[str, str]
) -> None:
    bad = PARTICIPANT_FILE.replace("12345674", "1")
    upload = Client().post(
        "/api/v1/participation-imports",
        {"office_id": world.own_office.pk, "file": _named(bad.encode(), "d.csv")},
        **bearer(tokens["webuild"]),
    )

    assert upload.status_code == 201
    assert upload.json()["status"] == "refused"
    assert upload.json()["problems"][0]["row"] >= 1
    status, body = _send(
        tokens["webuild"], "post", f"/participation-imports/{upload.json()['id']}/store", {}
    )
    assert status == 422 and body["code"] == "refused"


def test_another_office_s_import_and_report_are_not_found(
    world: World, tokens: dict[str, str]
) -> None:
    raw = tokens["webuild"]
    other = Client().post(
        "/api/v1/participation-imports",
        {"office_id": world.other_office.pk, "file": _named(b"x", "d.csv")},
        **bearer(raw),
    )
    assert other.status_code == 404
    assert (
        Client().get(f"/api/v1/office-reports/{world.other_report_pk}", **bearer(raw)).status_code
        == 404
    )
    assert (
        Client()
        .get(f"/api/v1/participation-imports/{world.other_batch_pk}", **bearer(raw))
        .status_code
        == 404
    )
    assert ImportBatch.objects.filter(office=world.other_office).count() == 1


def test_the_office_enters_kpi_actuals_and_submits(world: World, tokens: dict[str, str]) -> None:
    raw = tokens["webuild"]
    report = _get(raw, f"/office-reports/{world.report_pk}")
    entered = next(r for r in report["results"] if r["indicator_id"] == world.indicator_pk)
    assert entered["actual"] is None or isinstance(entered["actual"], int)
    contract = _get(raw, f"/contracts/{report['contract_id']}")
    typed = {i["id"]: i for i in contract["indicators"] if i["source"] == "entered"}
    values = {
        "count": "120",
        "share": "45,5",
        "amount": "250.000",
        "milestone": "ja",
        "text": "Godt",
    }
    body = {
        "results": [{"indicator_id": pk, "value": values[i["kind"]]} for pk, i in typed.items()],
        "narrative": "Året gik godt.",
    }

    status, saved = _send(raw, "put", f"/office-reports/{world.report_pk}/results", body)
    assert status == 200, saved
    assert saved["narrative"] == "Året gik godt." and saved["status"] == "draft"
    stored = KpiResult.objects.filter(report_id=world.report_pk, indicator_id__in=typed)
    assert stored.count() == len(typed)

    status, submitted = _send(
        raw, "put", f"/office-reports/{world.report_pk}/results", {"results": [], "submit": True}
    )
    assert status == 200, submitted
    assert submitted["status"] == "submitted"
    assert submitted["narrative"] == "Året gik godt."  # left out: kept


def test_a_wrong_kpi_value_is_refused_and_nothing_is_stored(
    world: World, tokens: dict[str, str]
) -> None:
    raw = tokens["webuild"]
    contract = _get(raw, f"/office-reports/{world.report_pk}")["contract_id"]
    counted = next(
        i for i in _get(raw, f"/contracts/{contract}")["indicators"]
        if i["kind"] == "count" and i["source"] == "entered"
    )  # fmt: skip
    before = KpiResult.objects.count(), OfficeReport.objects.get(pk=world.report_pk).narrative

    status, body = _send(
        raw, "put", f"/office-reports/{world.report_pk}/results",
        {"results": [{"indicator_id": counted["id"], "value": "mange"}], "narrative": "ny"},
    )  # fmt: skip

    assert status == 422 and body["code"] == "refused"
    assert counted["name"] in body["errors"][0]["message"]
    assert (
        KpiResult.objects.count(),
        OfficeReport.objects.get(pk=world.report_pk).narrative,
    ) == before


def test_payments_are_registered_once_by_those_who_may(
    world: World, tokens: dict[str, str]
) -> None:
    body = {"request_id": world.greve_request_pk, "amount_ore": 1_000_000, "paid_on": "2024-03-20",
            "reference": "API-1"}  # fmt: skip

    status, paid = _send(tokens["sekretariat"], "post", "/payments", body)
    assert status == 201, paid
    assert paid["amount_ore"] == 1_000_000 and paid["municipality_code"] == "253"
    status, again = _send(tokens["sekretariat"], "post", "/payments", body)
    assert status == 422 and again["code"] == "refused"  # the reference is registered
    status, _ = _send(tokens["greve"], "post", "/payments", {**body, "reference": "API-2"})
    assert status == 403  # Greve sees its request but does not register payments
    status, _ = _send(tokens["laeser"], "post", "/payments", {**body, "reference": "API-3"})
    assert status in (403, 404)
    assert Payment.objects.filter(reference__startswith="API-").count() == 1
    listed = _get(tokens["greve"], "/payments?year=2024")
    assert [p["reference"] for p in listed["items"]] == ["API-1"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("post", "/payments", "{not json", 400, "bad_body"),
        ("post", "/payments", {"request_id": "x", "amount_ore": 1, "paid_on": "2024-01-01",
                               "reference": "A"}, 422, "invalid"),
        ("post", "/payments", {"request_id": 1, "amount_ore": 0, "paid_on": "2024-01-01",
                               "reference": "A"}, 422, "invalid"),
        ("post", "/payments", {"request_id": 1, "amount_ore": 10**30, "paid_on": "2024-01-01",
                               "reference": "A"}, 422, "invalid"),
        ("post", "/payments", {"request_id": 1, "amount_ore": 1, "paid_on": "9999-01-01",
                               "reference": "A"}, 422, "invalid"),
        ("post", "/payments", {"request_id": 1, "amount_ore": 1, "paid_on": "2024-01-01",
                               "reference": "A\x00B"}, 422, "invalid"),
        ("post", "/payments", {"request_id": 2**70, "amount_ore": 1, "paid_on": "2024-01-01",
                               "reference": "A"}, 422, "invalid"),
        ("post", "/payments", {"request_id": 999999, "amount_ore": 1, "paid_on": "2024-01-01",
                               "reference": "A"}, 404, "not_found"),
        ("get", "/municipalities?page_size=501", None, 422, "invalid"),
        ("get", "/municipalities?page=0", None, 422, "invalid"),
        ("get", "/allocation-runs/99999999999999999999999", None, 422, "invalid"),
        ("get", "/reach?year=1800", None, 422, "invalid"),
        ("get", "/population?municipality=12", None, 422, "invalid"),
    ],
)  # fmt: skip
def test_bad_input_is_a_documented_4xx_and_changes_nothing(
    world: World,
    tokens: dict[str, str],
    method: str,
    path: str,
    body: object,
    status: int,
    code: str,
) -> None:
    before = Payment.objects.count(), AuditEntry.objects.count()
    data = body if isinstance(body, str) else json.dumps(body)
    call = getattr(Client(), method)
    response = (
        call(
            f"/api/v1{path}", data, content_type="application/json", **bearer(tokens["sekretariat"])
        )
        if body is not None
        else call(f"/api/v1{path}", **bearer(tokens["sekretariat"]))
    )

    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert (Payment.objects.count(), AuditEntry.objects.count()) == before


def test_an_oversized_body_is_refused_before_it_is_read(
    world: World, tokens: dict[str, str]
) -> None:
    big = json.dumps({"reference": "x" * 2_000_000})

    response = Client().post(
        "/api/v1/payments", big, content_type="application/json", **bearer(tokens["sekretariat"])
    )

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_a_session_writes_only_with_its_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username="sekretariat"))
    body = json.dumps({"request_id": world.greve_request_pk, "amount_ore": 100,
                       "paid_on": "2024-03-20", "reference": "CSRF-1"})  # fmt: skip

    refused = client.post("/api/v1/payments", body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "csrf"
    assert client.get("/api/v1/me").status_code == 200  # reading needs no CSRF token
    client.get("/log-ind/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/payments", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 201, accepted.content
