"""Reads of the funding ledger: grants with their figures, and an office's budget by source."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from klynge.collection.selectors import RequestView, request_list
from klynge.core.collection import State
from klynge.core.money import format_dkk
from klynge.financing.selectors import QualityItem, YearAllocation
from klynge.funding.models import Grant
from klynge.masterdata.models import ClusterOffice


@dataclass(frozen=True)
class GrantView:
    grant: Grant
    recipients: str
    committed_ore: int | None
    received_ore: int
    followed: bool = True

    @property
    def outstanding_ore(self) -> int | None:
        """What is still to come; None when unknown or when no receipt is followed here."""
        if self.committed_ore is None or not self.followed:
            return None
        return max(self.committed_ore - self.received_ore, 0)

    @property
    def period(self) -> str:
        years = self.grant.years()
        if years is None:
            return _("unknown")
        return str(years.start) if len(years) == 1 else f"{years.start}-{years.stop - 1}"


def _recipients(grant: Grant) -> str:
    if grant.organisation is not None:
        return grant.organisation.name
    names = [c.name or _("unidentified") for c in grant.clusters.all()]
    if len(names) >= 14:
        return _("the 14 national clusters")
    return ", ".join(names)


def grant_list(*, pk: int | None = None) -> list[GrantView]:
    """Every grant (or the one with `pk`) with what is committed and received."""
    grants = (
        Grant.objects.select_related("grantor", "organisation")
        .prefetch_related("clusters")
        .annotate(received=Sum("receipts__amount_ore"))
    )
    if pk is not None:
        grants = grants.filter(pk=pk)
    # A grant is followed here once a receipt of it is registered; before
    # that, nothing says whether its money has come, so neither a received
    # nor an outstanding amount is shown.
    return [
        GrantView(
            g,
            _recipients(g),
            g.committed_ore(),
            getattr(g, "received", None) or 0,
            followed=getattr(g, "received", None) is not None,
        )
        for g in grants
    ]


@dataclass(frozen=True)
class FundingLine:
    """One source of an office's money in one year."""

    source: str
    budget_ore: int | None  # None: the source gives no figure for this office
    received_ore: int | None
    note: str


@dataclass(frozen=True)
class OfficeYearFunding:
    year: int
    lines: list[FundingLine]

    @property
    def known_budget_ore(self) -> int:
        return sum(line.budget_ore or 0 for line in self.lines)


def office_funding(
    *, office: ClusterOffice, allocations: list[YearAllocation], today: dt.date
) -> list[OfficeYearFunding]:
    """
    Per agreement-year that computes: the municipal shares (requested and
    received once requests are made, else as allocated) and every grant to
    the office's cluster.

    A grant to several clusters, or one whose years the source does not give,
    has no known figure for the office's year: it is listed without one,
    never divided by guess.
    """
    grants = list(
        Grant.objects.filter(clusters=office.cluster)
        .select_related("grantor")
        .prefetch_related("clusters")
    )
    requests: dict[int, list[RequestView]] = {}
    for view in request_list(today=today):
        if view.state != State.CANCELLED:
            requests.setdefault(view.request.year, []).append(view)
    result = []
    for shown in allocations:
        if shown.table is None:
            continue
        lines = [_municipal_line(office, shown, requests.get(shown.year, []))]
        for grant in grants:
            years = grant.years()
            if years is not None and shown.year not in years:
                continue
            sole = len(grant.clusters.all()) == 1
            if not sole:
                why = _(
                    "Granted to %(count)s clusters together; this office's share is not known."
                ) % {"count": len(grant.clusters.all())}
            elif years is None:
                why = _("The source does not say which years the grant covers.")
            else:
                why = ""
            lines.append(
                FundingLine(
                    source=grant.grantor.name if grant.grantor else _("unknown grantor"),
                    budget_ore=grant.amount_ore if sole and years is not None else None,
                    received_ore=None,
                    note=f"{grant.purpose}. {why}".strip(),
                )
            )
        result.append(OfficeYearFunding(shown.year, lines))
    return result


def _municipal_line(
    office: ClusterOffice, shown: YearAllocation, views: list[RequestView]
) -> FundingLine:
    allocated = shown.table.office_totals.get(office.name, 0) if shown.table else 0
    if not views:
        return FundingLine(_("The municipalities"), allocated, None, _("No requests made yet."))
    received = 0
    for view in views:
        parts = view.received_per_line()
        received += sum(
            parts[line.pk] for line in view.request.lines.all() if line.office == office
        )
    return FundingLine(_("The municipalities"), allocated, received, "")


def funding_quality() -> list[QualityItem]:
    """What the grants leave unknown: grantor, years, or each cluster's share."""
    items = []
    for grant in Grant.objects.select_related("grantor").prefetch_related("clusters"):
        gaps = []
        if grant.grantor is None:
            gaps.append(_("who granted it"))
        if grant.years() is None:
            gaps.append(_("which years it covers"))
        if len(grant.clusters.all()) > 1:
            gaps.append(_("each cluster's share"))
        if gaps:
            items.append(
                QualityItem(
                    _("Grant"),
                    _("%(purpose)s (%(amount)s): the sources do not say %(gaps)s.")
                    % {
                        "purpose": grant.purpose,
                        "amount": format_dkk(grant.amount_ore),
                        "gaps": _(" or ").join(gaps),
                    },
                    _("The budget of the offices by source."),
                    _("Fill in what a source states, with the source, on the grant's page."),
                    "missing",
                    fix_url=reverse("grant-edit", args=[grant.pk]),
                    page_url=reverse("grant-detail", args=[grant.pk]),
                )
            )
    return items
