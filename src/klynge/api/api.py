"""
The API instance: /api/v1/, its OpenAPI 3.1 description and interactive docs.

Every operation is authenticated (a personal token or the session), refuses
with the one `Error` shape, and asks the web's permission names. The routers
are thin: they call the same selectors and services as the web pages.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI, Schema

from klynge.accounts.permissions import profile_of, role_of
from klynge.api import errors
from klynge.api.auth import AUTH, caller
from klynge.api.errors import ERRORS_READ
from klynge.api.routers import contracts, financing, money, participation, register

DESCRIPTION = """
Klynges REST-API: de samme tal og de samme rettigheder som webstedet.

**Log ind** med en personlig API-nøgle (`Authorization: Bearer kl_...`), som du laver,
afgrænser (læse eller læse og skrive) og tilbagekalder under *Min konto → API-nøgler*;
eller med din browsersession (skrivning kræver da CSRF-token i `X-CSRFToken`).

**Beløb** er hele øre (`*_ore`): 1.000.000 kr. er `100000000`.

**Lister** har `page` og `page_size` (1-500) og svarer med `count`, `page`, `page_size`
og `items`.

**Fejl** har altid formen `{"code": ..., "message": ..., "errors": [{"field", "message"}]}`
med danske beskeder: 400 indholdet kan ikke læses, 401 ingen eller ugyldig nøgle, 403 rollen eller
nøglen må ikke, 404 findes ikke eller er ikke din, 413 for stor, 422 ugyldige værdier
eller afvist ændring. Intet gemmes ved en fejl.
"""

api = NinjaAPI(
    title="Klynge API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=AUTH,
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)


class TokenOut(Schema):
    prefix: str
    name: str
    scope: str
    expires_at: dt.datetime


class MeOut(Schema):
    """Who the caller is: the role its permissions come from, and the token it used."""

    username: str
    role: str | None
    municipality_code: str | None
    office_id: int | None
    token: TokenOut | None


@api.get("/me", response={200: MeOut, **ERRORS_READ}, summary="Hvem er jeg", tags=["Konto"])
def me(request: HttpRequest) -> MeOut:
    who = caller(request)
    profile = profile_of(who.user)
    role = role_of(who.user)
    token = who.token
    return MeOut(
        username=who.user.get_username(),
        role=str(role) if role else None,
        municipality_code=profile.municipality.code if profile and profile.municipality else None,
        office_id=profile.office_id if profile else None,
        token=(
            TokenOut(
                prefix=token.prefix, name=token.name, scope=token.scope, expires_at=token.expires_at
            )
            if token
            else None
        ),
    )


api.add_router("", register.router)
api.add_router("", financing.router)
api.add_router("", money.router)
api.add_router("", contracts.router)
api.add_router("", participation.router)


def urls() -> tuple[list[URLResolver | URLPattern], str, str]:
    """The API's URL patterns, open to Django's login middleware: the API authenticates itself."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            login_not_required(pattern.callback)
    return patterns, app_name, namespace
