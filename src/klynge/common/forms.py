"""Form fields shared by the apps: Danish kroner in, integer øre out."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from klynge.core.money import MoneyError, format_dkk, parse_dkk


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
