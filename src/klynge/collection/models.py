"""Payment requests, their lines, and payments."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from klynge.common.choices import mirror
from klynge.core.collection import State
from klynge.core.money import format_dkk
from klynge.financing.models import AllocationRun, RoleChoice
from klynge.masterdata.models import ClusterOffice, Municipality


class RequestStatus(models.TextChoices):
    """The stored part of a request's state; paid, partly paid and overdue are derived."""

    DRAFT = State.DRAFT.value, _("Draft")
    SENT = State.SENT.value, _("Sent")
    CANCELLED = State.CANCELLED.value, _("Cancelled")


class RequestKind(models.TextChoices):
    """A first request, or a settlement of a corrected year: more to pay, or a credit."""

    REQUEST = "request", _("Request")
    SUPPLEMENT = "supplement", _("Supplementary request")
    CREDIT = "credit", _("Credit note")


mirror(RequestStatus, State, subset=True)


class PaymentRequest(models.Model):
    """
    One municipality's bill for one year: its share of every office in an approved run.

    The amounts are copied from the run's lines when the request is made, so
    the bill never changes; the run is frozen anyway. When an approved year
    is corrected, the difference is settled by a supplementary request (more
    to pay) or a credit note (less to pay, amounts positive, credited), each
    made from the new run and naming the run it settles against.
    """

    run = models.ForeignKey(AllocationRun, on_delete=models.PROTECT, related_name="requests")
    year = models.PositiveIntegerField(_("year"))
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("request number"), max_length=20, unique=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=RequestKind, default=RequestKind.REQUEST
    )
    settles = models.ForeignKey(
        AllocationRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="settlements",
        verbose_name=_("settles the replaced run"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus, default=RequestStatus.DRAFT
    )
    total_ore = models.BigIntegerField(_("amount (øre)"))
    due_date = models.DateField(_("due date"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_on = models.DateField(_("sent"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    class Meta:
        ordering = ["year", "municipality__name"]
        verbose_name = _("payment request")
        verbose_name_plural = _("payment requests")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "municipality", "kind"], name="request_once_per_run"
            ),
            models.CheckConstraint(condition=models.Q(total_ore__gt=0), name="request_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number} ({self.municipality})"

    @property
    def is_credit(self) -> bool:
        return self.kind == RequestKind.CREDIT


class PaymentRequestLine(models.Model):
    """The municipality's amount for one office, and who collects it."""

    request = models.ForeignKey(PaymentRequest, on_delete=models.CASCADE, related_name="lines")
    office = models.ForeignKey(ClusterOffice, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=5, choices=RoleChoice)
    amount_ore = models.BigIntegerField(_("amount (øre)"))
    payee = models.CharField(_("payee"), max_length=200)
    payee_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("collecting municipality"),
        help_text=_("The lead municipality that collects the line; empty when the office does."),
    )
    explanation = models.TextField(_("explanation"))
    previous_ore = models.BigIntegerField(_("billed before (øre)"), null=True, blank=True)
    new_ore = models.BigIntegerField(_("new share (øre)"), null=True, blank=True)

    class Meta:
        ordering = ["office__name"]
        verbose_name = _("request line")
        verbose_name_plural = _("request lines")
        constraints = [
            models.UniqueConstraint(fields=["request", "office"], name="request_line_per_office"),
            models.CheckConstraint(
                condition=models.Q(amount_ore__gte=0), name="request_line_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request.number} {self.office}: {format_dkk(self.amount_ore)}"


class Payment(models.Model):
    """Money received from a municipality against a request."""

    request = models.ForeignKey(PaymentRequest, on_delete=models.PROTECT, related_name="payments")
    amount_ore = models.BigIntegerField(_("amount (øre)"))
    paid_on = models.DateField(_("payment date"))
    reference = models.CharField(_("reference"), max_length=100, unique=True)
    overpayment = models.BooleanField(_("overpayment to be refunded"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    payee_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
        help_text=_(
            "The collecting lead municipality that registered the payment: it pays that "
            "municipality's lines. Empty: registered by the secretariat, spread over all lines."
        ),
    )

    class Meta:
        ordering = ["paid_on", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_ore__gt=0), name="payment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {format_dkk(self.amount_ore)}"


class PayeeAccount(models.Model):
    """
    Where a collector is paid: a municipality collecting as lead, or an
    office. Unknown fields stay empty and the letter says who gives them.
    """

    municipality = models.OneToOneField(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    office = models.OneToOneField(
        ClusterOffice, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    account = models.CharField(
        _("bank account"), max_length=20, blank=True, help_text=_("Reg. no. and account no.")
    )
    ean = models.CharField(_("EAN number"), max_length=13, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("payment details")
        verbose_name_plural = _("payment details")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(municipality__isnull=False, office__isnull=True)
                    | models.Q(municipality__isnull=True, office__isnull=False)
                ),
                name="payee_is_municipality_or_office",
            )
        ]

    def __str__(self) -> str:
        return str(self.municipality or self.office)
