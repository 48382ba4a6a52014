"""Shared view helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest


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
    in its error summary), so the user sees why and nothing is stored.
    """
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        write(form.cleaned_data)
    except refused as error:
        form.add_error(None, str(error))
        return False
    messages.success(request, success)
    return True
