"""Shared view helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

_M = TypeVar("_M", bound=Model)


def visible_or_404(request: HttpRequest, queryset: QuerySet[_M], perm: str, **lookup: object) -> _M:
    """
    The object, or 404 if it does not exist or is not the user's to see.

    A 404 rather than a 403, so another tenant's object does not reveal that it exists.
    """
    obj = get_object_or_404(queryset, **lookup)
    if not request.user.has_perm(perm, obj):
        raise Http404
    return obj


def submitted(
    request: HttpRequest,
    form: forms.Form,
    write: Callable[[dict[str, Any]], object],
    *,
    refused: type[Exception],
    success: str,
) -> bool:
    """
    Run `write` with a valid POSTed form's data; True when it was stored.

    A `refused` error from the service becomes an error of the form (shown
    in its error summary), so the user sees why and nothing is stored; an
    error listing its `problems` (as ContractError does) gives one line each.
    """
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        write(form.cleaned_data)
    except refused as error:
        for problem in getattr(error, "problems", None) or [str(error)]:
            form.add_error(None, problem)
        return False
    messages.success(request, success)
    return True
