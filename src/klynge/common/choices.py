"""Choices shared across apps."""

from django.db import models


class Basis(models.TextChoices):
    """How a stored value is known (design.md §5)."""

    FACT = "fact", "Fakta"
    ASSUMPTION = "assumption", "Arbejdsantagelse"
    DEMO = "demo", "Demodata"
