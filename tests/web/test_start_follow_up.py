"""The start page's follow-up box: due, late and awaiting review, per role."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from tests.contracts.conftest import ACTOR, PDF, office_contract_input, submit

from klynge.accounts.models import Profile, Role
from klynge.contracts.models import OfficeReport
from klynge.contracts.reminders import report_path
from klynge.contracts.selectors import ReportState
from klynge.contracts.services import (
    contract_create,
    contract_sign,
    document_upload,
    round_change_deadline,
    round_open,
)
from klynge.financing.models import Agreement
from klynge.masterdata.models import ClusterOffice
from klynge.web.views import STATE_LABELS

pytestmark = pytest.mark.django_db

OFFICE = "We Build Denmark – Næstved"


@pytest.fixture
def report(demo: Agreement) -> OfficeReport:
    """We Build Denmark's 2024 report, due in ten days."""
    contract = contract_create(actor=ACTOR, data=office_contract_input(demo))
    document_upload(actor=ACTOR, contract=contract, file_name="kontrakt.pdf", data=PDF)
    contract_sign(actor=ACTOR, contract=contract, signed_on=dt.date(2022, 1, 15))
    today = timezone.localdate()
    follow_up = round_open(
        actor=ACTOR, year=2024, opens_on=today - dt.timedelta(days=30),
        deadline=today + dt.timedelta(days=10),
    )  # fmt: skip
    return follow_up.reports.get()


def _box(client: Client, url: str = "/") -> str | None:
    """The follow-up section of the page at `url` (following the start page's redirect)."""
    response = client.get(url, follow=True)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    found = re.search(
        r'<section aria-labelledby="opfoelgning-overskrift">(.*?)</section>', html, re.S
    )
    return found.group(1) if found else None


def _counts(box: str) -> dict[str, int]:
    pairs = re.findall(r'<strong>([^<]+)</strong><br><span class="h3">(\d+)</span>', box)
    return {label: int(count) for label, count in pairs}


def _label(state: ReportState) -> str:
    with translation.override("da"):
        return str(STATE_LABELS[state])


def test_the_secretariat_sees_what_is_due_late_and_awaiting_review(
    report: OfficeReport, login_as
) -> None:
    client = login_as("sekretariat")
    box = _box(client)
    assert box is not None
    assert _counts(box) == {_label(ReportState.DUE): 1}
    assert f'href="{report_path(report.pk)}"' in box
    assert f"{OFFICE}, 2024" in box
    # Past the deadline: late.
    follow_up = report.round
    round_change_deadline(actor=ACTOR, follow_up=follow_up, deadline=follow_up.opens_on)
    assert _counts(_box(client) or "") == {_label(ReportState.LATE): 1}
    # Submitted: awaiting review.
    submit(report)
    assert _counts(_box(client) or "") == {_label(ReportState.REVIEW): 1}


def test_the_overview_of_a_reader_has_no_follow_up_box(report: OfficeReport, login_as) -> None:
    assert _box(login_as("laeser"), reverse("overview")) is None


def test_an_office_user_sees_its_own_offices_open_reports(report: OfficeReport, login_as) -> None:
    box = _box(login_as("webuild"))
    assert box is not None
    assert _counts(box) == {_label(ReportState.DUE): 1}
    assert f'href="{report_path(report.pk)}"' in box
    # Another office's user sees none of them.
    other = ClusterOffice.objects.exclude(name=OFFICE).first()
    user = get_user_model().objects.create_user(username="andet-kontor")
    Profile.objects.create(user=user, role=Role.OFFICE, office=other)
    client = Client()
    client.force_login(user)
    box = _box(client)
    assert box is not None
    assert "href=" not in box and OFFICE not in box


def test_the_lead_municipality_sees_the_reports_awaiting_its_review(
    report: OfficeReport, login_as
) -> None:
    client = login_as("naestved")
    box = _box(client)
    assert box is not None and "href=" not in box  # a draft is not for the lead to review
    submit(report)
    box = _box(client) or ""
    assert _counts(box) == {_label(ReportState.REVIEW): 1}
    assert f'href="{report_path(report.pk)}"' in box
    # An ordinary municipality has no follow-up box.
    assert _box(login_as("greve")) is None
