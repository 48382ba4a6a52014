"""
History people can read: every kind of audit entry, made through the real
services, renders on the Ændringslog and the Historik tabs with labels and
formatted values: no raw id, boolean, øre amount, fraction or dict/list
repr, in Danish and in English.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from tests.participation.files import CVR_A, CVR_B, CVR_C, csv_bytes, row

from klynge.accounts.models import Role
from klynge.accounts.services import Binding, user_create, user_update
from klynge.audit.models import AuditEntry
from klynge.audit.services import Actor
from klynge.collection.services import (
    payee_account_set,
    payment_register,
    request_cancel,
    request_send,
    requests_create,
    requests_settle,
)
from klynge.core.scenario import Changes
from klynge.financing.models import Agreement, FinancedOffice
from klynge.financing.services import (
    allocation_correct,
    allocation_run_approve,
    allocation_run_create,
    collector_set,
    lead_set,
    participation_set,
    scenario_save,
    terms_set,
)
from klynge.funding.models import Grant
from klynge.funding.services import receipt_register
from klynge.masterdata.models import ClusterOffice, Municipality
from klynge.participation.services import (
    ParticipantData,
    contact_anonymise,
    contact_export,
    import_check,
    import_commit,
    import_discard,
    import_undo,
    participant_upsert,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _danish_afterwards():
    """A request in English leaves English active in the thread: give Danish back."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


ACTOR = Actor.system("historik-test")
EVERY_KIND = {
    ("financing.agreement", "create"), ("financing.agreement", "update"),
    ("financing.agreementyear", "create"), ("financing.agreementyear", "update"),
    ("financing.financedoffice", "create"),
    ("financing.officelead", "create"), ("financing.officelead", "update"),
    ("financing.participation", "create"), ("financing.participation", "update"),
    ("financing.scenario", "create"),
    ("financing.allocationrun", "create"), ("financing.allocationrun", "update"),
    ("funding.grant", "create"), ("funding.grantreceipt", "create"),
    ("collection.paymentrequest", "create"), ("collection.paymentrequest", "update"),
    ("collection.payment", "create"),
    ("collection.payeeaccount", "create"), ("collection.payeeaccount", "update"),
    ("accounts.profile", "create"), ("accounts.profile", "update"),
    ("participation.participant", "create"), ("participation.participant", "update"),
    ("participation.importbatch", "create"), ("participation.importbatch", "update"),
    ("participation.contactperson", "update"),
}  # fmt: skip
# Numbers that are data, not ids or amounts: CVR numbers, postal and municipality codes.
COUNTS = {"Rækker", "Rows"}
HASHES = {"SHA-256", "Fingeraftryk", "Fingerprint"}  # hexadecimal, not numbers
ACCOUNT, EAN = "1234 0001234567", "5798000000001"
DATA_NUMBERS = {CVR_A, CVR_B, CVR_C, "4700", "4000", *ACCOUNT.split(), EAN}


def _every_kind_of_entry(agreement: Agreement) -> None:
    """At least one entry of every audited model and action, through the services."""
    greve = Municipality.objects.get(code="253")
    office = ClusterOffice.objects.order_by("pk").first()
    assert office is not None
    collector_set(actor=ACTOR, agreement=agreement, collector="office")
    terms_set(
        actor=ACTOR, agreement=agreement, year=2024, office_amount_ore=110_000_000,
        lead_share_ore=55_000_000, reason="Indeksering",
    )  # fmt: skip
    participation_set(
        actor=ACTOR, agreement=agreement, municipality=Municipality.objects.get(code="350"),
        years=[2024], participates=False, note="Byrådet 12. marts",
    )  # fmt: skip
    financed = FinancedOffice.objects.filter(agreement=agreement).order_by("office_id")
    for code, office_ in zip(
        ("370", "316", "330", "376"), [f.office for f in financed], strict=True
    ):
        lead_set(
            actor=ACTOR, agreement=agreement, office=office_, years=[2024],
            municipality=Municipality.objects.get(code=code),
        )  # fmt: skip
    scenario_save(
        actor=ACTOR, agreement=agreement, year=2024, name="Lejre træder ud",
        changes=Changes(leave=frozenset({"350"}), lead_share_percent=None),
    )  # fmt: skip
    run = allocation_run_approve(
        actor=ACTOR,
        run=allocation_run_create(actor=ACTOR, agreement=agreement, year=2024),
        confirmed=True,
    )
    requests = requests_create(actor=ACTOR, run=run, due_date=dt.date(2024, 3, 31))
    sent = request_send(actor=ACTOR, request=requests[0], sent_on=dt.date(2024, 2, 1))
    request_cancel(actor=ACTOR, request=requests[1], reason="Forkert modtager")
    payment_register(
        actor=ACTOR, request=sent, amount_ore=sent.total_ore // 2, paid_on=dt.date(2024, 3, 1),
        reference="BANK-1",
    )  # fmt: skip
    payee_account_set(actor=ACTOR, office=sent.lines.first().office, contact="Bogholderiet")
    payee_account_set(
        actor=ACTOR, office=sent.lines.first().office, account=ACCOUNT, ean=EAN,
        contact="Bogholderiet",
    )  # fmt: skip
    participation_set(
        actor=ACTOR, agreement=agreement, municipality=Municipality.objects.get(code="336"),
        years=[2024], participates=False, note="Stevns træder ud",
    )  # fmt: skip
    corrected = allocation_correct(
        actor=ACTOR, agreement=agreement, year=2024, reason="Stevns deltager ikke",
        confirmed=True,
    )  # fmt: skip
    requests_settle(actor=ACTOR, run=corrected, due_date=dt.date(2024, 6, 30))
    grant = Grant.objects.order_by("pk").first()
    assert grant is not None
    receipt_register(
        actor=ACTOR, grant=grant, amount_ore=123_456_789, received_on=dt.date(2024, 5, 2),
        reference="BEV-1",
    )  # fmt: skip
    user = user_create(
        actor=ACTOR, username="ny-greve", password="En-god-kode-2026",
        binding=Binding(Role.MUNICIPALITY, municipality=greve),
    )  # fmt: skip
    user_update(
        actor=ACTOR, user=user, binding=Binding(Role.OFFICE, office=office), is_active=False,
        email="ny@example.dk", full_name="Ny Bruger",
    )  # fmt: skip
    participant_upsert(
        actor=ACTOR, data=ParticipantData(name="Hist ApS", cvr=CVR_C, postal_code="4000")
    )
    participant_upsert(
        actor=ACTOR,
        data=ParticipantData(name="Hist ApS", cvr=CVR_C, postal_code="4700", address="Vej 2"),
    )
    contact = {"Kontaktperson": "Test Person", "E-mail": "test.person@example.dk"}
    stored = import_check(
        actor=ACTOR, office=office, file_name="a.csv", data=csv_bytes([row(**contact)])
    )
    import_commit(actor=ACTOR, batch=stored)
    undone = import_check(
        actor=ACTOR, office=office, file_name="b.csv",
        data=csv_bytes([row(**{"Aktivitets-id": "NM-2", "CVR-nummer": CVR_B,
                               "Navn": "Test Energi A/S"})]),
    )  # fmt: skip
    import_undo(actor=ACTOR, batch=import_commit(actor=ACTOR, batch=undone), reason="Fejl")
    dropped = import_check(
        actor=ACTOR, office=office, file_name="c.csv", data=csv_bytes([row(Dato="i går")])
    )
    import_discard(actor=ACTOR, batch=dropped)
    contact_export(actor=ACTOR, email="test.person@example.dk")
    contact_anonymise(actor=ACTOR, email="test.person@example.dk")


def _secretariat(language: str) -> Client:
    user = user_create(
        actor=ACTOR, username=f"sekr-{language}", password="Sekr-klynge-2026",
        binding=Binding(Role.SECRETARIAT),
    )  # fmt: skip
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _pages(client: Client) -> list[str]:
    """Every history page: the whole log, page by page, and each Historik tab."""
    html = []
    page = 1
    while True:
        response = client.get(reverse("audit-log"), {"side": page})
        assert response.status_code == 200
        html.append(response.content.decode())
        if response.context["page"].has_next():
            page += 1
            continue
        break
    urls = [reverse("allocation-history", args=[2024])]
    urls += [reverse("municipality-history", args=[m.code]) for m in Municipality.objects.all()]
    urls += [reverse("office-history", args=[o.pk]) for o in ClusterOffice.objects.all()]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html.append(response.content.decode())
    return html


def _changes(html: str) -> list[str]:
    """The text of every shown change and every entry's name."""
    items = re.findall(r'<ul class="change-list">(.*?)</ul>', html, flags=re.S)
    items += re.findall(r'<th scope="row">(.*?)</th>', html, flags=re.S)
    texts = []
    for item in items:
        for part in re.split(r"</?li>|<br>", item):
            text = unescape(re.sub(r"<[^>]+>", "", part)).strip()
            if text:
                texts.append(text)
    return texts


def _raw_amounts() -> set[str]:
    amounts = set()
    for entry in AuditEntry.objects.all():
        for state in (entry.before or {}, entry.after or {}):
            for key, value in state.items():
                if key.endswith("_ore") and isinstance(value, int) and value >= 1000:
                    amounts.add(str(value))
    return amounts


@pytest.mark.parametrize("language", ["da", "en"])
def test_no_history_page_shows_a_raw_id_boolean_ore_amount_or_fraction(
    register: Agreement, language: str
) -> None:
    _every_kind_of_entry(register)
    kinds = set(AuditEntry.objects.values_list("model", "action"))
    assert kinds >= EVERY_KIND, EVERY_KIND - kinds
    client = _secretariat(language)
    texts = [text for html in _pages(client) for text in _changes(html)]
    raw_amounts = _raw_amounts()
    data_numbers = DATA_NUMBERS | set(Municipality.objects.values_list("code", flat=True))
    assert texts
    for text in texts:
        assert not re.search(r"\b(True|False|None)\b", text), text
        assert not re.search(r"[{}\[\]]", text), text  # no dict or list repr
        assert not re.search(r"\d+\s*/\s*\d+", text), text  # no fraction
        label, _sep, value = text.partition(": ")
        if label in HASHES:
            continue
        for number in re.findall(r"(?<![\d.,])\d+(?![\d.,])", value):
            assert number not in raw_amounts, text  # no amount in øre
            assert len(number) < 5 or number in data_numbers, text  # thousands are grouped
        for side in value.split(" → "):
            if side.isdigit() and label not in COUNTS:  # "Aftale: 1", "Bruger: 7" …
                assert re.fullmatch(r"(19|20)\d\d", side) or side in data_numbers, text


def test_history_reads_in_danish_and_english(register: Agreement) -> None:
    _every_kind_of_entry(register)

    danish = "".join(_pages(_secretariat("da")))
    english = "".join(_pages(_secretariat("en")))

    for expected in (
        "Beløb pr. kontor: 1.000.000,00 kr. → 1.100.000,00 kr.",
        "Deltager: ja → nej",
        "Status: Udkast → Sendt",
        "Aftale: Kommunal medfinansiering af klyngekontorer 2021-2024",
        "Betalingsdato: 1. marts 2024",
        "Aktiv: ja → nej",
        "Kommune: Greve",
        "Status: Beregnet → Godkendt",
    ):
        assert expected in unescape(danish), expected
    assert re.search(r"Linjer: \d+ linjer, i alt 4\.400\.000,00 kr\.", unescape(danish))
    for expected in (
        "Amount per office: 1.000.000,00 kr. → 1.100.000,00 kr.",
        "Takes part: yes → no",
        "Status: Draft → Sent",
        "Agreement: Kommunal medfinansiering af klyngekontorer 2021-2024",
        "Payment date: 1 March 2024",
        "Active: yes → no",
        "Status: Computed → Approved",
    ):
        assert expected in unescape(english), expected
    assert re.search(r"Lines: \d+ lines, total 4\.400\.000,00 kr\.", unescape(english))


def test_names_are_resolved_with_one_query_per_model(register: Agreement) -> None:
    _every_kind_of_entry(register)
    client = _secretariat("da")
    client.get(reverse("allocation-history", args=[2024]))  # warm the session and caches

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("allocation-history", args=[2024]))
    participation_set(
        actor=ACTOR, agreement=register, municipality=Municipality.objects.get(code="253"),
        years=[2024], participates=False,
    )  # fmt: skip
    for code in ("259", "265", "269", "306"):
        participation_set(
            actor=ACTOR, agreement=register, municipality=Municipality.objects.get(code=code),
            years=[2024], participates=False,
        )  # fmt: skip
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("allocation-history", args=[2024]))

    assert len(more) == len(few)
