"""Local development: the default for `make run` and the `klynge` command."""

from __future__ import annotations

import os

from klynge.config.settings.base import *  # noqa: F403

# A fixed key is fine on a developer's machine; production reads SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret-klynge-0123456789abcdef"
DEBUG = os.environ.get("KLYNGE_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
