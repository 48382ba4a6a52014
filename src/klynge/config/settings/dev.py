"""
Local development: `make run` chooses these (DJANGO_SETTINGS_MODULE) with KLYNGE_DEBUG=1.

Never the default: without DJANGO_SETTINGS_MODULE the `klynge` command and
wsgi.py use the production settings. DEBUG is on only with KLYNGE_DEBUG=1.
"""

from __future__ import annotations

import os

from klynge.config.settings.base import *  # noqa: F403

# A fixed key is fine on a developer's machine; production reads SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret-klynge-0123456789abcdef"
DEBUG = os.environ.get("KLYNGE_DEBUG") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

# The local demo (`make run`) logs in with a password alone, and says so on the
# login page; KLYNGE_REQUIRE_2FA=1 turns two-factor login on here too.
KLYNGE_REQUIRE_2FA = env_flag("KLYNGE_REQUIRE_2FA", default=False)  # noqa: F405
# The demo logins (`klynge demo`) with their published password: only here.
KLYNGE_DEMO_USERS = env_flag("KLYNGE_DEMO_USERS", default=True)  # noqa: F405
# Mails (password reset) are printed on the console unless EMAIL_BACKEND says otherwise.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

# `make run` serves with --noreload, which never clears the cached loader: read
# templates anew on every render while DEBUG is on, so an edit shows at once.
if DEBUG:
    TEMPLATES = [
        {
            **TEMPLATES[0],  # noqa: F405
            "OPTIONS": {**TEMPLATES[0]["OPTIONS"], "loaders": KLYNGE_TEMPLATE_LOADERS},  # noqa: F405
        }
    ]
