"""
Result contracts, their indicators (KPI sets as data) and the yearly follow-up.

A contract is either an office's contract with its lead municipality (on
behalf of the participating municipalities) or a cluster's contract with UFS.
Its indicators and their yearly targets are rows, so a new period defines its
own set without code; an indicator keeps its `key` across periods, which is
what makes two periods comparable. Each year the secretariat opens a
follow-up round; each office then reports its actuals in an OfficeReport,
which the lead municipality approves or sends back. An approved report is
never changed: a new version replaces it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from klynge.common.choices import Basis, mirror
from klynge.core import kpi
from klynge.financing.models import Agreement
from klynge.masterdata.models import Cluster, ClusterOffice, Municipality, Organisation


class ContractKind(models.TextChoices):
    OFFICE = "office", _("Office with its lead municipality")
    CLUSTER = "cluster", _("Cluster with UFS")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    EXPIRED = "expired", _("Expired")
    REPLACED = "replaced", _("Replaced")


class Contract(models.Model):
    """A result contract (resultatkontrakt) for a period of years."""

    kind = models.CharField(_("type"), max_length=10, choices=ContractKind)
    title = models.CharField(_("title"), max_length=200)
    office = models.ForeignKey(
        ClusterOffice, on_delete=models.PROTECT, null=True, blank=True,
        related_name="contracts", verbose_name=_("cluster office"),
    )  # fmt: skip
    cluster = models.ForeignKey(
        Cluster, on_delete=models.PROTECT, null=True, blank=True, related_name="contracts",
        verbose_name=_("cluster"),
    )  # fmt: skip
    lead_municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("lead municipality"),
    )  # fmt: skip
    counterparty = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("contract party"),
    )  # fmt: skip
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, null=True, blank=True, related_name="contracts",
        verbose_name=_("agreement"),
    )  # fmt: skip
    first_year = models.PositiveIntegerField(_("first year"))
    last_year = models.PositiveIntegerField(_("last year"))
    status = models.CharField(
        _("status"), max_length=10, choices=ContractStatus, default=ContractStatus.DRAFT
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by",
        verbose_name=_("replaces"),
    )  # fmt: skip
    met_percent = models.PositiveSmallIntegerField(_("met from (percent of target)"), default=100)
    partly_percent = models.PositiveSmallIntegerField(
        _("partly met from (percent of target)"), default=80
    )
    note = models.TextField(_("note"), blank=True)
    basis = models.CharField(_("basis"), max_length=12, choices=Basis, default=Basis.FACT)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-first_year", "title"]
        verbose_name = _("result contract")
        verbose_name_plural = _("result contracts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_year__gte=models.F("first_year")),
                name="contract_period_in_order",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="office", office__isnull=False, cluster__isnull=True)
                    | models.Q(kind="cluster", cluster__isnull=False, office__isnull=True)
                ),
                name="contract_party_matches_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(partly_percent__gt=0)
                & models.Q(partly_percent__lte=models.F("met_percent"))
                & models.Q(met_percent__lte=1000),
                name="contract_thresholds_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.first_year}-{self.last_year})"

    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    def thresholds(self) -> kpi.Thresholds:
        return kpi.Thresholds(met_percent=self.met_percent, partly_percent=self.partly_percent)

    @property
    def party_name(self) -> str:
        """The party the office or cluster contracts with, in words."""
        if self.kind == ContractKind.OFFICE:
            lead = self.lead_municipality
            return f"{lead.name} Kommune" if lead is not None else ""
        return self.counterparty.name if self.counterparty is not None else ""

    @property
    def holder_name(self) -> str:
        if self.office is not None:
            return self.office.name
        return str(self.cluster) if self.cluster is not None else ""


class ContractDocument(models.Model):
    """
    A contract's signed document: a PDF kept in the database, never in public media.

    The bytes are read only when the document is downloaded (`content` is
    deferred everywhere else); the checksum identifies them.
    """

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="documents")
    file_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content = models.BinaryField(_("content"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.CharField(_("uploaded by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("contract document")
        verbose_name_plural = _("contract documents")

    def __str__(self) -> str:
        return self.file_name


class IndicatorKind(models.TextChoices):
    COUNT = "count", _("Count")
    SHARE = "share", _("Share (%)")
    AMOUNT = "amount", _("Amount (kr.)")
    MILESTONE = "milestone", _("Milestone")
    TEXT = "text", _("Text")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class IndicatorSource(models.TextChoices):
    """Where an indicator's actual value comes from."""

    ENTERED = "entered", _("Entered by the office")
    UNIQUE_COMPANIES = "unique_companies", _("Register: unique companies")
    SMES = "smes", _("Register: companies under 50 employees")
    MUNICIPALITIES = "municipalities", _("Register: municipalities reached")
    INTERNATIONAL = "international", _("Register: companies in international activities")
    KNOWLEDGE = "knowledge", _("Register: knowledge institutions involved")


mirror(IndicatorKind, kpi.Kind)
mirror(Direction, kpi.Direction)

COMPUTED_SOURCES = frozenset(IndicatorSource) - {IndicatorSource.ENTERED}


class Indicator(models.Model):
    """One KPI of a contract, with its baseline; its targets are per year."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="indicators")
    key = models.SlugField(_("key"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    definition = models.TextField(_("definition"), blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    kind = models.CharField(_("type"), max_length=10, choices=IndicatorKind)
    direction = models.CharField(
        _("direction"), max_length=6, choices=Direction, default=Direction.HIGHER
    )
    source = models.CharField(
        _("source"), max_length=20, choices=IndicatorSource, default=IndicatorSource.ENTERED
    )
    baseline = models.BigIntegerField(_("baseline"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["contract", "position", "key"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["contract", "key"], name="indicator_key_per_contract"),
            models.CheckConstraint(
                condition=~models.Q(kind="text") | models.Q(source="entered"),
                name="indicator_text_is_entered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"

    @property
    def core_kind(self) -> kpi.Kind:
        return kpi.Kind(self.kind)

    @property
    def core_direction(self) -> kpi.Direction:
        return kpi.Direction(self.direction)

    @property
    def computed(self) -> bool:
        return self.source != IndicatorSource.ENTERED


class IndicatorTarget(models.Model):
    """An indicator's target for one year of its contract."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveIntegerField(_("year"))
    value = models.BigIntegerField(_("target"))

    class Meta:
        ordering = ["indicator", "year"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="one_target_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.key} {self.year}: {self.value}"


class FollowUpRound(models.Model):
    """The yearly follow-up: opened by the secretariat, with a deadline."""

    year = models.PositiveIntegerField(_("year"), unique=True)
    opens_on = models.DateField(_("opens"))
    deadline = models.DateField(_("deadline"))
    note = models.TextField(_("note"), blank=True)
    opened_by = models.CharField(_("opened by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("follow-up round")
        verbose_name_plural = _("follow-up rounds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("opens_on")),
                name="round_deadline_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"Opfølgning {self.year}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Being entered")
    SUBMITTED = "submitted", _("Awaiting review")
    CHANGES = "changes", _("Changes requested")
    APPROVED = "approved", _("Approved")
    REPLACED = "replaced", _("Replaced by a new version")


EDITABLE_STATUSES = frozenset({ReportStatus.DRAFT, ReportStatus.CHANGES})


class OfficeReport(models.Model):
    """
    One office's report for one round under one contract, in versions.

    The current version is the one not replaced. It is entered (draft), then
    submitted, then approved or sent back (changes requested) and submitted
    again. An approved version is frozen; a new version copies it.
    """

    round = models.ForeignKey(FollowUpRound, on_delete=models.PROTECT, related_name="reports")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="reports")
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus, default=ReportStatus.DRAFT
    )
    narrative = models.TextField(_("summary"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.CharField(_("submitted by"), max_length=150, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.CharField(_("reviewed by"), max_length=150, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    version_reason = models.TextField(_("reason for the new version"), blank=True)
    basis = models.CharField(_("basis"), max_length=12, choices=Basis, default=Basis.FACT)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["round", "contract", "-version"]
        verbose_name = _("office report")
        verbose_name_plural = _("office reports")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "contract", "version"], name="one_report_version"
            ),
            models.UniqueConstraint(
                fields=["round", "contract"],
                condition=~models.Q(status="replaced"),
                name="one_current_report",
            ),
        ]

    def __str__(self) -> str:
        office = self.contract.office.name if self.contract.office else self.contract.title
        return f"{office} {self.round.year} v{self.version}"

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class KpiResult(models.Model):
    """
    An indicator's actual value in a report, with the office's comment.

    A computed indicator's value is taken from the register when the report
    is saved or submitted (`computed_at`); the office may comment on it but
    not change it.
    """

    report = models.ForeignKey(OfficeReport, on_delete=models.CASCADE, related_name="results")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="results")
    value = models.BigIntegerField(_("actual"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    comment = models.TextField(_("comment"), blank=True)
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)

    class Meta:
        ordering = ["report", "indicator__position", "indicator__key"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="one_result_a_report"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.key}: {self.value if self.value is not None else self.text}"


class ReminderStage(models.TextChoices):
    DUE = "due", _("Due soon")
    LATE = "late", _("Late")
    REVIEW = "review", _("Awaiting review")
    CHANGES = "changes", _("Changes requested")


class ReminderSent(models.Model):
    """A reminder e-mailed for one report version and stage: sent once, never again."""

    report = models.ForeignKey(OfficeReport, on_delete=models.CASCADE, related_name="reminders")
    stage = models.CharField(_("stage"), max_length=10, choices=ReminderStage)
    recipients = models.TextField(_("recipients"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["report", "stage"], name="one_reminder_a_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.stage}"
