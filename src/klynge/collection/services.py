"""
Making payment requests from an approved run, sending and cancelling them,
and registering payments, one at a time or from a bank file.

Every write is atomic and audited; bad input raises CollectionError (or
PaymentFileError listing every bad row) and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import ean as stdnum_ean

from klynge.audit.models import Action, AuditEntry
from klynge.audit.services import Actor, audited_upsert, record, snapshot
from klynge.collection.models import (
    PayeeAccount,
    Payment,
    PaymentRequest,
    PaymentRequestLine,
    RequestKind,
    RequestStatus,
)
from klynge.collection.selectors import live_documents, payee_outstanding_ore, settlement_basis
from klynge.common.db import analyze
from klynge.core.collection import outstanding
from klynge.core.money import format_dkk
from klynge.core.numbers import is_ascii_digits
from klynge.financing.models import (
    Agreement,
    AllocationLine,
    AllocationRun,
    Collector,
    OfficeLead,
    RunStatus,
)
from klynge.masterdata.models import ClusterOffice, Municipality


class CollectionError(ValueError):
    """A request or payment cannot be made as asked; the message says why."""


class PaymentFileError(CollectionError):
    """A payment file is refused as a whole; `problems` lists every bad row."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def request_state_audited(request: PaymentRequest) -> dict[str, object]:
    """A request as audited: its fields and, compactly, every line's amount."""
    return snapshot(
        request,
        lines=[[line.office_id, line.role, line.amount_ore] for line in request.lines.all()],
    )


def _payee(
    agreement: Agreement, lead: OfficeLead | None, role: str, office_name: str
) -> tuple[str, Municipality | None]:
    """
    Who collects a line: under LEAD collection the office's lead (the label
    and the municipality), else, and for the lead's own share, the office.
    """
    if agreement.collector == Collector.LEAD and role != "lead" and lead and lead.municipality:
        label = _("%(name)s Municipality (lead of %(office)s)") % {
            "name": lead.municipality.name,
            "office": office_name,
        }
        return label, lead.municipality
    return office_name, None


@transaction.atomic
def requests_create(*, actor: Actor, run: AllocationRun, due_date: dt.date) -> list[PaymentRequest]:
    """
    Make one request per paying municipality from the approved `run`.

    Each request lists the municipality's amount per office (its share, or
    its lead share) and who collects it; a municipality that pays nothing
    gets none. The requests add up to the run's total.

    :raises CollectionError: if the run is not approved, or requests were
        already made from it
    """
    run = AllocationRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.APPROVED:
        raise CollectionError(
            _("Requests are made only from an approved allocation; run #%(run)s is not approved.")
            % {"run": run.pk}
        )
    if PaymentRequest.objects.filter(run=run).exists():
        raise CollectionError(
            _("Requests for %(year)s have already been made from run #%(run)s.")
            % {"year": run.year, "run": run.pk}
        )
    if live_documents(run).exists():
        raise CollectionError(
            _(
                "Requests for %(year)s were made from an allocation that run #%(run)s "
                "replaces; settle the year against the new allocation instead."
            )
            % {"year": run.year, "run": run.pk}
        )
    leads = _leads(run)
    by_municipality: dict[int, list[AllocationLine]] = {}
    for line in run.lines.select_related("office", "municipality").order_by("office__name"):
        if line.amount_ore > 0:
            by_municipality.setdefault(line.municipality_id, []).append(line)
    created = []
    for municipality in Municipality.objects.filter(pk__in=by_municipality).order_by("code"):
        lines = by_municipality[municipality.pk]
        request = PaymentRequest.objects.create(
            run=run,
            year=run.year,
            municipality=municipality,
            number=f"{run.year}-{municipality.code}",
            total_ore=sum(line.amount_ore for line in lines),
            due_date=due_date,
        )
        PaymentRequestLine.objects.bulk_create(
            PaymentRequestLine(
                request=request,
                office=line.office,
                role=line.role,
                amount_ore=line.amount_ore,
                payee=payee,
                payee_municipality=collector,
                explanation=line.explanation,
            )
            for line in lines
            for payee, collector in [
                _payee(run.agreement, leads.get(line.office_id), line.role, line.office.name)
            ]
        )
        record(
            actor=actor, action=Action.CREATE, instance=request, before=None,
            after=request_state_audited(request), municipality_code=municipality.code,
            year=run.year,
        )  # fmt: skip
        created.append(request)
    analyze(PaymentRequest, PaymentRequestLine, AuditEntry)
    return created


def _leads(run: AllocationRun) -> dict[int, OfficeLead]:
    return {
        lead.office_id: lead
        for lead in OfficeLead.objects.filter(
            agreement=run.agreement, year=run.year
        ).select_related("municipality")
    }


@dataclass(frozen=True)
class Settlement:
    """What settling a corrected year made: supplements, credits and cancellations."""

    run: AllocationRun
    supplements: list[PaymentRequest]
    credits: list[PaymentRequest]
    cancelled: list[PaymentRequest]

    @property
    def changed(self) -> bool:
        return bool(self.supplements or self.credits or self.cancelled)


def _settlement_line(run: AllocationRun, before: int, after: int, amount: int) -> str:
    return _(
        "Billed before %(before)s, new share %(after)s after allocation #%(run)s "
        "replaced #%(old)s; difference %(amount)s. Reason: %(reason)s"
    ) % {
        "before": format_dkk(before),
        "after": format_dkk(after),
        "run": run.pk,
        "old": run.replaces_id,
        "amount": format_dkk(amount),
        "reason": run.replace_reason,
    }


@transaction.atomic
def requests_settle(*, actor: Actor, run: AllocationRun, due_date: dt.date) -> Settlement:
    """
    Settle a corrected year's requests against its new approved `run`.

    Per municipality and office, what its live documents bill (requests and
    supplements, less credits) is compared with the new run. A municipality
    that now pays nothing and has paid nothing gets its documents cancelled;
    otherwise one supplementary request holds every office where it owes
    more, and one credit note every office where it was billed too much.
    Nothing already paid is rewritten, so per municipality and office:
    paid + outstanding - credited = the new run's amount.

    :raises CollectionError: if `run` is not the approved run, replaces no
        run, or the year has no requests to settle
    """
    run = AllocationRun.objects.select_for_update().select_related("agreement").get(pk=run.pk)
    if run.status != RunStatus.APPROVED:
        raise CollectionError(
            _("Only the approved allocation can be settled against; run #%(run)s is not.")
            % {"run": run.pk}
        )
    if run.replaces_id is None:
        raise CollectionError(
            _(
                "The approved allocation for %(year)s replaces no earlier allocation; "
                "there is nothing to settle."
            )
            % {"year": run.year}
        )
    locked = list(live_documents(run).select_for_update().values_list("pk", flat=True))
    if not locked:
        raise CollectionError(
            _("No requests were made for %(year)s; make them from the approved allocation.")
            % {"year": run.year}
        )
    basis = settlement_basis(run=run)
    run_lines = list(run.lines.select_related("office", "municipality"))
    explanations = {(line.municipality_id, line.office_id): line for line in run_lines}
    leads = _leads(run)
    result = Settlement(run=run, supplements=[], credits=[], cancelled=[])
    reason = _("Allocation #%(run)s replaces #%(old)s: %(reason)s") % {
        "run": run.pk,
        "old": run.replaces_id,
        "reason": run.replace_reason,
    }
    for item in basis:
        if item.cancel:
            for document in item.documents:
                result.cancelled.append(
                    _set_status(
                        actor, document, allowed={RequestStatus.DRAFT, RequestStatus.SENT},
                        reason=reason, status=RequestStatus.CANCELLED,
                        cancel_reason=reason[:300],
                    )
                )  # fmt: skip
            continue
        for kind, amounts, bucket in (
            (RequestKind.SUPPLEMENT, item.supplements, result.supplements),
            (RequestKind.CREDIT, item.credits, result.credits),
        ):
            if amounts:
                bucket.append(
                    _settlement_document(
                        actor=actor, run=run, municipality=item.municipality, kind=kind,
                        amounts=amounts, before=item.billed, after=item.target,
                        explanations=explanations, leads=leads, due_date=due_date,
                    )
                )  # fmt: skip
    analyze(PaymentRequest, PaymentRequestLine, AuditEntry)
    return result


def _settlement_document(
    *,
    actor: Actor,
    run: AllocationRun,
    municipality: Municipality,
    kind: str,
    amounts: dict[int, int],
    before: dict[int, int],
    after: dict[int, int],
    explanations: dict[tuple[int, int], AllocationLine],
    leads: dict[int, OfficeLead],
    due_date: dt.date,
) -> PaymentRequest:
    letter = "E" if kind == RequestKind.SUPPLEMENT else "K"
    earlier = PaymentRequest.objects.filter(
        year=run.year, municipality=municipality, kind=kind
    ).count()
    document = PaymentRequest.objects.create(
        run=run,
        settles=run.replaces,
        year=run.year,
        municipality=municipality,
        number=f"{run.year}-{municipality.code}-{letter}{earlier + 1}",
        kind=kind,
        total_ore=sum(amounts.values()),
        due_date=due_date,
    )
    offices = {o.pk: o for o in ClusterOffice.objects.filter(pk__in=amounts)}
    roles = {
        office_id: line.role if (line := explanations.get((municipality.pk, office_id))) else "none"
        for office_id in amounts
    }
    payees = {
        office_id: _payee(run.agreement, leads.get(office_id), roles[office_id], office.name)
        for office_id, office in offices.items()
    }
    PaymentRequestLine.objects.bulk_create(
        PaymentRequestLine(
            request=document,
            office=offices[office_id],
            role=roles[office_id],
            amount_ore=amount,
            payee=payees[office_id][0],
            payee_municipality=payees[office_id][1],
            explanation=_settlement_line(
                run,
                before.get(office_id, 0),
                after.get(office_id, 0),
                amount,
            ),
            previous_ore=before.get(office_id, 0),
            new_ore=after.get(office_id, 0),
        )
        for office_id, amount in sorted(amounts.items(), key=lambda item: offices[item[0]].name)
    )
    record(
        actor=actor, action=Action.CREATE, instance=document, before=None,
        after=request_state_audited(document), reason=run.replace_reason,
        municipality_code=municipality.code, year=run.year,
    )  # fmt: skip
    return document


def _set_status(
    actor: Actor, request: PaymentRequest, *, allowed: set[str], reason: str = "", **values: object
) -> PaymentRequest:
    request = PaymentRequest.objects.select_for_update().get(pk=request.pk)
    if request.status not in allowed:
        raise CollectionError(
            _("Request %(number)s is %(status)s and cannot be changed like this.")
            % {"number": request.number, "status": request.get_status_display().lower()}
        )
    before = request_state_audited(request)
    for name, value in values.items():
        setattr(request, name, value)
    request.save(update_fields=list(values))
    record(
        actor=actor, action=Action.UPDATE, instance=request, before=before,
        after=request_state_audited(request), reason=reason,
        municipality_code=request.municipality.code, year=request.year,
    )  # fmt: skip
    return request


@transaction.atomic
def request_send(
    *, actor: Actor, request: PaymentRequest, sent_on: dt.date | None = None
) -> PaymentRequest:
    """Mark a draft request as sent (on `sent_on`, default today)."""
    return _set_status(
        actor,
        request,
        allowed={RequestStatus.DRAFT},
        status=RequestStatus.SENT,
        sent_on=sent_on or timezone.localdate(),
    )


@transaction.atomic
def request_cancel(*, actor: Actor, request: PaymentRequest, reason: str) -> PaymentRequest:
    """
    Cancel a request that has no payments.

    :raises CollectionError: if it has payments, is cancelled already, or no reason is given
    """
    if not reason.strip():
        raise CollectionError(_("Give a reason for cancelling the request."))
    if request.payments.exists():
        raise CollectionError(
            _("Request %(number)s has payments and cannot be cancelled.")
            % {"number": request.number}
        )
    return _set_status(
        actor,
        request,
        allowed={RequestStatus.DRAFT, RequestStatus.SENT},
        reason=reason,
        status=RequestStatus.CANCELLED,
        cancel_reason=reason,
    )


def received_ore(request: PaymentRequest) -> int:
    """The sum of the request's payments."""
    return sum(request.payments.values_list("amount_ore", flat=True))


@transaction.atomic
def payment_register(
    *,
    actor: Actor,
    request: PaymentRequest,
    amount_ore: int,
    paid_on: dt.date,
    reference: str,
    overpayment: bool = False,
    note: str = "",
    payee: Municipality | None = None,
) -> Payment:
    """
    Register money received against `request`; a partial payment is fine.

    With `payee`, a collecting lead municipality registers what it received
    for the lines it collects: the payment pays those lines, and may not
    exceed what is outstanding on them. Without, the payment is spread over
    all lines (the secretariat's registration).

    :raises CollectionError: if the amount is not positive, the request is
        cancelled or a credit note, the reference is already registered, the
        payee collects no line of the request, or the amount exceeds what is
        outstanding without being marked as an overpayment
    """
    request = PaymentRequest.objects.select_for_update().get(pk=request.pk)
    reference = reference.strip()
    if not isinstance(amount_ore, int) or amount_ore <= 0:
        raise CollectionError(_("A payment must be a positive amount."))
    if not reference:
        raise CollectionError(_("A payment needs a reference (e.g. the bank's)."))
    if request.status == RequestStatus.CANCELLED:
        raise CollectionError(
            _("Request %(number)s is cancelled; no payment can be registered on it.")
            % {"number": request.number}
        )
    if request.kind == RequestKind.CREDIT:
        raise CollectionError(
            _("%(number)s is a credit note; payments are registered on requests only.")
            % {"number": request.number}
        )
    if Payment.objects.filter(reference=reference).exists():
        raise CollectionError(
            _("The payment with reference %(reference)s is already registered.")
            % {"reference": reference}
        )
    owed = outstanding(request.total_ore, received_ore(request))
    if payee is not None:
        owed = payee_outstanding_ore(request, payee)
        if not request.lines.filter(payee_municipality=payee).exists():
            raise CollectionError(
                _(
                    "%(name)s Municipality collects no line of request %(number)s; only the "
                    "collecting municipality or the secretariat registers its payments."
                )
                % {"name": payee.name, "number": request.number}
            )
    if amount_ore > owed and not overpayment:
        raise CollectionError(
            _(
                "%(amount)s is more than the %(owed)s outstanding on request %(number)s. "
                "Mark it as an overpayment to be refunded, or register the right amount."
            )
            % {
                "amount": format_dkk(amount_ore),
                "owed": format_dkk(owed),
                "number": request.number,
            }
        )
    payment = Payment.objects.create(
        request=request,
        amount_ore=amount_ore,
        paid_on=paid_on,
        reference=reference,
        overpayment=amount_ore > owed,
        note=note,
        payee_municipality=payee,
    )
    record(
        actor=actor, action=Action.CREATE, instance=payment, before=None,
        after=snapshot(payment), municipality_code=request.municipality.code, year=request.year,
    )  # fmt: skip
    return payment


@dataclass(frozen=True)
class PaymentRow:
    """One row of a payment file, read and checked."""

    line: int
    municipality_code: str
    amount_ore: int
    paid_on: dt.date
    reference: str


@dataclass(frozen=True)
class ImportReport:
    registered: list[Payment]
    already_registered: list[PaymentRow]


@transaction.atomic
def payments_import(*, actor: Actor, year: int, rows: Sequence[PaymentRow]) -> ImportReport:
    """
    Register every payment of a file against the municipalities' requests for `year`.

    All or nothing: if any row is wrong, nothing is registered and the error
    lists every bad row. A row whose reference is already registered with
    the same municipality and amount is skipped, so importing the same file
    twice books nothing twice.

    :raises PaymentFileError: listing every bad row
    """
    problems: list[str] = []
    open_requests = (
        PaymentRequest.objects.filter(year=year)
        .exclude(status=RequestStatus.CANCELLED)
        .exclude(kind=RequestKind.CREDIT)
        .select_related("municipality")
        .annotate(received=Sum("payments__amount_ore"))
        .order_by("created_at", "pk")
    )
    by_code: dict[str, list[PaymentRequest]] = {}
    owed: dict[int, int] = {}
    for open_request in open_requests:
        by_code.setdefault(open_request.municipality.code, []).append(open_request)
        owed[open_request.pk] = outstanding(open_request.total_ore, open_request.received or 0)
    known = {
        p.reference: p for p in Payment.objects.filter(reference__in=[r.reference for r in rows])
    }
    chosen: dict[int, PaymentRequest] = {}
    seen: set[str] = set()
    to_register: list[PaymentRow] = []
    skipped: list[PaymentRow] = []
    for row in rows:
        where = _("line %(line)s") % {"line": row.line}
        if row.reference in seen:
            problems.append(
                _("%(where)s: the reference %(reference)s appears twice in the file.")
                % {"where": where, "reference": row.reference}
            )
            continue
        seen.add(row.reference)
        candidates = by_code.get(row.municipality_code, [])
        if not candidates:
            problems.append(
                _("%(where)s: no open request for %(year)s to municipality code %(code)s.")
                % {"where": where, "year": year, "code": row.municipality_code}
            )
            continue
        previous = known.get(row.reference)
        if previous is not None:
            if (
                previous.request_id in {c.pk for c in candidates}
                and previous.amount_ore == row.amount_ore
            ):
                skipped.append(row)
            else:
                problems.append(
                    _("%(where)s: the reference %(reference)s is already registered "
                      "with another municipality or amount.")
                    % {"where": where, "reference": row.reference}
                )  # fmt: skip
            continue
        # The oldest open request the payment fits, the first request before a supplement.
        request = next((c for c in candidates if row.amount_ore <= owed[c.pk]), None)
        if request is None:
            problems.append(
                _("%(where)s: %(amount)s is more than the %(owed)s outstanding for %(code)s.")
                % {
                    "where": where,
                    "amount": format_dkk(row.amount_ore),
                    "owed": format_dkk(max(owed[c.pk] for c in candidates)),
                    "code": row.municipality_code,
                }
            )
            continue
        owed[request.pk] -= row.amount_ore
        chosen[row.line] = request
        to_register.append(row)
    if problems:
        raise PaymentFileError(problems)
    registered = []
    for row in to_register:
        try:
            registered.append(
                payment_register(
                    actor=actor,
                    request=chosen[row.line],
                    amount_ore=row.amount_ore,
                    paid_on=row.paid_on,
                    reference=row.reference,
                )
            )
        except CollectionError as error:
            problems.append(f"{_('line %(line)s') % {'line': row.line}}: {error}")
    if problems:
        raise PaymentFileError(problems)  # rolls back the rows registered above
    analyze(Payment, AuditEntry)
    return ImportReport(registered=registered, already_registered=skipped)


_ACCOUNT = re.compile(r"^(\d{4})[ -]?(\d{1,10})$")


@transaction.atomic
def payee_account_set(
    *,
    actor: Actor,
    municipality: Municipality | None = None,
    office: ClusterOffice | None = None,
    account: str = "",
    ean: str = "",
    contact: str = "",
) -> PayeeAccount:
    """
    Set where a collector (a lead municipality or an office) is paid.

    Empty fields stay unknown; the letter then says who gives them.

    :raises CollectionError: naming each bad field (account as reg. no. and
        account no., EAN as 13 digits with a valid check digit)
    """
    if (municipality is None) == (office is None):
        raise CollectionError(_("Payment details belong to one municipality or one office."))
    problems = []
    account = " ".join(account.split())
    if account:
        match = _ACCOUNT.match(account)
        if match is None:
            problems.append(
                _(
                    "Bank account: give the reg. no. (4 digits) and the account no. "
                    "(up to 10 digits), e.g. 1234 0001234567."
                )
            )
        else:
            account = f"{match.group(1)} {match.group(2).zfill(10)}"
    ean = "".join(ean.split())
    if ean and not (len(ean) == 13 and is_ascii_digits(ean) and stdnum_ean.is_valid(ean)):
        problems.append(_("EAN number: 13 digits with a valid check digit, e.g. 5798000000001."))
    contact = contact.strip()
    if len(contact) > 200:
        problems.append(_("Contact: at most 200 characters."))
    if problems:
        raise CollectionError(" ".join(problems))
    row, _changed = audited_upsert(
        PayeeAccount,
        actor=actor,
        lookup={"municipality": municipality, "office": office},
        values={"account": account, "ean": ean, "contact": contact},
        municipality_code=municipality.code if municipality else "",
        office_id=office.pk if office else None,
    )
    return row
