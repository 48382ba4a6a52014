"""Template context shared by every page: the main navigation."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

NAVIGATION = (
    ("home", "Overblik"),
    ("allocation-current", "Fordeling"),
    ("municipality-list", "Kommuner"),
    ("office-list", "Klyngekontorer"),
    ("data-quality", "Datakvalitet"),
    ("timeline", "Historik"),
)


def navigation(request: HttpRequest) -> dict[str, object]:
    """The main menu with the current section marked."""
    path = request.path
    items = []
    for name, label in NAVIGATION:
        url = reverse(name)
        section = "/" + url.strip("/").split("/")[0] + "/" if url != "/" else "/"
        current = path == "/" if section == "/" else path.startswith(section)
        items.append({"url": url, "label": label, "current": current})
    return {"main_navigation": items}
