"""What is missing or assumed, each with what it blocks and where to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils.translation import get_language, gettext, ngettext

from klynge.common.choices import Basis
from klynge.core.dates import format_date_da, format_date_en
from klynge.financing.models import Agreement, OfficeLead, Participation
from klynge.financing.selectors.tables import YearAllocation, years_shown
from klynge.masterdata.models import Cluster, ClusterOffice


@dataclass(frozen=True)
class QualityItem:
    """
    One thing missing or assumed: what, what it blocks, and how to fix it.

    `fix` says in plain words what the secretariat does (never a command or a
    file), `fix_url` is the page where it does it ('' when no page can), and
    `page_url` the page where everyone sees the affected figures.
    """

    topic: str
    text: str
    blocks: str
    fix: str
    severity: str  # "missing" blocks a computation; "assumed" is marked where shown
    fix_url: str = ""
    page_url: str = ""


def _long_date(value: date) -> str:
    """A date in the active language: '1. januar 2021' or '1 January 2021'."""
    return format_date_en(value) if get_language() == "en" else format_date_da(value)


def _allocation_label(year: int, agreement: Agreement) -> str:
    return gettext("The allocation %(year)s (%(agreement)s).") % {
        "year": year,
        "agreement": agreement.name,
    }


def data_quality_list(*, shown: list[YearAllocation] | None = None) -> list[QualityItem]:
    """
    Everything missing or assumed in the register and the agreements.

    `shown` is every agreement-year as `years_shown` gives it, when the page has it.
    """
    items: list[QualityItem] = []
    for agreement in Agreement.objects.exclude(collector_basis=Basis.FACT):
        items.append(
            QualityItem(
                gettext("Collecting party"),
                gettext(
                    "%(agreement)s: no source says who collects the municipal shares; "
                    "the working assumption is: %(collector)s."
                )
                % {"agreement": agreement.name, "collector": agreement.get_collector_display()},
                gettext("Who the payment requests name as payee."),
                gettext(
                    "Confirm or change who collects when the agreement's terms are known; "
                    "the payment requests name the payee."
                ),
                "assumed",
                page_url=reverse("agreement-year", args=[agreement.first_year]),
                fix_url=reverse("collector-edit", args=[agreement.first_year]),
            )
        )
    shown = years_shown() if shown is None else shown
    by_agreement: dict[int, list[YearAllocation]] = {}
    for year_shown in shown:
        by_agreement.setdefault(year_shown.agreement.pk, []).append(year_shown)
    for agreement in Agreement.objects.all():
        for year_shown in by_agreement.get(agreement.pk, []):
            inputs, year = year_shown.inputs, year_shown.year
            if inputs is None or inputs.reference_date is None:
                continue
            ref = inputs.reference_date
            missing = inputs.missing_population()
            if missing and inputs.terms:
                items.append(
                    QualityItem(
                        gettext("Population"),
                        ngettext(
                            "Population figures on %(date)s are missing for %(count)s "
                            "municipality: %(names)s.",
                            "Population figures on %(date)s are missing for %(count)s "
                            "municipalities: %(names)s.",
                            len(missing),
                        )
                        % {
                            "date": _long_date(ref),
                            "count": len(missing),
                            "names": ", ".join(missing),
                        },
                        _allocation_label(year, agreement),
                        gettext(
                            "Add each figure with its source (Statistics Denmark, FOLK1A, "
                            "1 January) on the population page."
                        ),
                        "missing",
                        fix_url=f"{reverse('population-edit')}?dato={ref.isoformat()}",
                        page_url=reverse("allocation", args=[year]),
                    )
                )
        for lead in OfficeLead.objects.filter(agreement=agreement).select_related(
            "office", "municipality"
        ):
            if lead.municipality is None:
                items.append(
                    QualityItem(
                        gettext("Lead municipality"),
                        gettext("%(office)s: the lead municipality for %(year)s is unknown.")
                        % {"office": lead.office.name, "year": lead.year},
                        _allocation_label(lead.year, agreement),
                        gettext("Choose the lead municipality with its source."),
                        "missing",
                        fix_url=reverse("lead-edit", args=[lead.year, lead.office_id]),
                        page_url=reverse("office-detail", args=[lead.office_id]),
                    )
                )
            elif lead.basis != Basis.FACT:
                items.append(
                    QualityItem(
                        gettext("Lead municipality"),
                        gettext(
                            "%(office)s: the lead municipality %(municipality)s for %(year)s "
                            "rests on: %(basis)s. %(note)s"
                        )
                        % {
                            "office": lead.office.name,
                            "municipality": lead.municipality.name,
                            "year": lead.year,
                            "basis": lead.get_basis_display().lower(),
                            "note": lead.note,
                        },
                        gettext("Nothing – but the amounts rest on the assumption."),
                        gettext("Confirm the lead municipality with a source, or change it."),
                        "assumed",
                        fix_url=reverse("lead-edit", args=[lead.year, lead.office_id]),
                        page_url=reverse("office-detail", args=[lead.office_id]),
                    )
                )
        assumed_years = sorted(
            {
                p.year
                for p in Participation.objects.filter(agreement=agreement).exclude(basis=Basis.FACT)
            }
        )
        if assumed_years:
            note = (
                Participation.objects.filter(agreement=agreement)
                .exclude(basis=Basis.FACT)
                .values_list("note", flat=True)
                .first()
            )
            items.append(
                QualityItem(
                    gettext("Participation"),
                    gettext("The participation in %(years)s is an assumption. %(note)s")
                    % {"years": ", ".join(map(str, assumed_years)), "note": note},
                    gettext("Nothing – but all municipalities' shares depend on who takes part."),
                    gettext(
                        "Mark the municipality that does not take part, and confirm the "
                        "others, on the agreement's page for each year."
                    ),
                    "assumed",
                    fix_url=reverse("agreement-year", args=[assumed_years[0]]),
                    page_url=reverse("agreement-year", args=[assumed_years[0]]),
                )
            )
        for year_shown in by_agreement.get(agreement.pk, []):
            run = year_shown.run
            if run is None or not year_shown.approved:
                continue
            live = year_shown.live_fingerprint
            if live != run.fingerprint:
                items.append(
                    QualityItem(
                        gettext("Allocation"),
                        gettext(
                            "The approved allocation for %(year)s (#%(run)s) rests on a "
                            "different basis than the current data."
                        )
                        % {"year": run.year, "run": run.pk},
                        gettext("Nothing – the approved allocation is frozen."),
                        gettext("Review the changes; a new computation is saved as a new run."),
                        "assumed",
                        fix_url=reverse("allocation", args=[run.year]),
                        page_url=reverse("allocation", args=[run.year]),
                    )
                )
    unidentified = Cluster.objects.filter(identified=False).count()
    if unidentified:
        items.append(
            QualityItem(
                gettext("Clusters"),
                ngettext(
                    "%(count)s of the national clusters is not identified in the sources.",
                    "%(count)s of the national clusters are not identified in the sources.",
                    unidentified,
                )
                % {"count": unidentified},
                gettext("Nothing in the computations."),
                gettext("Needs new research with a source; no figure depends on it."),
                "missing",
                page_url=reverse("office-list"),
            )
        )
    for office in ClusterOffice.objects.filter(host_municipality__isnull=True):
        items.append(
            QualityItem(
                gettext("Cluster office"),
                gettext("%(office)s: the office's town and host municipality are unknown.")
                % {"office": office.name},
                gettext("The assumption 'lead municipality = host municipality' cannot be used."),
                gettext("Choose the lead municipality with its source for each year."),
                "missing",
                page_url=reverse("office-detail", args=[office.pk]),
            )
        )
    return items
