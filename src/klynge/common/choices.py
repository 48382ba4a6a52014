"""Choices shared across apps."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Basis(models.TextChoices):
    """How a stored value is known (design.md §5)."""

    FACT = "fact", _("Fact")
    ASSUMPTION = "assumption", _("Working assumption")
    DEMO = "demo", _("Demo data")
