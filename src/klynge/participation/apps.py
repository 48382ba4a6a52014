from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "klynge.participation"
    verbose_name = _("Participation")

    def ready(self) -> None:
        from klynge.audit.registry import audited
        from klynge.common.purge import purge_step
        from klynge.participation import history
        from klynge.participation.services.imports import purge_staged_files
        from klynge.participation.services.retention import refused_values_purge_step

        history.register()
        purge_step("import-files", _("abandoned participant files"), purge_staged_files)
        purge_step("refused-values", _("cell values of refused participant files"),
                   refused_values_purge_step)  # fmt: skip
        audited(
            "participation.Participant", "participation.ContactPerson", "participation.Activity",
            "participation.ActivityParticipation", "participation.ImportBatch",
        )  # fmt: skip
