from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    name = "klynge.collection"
    verbose_name = _("Collection")

    def ready(self) -> None:
        from klynge.audit.presentation import describe, lines_total
        from klynge.audit.registry import audited

        audited(
            "collection.PaymentRequest", "collection.PaymentRequestLine", "collection.Payment",
            "collection.PayeeAccount",
        )  # fmt: skip

        describe("collection.paymentrequest", values={"lines": lines_total})
