"""The funding ledger: the seed's grants as facts, receipts, and an office's budget by source."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from klynge.audit.services import Actor
from klynge.collection.services import payment_register, request_send, requests_create
from klynge.financing.services import allocation_run_approve, allocation_run_create
from klynge.funding.models import Grant, GrantReceipt
from klynge.funding.selectors import funding_quality, grant_list, office_funding
from klynge.funding.services import FundingError, grants_load, receipt_register
from klynge.masterdata.models import ClusterOffice
from klynge.masterdata.services import DataFileError
from klynge.web.selectors import year_allocations

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")
APRIL = dt.date(2024, 4, 15)


def test_the_seeds_grants_are_loaded_as_facts_with_the_unknowns_empty(register) -> None:
    views = {v.grant.key: v for v in grant_list()}

    assert set(views) == {
        "national-deb",
        "national-ufm",
        "region-dlsc",
        "ufs-extra-2021",
        "ruc-2021",
    }
    assert views["national-deb"].committed_ore == 4 * 8_000_000_000
    assert views["national-deb"].recipients == "de 14 nationale klynger"
    assert views["region-dlsc"].committed_ore is None  # the years are not given
    assert views["region-dlsc"].period == "ukendt"
    assert views["ufs-extra-2021"].committed_ore == 800_000_000
    assert views["ruc-2021"].grant.grantor is None
    assert views["ruc-2021"].recipients == "Roskilde Universitet"
    assert Grant.objects.get(key="ufs-extra-2021").clusters.count() == 6


def test_loading_twice_changes_nothing(register) -> None:
    assert grants_load(actor=ACTOR).created == []
    assert Grant.objects.count() == 5


def test_a_bad_grants_file_is_refused_whole(register, tmp_path: Path) -> None:
    (tmp_path / "grants.csv").write_text(
        "key;grantor;purpose;amount_kr;per_year;first_year;last_year;clusters;organisation;source;note\n"
        "ny;Ukendt Styrelse;x;1.000;ja;2024;2024;;;kilde;\n"
        "ny2;;x;mange;ja;år;2024;findes-ikke;;kilde;\n",
        encoding="utf-8",
    )

    with pytest.raises(DataFileError) as error:
        grants_load(actor=ACTOR, data_dir=tmp_path)

    assert len(error.value.problems) == 4
    assert Grant.objects.count() == 5


def test_receipts_are_registered_up_to_what_is_committed(register) -> None:
    ufs = Grant.objects.get(key="ufs-extra-2021")

    receipt_register(
        actor=ACTOR, grant=ufs, amount_ore=500_000_000, received_on=APRIL, reference="U1"
    )
    with pytest.raises(FundingError, match="mere end"):
        receipt_register(
            actor=ACTOR, grant=ufs, amount_ore=300_000_001, received_on=APRIL, reference="U2"
        )
    with pytest.raises(FundingError, match="allerede"):
        receipt_register(actor=ACTOR, grant=ufs, amount_ore=1, received_on=APRIL, reference="U1")

    view = next(v for v in grant_list() if v.grant.key == "ufs-extra-2021")
    assert view.received_ore == 500_000_000 and view.outstanding_ore == 300_000_000
    assert GrantReceipt.objects.count() == 1


def test_an_offices_budget_by_source_never_guesses_a_share(demo) -> None:
    dlsc = ClusterOffice.objects.get(name="Danish Life Science Cluster – Kalundborg")

    funding = {
        f.year: f for f in office_funding(office=dlsc, allocations=year_allocations(), today=APRIL)
    }

    lines = {line.source: line for line in funding[2024].lines}
    assert lines["Kommunerne"].budget_ore == 100_000_000
    assert lines["Region Sjælland"].budget_ore is None  # 2,5 mio. a year, years unknown
    assert "år" in lines["Region Sjælland"].note
    assert lines["Danmarks Erhvervsfremmebestyrelse"].budget_ore is None  # 14 clusters together
    assert "Uddannelses- og Forskningsstyrelsen" not in lines  # the UFS grant is 2021 only
    assert funding[2024].known_budget_ore == 100_000_000


def test_the_municipal_line_shows_what_has_been_received(demo) -> None:
    run = allocation_run_approve(
        actor=ACTOR,
        run=allocation_run_create(actor=ACTOR, agreement=demo, year=2024),
        confirmed=True,
    )
    requests = {
        r.municipality.code: r for r in requests_create(actor=ACTOR, run=run, due_date=APRIL)
    }
    greve = request_send(actor=ACTOR, request=requests["253"])
    payment_register(
        actor=ACTOR, request=greve, amount_ore=greve.total_ore, paid_on=APRIL, reference="G"
    )
    wbd = ClusterOffice.objects.get(name="We Build Denmark – Næstved")

    funding = office_funding(office=wbd, allocations=year_allocations(), today=timezone.localdate())

    municipal = funding[-1].lines[0]
    assert municipal.budget_ore == 100_000_000
    assert municipal.received_ore == 3_365_226  # Greve's share of We Build Denmark


def test_the_data_quality_list_names_what_the_grants_leave_out(register) -> None:
    texts = " ".join(item.text for item in funding_quality())

    assert "hvem der har bevilget" in texts
    assert "hvilke år" in texts
    assert "hver klynges andel" in texts


def test_the_funding_page_is_open_to_readers(login_as) -> None:
    html = login_as("laeser").get(reverse("funding")).content.decode()

    assert "Finansiering" in html
    assert "80.000.000,00" in html
    assert "ukendt" in html
    assert (
        "Registrér"
        not in login_as("laeser")
        .get(reverse("grant-detail", args=[Grant.objects.get(key="region-dlsc").pk]))
        .content.decode()
    )


def test_a_grant_without_receipts_shows_no_outstanding_amount(login_as) -> None:
    national = next(v for v in grant_list() if v.received_ore == 0 and v.committed_ore)

    page = login_as("sekretariat").get("/finansiering/").content.decode()

    row = page.split(f'href="/finansiering/bevilling/{national.grant.pk}/"')[1].split("</tr>")[0]
    cells = row.split('<td class="amount">')
    assert not national.followed and national.outstanding_ore is None
    assert [c.split("</td>")[0] for c in cells[-2:]] == ["ikke fulgt her", "ikke fulgt her"]
