from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "klynge.participation"
    verbose_name = _("Participation")

    def ready(self) -> None:
        from klynge.audit.registry import audited
        from klynge.participation import history

        history.register()
        audited(
            "participation.Participant", "participation.ContactPerson", "participation.Activity",
            "participation.ActivityParticipation", "participation.ImportBatch",
        )  # fmt: skip
