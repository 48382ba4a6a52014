"""
django-axes with a failure limit per lockout parameter: per username and IP, and per IP.

axes counts failed logins for each set in AXES_LOCKOUT_PARAMETERS but holds
them all to one AXES_FAILURE_LIMIT. Klynge locks a username at one IP after 5
failures (AXES_FAILURE_LIMIT) and an IP after KLYNGE_LOGIN_IP_FAILURE_LIMIT
failures for any usernames, so a password spray from one address is stopped
after that many tries however many usernames it cycles through. Both last
AXES_COOLOFF_TIME. A locked attempt is refused by AxesStandaloneBackend,
the first authentication backend, before any password hasher runs.

A successful login forgets the failures of that username at that IP only,
never the IP's count: an attacker with one valid account could otherwise
reset its spray counter by logging in between rounds.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

IP_ONLY = "ip_address"


def _is_ip_only(parameter: str | list[str]) -> bool:
    return parameter == IP_ONLY or (not isinstance(parameter, str) and list(parameter) == [IP_ONLY])


class LoginThrottle(AxesDatabaseHandler):  # type: ignore[misc]
    """axes' database handler, with the IP-only parameter held to its own, higher limit."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """
        The failures that count, scaled to AXES_FAILURE_LIMIT.

        For each parameter set with limit L, c failures count as
        c * AXES_FAILURE_LIMIT // L, which reaches AXES_FAILURE_LIMIT exactly
        when c reaches L; axes compares the largest with AXES_FAILURE_LIMIT.
        """
        base = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        attempts_list = self.get_user_attempts(request, credentials)
        scaled = [0]
        for parameter, attempts in zip(parameters, attempts_list, strict=True):
            count = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            limit = settings.KLYNGE_LOGIN_IP_FAILURE_LIMIT if _is_ip_only(parameter) else base
            scaled.append(count * base // limit)
        return max(scaled)

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """Forget the failures of this username at this IP; keep the IP's count."""
        parameters = get_lockout_parameters(request, credentials)
        attempts_list = self.filter_user_attempts(request, credentials)
        count = 0
        for parameter, attempts in zip(parameters, attempts_list, strict=True):
            if not _is_ip_only(parameter):
                deleted, _by_model = attempts.delete()
                count += deleted
        return count


def client_ip(request: HttpRequest) -> str:
    """
    The client's address as the lockout counts it (AXES_CLIENT_IP_CALLABLE).

    REMOTE_ADDR, unless Klynge runs behind KLYNGE_TRUSTED_PROXY_COUNT reverse
    proxies: each appends the address it was called from to X-Forwarded-For,
    so the client's is that many from the right. Anything further left came
    from the client and may be forged, so it is never read.
    """
    remote = str(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.KLYNGE_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-proxies] if len(hops) >= proxies else remote
