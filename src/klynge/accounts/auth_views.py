"""
Each user's own login pages: the code after the password, the account page,
two factors (add an app, new recovery codes, turn off) and the password
(change it; reset a forgotten one by email with Django's own views).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice

from klynge.accounts.forms import (
    ApiTokenForm,
    CodeForm,
    CurrentPasswordForm,
    EnrolForm,
    LoginForm,
    PasswordChangeForm,
    SetPasswordForm,
)
from klynge.accounts.middleware import pending_step
from klynge.accounts.permissions import role_of
from klynge.accounts.security_log import security_event
from klynge.accounts.services.tokens import (
    TokenError,
    is_active,
    token_create,
    token_list,
    token_revoke,
)
from klynge.accounts.two_factor import (
    ENROL_KEY_SESSION_KEY,
    LOGIN_STEP_KEY,
    LoginStep,
    TwoFactorError,
    has_two_factor,
    new_secret,
    provisioning_uri,
    qr_svg,
    recovery_codes_left,
    recovery_codes_renew,
    secret_text,
    two_factor_disable,
    two_factor_enrol,
    two_factor_required,
    two_factor_verify,
)
from klynge.audit.services import Actor

ACCOUNT_TRAIL = [(reverse_lazy("account"), gettext_lazy("My account"))]


class LoginView(auth_views.LoginView):
    """Django's login, with usernames folded and a note when two factors are off."""

    authentication_form = LoginForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["two_factor_off"] = not settings.KLYNGE_REQUIRE_2FA
        return context


def _next_url(request: HttpRequest) -> str:
    """The page the user asked for before the login, if it is on this site; else the start."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse(settings.LOGIN_REDIRECT_URL)


def _complete_login(request: HttpRequest, device: Device) -> None:
    """Mark the session as verified by `device`, under a new session key."""
    otp_login(request, device)
    request.session.pop(LOGIN_STEP_KEY, None)
    request.session.cycle_key()


def _recovery_codes_page(request: HttpRequest, codes: list[str], *, new_app: bool) -> HttpResponse:
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "new_app": new_app, "trail": ACCOUNT_TRAIL},
    )


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The login's second step: a code from the app, or a recovery code."""
    step = pending_step(request)
    if step is None:
        return HttpResponseRedirect(_next_url(request))
    if step == LoginStep.ENROL:
        return redirect("two-factor-setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor_verify(user=request.user, code=form.cleaned_data["code"])
        except TwoFactorError as error:
            form.add_error("code", str(error))
        else:
            _complete_login(request, device)
            if isinstance(device, StaticDevice):
                messages.warning(
                    request,
                    _(
                        "You logged in with a recovery code; %(count)d are left. "
                        "Make new ones on your account page if you are running out."
                    )
                    % {"count": recovery_codes_left(request.user)},
                )
            return HttpResponseRedirect(_next_url(request))
    return render(request, "accounts/login_code.html", {"form": form, "next": _next_url(request)})


@never_cache
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """The user's own account: password, and two-factor login."""
    user = request.user
    enrolled = has_two_factor(user)
    return render(
        request,
        "accounts/account.html",
        {
            "enrolled": enrolled,
            "required": two_factor_required(user),
            "setting_on": settings.KLYNGE_REQUIRE_2FA,
            "codes_left": recovery_codes_left(user) if enrolled else 0,
        },
    )


@never_cache
@sensitive_post_parameters("code", "password")
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """
    Add an authenticator app (or replace the one the user has).

    The secret is kept in the session until the first code from the app
    confirms it; then the app and new recovery codes are stored, and the
    codes are shown this once.
    """
    hex_key = request.session.get(ENROL_KEY_SESSION_KEY)
    if not hex_key:
        hex_key = request.session[ENROL_KEY_SESSION_KEY] = new_secret()
    form = EnrolForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = two_factor_enrol(
                user=request.user, hex_key=hex_key, code=form.cleaned_data["code"]
            )
        except TwoFactorError as error:
            form.add_error("code", str(error))
        else:
            del request.session[ENROL_KEY_SESSION_KEY]
            _complete_login(request, device)
            return _recovery_codes_page(request, codes, new_app=True)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_code": qr_svg(
                provisioning_uri(request.user, hex_key), _("QR code for the authenticator app")
            ),
            "secret": secret_text(hex_key),
            "replacing": has_two_factor(request.user),
            "required": two_factor_required(request.user),
            "pending": pending_step(request) is not None,
            "trail": ACCOUNT_TRAIL,
        },
    )


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def two_factor_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, after the password; the old ones stop working."""
    if not has_two_factor(request.user):
        return redirect("two-factor-setup")
    form = CurrentPasswordForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        return _recovery_codes_page(request, recovery_codes_renew(user=request.user), new_app=False)
    return render(
        request,
        "common/edit.html",
        {
            "form": form,
            "heading": _("New recovery codes"),
            "intro": _(
                "New codes replace the ones you have: the old codes stop working. "
                "Type your password to make new ones."
            ),
            "submit_label": _("Make new codes"),
            "back": reverse("account"),
            "trail": ACCOUNT_TRAIL,
        },
    )


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def two_factor_off(request: HttpRequest) -> HttpResponse:
    """Turn two-factor login off, after the password; not for those who must use it."""
    if not has_two_factor(request.user):
        return redirect("account")
    if two_factor_required(request.user):
        messages.error(request, _("Your role requires two-factor login; it cannot be turned off."))
        return redirect("account")
    form = CurrentPasswordForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor_disable(user=request.user)
        except TwoFactorError as error:
            form.add_error(None, str(error))
        else:
            request.session[LOGIN_STEP_KEY] = LoginStep.NONE.value
            messages.success(request, _("Two-factor login is turned off."))
            return redirect("account")
    return render(
        request,
        "common/edit.html",
        {
            "form": form,
            "heading": _("Turn off two-factor login"),
            "intro": _(
                "You will then log in with your password alone, and your recovery codes "
                "stop working. Type your password to turn it off."
            ),
            "submit_label": _("Turn off"),
            "back": reverse("account"),
            "trail": ACCOUNT_TRAIL,
        },
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password: the old one (throttled by axes), then the new one twice."""

    form_class = PasswordChangeForm
    template_name = "common/edit.html"
    success_url = reverse_lazy("account")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["request"] = self.request
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            heading=_("Change password"),
            submit_label=_("Change password"),
            back=reverse("account"),
            trail=ACCOUNT_TRAIL,
        )
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        security_event("password_changed", self.request)
        messages.success(self.request, _("Your password is changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """
    Ask for a link to set a new password, by email.

    The answer is the same whether the address belongs to a user or not;
    Django's form sends the mail only to an active user with a usable password.
    """

    template_name = "common/edit.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("password-reset-done")

    def form_valid(self, form: Any) -> HttpResponse:
        # The address is not logged: whether it belongs to a user stays unsaid here too.
        security_event("password_reset_requested", self.request)
        return super().form_valid(form)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            heading=_("Forgotten password"),
            intro=_(
                "Type the email address of your user. If it belongs to a user, we send a "
                "link to set a new password. The link works for one hour."
            ),
            submit_label=_("Send link"),
            back=reverse("login"),
            trail=[],
        )
        return context


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password from the emailed link (the link's token moves into the session)."""

    form_class = SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password-reset-complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        security_event("password_reset", self.request, user=form.user.pk)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@never_cache
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """
    The user's personal API tokens: made here (shown this once), listed with
    scope, expiry and last use, and revoked. A token acts with the user's role.
    """
    if role_of(request.user) is None:
        raise PermissionDenied
    form = ApiTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = token_create(
                actor=Actor.of(request.user),
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                days=form.cleaned_data["days"],
            )
        except TokenError as error:
            form.add_error(None, str(error))
        else:
            created = (token, raw)
            form = ApiTokenForm()
    now = timezone.now()
    tokens = token_list(request.user)
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "created": created,
            "rows": [(t, is_active(t, now)) for t in tokens],
            "trail": ACCOUNT_TRAIL,
            "api_docs": reverse("api:openapi-view"),
        },
    )


@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's own tokens; another user's token is a 404."""
    token = get_object_or_404(token_list(request.user), pk=pk)
    token_revoke(actor=Actor.of(request.user), token=token)
    messages.success(request, _("The token is revoked; it no longer works."))
    return redirect("api-tokens")
