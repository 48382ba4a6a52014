"""Models of the register."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from klynge.common.choices import Basis
from klynge.core.dates import format_date_da
from klynge.core.money import group_thousands


class DatePrecision(models.TextChoices):
    """How much of a stored date is known."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class FigureOrigin(models.TextChoices):
    """Where a population figure came from: a shipped data file or the secretariat."""

    FILE = "file", _("Shipped data file")
    SECRETARIAT = "secretariat", _("Entered by the secretariat")


class Municipality(models.Model):
    """A Danish municipality (kommune), identified by its 3-digit code."""

    code = models.CharField("kommunekode", max_length=3, unique=True)
    name = models.CharField("navn", max_length=100, unique=True)
    region_code = models.CharField("regionskode", max_length=4, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "kommune"
        verbose_name_plural = "kommuner"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{3}$"), name="municipality_code_3_digits"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def latest_population(self) -> PopulationFigure | None:
        """The newest population figure (uses prefetched figures when present)."""
        figures = sorted(self.population_figures.all(), key=lambda f: f.reference_date)
        return figures[-1] if figures else None


class PopulationFigure(models.Model):
    """The population of one municipality on one reference date, with its source."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="population_figures"
    )
    reference_date = models.DateField("opgørelsesdato")
    population = models.PositiveIntegerField("indbyggertal")
    source = models.TextField("kilde")  # the full note: where and how it was read
    source_label = models.CharField("kilde, kort", max_length=200, blank=True)
    source_url = models.URLField("kilde, link", max_length=500, blank=True)
    source_read_on = models.DateField("kilde læst", null=True, blank=True)
    origin = models.CharField(
        "oprindelse", max_length=12, choices=FigureOrigin, default=FigureOrigin.FILE
    )
    basis = models.CharField("grundlag", max_length=12, choices=Basis, default=Basis.FACT)

    class Meta:
        ordering = ["municipality__name", "reference_date"]
        verbose_name = "indbyggertal"
        verbose_name_plural = "indbyggertal"
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "reference_date"], name="population_once_per_date"
            ),
            models.CheckConstraint(
                condition=models.Q(population__gt=0), name="population_positive"
            ),
        ]

    def __str__(self) -> str:
        when = format_date_da(self.reference_date)
        return f"{self.municipality}, {when}: {group_thousands(self.population)}"


class Partnership(models.Model):
    """A partnership of municipalities, such as KKR Sjælland."""

    name = models.CharField("navn", max_length=200, unique=True)
    description = models.TextField("beskrivelse", blank=True)
    source = models.TextField("kilde", blank=True)
    members = models.ManyToManyField(Municipality, related_name="partnerships")

    class Meta:
        ordering = ["name"]
        verbose_name = "partnerskab"
        verbose_name_plural = "partnerskaber"

    def __str__(self) -> str:
        return self.name


class Cluster(models.Model):
    """
    A national cluster organisation designated for 2021-2024.

    Rows the sources could not identify are kept with `identified` False and
    an empty name, so the register still counts fourteen.
    """

    key = models.SlugField("nøgle", max_length=60, unique=True)
    identified = models.BooleanField("identificeret", default=True)
    name = models.CharField("navn", max_length=200, blank=True)
    name_da = models.CharField("dansk betegnelse", max_length=200, blank=True)
    sector_da = models.CharField("område", max_length=200, blank=True)
    hq_city = models.CharField("hovedsæde", max_length=200, blank=True)
    other_offices = models.TextField("andre kontorer", blank=True)
    ufs_sjaelland_topup_2021 = models.BooleanField(
        "UFS-ekstrabevilling til Sjælland dec. 2021", null=True
    )
    notes = models.TextField("bemærkninger", blank=True)
    sources = models.TextField("kilder", blank=True)

    class Meta:
        ordering = ["-identified", "name", "key"]
        verbose_name = "national klynge"
        verbose_name_plural = "nationale klynger"

    def __str__(self) -> str:
        return self.name if self.identified else "ikke identificeret"


class ClusterOffice(models.Model):
    """A regional office of a national cluster in the region."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="offices")
    name = models.CharField("navn", max_length=200, unique=True)
    strength_position = models.CharField("styrkeposition", max_length=200, blank=True)
    host_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_offices",
        verbose_name="værtskommune",
    )
    town = models.CharField("by", max_length=200, blank=True)
    opened_date = models.DateField("åbnet", null=True, blank=True)
    opened_precision = models.CharField(
        "datoens præcision", max_length=5, choices=DatePrecision, default=DatePrecision.DAY
    )
    opened_note = models.CharField("note om åbning", max_length=300, blank=True)
    notes = models.TextField("bemærkninger", blank=True)
    sources = models.TextField("kilder", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "klyngekontor"
        verbose_name_plural = "klyngekontorer"

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """An organisation named in the seed: region, university, agency, board."""

    name = models.CharField("navn", max_length=200, unique=True)
    short_name = models.CharField("forkortelse", max_length=40, blank=True)
    kind = models.CharField("type", max_length=100, blank=True)
    role = models.TextField("rolle", blank=True)
    source = models.TextField("kilde", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "organisation"
        verbose_name_plural = "organisationer"

    def __str__(self) -> str:
        return self.name


class TimelineEvent(models.Model):
    """A dated step of the decision history (the seed's timeline and later decisions)."""

    event_date = models.DateField("dato")
    precision = models.CharField(
        "datoens præcision", max_length=5, choices=DatePrecision, default=DatePrecision.MONTH
    )
    when_text = models.CharField("tidspunkt", max_length=60)
    title = models.CharField("begivenhed", max_length=300, unique=True)
    source = models.TextField("kilde", blank=True)

    class Meta:
        ordering = ["event_date", "id"]
        verbose_name = "begivenhed"
        verbose_name_plural = "historik"

    def __str__(self) -> str:
        return f"{self.when_text}: {self.title}"
