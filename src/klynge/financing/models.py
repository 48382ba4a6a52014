"""Models of agreements and allocation runs."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from klynge.common.choices import Basis, mirror
from klynge.core.cofinancing import ROUNDING_UNITS, Key, ReferenceDateRule, Role
from klynge.core.money import format_dkk
from klynge.masterdata.models import ClusterOffice, Municipality

# The stored values come from the core enums; the choices add the labels (`mirror`
# refuses, at import, choices that drift from their enum).


class KeyChoice(models.TextChoices):
    POPULATION = Key.POPULATION.value, _("Population")
    EQUAL = Key.EQUAL.value, _("Equal shares")
    CUSTOM = Key.CUSTOM.value, _("Custom weights")


class ReferenceDateRuleChoice(models.TextChoices):
    JAN1_PREVIOUS_YEAR = (
        ReferenceDateRule.JAN1_PREVIOUS_YEAR.value,
        _("1 January of the year before the budget year"),
    )
    JAN1_BUDGET_YEAR = ReferenceDateRule.JAN1_BUDGET_YEAR.value, _("1 January of the budget year")
    FIXED = ReferenceDateRule.FIXED.value, _("A fixed date for the whole period")


class RoleChoice(models.TextChoices):
    """What a municipality is for one office in one year (a line's role)."""

    LEAD = Role.LEAD.value, _("Lead municipality")
    SHARE = Role.SHARE.value, _("Share")
    NONE = Role.NONE.value, _("Not participating")


class RoundingUnit(models.IntegerChoices):
    ORE = ROUNDING_UNITS[0], _("Øre")
    KRONE = ROUNDING_UNITS[1], _("Whole kroner")
    THOUSAND = ROUNDING_UNITS[2], _("DKK 1,000")


mirror(KeyChoice, Key)
mirror(ReferenceDateRuleChoice, ReferenceDateRule)
mirror(RoleChoice, Role)
if {unit.value for unit in RoundingUnit} != set(ROUNDING_UNITS):
    raise ImproperlyConfigured("RoundingUnit does not mirror core.cofinancing.ROUNDING_UNITS.")


class Collector(models.TextChoices):
    """Who collects the municipal shares of an office."""

    LEAD = "lead", _("The office's lead municipality")
    OFFICE = "office", _("The office itself")


class Agreement(models.Model):
    """A co-financing agreement among municipalities for a period of budget years."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    first_year = models.PositiveIntegerField(_("first year"))
    last_year = models.PositiveIntegerField(_("last year"))
    reference_date_rule = models.CharField(
        _("reference date for the population"),
        max_length=20,
        choices=ReferenceDateRuleChoice,
        default=ReferenceDateRuleChoice.JAN1_PREVIOUS_YEAR,
    )
    fixed_reference_date = models.DateField(_("fixed reference date"), null=True, blank=True)
    index_base_year = models.PositiveIntegerField(
        _("base year for price and wage indexation"),
        null=True,
        blank=True,
        help_text=_("Empty: the amounts are not indexed."),
    )
    source = models.TextField(_("source"), blank=True)
    collector = models.CharField(
        _("collector"),
        max_length=6,
        choices=Collector,
        default=Collector.LEAD,
        help_text=_("No source says so; the lead municipality is a working assumption."),
    )
    collector_basis = models.CharField(
        _("basis for the collector"),
        max_length=12,
        choices=Basis,
        default=Basis.ASSUMPTION,
    )
    collector_note = models.TextField(_("source for the collector"), blank=True)

    class Meta:
        ordering = ["first_year", "name"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_year__gte=models.F("first_year")),
                name="agreement_years_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def years(self) -> range:
        """The budget years the agreement covers."""
        return range(self.first_year, self.last_year + 1)


class AgreementYear(models.Model):
    """The terms of an agreement for one budget year."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="terms")
    year = models.PositiveIntegerField(_("year"))
    office_amount_ore = models.BigIntegerField(_("amount per office (øre)"))
    lead_share_ore = models.BigIntegerField(_("lead share (øre)"))
    key = models.CharField(
        _("allocation key"), max_length=12, choices=KeyChoice, default=KeyChoice.POPULATION
    )
    rounding_unit_ore = models.PositiveIntegerField(
        _("rounding unit"), choices=RoundingUnit, default=RoundingUnit.ORE
    )
    index_percent = models.DecimalField(
        _("price and wage indexation (%)"), max_digits=6, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["agreement", "year"]
        verbose_name = _("terms of a year")
        verbose_name_plural = _("terms per year")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "year"], name="terms_once_per_year"),
            models.CheckConstraint(
                condition=models.Q(office_amount_ore__gte=0, lead_share_ore__gte=0),
                name="terms_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.year}"


class FinancedOffice(models.Model):
    """An office an agreement finances, from its first year."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="financed_offices"
    )
    office = models.ForeignKey(ClusterOffice, on_delete=models.PROTECT, related_name="+")
    first_year = models.PositiveIntegerField(_("financed from"))

    class Meta:
        ordering = ["agreement", "office__name"]
        verbose_name = _("financed cluster office")
        verbose_name_plural = _("financed cluster offices")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "office"], name="office_once_per_agreement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.office} ({self.agreement})"


class OfficeLead(models.Model):
    """The lead municipality of a financed office in one year; empty if unknown."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="leads")
    office = models.ForeignKey(ClusterOffice, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("year"))
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    basis = models.CharField(_("basis"), max_length=12, choices=Basis, default=Basis.FACT)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["agreement", "office__name", "year"]
        verbose_name = _("lead municipality")
        verbose_name_plural = _("lead municipalities")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "office", "year"], name="lead_once_per_office_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.year}: {self.municipality or gettext('unknown')}"


class Participation(models.Model):
    """Whether a municipality takes part in an agreement in one year."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="participations"
    )
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("year"))
    participates = models.BooleanField(_("participates"))
    basis = models.CharField(_("basis"), max_length=12, choices=Basis, default=Basis.FACT)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["agreement", "year", "municipality__name"]
        verbose_name = _("participation")
        verbose_name_plural = _("participation")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "municipality", "year"], name="participation_once_per_year"
            )
        ]

    def __str__(self) -> str:
        state = gettext("takes part") if self.participates else gettext("does not take part")
        return f"{self.municipality} {self.year}: {state}"


class CustomWeight(models.Model):
    """A municipality's weight under the custom-weights key in one year."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="weights")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("year"))
    weight = models.PositiveIntegerField(_("weight"))

    class Meta:
        verbose_name = _("weight")
        verbose_name_plural = _("weights")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "municipality", "year"], name="weight_once_per_year"
            ),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year}: {self.weight}"


class RunStatus(models.TextChoices):
    COMPUTED = "computed", _("Computed")
    APPROVED = "approved", _("Approved")
    REPLACED = "replaced", _("Replaced")


FROZEN_STATUSES = (RunStatus.APPROVED, RunStatus.REPLACED)


class FrozenRunError(Exception):
    """An approved allocation run cannot change."""

    @classmethod
    def on_change(cls) -> FrozenRunError:
        """The error for a change of an approved run or its lines."""
        return cls(gettext("An approved allocation cannot be changed."))

    @classmethod
    def on_delete(cls) -> FrozenRunError:
        """The error for a deletion of an approved run or its lines."""
        return cls(gettext("An approved allocation cannot be deleted."))


_M = TypeVar("_M", bound=models.Model)


class _FrozenWhenApprovedQuerySet(models.QuerySet[_M]):
    """Refuses bulk updates and deletes that touch an approved run."""

    approved_lookup = "status"

    def _touches_approved(self) -> bool:
        return self.filter(**{f"{self.approved_lookup}__in": FROZEN_STATUSES}).exists()

    def update(self, **kwargs: Any) -> int:
        if self._touches_approved():
            raise FrozenRunError.on_change()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self._touches_approved():
            raise FrozenRunError.on_delete()
        return super().delete()


class AllocationRunQuerySet(_FrozenWhenApprovedQuerySet["AllocationRun"]):
    approved_lookup = "status"


class AllocationRun(models.Model):
    """
    A stored allocation of one agreement for one budget year.

    `inputs` holds every input the computation used and `fingerprint` its
    SHA-256, so the run can be reproduced and compared. Once approved, the run
    and its lines are frozen.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="runs")
    year = models.PositiveIntegerField(_("year"))
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    inputs = models.JSONField(_("inputs"))
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus, default=RunStatus.COMPUTED
    )
    created_at = models.DateTimeField(_("computed"), auto_now_add=True)
    created_by = models.CharField(_("computed by"), max_length=150, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.CharField(_("approved by"), max_length=150, blank=True)
    acknowledged = models.JSONField(
        _("acknowledged caveats"),
        default=list,
        blank=True,
        help_text=_("The assumptions and problems the approver confirmed having read."),
    )
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    replace_reason = models.TextField(_("reason for the correction"), blank=True)
    replaced_at = models.DateTimeField(_("replaced"), null=True, blank=True)

    objects = AllocationRunQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-created_at"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "year", "fingerprint"],
                condition=~models.Q(status="replaced"),
                name="run_once_per_fingerprint",
            ),
            models.UniqueConstraint(
                fields=["agreement", "year"],
                condition=models.Q(status="approved"),
                name="one_approved_run_per_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.year} #{self.pk} ({self.get_status_display()})"

    def _stored_status(self) -> str | None:
        if self.pk is None:
            return None
        return AllocationRun.objects.filter(pk=self.pk).values_list("status", flat=True).first()

    def save(self, *args: Any, **kwargs: Any) -> None:
        stored = self._stored_status()
        if stored in FROZEN_STATUSES and not self._is_replacement(stored, kwargs):
            raise FrozenRunError.on_change()
        super().save(*args, **kwargs)

    def _is_replacement(self, stored: str | None, kwargs: dict[str, Any]) -> bool:
        """The one change a frozen run allows: approved becomes replaced, nothing else."""
        return (
            stored == RunStatus.APPROVED
            and self.status == RunStatus.REPLACED
            and set(kwargs.get("update_fields") or ()) == {"status", "replaced_at"}
        )

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self._stored_status() in FROZEN_STATUSES:
            raise FrozenRunError.on_delete()
        return super().delete(*args, **kwargs)


class AllocationLineQuerySet(_FrozenWhenApprovedQuerySet["AllocationLine"]):
    approved_lookup = "run__status"


class AllocationLine(models.Model):
    """One municipality's amount for one office in a run, with its explanation."""

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="lines")
    office = models.ForeignKey(ClusterOffice, on_delete=models.PROTECT, related_name="+")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=5, choices=RoleChoice)
    amount_ore = models.BigIntegerField(_("amount (øre)"))
    population = models.PositiveIntegerField(_("population"), null=True)
    population_date = models.DateField(_("reference date"), null=True)
    population_source = models.TextField(_("source of the population"), blank=True)
    weight = models.PositiveBigIntegerField(_("weight"), null=True)
    key_total = models.PositiveBigIntegerField(_("key total"), null=True)
    split_ore = models.BigIntegerField(_("amount split (øre)"), null=True)
    quota_numerator = models.BigIntegerField(_("quota, numerator"), null=True)
    quota_denominator = models.BigIntegerField(_("quota, denominator"), null=True)
    explanation = models.TextField(_("explanation"))

    objects = AllocationLineQuerySet.as_manager()

    class Meta:
        ordering = ["office__name", "municipality__code"]
        verbose_name = _("allocation line")
        verbose_name_plural = _("allocation lines")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "office", "municipality"], name="line_once_per_run"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_ore__gte=0), name="line_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} / {self.municipality}: {format_dkk(self.amount_ore)}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if AllocationRun.objects.filter(pk=self.run_id, status__in=FROZEN_STATUSES).exists():
            raise FrozenRunError.on_change()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if AllocationRun.objects.filter(pk=self.run_id, status__in=FROZEN_STATUSES).exists():
            raise FrozenRunError.on_delete()
        return super().delete(*args, **kwargs)


class Scenario(models.Model):
    """
    A named "what if" on one agreement-year: the changes, not their result.

    It is recomputed whenever it is shown, from the live inputs; it never
    touches runs or payment requests.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="scenarios")
    year = models.PositiveIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=200, unique=True)
    changes = models.JSONField(_("changes"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.CharField(_("created by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"
