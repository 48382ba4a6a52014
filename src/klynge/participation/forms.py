"""The upload form of a participant file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from klynge.common.forms import BoundedModelChoiceField
from klynge.masterdata.models import ClusterOffice


class UploadForm(forms.Form):
    office = BoundedModelChoiceField(
        label=_("Cluster office"), queryset=ClusterOffice.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label=_("Participant file (CSV or XLSX)"),
        help_text=_("One row per participant per activity, with the template's columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args: Any, offices: list[ClusterOffice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["office"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = ClusterOffice.objects.filter(pk__in=[o.pk for o in offices]).order_by(
            "name"
        )
