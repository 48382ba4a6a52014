"""Participants, their contact persons, activities and participations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from klynge.common.choices import Basis
from klynge.masterdata.models import ClusterOffice, Municipality


class ParticipantKind(models.TextChoices):
    COMPANY = "company", _("Company")
    KNOWLEDGE = "knowledge", _("Knowledge institution")
    PUBLIC = "public", _("Other public actor")


class EmployeeBand(models.TextChoices):
    """Employees, in the bands Statistics Denmark uses; an SME has fewer than 250."""

    B0_9 = "0-9", "0-9"
    B10_49 = "10-49", "10-49"
    B50_249 = "50-249", "50-249"
    B250 = "250+", "250+"


class Participant(models.Model):
    """
    A company, knowledge institution or public actor that takes part in activities.

    A company is identified by its CVR number (validated, mod 11); the
    municipality comes from an explicit code or from the postal code, and is
    marked uncertain when the postal code spans several municipalities. A
    municipality outside the register (outside the region) is kept as a code.

    `office` owns the master data: the office whose import registered it. Only
    that office's imports change it; another office's differing values are kept
    as its `ParticipantObservation`. Without an office (registered in the
    register itself) no office's import changes it.
    """

    kind = models.CharField(
        _("kind"), max_length=10, choices=ParticipantKind, default=ParticipantKind.COMPANY
    )
    cvr = models.CharField(_("CVR number"), max_length=8, unique=True, null=True, blank=True)
    p_number = models.CharField(_("P-number"), max_length=10, blank=True)
    name = models.CharField(_("name"), max_length=300)
    address = models.CharField(_("address"), max_length=300, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=4, blank=True)
    municipality_code = models.CharField(_("municipality code"), max_length=3)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("municipality"),
    )  # fmt: skip
    municipality_uncertain = models.BooleanField(_("municipality uncertain"), default=False)
    employee_band = models.CharField(_("employees"), max_length=6, choices=EmployeeBand, blank=True)
    industry_code = models.CharField(_("industry code"), max_length=6, blank=True)
    # A sole proprietorship's name, address and CVR number identify a person: they are
    # personal data, shown only to users with view_personal_data.
    sole_proprietor = models.BooleanField(_("sole proprietorship"), default=False)
    basis = models.CharField(_("basis"), max_length=12, choices=Basis, default=Basis.FACT)
    office = models.ForeignKey(
        ClusterOffice, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("registered by"),
    )  # fmt: skip

    class Meta:
        ordering = ["name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="company") | models.Q(cvr__isnull=False),
                name="company_has_cvr",
            )
        ]
        indexes = [
            models.Index(fields=["municipality_code"], name="participant_municipality"),
            # Reach counts companies per municipality: filter on kind, group on municipality.
            models.Index(fields=["municipality", "kind"], name="participant_municipality_kind"),
            # Every page asks whether demo data is stored (the banner): with no demo rows,
            # as in production, this partial index answers without reading the table.
            models.Index(
                fields=["basis"], name="participant_demo", condition=models.Q(basis=Basis.DEMO)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.cvr})" if self.cvr else self.name

    @property
    def is_sme(self) -> bool | None:
        """Fewer than 250 employees; None when the band is not known."""
        if not self.employee_band:
            return None
        return self.employee_band != EmployeeBand.B250


class ExporterYear(models.Model):
    """Whether a participant exported in a year, as an office reported it."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="exporter_years"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    exporter = models.BooleanField(_("exporter"))
    batch = models.ForeignKey(
        "ImportBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["participant", "year"]
        verbose_name = _("exporter status")
        verbose_name_plural = _("exporter statuses")
        constraints = [
            models.UniqueConstraint(fields=["participant", "year"], name="exporter_once_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.year}: {self.exporter}"


class ContactPerson(models.Model):
    """A person at a participant: personal data, never shown to readers (GDPR)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("work email"), blank=True)
    phone = models.CharField(_("work phone"), max_length=30, blank=True)
    office = models.ForeignKey(
        ClusterOffice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    anonymised = models.BooleanField(_("anonymised"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")

    def __str__(self) -> str:
        return self.name


class ActivityKind(models.TextChoices):
    NETWORK = "network", _("Network meeting")
    COURSE = "course", _("Course")
    INNOVATION = "innovation", _("Innovation project")
    MATCHMAKING = "matchmaking", _("Matchmaking")
    DELEGATION = "delegation", _("International delegation")
    OTHER = "other", _("Other")


class Activity(models.Model):
    """Something an office held: a meeting, a course, a project, a delegation."""

    office = models.ForeignKey(ClusterOffice, on_delete=models.PROTECT, related_name="activities")
    external_id = models.CharField(_("the office's id"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=12, choices=ActivityKind)
    held_on = models.DateField(_("date"))
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("held in"),
    )  # fmt: skip
    green = models.BooleanField(_("green transition"), default=False)
    international = models.BooleanField(_("international"), default=False)
    basis = models.CharField(_("basis"), max_length=12, choices=Basis, default=Basis.FACT)

    class Meta:
        ordering = ["-held_on", "title"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "external_id"], name="activity_once_per_office"
            )
        ]
        indexes = [
            models.Index(fields=["held_on"], name="activity_held_on"),
            # An office's activities in a year (the office and reach pages).
            models.Index(fields=["office", "held_on"], name="activity_office_held_on"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on})"


class ImportStatus(models.TextChoices):
    CHECKED = "checked", _("Checked, not stored")
    REFUSED = "refused", _("Has errors, nothing stored")
    COMMITTED = "committed", _("Stored")
    UNDONE = "undone", _("Undone")
    DISCARDED = "discarded", _("Discarded")


class ImportBatch(models.Model):
    """
    One uploaded participant file: checked, then stored all at once, and undoable.

    The file itself, and the plan its check gave, are kept only while it waits
    to be stored (they may hold contact persons); afterwards the hash, name and
    size say what was read.
    """

    office = models.ForeignKey(
        ClusterOffice, on_delete=models.PROTECT, related_name="import_batches",
        verbose_name=_("cluster office"),
    )  # fmt: skip
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size_bytes = models.PositiveBigIntegerField(_("size in bytes"))
    content = models.BinaryField(_("file content"), blank=True, default=b"", editable=False)
    # The checked plan (participation.plan_codec), so that any process can store the batch
    # without checking the file again; emptied with the file.
    plan = models.BinaryField(_("checked plan"), blank=True, default=b"", editable=False)
    sheet = models.CharField(_("sheet read"), max_length=100, blank=True)
    basis = models.CharField(_("basis"), max_length=12, choices=Basis, default=Basis.FACT)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus, default=ImportStatus.CHECKED
    )
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    differences = models.JSONField(
        _("differences from the register"),
        default=list,
        blank=True,
        help_text=_(
            "Registered participants the file gives another name, address or municipality."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_label = models.CharField(_("uploaded by"), max_length=150)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    committed_at = models.DateTimeField(_("stored"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_label = models.CharField(_("undone by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"


class ImportChange(models.Model):
    """One row a batch created or changed, with its values before and after (for undo)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="changes")
    model = models.CharField(max_length=40)
    object_pk = models.BigIntegerField()
    created = models.BooleanField()
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["model", "object_pk"], name="import_change_object")]

    def __str__(self) -> str:
        return f"{self.model} {self.object_pk}"


class ParticipationRole(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    PARTNER = "partner", _("Partner")
    SPEAKER = "speaker", _("Speaker")


class ActivityParticipation(models.Model):
    """One participant in one activity."""

    # No index of their own: the unique constraint's index begins with the activity and
    # `participation_by_participant` with the participant, and every index slows an import.
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="participations", db_index=False
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="participations", db_index=False
    )
    role = models.CharField(
        _("role"), max_length=12, choices=ParticipationRole, default=ParticipationRole.PARTICIPANT
    )
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True,
        related_name="participations",
    )  # fmt: skip

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "participant"], name="participation_once_per_activity"
            )
        ]
        # The unique constraint indexes (activity, participant); a participant's
        # activities (the participant list, its counts) need the other order.
        indexes = [
            models.Index(fields=["participant", "activity"], name="participation_by_participant")
        ]

    def __str__(self) -> str:
        return f"{self.participant} @ {self.activity}"


class ParticipantObservation(models.Model):
    """
    What an office's file said about a participant it does not own, where it differs.

    The register keeps the owner's values (`Participant.office`); the other
    office's values are kept here, one row per batch and participant, for the
    secretariat to see (data quality) and decide. Undoing the batch removes them.
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="observations")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="observations"
    )
    # {field: value as the file gave it} for the master fields that differ
    values = models.JSONField(_("values in the file"), default=dict, blank=True)
    # {"2024": true}: the years whose exporter status in the file differs
    exporters = models.JSONField(_("exporter statuses in the file"), default=dict, blank=True)

    class Meta:
        ordering = ["participant", "batch"]
        verbose_name = _("observation of another office")
        verbose_name_plural = _("observations of other offices")
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "participant"], name="observation_once_per_batch"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} @ {self.batch_id}"
