from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "klynge.participation"
    verbose_name = _("Participation")

    def ready(self) -> None:
        from klynge.participation import history

        history.register()
