"""Klynge's URLs plus the benchmark's hello-world view (never part of the product)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


@login_not_required
def hello(request: HttpRequest) -> HttpResponse:
    """The floor: the same middleware, no template, no database."""
    return HttpResponse("Hello, world", content_type="text/plain")


urlpatterns = [
    path("bench-hello/", hello),
    path("", include("klynge.config.urls")),
]
