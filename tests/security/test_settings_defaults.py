"""
Defaults that fail safe (#12): no development settings by accident, and the
production cookies `__Host-`, Secure and SameSite.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
COOKIE_SETTINGS = (
    "SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_PATH", "SESSION_COOKIE_DOMAIN",
    "CSRF_COOKIE_NAME", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_PATH", "CSRF_COOKIE_DOMAIN",
    "LANGUAGE_COOKIE_NAME", "LANGUAGE_COOKIE_SECURE", "LANGUAGE_COOKIE_HTTPONLY",
    "LANGUAGE_COOKIE_SAMESITE", "LANGUAGE_COOKIE_PATH", "LANGUAGE_COOKIE_DOMAIN",
)  # fmt: skip


def _env(tmp_path: Path, **changes: str | None) -> dict[str, str]:
    """This environment without DJANGO_SETTINGS_MODULE, with the production secrets."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "KLYNGE_DEBUG")
    }
    env.update(
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="klynge.example.dk",
        DATABASE_URL=f"sqlite:///{tmp_path / 'defaults.sqlite3'}",
    )
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


def _klynge(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script
        [sys.executable, "-m", "klynge", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


SHOW = "from django.conf import settings as s; print(s.SETTINGS_MODULE, s.DEBUG)"


def test_the_klynge_command_without_a_settings_module_uses_production(tmp_path: Path) -> None:
    result = _klynge("shell", "-c", SHOW, env=_env(tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["klynge.config.settings.production", "False"]


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_the_klynge_command_without_settings_or_secrets_refuses_with_a_clear_message(
    tmp_path: Path, missing: str
) -> None:
    result = _klynge("check", env=_env(tmp_path, **{missing: None}))

    assert result.returncode == 2
    assert result.stderr.startswith(f"klynge: {missing} is not set.")
    assert "DJANGO_SETTINGS_MODULE=klynge.config.settings.dev" in result.stderr
    assert "Traceback" not in result.stderr


def test_wsgi_without_a_settings_module_uses_production(tmp_path: Path) -> None:
    result = _python(f"import klynge.config.wsgi; {SHOW}", _env(tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["klynge.config.settings.production", "False"]


def test_wsgi_without_secrets_refuses_to_start(tmp_path: Path) -> None:
    result = _python("import klynge.config.wsgi", _env(tmp_path, SECRET_KEY=None))

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(("debug", "expected"), [(None, "False"), ("0", "False"), ("1", "True")])
def test_the_development_settings_debug_only_when_asked(
    tmp_path: Path, debug: str | None, expected: str
) -> None:
    env = _env(tmp_path, DJANGO_SETTINGS_MODULE="klynge.config.settings.dev", KLYNGE_DEBUG=debug)

    result = _python(f"import django; django.setup(); {SHOW}", env)

    assert result.stdout.split() == ["klynge.config.settings.dev", expected], result.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_chooses_the_development_settings_with_debug() -> None:
    result = subprocess.run(  # noqa: S603
        ["make", "-n", "-C", str(ROOT), "run"],  # noqa: S607 - make from PATH
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = [line for line in result.stdout.splitlines() if "klynge " in line]

    assert lines, result.stdout
    assert all("DJANGO_SETTINGS_MODULE=klynge.config.settings.dev" in line for line in lines)
    assert any("KLYNGE_DEBUG=1" in line and "runserver" in line for line in lines)


@pytest.fixture(scope="module")
def production_cookies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The cookie settings of klynge.config.settings.production, read in a subprocess."""
    env = _env(tmp_path_factory.mktemp("cookies"))
    env["DJANGO_SETTINGS_MODULE"] = "klynge.config.settings.production"
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {COOKIE_SETTINGS!r}}}))"
    )
    result = _python(code, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_cookie_settings(production_cookies: dict[str, object]) -> None:
    assert production_cookies == {
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_PATH": "/",
        "SESSION_COOKIE_DOMAIN": None,
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_PATH": "/",
        "CSRF_COOKIE_DOMAIN": None,
        "LANGUAGE_COOKIE_NAME": "django_language",
        "LANGUAGE_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_HTTPONLY": True,
        "LANGUAGE_COOKIE_SAMESITE": "Lax",
        "LANGUAGE_COOKIE_PATH": "/",
        "LANGUAGE_COOKIE_DOMAIN": None,
    }


CSRF = "__Host-csrftoken"
SAME_SITE = {"Referer": "https://testserver/log-ind/"}  # Django's CSRF check wants it on HTTPS


@pytest.mark.django_db
def test_with_production_cookie_settings_the_browser_gets_host_secure_same_site_cookies(
    production_cookies: dict[str, object], settings, demo
) -> None:
    """Log in and switch the language with production's cookie settings, over HTTPS."""
    for name, value in production_cookies.items():
        setattr(settings, name, value)
    client = Client(enforce_csrf_checks=True)

    client.get("/log-ind/", secure=True)
    token = client.cookies[CSRF].value
    login = client.post(
        "/log-ind/",
        {"username": "greve", "password": "klynge-demo", "csrfmiddlewaretoken": token},
        secure=True,
        headers=SAME_SITE,
    )
    switch = client.post(
        "/sprog/",
        {"language": "en", "next": "/", "csrfmiddlewaretoken": client.cookies[CSRF].value},
        secure=True,
        headers=SAME_SITE,
    )

    assert (login.status_code, switch.status_code) == (302, 302)
    cookies = {**login.cookies, **switch.cookies}
    assert {"__Host-sessionid", "__Host-csrftoken", "django_language"} <= set(cookies)
    for name in ("__Host-sessionid", "__Host-csrftoken", "django_language"):
        morsel = cookies[name]
        assert morsel["secure"] is True, name
        assert morsel["httponly"] is True, name
        assert morsel["samesite"] == "Lax", name
        assert morsel["path"] == "/", name
        assert morsel["domain"] == "", name


def test_production_settings_create_no_demo_login_with_the_published_password(
    tmp_path: Path,
) -> None:
    env = _env(tmp_path)
    assert _klynge("migrate", "-v", "0", env=env).returncode == 0
    assert _klynge("load-sjaelland", env=env).returncode == 0

    result = _klynge("demo", "--no-participation", env=env)
    users = _klynge(
        "shell", "-c", "from django.contrib.auth.models import User; print(User.objects.count())",
        env=env,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "Demo-logins oprettes ikke" in result.stdout and "klynge-demo" not in result.stdout
    assert users.stdout.split()[-1] == "0"


@pytest.mark.parametrize(("proxies", "expected"), [("0", "None"), ("1", "HTTP_X_FORWARDED_PROTO")])
def test_behind_a_proxy_production_reads_the_scheme_from_it(
    tmp_path: Path, proxies: str, expected: str
) -> None:
    code = "from django.conf import settings as s; h = s.SECURE_PROXY_SSL_HEADER; print(h and h[0])"
    result = _klynge("shell", "-c", code, env=_env(tmp_path, KLYNGE_TRUSTED_PROXY_COUNT=proxies))

    assert result.stdout.split()[-1] == expected, result.stderr
