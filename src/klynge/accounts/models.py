"""A user's role and what it is bound to (a municipality or a cluster office)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from klynge.masterdata.models import ClusterOffice, Municipality


class Role(models.TextChoices):
    SECRETARIAT = "sekretariat", _("Secretariat")
    MUNICIPALITY = "kommune", _("Municipality")
    LEAD_MUNICIPALITY = "leadkommune", _("Lead municipality")
    OFFICE = "klyngekontor", _("Cluster office")
    READER = "laeser", _("Reader")


MUNICIPALITY_ROLES = frozenset({Role.MUNICIPALITY, Role.LEAD_MUNICIPALITY})


class Profile(models.Model):
    """
    The role of one user and its binding.

    kommune and leadkommune are bound to one municipality, klyngekontor to
    one office; sekretariat and læser to nothing. A user without a profile
    has no role and sees nothing, except a superuser, who counts as the
    secretariat.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    office = models.ForeignKey(
        ClusterOffice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cluster office"),
    )

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")
        constraints = [
            models.CheckConstraint(
                name="profile_binding_matches_role",
                condition=(
                    models.Q(
                        role__in=["kommune", "leadkommune"],
                        municipality__isnull=False,
                        office__isnull=True,
                    )
                    | models.Q(role="klyngekontor", municipality__isnull=True, office__isnull=False)
                    | models.Q(
                        role__in=["sekretariat", "laeser"],
                        municipality__isnull=True,
                        office__isnull=True,
                    )
                ),
            )
        ]

    def __str__(self) -> str:
        binding = self.municipality or self.office
        role = self.get_role_display()
        return f"{self.user.get_username()}: {role}" + (f" ({binding})" if binding else "")


class TokenScope(models.TextChoices):
    """What a personal API token may do: read, or read and write."""

    READ = "read", _("Read")
    WRITE = "write", _("Read and write")


class ApiToken(models.Model):
    """
    A personal API token: acts as its user, within its scope, until it expires.

    Only the SHA-256 of the secret is stored; the token itself is shown once,
    when it is made. `prefix` (public) finds the row; the hash proves the
    secret. A revoked or expired token is kept, so the audit log's entries
    still name it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    secret_hash = models.CharField(_("SHA-256 of the secret"), max_length=64)
    scope = models.CharField(_("scope"), max_length=5, choices=TokenScope)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=["read", "write"]), name="api_token_scope_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"
