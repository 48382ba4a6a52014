from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "klynge.accounts"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        from klynge.accounts import history, permissions, signals  # noqa: F401  (registers rules)
        from klynge.audit.registry import audited

        history.register()
        audited("accounts.Profile")
