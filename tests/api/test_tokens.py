"""The token lifecycle: made in the web, shown once, stored hashed, used, limited, revoked."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.api.conftest import bearer

from klynge.accounts.models import ApiToken
from klynge.accounts.services.tokens import TokenError, max_active, token_create
from klynge.audit.models import AuditEntry
from klynge.audit.services import Actor
from klynge.financing.models import Agreement

pytestmark = pytest.mark.django_db


def _client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _make(client: Client, **data: object) -> str:
    """Make a token on the page; the token as the page shows it (once)."""
    form = {"name": "CRM", "scope": "read", "days": "30", **data}
    response = client.post(reverse("api-tokens"), form)
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('id="new-token">') + len('id="new-token">')
    return html[start : html.index("</code>", start)]


def test_a_token_is_shown_once_stored_hashed_used_and_revoked(demo: Agreement) -> None:
    client = _client("greve")
    raw = _make(client)
    token = ApiToken.objects.get(user__username="greve")

    # Stored: the prefix and the SHA-256 only; the page never shows it again.
    assert raw.startswith(f"kl_{token.prefix}_")
    assert token.secret_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in client.get(reverse("api-tokens")).content.decode()
    assert token.last_used_at is None

    me = Client().get("/api/v1/me", **bearer(raw))
    assert me.status_code == 200
    assert me.json()["username"] == "greve"
    assert me.json()["token"]["scope"] == "read"
    token.refresh_from_db()
    assert token.last_used_at is not None
    page = client.get(reverse("api-tokens")).content.decode()
    assert token.prefix in page and "aktiv" in page

    revoke = client.post(reverse("api-token-revoke", args=[token.pk]))
    assert revoke.status_code == 302
    refused = Client().get("/api/v1/me", **bearer(raw))
    assert refused.status_code == 401
    assert refused.json()["code"] == "bad_token"
    assert "tilbagekaldt" in client.get(reverse("api-tokens")).content.decode()

    # Both the creation and the revocation are in the audit log, without the hash.
    entries = AuditEntry.objects.filter(model="accounts.apitoken", object_pk=str(token.pk))
    assert [e.action for e in entries.order_by("pk")] == ["create", "update"]
    assert all("secret_hash" not in (e.after or {}) for e in entries)


def test_an_expired_or_wrong_token_is_refused_alike(demo: Agreement) -> None:
    user = get_user_model().objects.get(username="greve")
    token, raw = token_create(actor=Actor.system("t"), user=user, name="x", scope="read", days=1)
    wrong = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    for value in (raw, wrong, "kl_0000000000_" + "x" * 43, "nonsense", "x" * 5000):
        response = Client().get("/api/v1/me", **bearer(value))
        assert response.status_code == 401, value[:20]
        assert response.json()["code"] == "bad_token"


def test_a_read_token_cannot_write(demo: Agreement) -> None:
    user = get_user_model().objects.get(username="sekretariat")
    _token, raw = token_create(actor=Actor.system("t"), user=user, name="r", scope="read", days=5)

    response = Client().post(
        "/api/v1/payments",
        {"request_id": 1, "amount_ore": 100, "paid_on": "2024-03-01", "reference": "R-1"},
        content_type="application/json",
        **bearer(raw),
    )

    assert response.status_code == 403
    assert response.json()["code"] == "read_only_token"


def test_an_inactive_user_s_token_stops_working(demo: Agreement) -> None:
    user = get_user_model().objects.get(username="greve")
    _token, raw = token_create(actor=Actor.system("t"), user=user, name="x", scope="read", days=5)
    user.is_active = False
    user.save()

    assert Client().get("/api/v1/me", **bearer(raw)).status_code == 401


@pytest.mark.parametrize(
    ("data", "field"),
    [({"name": ""}, "name"), ({"days": "0"}, "days"), ({"days": "366"}, "days"),
     ({"scope": "admin"}, "scope")],
)  # fmt: skip
def test_a_bad_token_form_is_refused_with_nothing_stored(
    demo: Agreement, data: dict[str, str], field: str
) -> None:
    form = {"name": "CRM", "scope": "read", "days": "30", **data}
    response = _client("greve").post(reverse("api-tokens"), form)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not ApiToken.objects.exists()


def test_a_user_has_at_most_the_allowed_active_tokens(demo: Agreement) -> None:
    user = get_user_model().objects.get(username="greve")
    for n in range(max_active()):
        token_create(actor=Actor.system("t"), user=user, name=f"t{n}", scope="read", days=5)

    with pytest.raises(TokenError):
        token_create(actor=Actor.system("t"), user=user, name="one more", scope="read", days=5)


def test_another_user_s_token_cannot_be_revoked(demo: Agreement) -> None:
    other = get_user_model().objects.get(username="naestved")
    token, raw = token_create(actor=Actor.system("t"), user=other, name="x", scope="read", days=5)

    response = _client("greve").post(reverse("api-token-revoke", args=[token.pk]))

    assert response.status_code == 404
    assert Client().get("/api/v1/me", **bearer(raw)).status_code == 200
