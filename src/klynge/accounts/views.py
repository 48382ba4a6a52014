"""The secretariat's user administration: list, create, change."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from klynge.accounts.forms import UserCreateForm, UserUpdateForm
from klynge.accounts.models import Profile, Role
from klynge.accounts.services import Binding, UserError, user_create, user_update
from klynge.audit.selectors import history_for
from klynge.audit.services import Actor
from klynge.common import perms
from klynge.common.perms import permission_required


def _binding(data: dict[str, object]) -> Binding:
    return Binding(
        role=Role(str(data["role"])),
        municipality=data.get("municipality"),  # type: ignore[arg-type]
        office=data.get("office"),  # type: ignore[arg-type]
    )


@require_GET
@permission_required(perms.MANAGE_USERS)
def user_index(request: HttpRequest) -> HttpResponse:
    users = get_user_model().objects.order_by("username")
    profiles = {p.user_id: p for p in Profile.objects.select_related("municipality", "office")}
    rows = [(user, profiles.get(user.pk)) for user in users]
    return render(request, "accounts/user_list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@permission_required(perms.MANAGE_USERS)
def user_new(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_create(
                actor=Actor.of(request.user),
                username=data["username"],
                password=data["password"],
                binding=_binding(data),
                email=data["email"],
                full_name=data["full_name"],
            )
        except UserError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The user %(name)s is created.") % {"name": user})
            return redirect("user-list")
    return render(
        request,
        "common/edit.html",
        {
            "form": form,
            "heading": _("New user"),
            "back": reverse("user-list"),
            "trail": [(reverse("user-list"), _("Users"))],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.MANAGE_USERS)
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(get_user_model(), pk=pk)
    profile = Profile.objects.filter(user=user).first()
    initial = {
        "full_name": user.get_full_name(),
        "email": user.email,
        "is_active": user.is_active,
        "role": profile.role if profile else Role.READER,
        "municipality": profile.municipality if profile else None,
        "office": profile.office if profile else None,
    }
    form = UserUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user_update(
                actor=Actor.of(request.user),
                user=user,
                binding=_binding(data),
                is_active=data["is_active"],
                email=data["email"],
                full_name=data["full_name"],
            )
        except UserError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The user %(name)s is saved.") % {"name": user})
            return redirect("user-list")
    return render(
        request,
        "common/edit.html",
        {
            "form": form,
            "heading": _("User %(name)s") % {"name": user.get_username()},
            "back": reverse("user-list"),
            "trail": [(reverse("user-list"), _("Users"))],
            "entries": (
                history_for(model="accounts.profile", object_pk=str(profile.pk)) if profile else []
            ),
            "history_caption": _("History of the user"),
        },
    )
