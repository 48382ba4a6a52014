"""
Form fields shared by the apps: Danish kroner in, integer øre out; Danish dates;
model choices that refuse a value no row can have before any query runs.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from klynge.core.dates import parse_date_da
from klynge.core.money import MoneyError, format_dkk, parse_dkk
from klynge.core.numbers import parse_id


class KronerField(forms.CharField):
    """An amount typed as Danish users write it (1.234.567,89); cleans to øre."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("In kroner, e.g. 1.000.000,00"))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            return format_dkk(value, unit=False)
        return value

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if text is None or text in self.empty_values:
            return None
        try:
            return parse_dkk(text)
        except MoneyError as error:
            raise forms.ValidationError(str(error), code="invalid") from error


class DanishDateField(forms.DateField):
    """
    A date typed as dd-mm-åååå (also 31.03.2025, 31/3/2025 or ISO), shown as dd-mm-åååå.

    A plain text field: the browser's own date picker shows and accepts a
    format that depends on the browser, so the hint could not say it.
    """

    FIRST_YEAR = 2000
    LAST_YEAR = 2100

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("Write the date as dd-mm-yyyy, e.g. 31-03-2025."))
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("maxlength", "10")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, date):
            return value.strftime("%d-%m-%Y")
        return value

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value
        try:
            parsed = parse_date_da(str(value)[:20])
        except ValueError as error:
            raise forms.ValidationError(
                _("Write the date as dd-mm-yyyy, e.g. 31-03-2025."), code="invalid"
            ) from error
        if not self.FIRST_YEAR <= parsed.year <= self.LAST_YEAR:
            raise forms.ValidationError(
                _("The year must be between %(first)s and %(last)s."),
                code="invalid",
                params={"first": self.FIRST_YEAR, "last": self.LAST_YEAR},
            )
        return parsed


def _could_be_key(field: forms.ModelChoiceField[Any], value: Any) -> bool:
    """
    Whether `value` could be the key a choice of `field` is looked up by.

    An integer key is 1..2**63 - 1 (a larger one overflows SQLite, and a
    bigint on PostgreSQL in an `__in` lookup); a text key holds no NUL, which
    PostgreSQL refuses, and fits the column.
    """
    assert field.queryset is not None  # noqa: S101
    model = field.queryset.model
    key = model._meta.get_field(field.to_field_name) if field.to_field_name else model._meta.pk
    text = str(value)
    if isinstance(key, models.IntegerField):
        return parse_id(text) is not None
    max_length = getattr(key, "max_length", None) or 1000
    return len(text) <= max_length and "\x00" not in text


class BoundedModelChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A model choice that refuses a value no row can have before any query runs."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not _could_be_key(self, value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Model choices that refuse a value no row can have before any query runs."""

    def _check_values(self, value: Any) -> Any:
        for item in value or ():
            if not _could_be_key(self, item):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(item)[:30]},
                )
        return super()._check_values(value)  # type: ignore[misc]
