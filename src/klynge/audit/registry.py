"""
The audited models: every write of their rows goes through a service that records an entry.

Each app names its own models in `AppConfig.ready` (`audited("financing.Agreement")`),
so this module never imports an app above it. The list is the one source for:

- `record`, which refuses an entry for a model not named here (a new audited model
  cannot be forgotten);
- the admin check (`klynge.audit.checks`), which requires a read-only admin for every
  audited model shown in the admin;
- the CI guard in tests/audit that no module but a service writes an audited model.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models

_AUDITED: set[str] = set()


def audited(*model_labels: str) -> None:
    """Name models as audited, by label ("app_label.ModelName", case-insensitive)."""
    for label in model_labels:
        app_label, _, model_name = label.partition(".")
        if not app_label or not model_name:
            raise ValueError(f"An audited model is named app_label.ModelName, not {label!r}.")
        _AUDITED.add(label.lower())


def is_audited(model: type[models.Model]) -> bool:
    """Whether rows of `model` are audited."""
    return model._meta.label_lower in _AUDITED


def audited_models() -> list[type[models.Model]]:
    """Every audited model, sorted by label."""
    return sorted((apps.get_model(label) for label in _AUDITED), key=lambda m: m._meta.label)
