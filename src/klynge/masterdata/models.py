"""Models of the register."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from klynge.common.choices import Basis
from klynge.core.dates import format_date_da, format_date_en
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
    STATBANK = "statbank", _("Fetched from Statistics Denmark")


class Municipality(models.Model):
    """A Danish municipality (kommune), identified by its 3-digit code."""

    code = models.CharField(_("municipality code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    region_code = models.CharField(_("region code"), max_length=4, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
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
    reference_date = models.DateField(_("reference date"))
    population = models.PositiveIntegerField(_("population"))
    source = models.TextField(_("source"))  # the full note: where and how it was read
    source_label = models.CharField(_("source, short"), max_length=200, blank=True)
    source_url = models.URLField(_("source, link"), max_length=500, blank=True)
    source_read_on = models.DateField(_("source read on"), null=True, blank=True)
    origin = models.CharField(
        _("origin"), max_length=12, choices=FigureOrigin, default=FigureOrigin.FILE
    )
    basis = models.CharField(_("basis"), max_length=12, choices=Basis, default=Basis.FACT)

    class Meta:
        ordering = ["municipality__name", "reference_date"]
        verbose_name = _("population")
        verbose_name_plural = _("population")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "reference_date"], name="population_once_per_date"
            ),
            models.CheckConstraint(
                condition=models.Q(population__gt=0), name="population_positive"
            ),
        ]

    def __str__(self) -> str:
        day = self.reference_date
        when = format_date_en(day) if get_language() == "en" else format_date_da(day)
        return f"{self.municipality}, {when}: {group_thousands(self.population)}"


class Partnership(models.Model):
    """A partnership of municipalities, such as KKR Sjælland."""

    key = models.SlugField(_("key"), max_length=60, unique=True)  # `--partnership sjaelland`
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    source = models.TextField(_("source"), blank=True)
    members = models.ManyToManyField(Municipality, related_name="partnerships")

    class Meta:
        ordering = ["name"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")

    def __str__(self) -> str:
        return self.name


class FetchStatus(models.TextChoices):
    """A StatBank fetch: shown and waiting for confirmation, or stored as the figures."""

    PENDING = "pending", _("Awaiting confirmation")
    STORED = "stored", _("Stored")


class PopulationFetch(models.Model):
    """
    One answer from Statistics Denmark's StatBank (table FOLK1A), kept as a version.

    The figures are kept exactly as fetched with the answer's SHA-256 and text,
    so what was stored can always be traced to the answer. A fetch is stored
    at most once: its figures then become the municipalities' PopulationFigure
    rows for `reference_date` (audited).
    """

    table = models.CharField(_("table"), max_length=20)
    quarter = models.CharField(_("quarter"), max_length=6)
    reference_date = models.DateField(_("reference date"))
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="population_fetches"
    )
    fetched_at = models.DateTimeField(_("fetched"))
    fetched_by = models.CharField(_("fetched by"), max_length=150)
    request_url = models.URLField(_("request"), max_length=500)
    request_body = models.JSONField(_("request body"))
    response_sha256 = models.CharField(_("SHA-256 of the answer"), max_length=64)
    response_text = models.TextField(_("answer"))
    figures = models.JSONField(_("figures"))  # {"253": 50514, ...}
    status = models.CharField(
        _("status"), max_length=10, choices=FetchStatus, default=FetchStatus.PENDING
    )
    stored_at = models.DateTimeField(_("stored"), null=True, blank=True)
    stored_by = models.CharField(_("stored by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-fetched_at", "-id"]
        verbose_name = _("population fetch")
        verbose_name_plural = _("population fetches")

    def __str__(self) -> str:
        return f"{self.table} {self.quarter} #{self.pk}"


class Cluster(models.Model):
    """
    A national cluster organisation designated for 2021-2024.

    Rows the sources could not identify are kept with `identified` False and
    an empty name, so the register still counts fourteen.
    """

    key = models.SlugField(_("key"), max_length=60, unique=True)
    identified = models.BooleanField(_("identified"), default=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    name_da = models.CharField(_("Danish name"), max_length=200, blank=True)
    sector_da = models.CharField(_("field"), max_length=200, blank=True)
    hq_city = models.CharField(_("headquarters"), max_length=200, blank=True)
    other_offices = models.TextField(_("other offices"), blank=True)
    ufs_sjaelland_topup_2021 = models.BooleanField(
        _("UFS extra grant to Sjælland Dec. 2021"), null=True
    )
    notes = models.TextField(_("notes"), blank=True)
    sources = models.TextField(_("sources"), blank=True)

    class Meta:
        ordering = ["-identified", "name", "key"]
        verbose_name = _("national cluster")
        verbose_name_plural = _("national clusters")

    def __str__(self) -> str:
        return self.name if self.identified else gettext("unidentified")


class ClusterOffice(models.Model):
    """A regional office of a national cluster in the region."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="offices")
    name = models.CharField(_("name"), max_length=200, unique=True)
    strength_position = models.CharField(_("strength"), max_length=200, blank=True)
    host_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_offices",
        verbose_name=_("host municipality"),
    )
    town = models.CharField(_("city"), max_length=200, blank=True)
    opened_date = models.DateField(_("opened"), null=True, blank=True)
    opened_precision = models.CharField(
        _("precision of the date"), max_length=5, choices=DatePrecision, default=DatePrecision.DAY
    )
    opened_note = models.CharField(_("note on the opening"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    sources = models.TextField(_("sources"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("cluster office")
        verbose_name_plural = _("cluster offices")

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """An organisation named in the seed: region, university, agency, board."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("abbreviation"), max_length=40, blank=True)
    kind = models.CharField(_("type"), max_length=100, blank=True)
    role = models.TextField(_("role"), blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class TimelineEvent(models.Model):
    """A dated step of the decision history (the seed's timeline and later decisions)."""

    event_date = models.DateField(_("date"))
    precision = models.CharField(
        _("precision of the date"), max_length=5, choices=DatePrecision, default=DatePrecision.MONTH
    )
    when_text = models.CharField(_("time"), max_length=60)
    title = models.CharField(_("event"), max_length=300, unique=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["event_date", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("history")

    def __str__(self) -> str:
        return f"{self.when_text}: {self.title}"
