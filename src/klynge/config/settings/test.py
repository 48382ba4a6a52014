"""Test settings: fast hashing, plain static storage."""

from __future__ import annotations

from klynge.config.settings.dev import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
