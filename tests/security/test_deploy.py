"""Production settings: `klynge check --deploy --fail-level WARNING` is clean."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def _klynge() -> list[str]:
    script = Path(sys.executable).with_name("klynge")
    return [str(script)] if script.exists() else [shutil.which("klynge") or "klynge"]


def _production_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="klynge.config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="klynge.example.dk",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )
    return env


def test_check_deploy_with_production_settings_exits_0(tmp_path: Path) -> None:
    result = subprocess.run(  # noqa: S603 - our own console script
        [*_klynge(), "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_settings_refuse_to_start_without_secrets(tmp_path: Path, missing: str) -> None:
    env = _production_env(tmp_path)
    del env[missing]

    result = subprocess.run(  # noqa: S603 - our own console script
        [*_klynge(), "check"], env=env, capture_output=True, text=True, timeout=120, check=False
    )

    assert result.returncode != 0
    assert missing in result.stderr


def test_production_settings_harden_cookies_and_transport(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.DEBUG)"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.stdout.split() == ["31536000", "True", "True", "True", "True", "Lax", "False"]


def test_production_caches_templates_and_development_reads_them_anew(tmp_path: Path) -> None:
    code = (
        "from django.template import engines; "
        "print(*[type(l).__module__ for l in engines['django'].engine.template_loaders])"
    )

    def loaders(env: dict[str, str]) -> list[str]:
        result = subprocess.run(  # noqa: S603 - our own interpreter
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return result.stdout.split()

    development = {
        **_production_env(tmp_path),
        "DJANGO_SETTINGS_MODULE": "klynge.config.settings.dev",
        "KLYNGE_DEBUG": "1",
    }
    assert loaders(_production_env(tmp_path)) == ["django.template.loaders.cached"]
    assert loaders(development) == [
        "django.template.loaders.filesystem",
        "django.template.loaders.app_directories",
    ]


def _settings_in(env: dict[str, str], *names: str) -> list[str]:
    code = f"from django.conf import settings as s; print(*[getattr(s, n) for n in {names!r}])"
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.split()


def test_two_factor_login_is_required_in_production_and_off_in_the_local_demo(
    tmp_path: Path,
) -> None:
    production = _production_env(tmp_path)
    production.pop("KLYNGE_REQUIRE_2FA", None)
    development = {**production, "DJANGO_SETTINGS_MODULE": "klynge.config.settings.dev"}

    assert _settings_in(production, "KLYNGE_REQUIRE_2FA") == ["True"]
    assert _settings_in(development, "KLYNGE_REQUIRE_2FA") == ["False"]


def test_mail_settings_come_from_the_environment(tmp_path: Path) -> None:
    env = {
        **_production_env(tmp_path),
        "EMAIL_HOST": "smtp.example.dk",
        "EMAIL_PORT": "587",
        "EMAIL_HOST_USER": "klynge",
        "EMAIL_USE_TLS": "1",
        "DEFAULT_FROM_EMAIL": "klynge@example.dk",
    }
    names = ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_USE_TLS")
    development = {**env, "DJANGO_SETTINGS_MODULE": "klynge.config.settings.dev"}
    development.pop("EMAIL_BACKEND", None)

    assert _settings_in(env, *names, "DEFAULT_FROM_EMAIL") == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.dk",
        "587",
        "klynge",
        "True",
        "klynge@example.dk",
    ]
    assert _settings_in(development, "EMAIL_BACKEND") == [
        "django.core.mail.backends.console.EmailBackend"
    ]
