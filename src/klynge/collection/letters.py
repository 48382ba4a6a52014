"""
The payment request as a Danish PDF letter (typst, tagged PDF/UA-1, IBM Plex Sans).

The letter shows the amount per office, who collects it, the due date, and
how each amount was computed (the allocation engine's explanation lines).
Every figure is formatted here in Python from integer øre; the typst
template only lays the text out.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import typst
from django.utils import timezone

import klynge.common
from klynge.collection.models import PaymentRequest, RequestKind, RequestStatus
from klynge.collection.selectors import payment_details
from klynge.core.dates import format_date_da
from klynge.core.money import format_dkk

TEMPLATE = Path(__file__).parent / "templates" / "collection" / "letter.typ"
SETTLEMENT_TEMPLATE = Path(__file__).parent / "templates" / "collection" / "settlement.typ"
FONTS = Path(klynge.common.__file__).parent / "fonts"
SENDER = "KKR Sjælland, sekretariatet"


def letter_context(request: PaymentRequest) -> dict[str, Any]:
    """Everything the letter says, as text."""
    run = request.run
    lines = list(
        request.lines.select_related("office", "payee_municipality").order_by("office__name")
    )
    municipality = request.municipality.name
    return {
        "title": f"Opkrævning {request.number} – {municipality} Kommune",
        "sender": SENDER,
        "recipient": f"{municipality} Kommune",
        "date": format_date_da(request.sent_on or timezone.localtime(request.created_at).date()),
        "number": request.number,
        "heading": (
            f"Opkrævning {request.number}: kommunal medfinansiering af "
            f"klyngekontorer {request.year}"
        ),
        "intro": (
            f"Efter aftalen »{run.agreement.name}« opkræves hermed {municipality} Kommunes "
            f"andel for {request.year} af finansieringen af de regionale klyngekontorer. "
            "Beløbet er fordelt pr. kontor og betales til den part, der står ud for kontoret."
        ),
        "lines": [
            {
                "office": line.office.name,
                "payee": line.payee,
                "amount": format_dkk(line.amount_ore, unit=False),
                "explanation": line.explanation,
            }
            for line in lines
        ],
        "total": format_dkk(request.total_ore, unit=False),
        "total_with_unit": format_dkk(request.total_ore),
        "due": format_date_da(request.due_date),
        "basis": (
            f"Beløbene stammer fra den godkendte fordeling for {request.year} "
            f"(kørsel #{run.pk}, fingeraftryk {run.fingerprint[:12]})."
        ),
        "assumptions": list(run.inputs.get("assumptions", [])),
        "payment_details": payment_details(lines),
    }


def settlement_context(document: PaymentRequest) -> dict[str, Any]:
    """
    Everything a settlement letter says: the correction, and per office the
    amount billed before, the new share and the difference.
    """
    run = document.run
    credit = document.kind == RequestKind.CREDIT
    kind = "Kreditnota" if credit else "Efteropkrævning"
    municipality = document.municipality.name
    lines = list(
        document.lines.select_related("office", "payee_municipality").order_by("office__name")
    )
    total = format_dkk(document.total_ore)
    return {
        "title": f"{kind} {document.number} – {municipality} Kommune",
        "sender": SENDER,
        "recipient": f"{municipality} Kommune",
        "date": format_date_da(document.sent_on or timezone.localtime(document.created_at).date()),
        "number": document.number,
        "heading": (
            f"{kind} {document.number}: rettet kommunal medfinansiering af "
            f"klyngekontorer {document.year}"
        ),
        "intro": (
            f"Den godkendte fordeling for {document.year} efter aftalen »{run.agreement.name}« "
            f"er rettet: fordeling #{run.pk} erstatter fordeling #{run.replaces_id}, som "
            f"{municipality} Kommune tidligere er opkrævet efter. Forskellen pr. kontor afregnes "
            "her. Indbetalinger, der allerede er registreret, er uændrede."
        ),
        "reason": run.replace_reason,
        "payee_heading": "Krediteres af" if credit else "Betales til",
        "lines": [
            {
                "office": line.office.name,
                "payee": line.payee,
                "before": format_dkk(line.previous_ore or 0, unit=False),
                "after": format_dkk(line.new_ore or 0, unit=False),
                "difference": ("−" if credit else "+") + format_dkk(line.amount_ore, unit=False),
            }
            for line in lines
        ],
        "total": ("−" if credit else "+") + format_dkk(document.total_ore, unit=False),
        "action": (
            f"{municipality} Kommune krediteres {total}. Beløbet modregnes i en udestående "
            "opkrævning eller tilbagebetales af den part, der står ud for kontoret; "
            f"angiv kreditnotanummer {document.number} ved henvendelse."
            if credit
            else f"Forskellen på {total} forfalder til betaling "
            f"{format_date_da(document.due_date)}. Angiv opkrævningsnummer {document.number} "
            "ved betalingen."
        ),
        "basis": (
            f"Den nye andel stammer fra den godkendte fordeling for {document.year} "
            f"(fordeling #{run.pk}, fingeraftryk {run.fingerprint[:12]}); den tidligere fra "
            "de opkrævninger og kreditnotaer, der er sendt for året."
        ),
        "payment_details": payment_details(lines),
    }


def cancellation_context(request: PaymentRequest) -> dict[str, Any]:
    """A cancelled request's letter: every line billed before, now nothing to pay, and why."""
    municipality = request.municipality.name
    lines = list(
        request.lines.select_related("office", "payee_municipality").order_by("office__name")
    )
    kind = request.get_kind_display()
    return {
        "title": f"Annullering af {kind.lower()} {request.number} – {municipality} Kommune",
        "sender": SENDER,
        "recipient": f"{municipality} Kommune",
        "date": format_date_da(timezone.localdate()),
        "number": request.number,
        "heading": f"Annullering af {kind.lower()} {request.number} ({request.year})",
        "intro": (
            f"{kind} {request.number} til {municipality} Kommune af "
            f"{format_date_da(timezone.localtime(request.created_at).date())} er annulleret. "
            "Beløbene nedenfor skal ikke betales."
        ),
        "reason": request.cancel_reason,
        "payee_heading": "Skulle have været betalt til",
        "lines": [
            {
                "office": line.office.name,
                "payee": line.payee,
                "before": format_dkk(line.amount_ore, unit=False),
                "after": format_dkk(0, unit=False),
                "difference": "−" + format_dkk(line.amount_ore, unit=False),
            }
            for line in lines
        ],
        "total": "−" + format_dkk(request.total_ore, unit=False),
        "action": f"{municipality} Kommune skal ikke betale {format_dkk(request.total_ore)} "
        f"efter {kind.lower()} {request.number}.",
        "basis": (
            f"Opkrævningen var lavet fra den godkendte fordeling for {request.year} "
            f"(fordeling #{request.run_id})."
        ),
        "payment_details": [],
    }


def ascii_slug(text: str, *, fallback: str, lower: bool = True) -> str:
    """
    'Høje-Taastrup' -> 'hoeje-taastrup': ASCII letters (lower case unless `lower` is
    false), digits and hyphens only.

    Danish letters are written out (æ -> ae, ø -> oe, å -> aa), other accents are
    dropped (é -> e), and every other run of characters (spaces, slashes, dots,
    control characters) becomes one hyphen; `fallback` if nothing is left.
    """
    if lower:
        text = text.lower()
    for danish, plain in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("Æ", "Ae"), ("Ø", "Oe"),
                          ("Å", "Aa"), ("ß", "ss")):  # fmt: skip
        text = text.replace(danish, plain)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60].strip("-")
    return slug or fallback


def letter_filename(request: PaymentRequest) -> str:
    """'opkraevning-2024-253-greve.pdf': ASCII, safe in every file system."""
    name = ascii_slug(request.municipality.name, fallback=request.municipality.code)
    prefix = {
        RequestKind.SUPPLEMENT: "efteropkraevning",
        RequestKind.CREDIT: "kreditnota",
    }.get(RequestKind(request.kind), "opkraevning")
    if request.status == RequestStatus.CANCELLED:
        prefix = f"annullering-{prefix}"
    number = ascii_slug(request.number, fallback=str(request.pk), lower=False)
    return f"{prefix}-{number}-{name}.pdf"


def letter_pdf(request: PaymentRequest) -> bytes:
    """
    The request's letter (a settlement's own letter for a supplement or a
    credit note) as a tagged PDF (PDF/UA-1).

    :raises typst.TypstError: if the template cannot be compiled
    """
    if request.status == RequestStatus.CANCELLED:
        return compile_letter(cancellation_context(request), template=SETTLEMENT_TEMPLATE)
    if request.kind == RequestKind.REQUEST:
        return compile_letter(letter_context(request))
    return compile_letter(settlement_context(request), template=SETTLEMENT_TEMPLATE)


def letters_zip(requests: list[PaymentRequest]) -> bytes:
    """Every request's letter as one ZIP, named as `letter_filename` names them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for request in requests:
            archive.writestr(letter_filename(request), letter_pdf(request))
    return buffer.getvalue()


def compile_letter(context: dict[str, Any], *, template: Path = TEMPLATE) -> bytes:
    """Compile a letter template with `context` (what `letter_context` returns)."""
    pdf: bytes = typst.compile(
        template,
        font_paths=[FONTS],
        ignore_system_fonts=True,
        sys_inputs={"data": json.dumps(context, ensure_ascii=False)},
        pdf_standards=["ua-1"],
    )
    return pdf
