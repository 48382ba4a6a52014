"""
Passwords: each user changes its own, a forgotten one is reset by email through
Django's views, validation sees the user, and no password is ever echoed.
"""

from __future__ import annotations

import re

import pytest
from axes.models import AccessFailureLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from klynge.accounts.models import Role
from klynge.accounts.services import Binding, UserError, user_create
from klynge.audit.services import Actor
from klynge.demo.services import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/log-ind/"
NEW = "Ny-klynge-kode-2027"
LINK = re.compile(r"https?://testserver(/log-ind/ny-adgangskode/[^/\s]+/[^/\s]+/)")


def _logged_in(username: str) -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


# Changing one's own password -------------------------------------------------------


def test_a_user_changes_its_own_password_and_stays_logged_in(demo) -> None:
    client = _logged_in("greve")
    assert 'href="/konto/"' in client.get(reverse("overview")).content.decode()  # header link
    assert 'href="/konto/adgangskode/"' in client.get(reverse("account")).content.decode()

    response = client.post(
        reverse("password-change"),
        {"old_password": DEMO_PASSWORD, "new_password1": NEW, "new_password2": NEW},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("account"), 302)]
    assert "Din adgangskode er ændret" in response.content.decode()
    assert get_user_model().objects.get(username="greve").check_password(NEW)
    assert client.get(reverse("overview")).status_code == 200


def test_a_password_change_logs_out_the_user_s_other_sessions(demo) -> None:
    other = _logged_in("greve")
    client = _logged_in("greve")

    client.post(
        reverse("password-change"),
        {"old_password": DEMO_PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )

    assert other.get(reverse("overview")).status_code == 302


def test_a_wrong_old_password_is_refused_and_counted_as_a_failed_login(demo) -> None:
    client = _logged_in("greve")

    response = client.post(
        reverse("password-change"),
        {"old_password": "forkert-gammel", "new_password1": NEW, "new_password2": NEW},
    )

    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    assert AccessFailureLog.objects.filter(username="greve").count() == 1
    assert get_user_model().objects.get(username="greve").check_password(DEMO_PASSWORD)


def test_a_new_password_too_like_the_username_is_refused(demo) -> None:
    client = _logged_in("greve")

    response = client.post(
        reverse("password-change"),
        {"old_password": DEMO_PASSWORD, "new_password1": "greve123", "new_password2": "greve123"},
    )

    errors = response.context["form"].errors.as_data()["new_password2"]
    assert "password_too_similar" in {error.code for error in errors}


# Validation sees the user, wherever a password is set --------------------------------


def test_the_secretariat_s_form_checks_the_password_against_the_new_user(demo) -> None:
    client = Client()
    client.force_login(get_user_model().objects.get(username="sekretariat"))

    response = client.post(
        reverse("user-new"),
        {
            "username": "lise.lejre",
            "password": "lise.lejre1",
            "full_name": "Lise Lejre",
            "role": "laeser",
        },
    )

    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["password"]
    assert "password_too_similar" in {error.code for error in errors}
    assert not get_user_model().objects.filter(username="lise.lejre").exists()


def test_the_user_service_checks_the_password_against_the_new_user(demo) -> None:
    with pytest.raises(UserError, match="minder for meget om"):
        user_create(
            actor=Actor.system("test"),
            username="lise.lejre",
            password="lise.lejre1",
            binding=Binding(role=Role.READER),
            full_name="Lise Lejre",
        )
    with pytest.raises(UserError):
        user_create(
            actor=Actor.system("test"),
            username="kort",
            password="kort",
            binding=Binding(role=Role.READER),
        )

    assert not get_user_model().objects.filter(username__in=["lise.lejre", "kort"]).exists()


# Never echoed ----------------------------------------------------------------------


def test_a_password_is_never_sent_back_in_a_form(demo) -> None:
    secret = "Hemmelig-ekko-2026"
    secretariat = Client()
    secretariat.force_login(get_user_model().objects.get(username="sekretariat"))
    greve = _logged_in("greve")

    pages = [
        Client().post(LOGIN, {"username": "greve", "password": secret}),
        secretariat.post(reverse("user-new"), {"username": "ø", "password": secret}),
        greve.post(
            reverse("password-change"),
            {"old_password": secret, "new_password1": secret, "new_password2": "x"},
        ),
        greve.post(reverse("two-factor-setup"), {"code": "1", "password": secret}),
    ]

    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert 'type="password"' in html
        assert secret not in html


# A forgotten password -------------------------------------------------------------


def _without_csrf(html: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.decode())


@pytest.fixture
def greve_with_email(demo) -> None:
    get_user_model().objects.filter(username="greve").update(email="greve@example.dk")


def test_a_forgotten_password_is_reset_through_an_emailed_link(greve_with_email) -> None:
    client = Client()
    assert "Glemt din adgangskode?" in client.get(LOGIN).content.decode()

    response = client.post(reverse("password-reset"), {"email": "GREVE@example.dk"})

    assert response.status_code == 302 and response["Location"] == reverse("password-reset-done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["greve@example.dk"]
    assert message.subject == "Ny adgangskode til Klynge"
    assert "brugeren greve" in message.body
    link = LINK.search(message.body).group(1)
    form_url = client.get(link)["Location"]  # the token moves into the session
    assert "set-password" in form_url
    assert 'type="password"' in client.get(form_url).content.decode()

    done = client.post(form_url, {"new_password1": NEW, "new_password2": NEW})

    assert done["Location"] == reverse("password-reset-complete")
    assert get_user_model().objects.get(username="greve").check_password(NEW)
    assert Client().post(LOGIN, {"username": "greve", "password": NEW}).status_code == 302
    reused = Client().get(link, follow=True).content.decode()
    assert "Linket virker ikke" in reused


def test_the_reset_page_does_not_tell_whether_an_address_exists(greve_with_email) -> None:
    known = Client().post(reverse("password-reset"), {"email": "greve@example.dk"}, follow=True)
    unknown = Client().post(reverse("password-reset"), {"email": "ingen@example.dk"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain
    assert _without_csrf(known.content) == _without_csrf(unknown.content)
    assert len(mail.outbox) == 1


def test_a_reset_password_still_needs_the_second_factor(greve_with_email) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.get(username="greve")
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client()
    client.post(reverse("password-reset"), {"email": "greve@example.dk"})
    form_url = client.get(LINK.search(mail.outbox[0].body).group(1))["Location"]
    client.post(form_url, {"new_password1": NEW, "new_password2": NEW})

    client.post(LOGIN, {"username": "greve", "password": NEW})

    assert client.get(reverse("overview"))["Location"].startswith(reverse("login-code"))


def test_reset_links_last_one_hour_and_mail_settings_are_django_s() -> None:
    assert settings.PASSWORD_RESET_TIMEOUT == 60 * 60
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"  # tests
