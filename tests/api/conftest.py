"""The API's tests: the security world, and a personal token per role."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from tests.security.conftest import ANONYMOUS, ROLES, World, make_world

from klynge.accounts.services.tokens import token_create
from klynge.audit.services import Actor
from klynge.financing.models import Agreement

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo: Agreement) -> World:
    return make_world(demo)


@pytest.fixture
def tokens(world: World) -> dict[str, str]:
    """A read-and-write token per user of the world (none for the anonymous caller)."""
    found = {}
    for username in ROLES:
        if username == ANONYMOUS:
            continue
        user = get_user_model().objects.get(username=username)
        _token, raw = token_create(
            actor=Actor.system("test"), user=user, name="test", scope="write", days=30
        )
        found[username] = raw
    return found


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
