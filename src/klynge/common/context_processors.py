"""Template context shared by every page: the main navigation for the user."""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from klynge.common import perms

# (url name, label, permission the user needs to see the item)
NAVIGATION = (
    ("home", _("Start"), perms.HAS_START_PAGE),
    ("overview", _("Overview"), perms.VIEW_ALLOCATION),
    ("allocation-current", _("Allocation"), perms.VIEW_ALLOCATION),
    ("municipality-list", _("Municipalities"), perms.VIEW_ALLOCATION),
    ("office-list", _("Cluster offices"), perms.VIEW_ALLOCATION),
    ("requests-current", _("Requests"), perms.VIEW_REQUESTS),
    ("funding", _("Funding"), perms.VIEW_ALLOCATION),
    ("reach", _("Companies"), perms.VIEW_REGISTER),
    ("contract-list", _("Result contracts"), perms.VIEW_CONTRACTS),
    ("round-list", _("Follow-up"), perms.VIEW_CONTRACTS),
    ("scenarios", _("Scenarios"), perms.VIEW_ALLOCATION),
    ("data-quality", _("Data quality"), perms.VIEW_REGISTER),
    ("annual-report", _("Annual report"), perms.MAKE_ANNUAL_REPORT),
    ("published-list", _("Published reports"), perms.VIEW_PUBLISHED),
    ("user-list", _("Users"), perms.MANAGE_USERS),
    ("audit-log", _("Audit log"), perms.VIEW_AUDIT_LOG),
)


@cache
def _menu_urls(script_prefix: str, urlconf: str | None) -> tuple[tuple[str, str], ...]:
    """Each menu item's URL and the section it marks, reversed once per prefix and urlconf."""
    urls = []
    for name, _label, _perm in NAVIGATION:
        url = reverse(name, urlconf=urlconf)
        urls.append((url, "/" + url.strip("/").split("/")[0] + "/" if url != "/" else "/"))
    return tuple(urls)


def navigation(request: HttpRequest) -> dict[str, object]:
    """The main menu items the user may open, with the current section marked."""
    if not request.user.is_authenticated:
        return {"main_navigation": []}
    path = request.path
    items = []
    urls = _menu_urls(get_script_prefix(), get_urlconf())
    for (_name, label, perm), (url, section) in zip(NAVIGATION, urls, strict=True):
        if perm is not None and not request.user.has_perm(perm):
            continue
        current = path == "/" if section == "/" else path.startswith(section)
        items.append({"url": url, "label": label, "current": current})
    return {"main_navigation": items}
