"""What every request pays before it reads any data (issue 11, item 4)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from klynge.demo.services import DEMO_USERS
from klynge.financing.models import OfficeLead

pytestmark = pytest.mark.django_db

STATIC_PAGE = "/tilgaengelighed/"
# The session, its user with the profile (municipality and office joined), and
# the demo-data check. Nothing else, whatever the role.
STATIC_PAGE_QUERIES = 3


def _queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("username", [user.username for user in DEMO_USERS])
def test_a_static_page_costs_a_fixed_few_queries(login_as, username: str) -> None:
    client = login_as(username)
    client.get(STATIC_PAGE)  # the first request renews the session (one write)

    queries = _queries(client, STATIC_PAGE)

    assert len(queries) <= STATIC_PAGE_QUERIES, "\n".join(queries)
    assert not [q for q in queries if "auth_permission" in q]  # the menu asks the rules only
    assert not [q for q in queries if "django_session" in q and "SELECT" not in q[:10]]


@pytest.mark.parametrize("username", [user.username for user in DEMO_USERS])
def test_the_menu_still_shows_what_each_role_may_open(login_as, username: str) -> None:
    content = login_as(username).get(STATIC_PAGE).content.decode()

    assert (reverse("user-list") in content) == (username == "sekretariat")
    assert (reverse("audit-log") in content) == (username == "sekretariat")
    assert (f'href="{reverse("requests-current")}"' in content) == (
        username in {"sekretariat", "greve", "naestved"}
    )


def test_the_header_names_the_role_and_its_binding(login_as) -> None:
    content = login_as("greve").get(STATIC_PAGE).content.decode()

    assert "Greve" in content.split("</header>")[0]


def test_a_lead_changed_to_and_from_demo_shows_on_the_next_request(login_as) -> None:
    client = login_as("sekretariat")
    assert 'class="demo-banner"' not in client.get(STATIC_PAGE).content.decode()
    lead = OfficeLead.objects.order_by("pk").first()
    basis = lead.basis

    OfficeLead.objects.filter(pk=lead.pk).update(basis="demo")
    assert 'class="demo-banner"' in client.get(STATIC_PAGE).content.decode()

    OfficeLead.objects.filter(pk=lead.pk).update(basis=basis)
    assert 'class="demo-banner"' not in client.get(STATIC_PAGE).content.decode()


def test_a_response_without_the_banner_does_not_ask_for_demo_data(login_as) -> None:
    client = login_as("sekretariat")
    client.get(STATIC_PAGE)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("logout"))  # GET is refused: no page, no banner

    assert response.status_code in {302, 405}
    assert not [q for q in captured.captured_queries if "officelead" in q["sql"]]
