"""
A published yearly report to KKR Sjælland: the approved files, kept as they were.

Each publication of a year is a new version; the earlier ones are kept. The
bytes of each format are stored with their SHA-256 and the fingerprint of
the data they were made from, so a reader can tell whether today's data
still give the same report.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PublishedReport(models.Model):
    year = models.PositiveIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"))
    pdf = models.BinaryField(_("PDF"))
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64)
    docx = models.BinaryField(_("DOCX"))
    docx_sha256 = models.CharField(_("DOCX SHA-256"), max_length=64)
    xlsx = models.BinaryField(_("XLSX"))
    xlsx_sha256 = models.CharField(_("XLSX SHA-256"), max_length=64)
    # The year's open data (klynge.reports.opendata) as one ZIP: CSV files and
    # datapackage.json. Empty for a version published before open data existed.
    opendata = models.BinaryField(_("open data (ZIP)"), blank=True, default=b"")
    opendata_sha256 = models.CharField(_("open data SHA-256"), max_length=64, blank=True)
    data_fingerprint = models.CharField(_("data fingerprint"), max_length=64)
    data_date = models.DateField(_("data as of"))
    run_id = models.PositiveIntegerField(_("allocation run"))
    demo = models.BooleanField(_("contains demo data"), default=False)
    # The published dashboards' figures (aggregates only, no personal data):
    # KPI statuses per office and companies reached per municipality.
    dashboard = models.JSONField(_("dashboard figures"), default=dict)
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    published_by = models.CharField(_("published by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-year", "-version"]
        verbose_name = _("published annual report")
        verbose_name_plural = _("published annual reports")
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="one_report_version_a_year"),
        ]

    def __str__(self) -> str:
        return f"Årsrapport {self.year} v{self.version}"

    def content(self, fmt: str) -> tuple[bytes, str]:
        """The stored bytes of format `fmt` (pdf, docx, xlsx, opendata) and their checksum."""
        return bytes(getattr(self, fmt)), getattr(self, f"{fmt}_sha256")
