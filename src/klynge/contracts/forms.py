"""
The forms of result contracts, their KPI sets and the yearly follow-up.

Forms only read what was typed within bounds; the services decide (and say
in Danish) what is wrong with it. A KPI value is checked here by the same
core rule the service applies, so its message stands beside its own field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from klynge.common.forms import BoundedModelChoiceField, DanishDateField
from klynge.contracts.models import (
    Contract,
    ContractKind,
    ContractStatus,
    Direction,
    Indicator,
    IndicatorKind,
    IndicatorSource,
)
from klynge.contracts.selectors import ResultRow
from klynge.core import kpi
from klynge.core.numbers import FIRST_YEAR, LAST_YEAR, NumberError, parse_whole
from klynge.financing.models import Agreement
from klynge.masterdata.models import Cluster, ClusterOffice, Municipality, Organisation

TEXT_MAX = kpi.MAX_TEXT  # a comment, a definition, a review comment, a reason
NARRATIVE_MAX = 10 * kpi.MAX_TEXT
VALUE_MAX = 40  # a typed number, share, amount or milestone


class WholeNumberField(forms.CharField):
    """A whole number of ASCII digits within [low, high] (a year, a percentage)."""

    def __init__(self, *, low: int, high: int, **kwargs: Any) -> None:
        self.low, self.high = low, high
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "numeric")
        self.widget.attrs.setdefault("maxlength", str(len(str(high)) + 2))

    def prepare_value(self, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if text is None or text in self.empty_values:
            return None
        try:
            return parse_whole(text, low=self.low, high=self.high)
        except NumberError:
            raise forms.ValidationError(
                _("Write a whole number from %(low)s to %(high)s."),
                code="invalid",
                params={"low": self.low, "high": self.high},
            ) from None


def _year(label: Any) -> WholeNumberField:
    return WholeNumberField(label=label, low=FIRST_YEAR, high=LAST_YEAR)


def _note() -> forms.CharField:
    return forms.CharField(
        label=_("Note"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class _ContractForm(forms.Form):
    """What both kinds of contract state: title, period, thresholds, note."""

    title = forms.CharField(label=_("Title"), max_length=200)
    first_year = _year(_("First year"))
    last_year = _year(_("Last year"))
    met_percent = WholeNumberField(
        label=_("Met from (percent of target)"), low=1, high=1000, initial=100
    )
    partly_percent = WholeNumberField(
        label=_("Partly met from (percent of target)"), low=1, high=1000, initial=80
    )
    note = _note()

    kind: str = ""

    @classmethod
    def initial_from(cls, contract: Contract) -> dict[str, Any]:
        return {name: getattr(contract, name) for name in cls.base_fields}


class OfficeContractForm(_ContractForm):
    """An office's contract with its lead municipality, on behalf of the participants."""

    kind = ContractKind.OFFICE
    office = BoundedModelChoiceField(
        label=_("Cluster office"), queryset=ClusterOffice.objects.order_by("name")
    )
    lead_municipality = BoundedModelChoiceField(
        label=_("Lead municipality"), queryset=Municipality.objects.order_by("name")
    )
    agreement = BoundedModelChoiceField(
        label=_("Agreement"), queryset=Agreement.objects.order_by("-first_year")
    )
    field_order = ["office", "lead_municipality", "agreement", "title", "first_year"]


class ClusterContractForm(_ContractForm):
    """A cluster's contract with Uddannelses- og Forskningsstyrelsen."""

    kind = ContractKind.CLUSTER
    cluster = BoundedModelChoiceField(label=_("Cluster"), queryset=Cluster.objects.order_by("name"))
    counterparty = BoundedModelChoiceField(
        label=_("Contract party"),
        queryset=Organisation.objects.order_by("name"),
        help_text=_("Uddannelses- og Forskningsstyrelsen (UFS)."),
    )
    field_order = ["cluster", "counterparty", "title", "first_year"]


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("The signed contract (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )


class SignForm(forms.Form):
    signed_on = DanishDateField(label=_("Signed on"))
    replaces = BoundedModelChoiceField(
        label=_("Replaces"),
        queryset=Contract.objects.none(),
        required=False,
        empty_label=_("No other contract"),
        help_text=_("A signed contract of the same holder that this one replaces."),
    )

    def __init__(self, *args: Any, contract: Contract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        holder = (
            Q(office_id=contract.office_id)
            if contract.office_id
            else Q(cluster_id=contract.cluster_id)
        )
        field = self.fields["replaces"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = (
            Contract.objects.filter(holder, status=ContractStatus.SIGNED)
            .exclude(pk=contract.pk)
            .order_by("-first_year")
        )


class IndicatorForm(forms.Form):
    key = forms.SlugField(
        label=_("Key"),
        max_length=60,
        help_text=_("a-z, 0-9 and hyphens; the same key keeps periods comparable."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    definition = forms.CharField(
        label=_("Definition"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("Type"), choices=IndicatorKind.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    source = forms.ChoiceField(label=_("Source"), choices=IndicatorSource.choices)
    baseline = forms.CharField(
        label=_("Baseline"),
        max_length=VALUE_MAX,
        required=False,
        help_text=_("As the type is written: 120, 45,5 (%), 250.000 (kr.) or ja/nej."),
    )
    position = WholeNumberField(label=_("Position"), low=0, high=999, required=False)

    @staticmethod
    def initial_from(indicator: Indicator) -> dict[str, Any]:
        kind = indicator.core_kind
        baseline = kpi.typed_value(kind, indicator.baseline)
        return {
            "key": indicator.key, "name": indicator.name, "definition": indicator.definition,
            "unit": indicator.unit, "kind": kind.value, "direction": indicator.direction,
            "source": indicator.source, "baseline": baseline, "position": indicator.position,
        }  # fmt: skip


class KpiValueField(forms.CharField):
    """A value typed for an indicator of `kind`; checked by the core rule, kept as text."""

    def __init__(self, *, kind: kpi.Kind, **kwargs: Any) -> None:
        self.kind = kind
        text = kind is kpi.Kind.TEXT
        kwargs.setdefault("max_length", TEXT_MAX if text else VALUE_MAX)
        kwargs.setdefault("required", False)
        if text:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and self.kind is not kpi.Kind.TEXT:
            try:
                kpi.parse_value(self.kind, value)
            except kpi.KpiValueError as error:
                raise forms.ValidationError(str(error), code="invalid") from None


VALUE_HINTS = {
    kpi.Kind.COUNT: _("A whole number, e.g. 120 or 1.200."),
    kpi.Kind.SHARE: _("A percentage from 0 to 100, e.g. 45 or 45,5."),
    kpi.Kind.AMOUNT: _("In kroner, e.g. 250.000 or 250.000,50."),
    kpi.Kind.MILESTONE: _("ja or nej."),
    kpi.Kind.TEXT: "",
}


class TargetsForm(forms.Form):
    """One field per year of the contract's period: the indicator's target, as typed."""

    def __init__(
        self, *args: Any, indicator: Indicator, targets: dict[int, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        kind = indicator.core_kind
        self.years = list(indicator.contract.years())
        for year in self.years:
            self.fields[f"target_{year}"] = KpiValueField(
                kind=kind,
                label=_("Target %(year)s") % {"year": year},
                initial=targets.get(year, ""),
                help_text=VALUE_HINTS[kind],
            )

    def targets(self) -> dict[int, str]:
        return {year: self.cleaned_data[f"target_{year}"] for year in self.years}


class ReportForm(forms.Form):
    """
    The office's actuals: a value and a comment per indicator, and the narrative.

    A computed indicator has only its comment: its value comes from the register.
    """

    narrative = forms.CharField(
        label=_("Summary of the year"),
        max_length=NARRATIVE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args: Any, rows: list[ResultRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            indicator = row.indicator
            if not indicator.computed:
                self.fields[f"value_{indicator.pk}"] = KpiValueField(
                    kind=indicator.core_kind,
                    label=indicator.name,
                    initial=row.input_text,
                    help_text=(
                        _("Target: %(target)s. %(hint)s")
                        % {"target": row.target_text, "hint": VALUE_HINTS[indicator.core_kind]}
                        if indicator.core_kind is not kpi.Kind.TEXT
                        else ""
                    ),
                )
            self.fields[f"comment_{indicator.pk}"] = forms.CharField(
                label=_("Comment on %(name)s") % {"name": indicator.name},
                max_length=TEXT_MAX,
                required=False,
                initial=row.comment,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def entries(self) -> list[tuple[ResultRow, Any, Any]]:
        """Each indicator's row with its bound value field (None if computed) and comment."""
        return [
            (
                row,
                None if row.indicator.computed else self[f"value_{row.indicator.pk}"],
                self[f"comment_{row.indicator.pk}"],
            )
            for row in self.rows
        ]

    def results(self) -> dict[int, tuple[str, str]]:
        """(value, comment) per indicator id, as typed."""
        data = self.cleaned_data
        return {
            row.indicator.pk: (
                data.get(f"value_{row.indicator.pk}", "") or "",
                data.get(f"comment_{row.indicator.pk}", "") or "",
            )
            for row in self.rows
        }


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you ask for changes: say what should be changed."),
    )


class NewVersionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the new version"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RoundForm(forms.Form):
    year = _year(_("Year"))
    opens_on = DanishDateField(label=_("Opens"))
    deadline = DanishDateField(label=_("Deadline"))
    note = _note()


class DeadlineForm(forms.Form):
    deadline = DanishDateField(label=_("New deadline"))
