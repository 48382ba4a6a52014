"""The markup behind the interface fixes: checkbox wrappers, folds, year order, jumps."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from klynge.accounts.forms import UserUpdateForm
from klynge.collection.forms import PaymentForm

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("form", "name"), [(PaymentForm, "overpayment"), (None, "is_active")])
def test_a_single_checkbox_sits_in_dkfds_checkbox_wrapper_with_its_label(
    register, form, name
) -> None:
    html = render_to_string("common/form.html", {"form": (form or UserUpdateForm)()})
    group = re.search(r'<div class="form-group-checkbox">(.*?)</div>', html, re.S)

    assert group is not None
    assert f'<input class="form-checkbox" type="checkbox" name="{name}"' in group.group(1)
    assert f'<label class="form-label" for="id_{name}">' in group.group(1)


def test_radio_choices_sit_in_dkfds_radio_wrappers(register) -> None:
    html = render_to_string("common/form.html", {"form": UserUpdateForm()})

    radios = re.findall(r'<div class="form-group-radio">\s*<input class="form-radio', html)
    assert len(radios) == 5  # one per role


def test_the_start_page_shows_the_latest_year_first_and_folds_the_rest(login_as) -> None:
    html = login_as("greve").get(reverse("home")).content.decode()
    pay = html[html.index("Hvad betaler vi?") : html.index("Det får vi")]
    fold = pay[pay.index('<details class="fold">') :]

    # 2022 computes from the 1 January 2021 figures; 2023 and 2021 still lack figures.
    assert re.findall(r"<h3>(\d{4})", pay) == ["2024", "2022"]
    assert "År, der ikke kan beregnes" in fold and "(2023, 2021)" in fold
    assert "Fordelingen for 2023 kan ikke beregnes:" in fold


def test_the_office_start_page_lists_its_years_newest_first(login_as) -> None:
    html = login_as("webuild").get(reverse("home")).content.decode()
    shares = html[html.index("Kommunernes andele") :]

    assert re.findall(r"<h3>(\d{4})", shares) == ["2024", "2022"]
    assert "(2023, 2021)" in shares


def test_the_allocation_folds_each_offices_explanation_below_the_totals(staff_client) -> None:
    html = staff_client.get(reverse("allocation", args=[2024])).content.decode()
    summaries = re.findall(r'<details class="fold"[^>]*>\s*<summary>(.*?)</summary>', html, re.S)

    assert len(summaries) == 4
    assert all("i alt 1.000.000,00 kr." in s for s in summaries)
    assert html.index("<tfoot>") < html.index('<details class="fold"')
    assert 'id="forklaring-1-' in html[html.index('<details class="fold" id="kontor-1">') :]


def test_the_scenario_result_is_the_target_of_compute(login_as) -> None:
    client = login_as("greve")
    empty = client.get(reverse("scenarios")).content.decode()
    computed = client.get(reverse("scenarios"), {"year": "2024"}).content.decode()

    assert '<form method="get" action="#resultat"' in empty
    assert 'id="resultat"' not in empty  # nothing to jump to: the form stays in view
    assert computed.index('id="resultat"') < computed.index("<h2>Resultat</h2>")
