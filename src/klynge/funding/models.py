"""Grants (bevillinger) and money received on them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from klynge.common.choices import Basis
from klynge.masterdata.models import Cluster, Organisation


class Grant(models.Model):
    """
    Money a body has granted to one or more clusters or to an organisation.

    What the sources leave out stays empty: the grantor, the period, and,
    for a grant to several clusters, each cluster's share (never guessed).
    """

    key = models.SlugField(_("key"), max_length=60, unique=True)
    grantor = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="grants",
        verbose_name=_("grantor"),
    )  # fmt: skip
    purpose = models.TextField(_("purpose"))
    amount_ore = models.BigIntegerField(_("amount (øre)"))
    per_year = models.BooleanField(_("amount per year"))
    first_year = models.PositiveIntegerField(_("first year"), null=True, blank=True)
    last_year = models.PositiveIntegerField(_("last year"), null=True, blank=True)
    clusters = models.ManyToManyField(
        Cluster, blank=True, related_name="grants", verbose_name=_("recipient clusters")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("recipient organisation"),
    )  # fmt: skip
    basis = models.CharField(_("basis"), max_length=12, choices=Basis, default=Basis.FACT)
    source = models.TextField(_("source"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["first_year", "key"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_ore__gt=0), name="grant_positive"),
        ]

    def __str__(self) -> str:
        return self.key

    def years(self) -> range | None:
        """The budget years, or None when the sources do not give them."""
        if self.first_year is None or self.last_year is None:
            return None
        return range(self.first_year, self.last_year + 1)

    def committed_ore(self) -> int | None:
        """The whole grant in øre, or None when a yearly grant's period is unknown."""
        if not self.per_year:
            return self.amount_ore
        years = self.years()
        return None if years is None else self.amount_ore * len(years)


class GrantReceipt(models.Model):
    """Money received on a grant."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="receipts")
    amount_ore = models.BigIntegerField(_("amount (øre)"))
    received_on = models.DateField(_("date received"))
    reference = models.CharField(_("reference"), max_length=100, unique=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["received_on", "pk"]
        verbose_name = _("grant receipt")
        verbose_name_plural = _("grant receipts")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_ore__gt=0), name="receipt_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.grant.key} {self.reference}"
