"""
Creating users and changing their role and binding, with an audit entry each.

The web UI for the secretariat, the demo loader and (later) the API call these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from klynge.accounts.models import MUNICIPALITY_ROLES, Profile, Role
from klynge.accounts.usernames import normalise_username
from klynge.audit.models import Action
from klynge.audit.services import Actor, record, snapshot
from klynge.masterdata.models import ClusterOffice, Municipality


class UserError(ValueError):
    """A user cannot be created or changed as asked; the message says why."""


@dataclass(frozen=True)
class Binding:
    """A role and what it is bound to."""

    role: Role
    municipality: Municipality | None = None
    office: ClusterOffice | None = None

    def check(self) -> None:
        """:raises UserError: if the binding does not fit the role"""
        if self.role in MUNICIPALITY_ROLES:
            if self.municipality is None or self.office is not None:
                raise UserError(_("A municipality user must be bound to one municipality."))
        elif self.role == Role.OFFICE:
            if self.office is None or self.municipality is not None:
                raise UserError(_("A cluster-office user must be bound to one office."))
        elif self.municipality is not None or self.office is not None:
            raise UserError(_("Secretariat and reader users are not bound to anything."))


def _profile_state(user: AbstractUser, profile: Profile) -> dict[str, object]:
    return snapshot(
        profile,
        username=user.get_username(),
        email=user.email,
        full_name=user.get_full_name(),
        is_active=user.is_active,
    )


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    username: str,
    password: str | None,
    binding: Binding,
    email: str = "",
    full_name: str = "",
) -> AbstractUser:
    """
    Create a user with a role; a user without a password cannot log in until one is set.

    The username is stored normalised (`accounts.usernames`), and the password
    must pass every validator with the new user in view, so one too like the
    username, name or email is refused.

    :raises UserError: if the username is not in the safe set or is taken, the
        password is too weak, or the binding does not fit the role
    """
    binding.check()
    try:
        username = normalise_username(username)
    except ValidationError as error:
        raise UserError(" ".join(error.messages)) from error
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise UserError(_("The username %(name)s is taken.") % {"name": username})
    first, _sep, last = full_name.strip().partition(" ")
    if password is not None:
        candidate = user_model(username=username, email=email, first_name=first, last_name=last)
        try:
            validate_password(password, candidate)
        except ValidationError as error:
            raise UserError(" ".join(error.messages)) from error
    user = user_model.objects.create_user(
        username=username, password=password, email=email, first_name=first, last_name=last
    )
    profile = Profile.objects.create(
        user=user, role=binding.role, municipality=binding.municipality, office=binding.office
    )
    record(
        actor=actor,
        action=Action.CREATE,
        instance=profile,
        before=None,
        after=_profile_state(user, profile),
        municipality_code=binding.municipality.code if binding.municipality else "",
        office_id=binding.office.pk if binding.office else None,
    )
    return user


@transaction.atomic
def user_update(
    *,
    actor: Actor,
    user: AbstractUser,
    binding: Binding,
    is_active: bool,
    email: str,
    full_name: str,
) -> AbstractUser:
    """
    Change a user's role, binding, contact and whether it may log in.

    :raises UserError: if the binding does not fit the role, or a user
        tries to deactivate or demote themself
    """
    binding.check()
    demotes_self = not is_active or binding.role != Role.SECRETARIAT
    if actor.user is not None and actor.user.pk == user.pk and demotes_self:
        raise UserError(_("You cannot deactivate yourself or remove your own rights."))
    profile, _created = Profile.objects.select_for_update().get_or_create(
        user=user,
        defaults={
            "role": binding.role,
            "municipality": binding.municipality,
            "office": binding.office,
        },
    )
    before = None if _created else _profile_state(user, profile)
    first, _sep, last = full_name.strip().partition(" ")
    user.email, user.first_name, user.last_name, user.is_active = email, first, last, is_active
    user.save(update_fields=["email", "first_name", "last_name", "is_active"])
    profile.role, profile.municipality, profile.office = (
        binding.role,
        binding.municipality,
        binding.office,
    )
    profile.save()
    after = _profile_state(user, profile)
    if before != after:
        record(
            actor=actor,
            action=Action.CREATE if before is None else Action.UPDATE,
            instance=profile,
            before=before,
            after=after,
            municipality_code=binding.municipality.code if binding.municipality else "",
            office_id=binding.office.pk if binding.office else None,
        )
    return user


def login_records_purge(*, before: datetime, dry_run: bool = False) -> int:
    """
    Delete the records of login attempts made before `before`; the number deleted.

    django-axes keeps each failed attempt, each lockout and each login with the
    username, IP address and browser: personal data needed for throttling and
    for investigating an attack, not for ever. `klynge purge` runs this with
    `KLYNGE_LOGIN_RECORD_DAYS`, longer than any lockout lasts.
    """
    querysets = [
        model.objects.filter(attempt_time__lt=before)
        for model in (AccessAttempt, AccessFailureLog, AccessLog)
    ]
    if dry_run:
        return sum(queryset.count() for queryset in querysets)
    with transaction.atomic():
        return sum(queryset.delete()[0] for queryset in querysets)


def login_records_purge_step(now: datetime, dry_run: bool) -> int:
    """`klynge purge`'s step: the login records older than `KLYNGE_LOGIN_RECORD_DAYS`."""
    before = now - timedelta(days=int(settings.KLYNGE_LOGIN_RECORD_DAYS))
    return login_records_purge(before=before, dry_run=dry_run)
