"""Test settings: fast hashing, plain static storage, cached templates as in production."""

from __future__ import annotations

from klynge.config.settings import base
from klynge.config.settings.dev import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Cached templates, as in production (dev.py turns the cache off under DEBUG).
TEMPLATES = base.TEMPLATES
