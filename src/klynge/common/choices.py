"""Choices shared across apps, and the check that choices mirror a core enum."""

from enum import Enum

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _


class Basis(models.TextChoices):
    """How a stored value is known (design.md §5)."""

    FACT = "fact", _("Fact")
    ASSUMPTION = "assumption", _("Working assumption")
    DEMO = "demo", _("Demo data")


def mirror(choices: type[models.Choices], enum: type[Enum], *, subset: bool = False) -> None:
    """
    Refuse, at import, stored choices that drift from the core enum they mirror.

    The core enum is the one source of the values; the choices add labels only.
    With `subset`, the choices may store a part of the enum (the rest is derived).

    :raises ImproperlyConfigured: a value in one and not in the other
    """
    stored = {member.value for member in choices}
    core = {member.value for member in enum}
    if not stored <= core or (not subset and stored != core):
        raise ImproperlyConfigured(
            f"{choices.__qualname__} {sorted(stored)} does not mirror "
            f"{enum.__module__}.{enum.__qualname__} {sorted(core)}."
        )
