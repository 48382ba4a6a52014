"""Reads about the demo data."""

from __future__ import annotations

from klynge.common.choices import Basis
from klynge.financing.models import OfficeLead


def demo_data_present() -> bool:
    """True when any stored value is demo data."""
    return OfficeLead.objects.filter(basis=Basis.DEMO).exists()
