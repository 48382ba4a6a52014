"""Reads about the demo data."""

from __future__ import annotations

from klynge.common.choices import Basis
from klynge.financing.models import OfficeLead
from klynge.participation.models import Participant


def demo_data_present() -> bool:
    """True when any stored value is demo data: a demo lead or the demo companies."""
    return (
        OfficeLead.objects.filter(basis=Basis.DEMO).exists()
        or Participant.objects.filter(basis=Basis.DEMO).exists()
    )
