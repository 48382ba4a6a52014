"""
URL configuration: Danish paths, login required everywhere except the
login page, the password reset pages, the language switch and the
accessibility statement; a login that still owes its code (or an app) opens
only that step (accounts.middleware.TwoFactorMiddleware).

Every pattern has an entry in the permission matrix
(tests/security/test_permission_matrix.py); a new pattern without one fails.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path, register_converter
from django.views.i18n import set_language

from klynge.accounts import auth_views as login
from klynge.accounts import views as accounts
from klynge.api.api import urls as api_urls
from klynge.audit import views as audit
from klynge.collection import views as collection
from klynge.common import converters
from klynge.financing import views as financing
from klynge.funding import views as funding
from klynge.masterdata import views as masterdata
from klynge.participation import views as participation
from klynge.reports import views as reports
from klynge.web import views as web

# Ids, years and codes are read within bounds; anything else is a 404.
register_converter(converters.IdConverter, "id")
register_converter(converters.YearConverter, "year")
register_converter(converters.CodeConverter, "code")
register_converter(converters.DigitsConverter, "digits")

# The contracts' patterns use the converters above, so they are read after them.
from klynge.contracts.urls import urlpatterns as contract_patterns  # noqa: E402

urlpatterns = [
    path("api/v1/", api_urls()),
    path("", web.home, name="home"),
    path("overblik/", web.overview, name="overview"),
    path("log-ind/", login.LoginView.as_view(), name="login"),
    path("log-ind/kode/", login.login_code, name="login-code"),
    path("log-ind/glemt/", login.PasswordResetView.as_view(), name="password-reset"),
    path("log-ind/glemt/sendt/", login.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path(
        "log-ind/ny-adgangskode/<uidb64>/<token>/",
        login.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "log-ind/ny-adgangskode/faerdig/",
        login.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("log-ud/", auth_views.LogoutView.as_view(), name="logout"),
    path("konto/", login.account, name="account"),
    path("konto/adgangskode/", login.PasswordChangeView.as_view(), name="password-change"),
    path("konto/to-faktor/", login.two_factor_setup, name="two-factor-setup"),
    path("konto/api-noegler/", login.api_tokens, name="api-tokens"),
    path("konto/api-noegler/<id:pk>/tilbagekald/", login.api_token_revoke, name="api-token-revoke"),
    path("konto/to-faktor/koder/", login.two_factor_codes, name="two-factor-codes"),
    path("konto/to-faktor/slaa-fra/", login.two_factor_off, name="two-factor-off"),
    path("sprog/", login_not_required(set_language), name="set-language"),
    path("tilgaengelighed/", login_not_required(web.accessibility), name="accessibility"),
    path("kommuner/", web.municipality_index, name="municipality-list"),
    path("kommuner/indbyggertal/", web.population_edit, name="population-edit"),
    path(
        "kommuner/indbyggertal/statistikbanken/",
        masterdata.population_fetch,
        name="population-fetch",
    ),
    path(
        "kommuner/indbyggertal/statistikbanken/<id:pk>/",
        masterdata.population_fetch_detail,
        name="population-fetch-detail",
    ),
    path(
        "kommuner/indbyggertal/statistikbanken/<id:pk>/gem/",
        masterdata.population_fetch_confirm,
        name="population-fetch-confirm",
    ),
    path("kommuner/<code:code>/", web.municipality_detail, name="municipality-detail"),
    path("kommuner/<code:code>/historik/", web.municipality_history, name="municipality-history"),
    path("klyngekontorer/", web.office_index, name="office-list"),
    path("klyngekontorer/<id:pk>/", web.office_detail, name="office-detail"),
    path("klyngekontorer/<id:pk>/historik/", web.office_history, name="office-history"),
    path("fordeling/", financing.allocation_current, name="allocation-current"),
    path("fordeling/<year:year>/", financing.allocation, name="allocation"),
    path(
        "fordeling/<year:year>/kontor/<id:office_id>/",
        financing.allocation_office,
        name="allocation-office",
    ),
    path("fordeling/<year:year>/gem/", financing.allocation_save, name="allocation-save"),
    path(
        "fordeling/<year:year>/godkend/<id:run_id>/",
        financing.allocation_approve,
        name="allocation-approve",
    ),
    path(
        "fordeling/<year:year>/ret/",
        financing.allocation_correction,
        name="allocation-correction",
    ),
    path(
        "fordeling/<year:year>/eksport.<slug:fmt>",
        financing.allocation_export,
        name="allocation-export",
    ),
    path(
        "fordeling/<year:year>/historik/", financing.allocation_history, name="allocation-history"
    ),
    path("scenarier/", financing.scenarios, name="scenarios"),
    path("scenarier/<id:pk>/", financing.scenario_detail, name="scenario-detail"),
    path("scenarier/<id:pk>/eksport.xlsx", financing.scenario_export, name="scenario-export"),
    path("aftale/<year:year>/", financing.agreement_year, name="agreement-year"),
    path("aftale/<year:year>/beloeb/", financing.terms_edit, name="terms-edit"),
    path(
        "aftale/<year:year>/deltagelse/<code:code>/",
        financing.participation_edit,
        name="participation-edit",
    ),
    path("aftale/<year:year>/lead/<id:office_id>/", financing.lead_edit, name="lead-edit"),
    path("aftale/<year:year>/opkraevende-part/", financing.collector_edit, name="collector-edit"),
    path("opkraevninger/", collection.requests_current, name="requests-current"),
    path("opkraevninger/<year:year>/", collection.requests_year, name="requests"),
    path(
        "opkraevninger/<year:year>/opret/", collection.requests_create_view, name="requests-create"
    ),
    path("opkraevninger/<year:year>/send/", collection.requests_send_view, name="requests-send"),
    path(
        "opkraevninger/<year:year>/afregn/", collection.requests_settle_view, name="requests-settle"
    ),
    path(
        "opkraevninger/<year:year>/indbetalinger/",
        collection.payments_import_view,
        name="payments-import",
    ),
    path(
        "opkraevninger/<year:year>/breve.zip", collection.requests_letters_zip, name="letters-zip"
    ),
    path("opkraevninger/betalingsoplysninger/", collection.payee_accounts, name="payee-accounts"),
    path(
        "opkraevninger/betalingsoplysninger/<slug:kind>/<digits:key>/",
        collection.payee_account_edit,
        name="payee-account-edit",
    ),
    path(
        "opkraevninger/<year:year>/eksport.xlsx",
        collection.requests_export,
        name="requests-export",
    ),
    path("opkraevninger/nr/<id:pk>/", collection.request_detail, name="request-detail"),
    path("opkraevninger/nr/<id:pk>/brev.pdf", collection.request_letter, name="request-letter"),
    path(
        "opkraevninger/nr/<id:pk>/annuller/",
        collection.request_cancel_view,
        name="request-cancel",
    ),
    path("finansiering/", funding.funding_overview, name="funding"),
    path("finansiering/bevilling/<id:pk>/", funding.grant_detail, name="grant-detail"),
    path("finansiering/bevilling/<id:pk>/ret/", funding.grant_edit, name="grant-edit"),
    path("deltagelse/", participation.reach, name="reach"),
    path("deltagelse/deltagere/", participation.participants, name="participants"),
    path(
        "deltagelse/deltagere/eksport.<slug:fmt>",
        participation.participants_export,
        name="participants-export",
    ),
    path(
        "deltagelse/deltagere/<id:pk>/",
        participation.participant_detail,
        name="participant-detail",
    ),
    path("deltagelse/aktiviteter/", participation.activities, name="activities"),
    path("deltagelse/aktiviteter/<id:pk>/", participation.activity_detail, name="activity-detail"),
    path("deltagelse/indlaesning/", participation.imports, name="imports"),
    path(
        "deltagelse/indlaesning/skabelon.<slug:fmt>",
        participation.import_template,
        name="import-template",
    ),
    path("deltagelse/indlaesning/<id:pk>/", participation.import_detail, name="import-detail"),
    path(
        "deltagelse/indlaesning/<id:pk>/gem/",
        participation.import_commit_view,
        name="import-commit",
    ),
    path(
        "deltagelse/indlaesning/<id:pk>/kasser/",
        participation.import_discard_view,
        name="import-discard",
    ),
    path(
        "deltagelse/indlaesning/<id:pk>/fortryd/",
        participation.import_undo_view,
        name="import-undo",
    ),
    path(
        "deltagelse/indlaesning/<id:pk>/fejl.csv",
        participation.import_report,
        name="import-report",
    ),
    path("aarsrapport/", reports.annual_report, name="annual-report"),
    path(
        "aarsrapport/<year:year>/aarsrapport.<slug:fmt>",
        reports.annual_report_download,
        name="annual-report-download",
    ),
    path(
        "aarsrapport/<year:year>/offentliggoer/",
        reports.annual_report_publish,
        name="annual-report-publish",
    ),
    path("offentliggjort/", reports.published_index, name="published-list"),
    path("offentliggjort/<year:year>/", reports.published_detail, name="published-detail"),
    path(
        "offentliggjort/<year:year>/version-<id:version>.<slug:fmt>",
        reports.published_download,
        name="published-download",
    ),
    path(
        "offentliggjort/<year:year>/version-<id:version>-aabne-data.zip",
        reports.published_opendata,
        name="published-opendata",
    ),
    path("datakvalitet/", web.data_quality, name="data-quality"),
    path("tidslinje/", masterdata.timeline, name="timeline"),
    path("brugere/", accounts.user_index, name="user-list"),
    path("brugere/ny/", accounts.user_new, name="user-new"),
    path("brugere/<id:pk>/", accounts.user_edit, name="user-edit"),
    path("aendringslog/", audit.audit_log, name="audit-log"),
    *contract_patterns,
    path("admin/", admin.site.urls),
]
