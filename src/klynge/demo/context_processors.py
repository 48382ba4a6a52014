"""Tell every page whether the database holds demo data."""

from __future__ import annotations

from django.http import HttpRequest

from klynge.demo.selectors import demo_data_present


class DemoFlag:
    """
    Whether the database holds demo data, asked the first time a template tests it.

    A response that never renders the banner (a redirect, a download, a page
    without the base template) reads nothing; one that does reads it once,
    with one query, fresh on every request (never cached across requests).
    """

    def __init__(self) -> None:
        self._value: bool | None = None

    def __bool__(self) -> bool:
        if self._value is None:
            self._value = demo_data_present()
        return self._value

    def __repr__(self) -> str:
        return f"DemoFlag({self._value!r})"


def demo_flag(request: HttpRequest) -> dict[str, DemoFlag]:
    return {"demo_data_present": DemoFlag()}
