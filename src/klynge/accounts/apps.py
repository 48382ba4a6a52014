from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "klynge.accounts"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        from klynge.accounts import history, permissions, signals  # noqa: F401  (registers rules)
        from klynge.accounts.services import login_records_purge_step
        from klynge.audit.registry import audited
        from klynge.common.purge import purge_step

        history.register()
        audited("accounts.Profile")
        audited("accounts.ApiToken")
        purge_step("login-records", _("login records"), login_records_purge_step)
