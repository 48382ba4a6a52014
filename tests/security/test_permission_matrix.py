"""
Every URL pattern × every role → the expected status.

The matrix is checked against the URL configuration: a new pattern without
an entry here fails `test_every_url_pattern_has_a_matrix_entry`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from tests.security.conftest import ANONYMOUS, NO_ROLE, ROLES, World

from klynge.audit.services import Actor
from klynge.reports.models import PublishedReport
from klynge.reports.services import report_publish

pytestmark = pytest.mark.django_db

SEC, MUN, LEAD, OFFICE, READ = "sekretariat", "greve", "naestved", "webuild", "laeser"
ALL_ROLES = (SEC, MUN, LEAD, OFFICE, READ)


@dataclass(frozen=True)
class Entry:
    """How to call one URL, and the status each role gets."""

    url: Callable[[World], str]
    expected: dict[str, int]
    method: str = "get"
    data: dict[str, Any] | None = None


def statuses(
    ok: tuple[str, ...] = ALL_ROLES,
    *,
    status: int = 200,
    others: int = 403,
    no_role: int = 403,
    anonymous: int = 302,
    **overrides: int,
) -> dict[str, int]:
    """`status` for the roles in `ok`, `others` for the rest; keyword overrides per user."""
    result = {role: (status if role in ok else others) for role in ALL_ROLES}
    result[NO_ROLE] = no_role
    result[ANONYMOUS] = anonymous
    result.update(overrides)
    return result


def fixed(path_name: str, *args: Any) -> Callable[[World], str]:
    return lambda world: reverse(path_name, args=args)


SECRETARIAT_ONLY = statuses((SEC,))
STAFF = statuses((SEC, MUN, LEAD, OFFICE))


def published(world: World) -> PublishedReport:
    """The world's 2024 report, published once (through the service)."""
    found = PublishedReport.objects.filter(year=2024).first()
    return found or report_publish(actor=Actor.system("test"), year=2024)


MATRIX: dict[str, Entry] = {
    # A municipality or office user lands on its own start page; the others
    # are sent on to the Overblik; a user without a role is told so.
    "home": Entry(fixed("home"), statuses((MUN, LEAD, OFFICE), others=302)),
    "overview": Entry(fixed("overview"), statuses()),
    "login": Entry(fixed("login"), statuses(ALL_ROLES, no_role=200, anonymous=200)),
    "logout": Entry(fixed("logout"), statuses(status=302, no_role=302), method="post"),
    # The login's second step: a session that owes no code is sent on.
    "login-code": Entry(fixed("login-code"), statuses(status=302, no_role=302)),
    # A forgotten password: public pages; a link with a bad token says it does not work.
    "password-reset": Entry(fixed("password-reset"), statuses(no_role=200, anonymous=200)),
    "password-reset-done": Entry(
        fixed("password-reset-done"), statuses(no_role=200, anonymous=200)
    ),
    "password-reset-confirm": Entry(
        fixed("password-reset-confirm", "MQ", "bad-token"), statuses(no_role=200, anonymous=200)
    ),
    "password-reset-complete": Entry(
        fixed("password-reset-complete"), statuses(no_role=200, anonymous=200)
    ),
    # Each user's own account, password and two factors, a user without a role too.
    "account": Entry(fixed("account"), statuses(no_role=200)),
    "password-change": Entry(fixed("password-change"), statuses(no_role=200)),
    "two-factor-setup": Entry(fixed("two-factor-setup"), statuses(no_role=200)),
    # Without an app there are no codes to renew and nothing to turn off: sent on.
    "two-factor-codes": Entry(fixed("two-factor-codes"), statuses(status=302, no_role=302)),
    "two-factor-off": Entry(fixed("two-factor-off"), statuses(status=302, no_role=302)),
    "set-language": Entry(
        fixed("set-language"),
        statuses(status=302, no_role=302, anonymous=302),
        method="post",
        data={"language": "en", "next": "/"},
    ),
    "accessibility": Entry(fixed("accessibility"), statuses(no_role=200, anonymous=200)),
    "municipality-list": Entry(fixed("municipality-list"), statuses()),
    # Greve (253): its own user and the readers see it; other tenants get 404.
    "municipality-detail": Entry(
        fixed("municipality-detail", "253"), statuses((SEC, MUN, READ), others=404, no_role=404)
    ),
    "municipality-history": Entry(
        fixed("municipality-history", "253"),
        statuses((SEC, MUN), others=404, no_role=404, **{READ: 403}),
    ),
    "office-list": Entry(fixed("office-list"), statuses()),
    "office-detail": Entry(
        lambda w: reverse("office-detail", args=[w.own_office.pk]), statuses(no_role=404)
    ),
    # History names users: the office itself, its lead and the secretariat.
    "office-history": Entry(
        lambda w: reverse("office-history", args=[w.own_office.pk]),
        statuses((SEC, LEAD, OFFICE), no_role=404),
    ),
    "allocation-current": Entry(fixed("allocation-current"), statuses(status=302)),
    "allocation": Entry(fixed("allocation", 2024), statuses()),
    "allocation-export": Entry(fixed("allocation-export", 2024, "csv"), statuses()),
    "allocation-office": Entry(
        lambda w: reverse("allocation-office", args=[2024, w.own_office.pk]), statuses()
    ),
    "allocation-save": Entry(
        fixed("allocation-save", 2024), statuses((SEC,), status=302), method="post"
    ),
    "allocation-approve": Entry(
        lambda w: reverse("allocation-approve", args=[2024, w.run.pk]), SECRETARIAT_ONLY
    ),
    "allocation-correction": Entry(fixed("allocation-correction", 2024), SECRETARIAT_ONLY),
    "allocation-history": Entry(fixed("allocation-history", 2024), SECRETARIAT_ONLY),
    "agreement-year": Entry(fixed("agreement-year", 2024), statuses()),
    "terms-edit": Entry(fixed("terms-edit", 2024), SECRETARIAT_ONLY),
    "participation-edit": Entry(fixed("participation-edit", 2024, "253"), SECRETARIAT_ONLY),
    "collector-edit": Entry(fixed("collector-edit", 2024), SECRETARIAT_ONLY),
    "lead-edit": Entry(
        lambda w: reverse("lead-edit", args=[2024, w.own_office.pk]), SECRETARIAT_ONLY
    ),
    # Payment requests: the secretariat sees all, a municipality its own.
    "requests-current": Entry(fixed("requests-current"), statuses((SEC, MUN, LEAD), status=302)),
    "requests": Entry(fixed("requests", 2024), statuses((SEC, MUN, LEAD))),
    "requests-export": Entry(fixed("requests-export", 2024), statuses((SEC, MUN, LEAD))),
    "requests-create": Entry(
        fixed("requests-create", 2024),
        statuses((SEC,), status=302),
        method="post",
        data={"due_date": "2024-03-31"},
    ),
    "requests-settle": Entry(
        fixed("requests-settle", 2024),
        statuses((SEC,), status=302),
        method="post",
        data={"due_date": "2024-06-30"},
    ),
    "payments-import": Entry(
        fixed("payments-import", 2024), statuses((SEC,), status=302), method="post"
    ),
    "letters-zip": Entry(fixed("letters-zip", 2024), statuses((SEC, MUN, LEAD))),
    # Payment details: the secretariat, and a lead municipality for its own.
    "payee-accounts": Entry(fixed("payee-accounts"), statuses((SEC, LEAD))),
    "payee-account-edit": Entry(
        fixed("payee-account-edit", "kommune", "370"), statuses((SEC, LEAD))
    ),
    "requests-send": Entry(
        fixed("requests-send", 2024), statuses((SEC,), status=302), method="post"
    ),
    "request-detail": Entry(
        lambda w: reverse("request-detail", args=[w.greve_request_pk]),
        statuses((SEC, MUN, LEAD), others=404, no_role=404),  # Næstved collects its WBD line
    ),
    "request-letter": Entry(
        lambda w: reverse("request-letter", args=[w.greve_request_pk]),
        statuses((SEC, MUN, LEAD), others=404, no_role=404),  # Næstved collects its WBD line
    ),
    "request-cancel": Entry(
        lambda w: reverse("request-cancel", args=[w.greve_request_pk]),
        statuses((SEC,), status=302),
        method="post",
        data={"reason": "matrix"},
    ),
    "funding": Entry(fixed("funding"), statuses()),
    # Scenarios: everyone may compute and look; only the secretariat saves (POST).
    "scenarios": Entry(fixed("scenarios"), statuses()),
    "scenario-detail": Entry(
        lambda w: reverse("scenario-detail", args=[w.scenario_pk]), statuses()
    ),
    "scenario-export": Entry(
        lambda w: reverse("scenario-export", args=[w.scenario_pk]), statuses()
    ),
    "grant-detail": Entry(lambda w: reverse("grant-detail", args=[w.grant_pk]), statuses()),
    "grant-edit": Entry(lambda w: reverse("grant-edit", args=[w.grant_pk]), SECRETARIAT_ONLY),
    "population-edit": Entry(fixed("population-edit"), SECRETARIAT_ONLY),
    # Figures from Statistics Denmark: the secretariat fetches, looks and stores.
    "population-fetch": Entry(fixed("population-fetch"), SECRETARIAT_ONLY),
    "population-fetch-detail": Entry(
        lambda w: reverse("population-fetch-detail", args=[w.population_fetch_pk]),
        SECRETARIAT_ONLY,
    ),
    "population-fetch-confirm": Entry(
        lambda w: reverse("population-fetch-confirm", args=[w.population_fetch_pk]),
        statuses((SEC,), status=302),
        method="post",
    ),
    # Participation: everyone sees reach and the lists (companies are public business
    # data); an office imports for itself, the secretariat for all; contacts are
    # personal data and stay on the participant page for those who may see them.
    "reach": Entry(fixed("reach"), statuses()),
    "participants": Entry(fixed("participants"), statuses()),
    "participants-export": Entry(fixed("participants-export", "xlsx"), statuses()),
    "participant-detail": Entry(
        lambda w: reverse("participant-detail", args=[w.participant_pk]), statuses()
    ),
    "activities": Entry(fixed("activities"), statuses()),
    "activity-detail": Entry(
        lambda w: reverse("activity-detail", args=[w.activity_pk]), statuses()
    ),
    "imports": Entry(fixed("imports"), statuses((SEC, OFFICE))),
    "import-template": Entry(fixed("import-template", "xlsx"), statuses()),
    "import-detail": Entry(
        lambda w: reverse("import-detail", args=[w.batch_pk]), statuses((SEC, OFFICE))
    ),
    # Another office's file: the office user gets 404, as for any other tenant's object.
    "import-report": Entry(
        lambda w: reverse("import-report", args=[w.refused_batch_pk]), statuses((SEC, OFFICE))
    ),
    "import-commit": Entry(
        lambda w: reverse("import-commit", args=[w.other_batch_pk]),
        statuses((SEC,), status=302, **{OFFICE: 404}),
        method="post",
    ),
    "import-discard": Entry(
        lambda w: reverse("import-discard", args=[w.other_batch_pk]),
        statuses((SEC,), status=302, **{OFFICE: 404}),
        method="post",
    ),
    "import-undo": Entry(
        lambda w: reverse("import-undo", args=[w.batch_pk]),
        statuses((SEC, OFFICE), status=302),
        method="post",
    ),
    # The yearly report to KKR Sjælland: the secretariat makes and publishes it;
    # everyone with a role reads what is published (no personal data in it).
    "annual-report": Entry(fixed("annual-report"), SECRETARIAT_ONLY),
    "annual-report-download": Entry(
        fixed("annual-report-download", 2024, "xlsx"), SECRETARIAT_ONLY
    ),
    "annual-report-publish": Entry(
        fixed("annual-report-publish", 2024), statuses((SEC,), status=302), method="post"
    ),
    "published-list": Entry(fixed("published-list"), statuses()),
    "published-detail": Entry(
        lambda w: reverse("published-detail", args=[published(w).year]), statuses()
    ),
    "published-download": Entry(
        lambda w: reverse("published-download", args=[published(w).year, 1, "pdf"]), statuses()
    ),
    "published-opendata": Entry(
        lambda w: reverse("published-opendata", args=[published(w).year, 1]), statuses()
    ),
    "data-quality": Entry(fixed("data-quality"), statuses()),
    "timeline": Entry(fixed("timeline"), statuses()),
    "user-list": Entry(fixed("user-list"), SECRETARIAT_ONLY),
    "user-new": Entry(fixed("user-new"), SECRETARIAT_ONLY),
    "user-edit": Entry(lambda w: reverse("user-edit", args=[w.greve_user_pk]), SECRETARIAT_ONLY),
    "audit-log": Entry(fixed("audit-log"), SECRETARIAT_ONLY),
    # Result contracts and the follow-up: every organisation's staff sees them (an
    # office its own and its cluster's), never the reader; the secretariat manages.
    "contract-list": Entry(fixed("contract-list"), STAFF),
    "contract-detail": Entry(lambda w: reverse("contract-detail", args=[w.contract_pk]), STAFF),
    "contract-download": Entry(
        lambda w: reverse("contract-download", args=[w.contract_pk, w.document_pk]), STAFF
    ),
    "contract-new": Entry(fixed("contract-new", "kontor"), SECRETARIAT_ONLY),
    "contract-edit": Entry(
        lambda w: reverse("contract-edit", args=[w.contract_pk]), SECRETARIAT_ONLY
    ),
    "contract-document": Entry(
        lambda w: reverse("contract-document", args=[w.contract_pk]), SECRETARIAT_ONLY
    ),
    "contract-sign": Entry(
        lambda w: reverse("contract-sign", args=[w.contract_pk]), SECRETARIAT_ONLY
    ),
    "contract-expire": Entry(
        lambda w: reverse("contract-expire", args=[w.contract_pk]),
        statuses((SEC,), status=302),
        method="post",
    ),
    "indicator-new": Entry(
        lambda w: reverse("indicator-new", args=[w.contract_pk]), SECRETARIAT_ONLY
    ),
    "indicator-edit": Entry(
        lambda w: reverse("indicator-edit", args=[w.contract_pk, w.indicator_pk]),
        SECRETARIAT_ONLY,
    ),
    "indicator-targets": Entry(
        lambda w: reverse("indicator-targets", args=[w.contract_pk, w.indicator_pk]),
        SECRETARIAT_ONLY,
    ),
    "indicator-delete": Entry(
        lambda w: reverse("indicator-delete", args=[w.contract_pk, w.indicator_pk]),
        statuses((SEC,), status=302),
        method="post",
    ),
    "round-list": Entry(fixed("round-list"), STAFF),
    "round-new": Entry(fixed("round-new"), SECRETARIAT_ONLY),
    "round-detail": Entry(fixed("round-detail", 2024), STAFF),
    "round-deadline": Entry(fixed("round-deadline", 2024), SECRETARIAT_ONLY),
    "report-detail": Entry(lambda w: reverse("report-detail", args=[w.report_pk]), STAFF),
    # The report is a draft: the review and the new version are refused by the
    # service and shown on the page (200) to those who may ask; the rest get 403.
    "report-review": Entry(
        lambda w: reverse("report-review", args=[w.report_pk]),
        statuses((LEAD,)),
        method="post",
        data={"decision": "approve"},
    ),
    "report-new-version": Entry(
        lambda w: reverse("report-new-version", args=[w.report_pk]),
        statuses((SEC, LEAD, OFFICE)),
        method="post",
        data={"reason": "matrix"},
    ),
    # Each user's own API tokens (a user without a role has nothing to use one
    # for); revoking another user's token is a 404, one's own a redirect.
    "api-tokens": Entry(fixed("api-tokens"), statuses()),
    "api-token-revoke": Entry(
        lambda w: reverse("api-token-revoke", args=[w.token_pk]),
        statuses(status=404, others=404, no_role=404, sekretariat=302),
        method="post",
    ),
    # The REST API answers a session too; its operations each have their own
    # matrix in tests/api/test_permissions.py. Anonymous: 401, never a redirect.
    "api:*": Entry(fixed("api:me"), statuses(no_role=200, anonymous=401)),
    # The admin is the operators' back office: superusers only; every role
    # is sent to the admin's own login.
    "admin:*": Entry(fixed("admin:index"), statuses(status=302, others=302, no_role=302)),
}


def url_pattern_names() -> set[str]:
    """Every named pattern of the URL configuration; an included app counts once."""
    names = set()
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            names.add(f"{pattern.namespace}:*")
        else:
            assert isinstance(pattern, URLPattern)
            assert pattern.name, f"URL pattern {pattern.pattern} has no name"
            names.add(pattern.name)
    return names


def test_every_url_pattern_has_a_matrix_entry() -> None:
    names = url_pattern_names()

    assert names - set(MATRIX) == set(), "URL patterns without a permission-matrix entry"
    assert set(MATRIX) - names == set(), "matrix entries for URLs that no longer exist"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_expected_status(
    name: str, world: World, clients: dict[str, Client]
) -> None:
    entry = MATRIX[name]
    url = entry.url(world)
    got = {}
    for role in ROLES:
        response = getattr(clients[role], entry.method)(url, entry.data or {})
        got[role] = response.status_code

    assert got == entry.expected, url


def test_anonymous_users_are_sent_to_the_login_page(world: World) -> None:
    response = Client().get(reverse("overview"))

    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("username", "visible", "hidden"),
    [
        ("sekretariat", ["Brugere", "Ændringslog", "Overblik"], []),
        ("greve", ["Start", "Overblik", "Fordeling"], ["Brugere", "Ændringslog"]),
        ("webuild", ["Start", "Klyngekontorer"], ["Brugere", "Ændringslog"]),
        ("laeser", ["Overblik", "Fordeling"], ["Start", "Brugere", "Ændringslog"]),
    ],
)
def test_main_menu_shows_only_what_the_role_may_open(
    clients: dict[str, Client], username: str, visible: list[str], hidden: list[str]
) -> None:
    html = clients[username].get(reverse("allocation", args=[2024])).content.decode()
    menu = html[html.index('<ul class="mainmenu">') : html.index("</ul>", html.index("mainmenu"))]

    for label in visible:
        assert f"<span>{label}</span>" in menu
    for label in hidden:
        assert f"<span>{label}</span>" not in menu
