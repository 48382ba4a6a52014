"""Participants, their contact persons, activities and participations."""

from __future__ import annotations

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
    exporter = models.BooleanField(_("exporter"), null=True, blank=True)
    basis = models.CharField(_("basis"), max_length=12, choices=Basis, default=Basis.FACT)

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
        indexes = [models.Index(fields=["municipality_code"], name="participant_municipality")]

    def __str__(self) -> str:
        return f"{self.name} ({self.cvr})" if self.cvr else self.name

    @property
    def is_sme(self) -> bool | None:
        """Fewer than 250 employees; None when the band is not known."""
        if not self.employee_band:
            return None
        return self.employee_band != EmployeeBand.B250


class ContactPerson(models.Model):
    """A person at a participant: personal data, never shown to readers (GDPR)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("work email"), blank=True)
    phone = models.CharField(_("work phone"), max_length=30, blank=True)
    office = models.ForeignKey(
        ClusterOffice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

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

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on})"


class ParticipationRole(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    PARTNER = "partner", _("Partner")
    SPEAKER = "speaker", _("Speaker")


class ActivityParticipation(models.Model):
    """One participant in one activity."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participations")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(
        _("role"), max_length=12, choices=ParticipationRole, default=ParticipationRole.PARTICIPANT
    )

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "participant"], name="participation_once_per_activity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} @ {self.activity}"
