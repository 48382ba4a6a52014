"""Tell every page whether the database holds demo data."""

from __future__ import annotations

from django.http import HttpRequest

from klynge.demo.selectors import demo_data_present


def demo_flag(request: HttpRequest) -> dict[str, bool]:
    return {"demo_data_present": demo_data_present()}
