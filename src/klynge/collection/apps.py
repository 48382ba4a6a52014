from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    name = "klynge.collection"
    verbose_name = _("Collection")

    def ready(self) -> None:
        from klynge.audit.presentation import describe, lines_total

        describe("collection.paymentrequest", values={"lines": lines_total})
