"""Reads about the demo data."""

from __future__ import annotations

from klynge.common.choices import Basis
from klynge.financing.models import OfficeLead
from klynge.participation.models import Participant


def demo_data_present() -> bool:
    """
    True when any stored value is demo data: a demo lead or a demo company.

    One query (`... UNION ALL ... LIMIT 1`), read from the tables themselves
    on every call: no cache, so loading, importing or removing demo data in
    any process shows on the next request.
    """
    leads = OfficeLead.objects.filter(basis=Basis.DEMO).values("pk")
    companies = Participant.objects.filter(basis=Basis.DEMO).values("pk")
    return leads.union(companies, all=True).exists()
