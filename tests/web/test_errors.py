"""Error pages: Danish, in the design system, and never a traceback."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_an_unknown_page_gives_a_danish_404_in_the_design_system(login_as) -> None:
    response = login_as("greve").get("/findes-ikke/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "Siden blev ikke fundet" in html
    assert "dkfds.min.css" in html


def test_a_refused_page_gives_a_danish_403(login_as) -> None:
    response = login_as("laeser").get("/brugere/")

    assert response.status_code == 403
    assert "Du har ikke adgang til denne side" in response.content.decode()


def test_an_expired_form_gives_a_danish_403(demo) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post("/log-ind/", {"username": "greve", "password": "x"})

    assert response.status_code == 403
    assert "Formularen er udløbet" in response.content.decode()


def test_a_server_error_shows_no_traceback() -> None:
    response = server_error(RequestFactory().get("/"))

    html = response.content.decode()
    assert response.status_code == 500
    assert "Der opstod en fejl" in html
    assert "Traceback" not in html and "SECRET_KEY" not in html
