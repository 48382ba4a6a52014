"""
The interface at the demo data's volume, in a real browser: checkboxes drawn
beside their labels, tables sorted under the Content-Security-Policy, long
pages folded, scenario results in view, tables readable on a phone.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.e2e.conftest import log_in
from tests.security.conftest import World

from klynge.demo.services import DEMO_PASSWORD

PHONE = {"width": 390, "height": 844}

# Where a control is drawn, relative to its label, its form and the viewport.
PLACE_JS = """id => {
  const input = document.getElementById(id);
  const label = document.querySelector(`label[for="${id}"]`);
  const box = getComputedStyle(label, '::before');
  const r = input.getBoundingClientRect(), l = label.getBoundingClientRect();
  const f = input.form.getBoundingClientRect();
  return {
    container: input.offsetParent && input.offsetParent.className,
    input: [r.left, r.top, r.right, r.bottom], label: [l.left, l.top, l.right, l.bottom],
    form: [f.left, f.top, f.right, f.bottom], boxPosition: box.position,
    viewport: [window.innerWidth, window.innerHeight], scrollY: window.scrollY,
    focused: document.activeElement === input,
  };
}"""


def _assert_beside_its_label_and_in_view(place: dict[str, Any]) -> None:
    left, top, right, bottom = place["input"]
    label_left, label_top, _label_right, label_bottom = place["label"]
    form_left, form_top, form_right, form_bottom = place["form"]
    assert place["container"] == "form-group-checkbox"
    assert place["boxPosition"] == "absolute"  # drawn by the label, inside the wrapper
    assert form_left <= left and right <= form_right and form_top <= top and bottom <= form_bottom
    assert label_top - 8 <= top <= label_bottom and left <= label_left <= right + 16
    assert place["focused"]
    assert top >= 0 and bottom <= place["viewport"][1], "the focused checkbox is out of view"


@pytest.mark.parametrize("width", [1280, 390])
def test_a_single_checkbox_is_drawn_beside_its_label_and_tab_keeps_it_in_view(
    site: str, page: Any, world: World, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 700})
    log_in(page, site, "sekretariat", DEMO_PASSWORD)
    page.goto(f"{site}/brugere/{world.greve_user_pk}/")  # "Aktiv (må logge ind)"
    page.focus("#id_office")
    page.keyboard.press("Tab")
    active = page.evaluate(PLACE_JS, "id_is_active")

    page.goto(f"{site}/opkraevninger/nr/{world.greve_request_pk}/")  # "Overbetaling"
    page.focus("#id_reference")
    page.keyboard.press("Tab")
    overpayment = page.evaluate(PLACE_JS, "id_overpayment")

    _assert_beside_its_label_and_in_view(active)
    _assert_beside_its_label_and_in_view(overpayment)
    assert overpayment["scrollY"] > 0  # the page scrolled down to it, not up to the top
    assert page.klynge_errors == []


def _column(table: Any, index: int) -> list[str]:
    return table.locator(":scope > tbody > tr").evaluate_all(
        f"rows => rows.map(r => r.cells[{index}].innerText.trim())"
    )


def _kroner(text: str) -> int:
    return int(text.split()[0].replace(".", "").replace(",", ""))


def test_tables_sort_by_any_column_under_the_csp(site: str, page: Any) -> None:
    log_in(page, site, "sekretariat", DEMO_PASSWORD)
    page.goto(site + "/fordeling/2024/")
    matrix = page.locator("main table.js-sortable").first
    header = matrix.locator("thead th").filter(has_text="I alt")
    names_before = _column(matrix, 0)

    header.locator("button").click()
    ascending = [_kroner(t) for t in _column(matrix, 5)]
    sort_state = header.get_attribute("aria-sort")
    header.locator("button").click()
    descending = [_kroner(t) for t in _column(matrix, 5)]
    footer = matrix.locator("tfoot th").inner_text()
    matrix.locator("thead th").first.locator("button").click()
    names = _column(matrix, 0)

    assert len(ascending) == 17
    assert sort_state == "ascending" and ascending == sorted(ascending)
    assert descending == sorted(ascending, reverse=True)
    assert header.get_attribute("aria-sort") is None  # moved to the name column
    assert matrix.locator("thead th").first.get_attribute("aria-sort") == "ascending"
    assert matrix.locator("thead th[aria-sort]").count() == 1
    assert footer == "I alt"  # the totals stay last
    assert names == sorted(names_before, key=_danish) and names[:2] == ["Faxe", "Greve"]
    assert page.klynge_errors == []  # a CSP violation is a console error


def _danish(name: str) -> tuple[int, ...]:
    order = "abcdefghijklmnopqrstuvwxyzæøå"
    return tuple(order.index(c) if c in order else ord(c) for c in name.lower())


def test_sorting_reads_danish_dates_numbers_and_letters(site: str, page: Any) -> None:
    log_in(page, site, "sekretariat", DEMO_PASSWORD)
    page.goto(site + "/deltagelse/aktiviteter/?aar=2023")
    table = page.locator("main table.js-sortable").first
    index = _header_index(table, "Dato")
    dates = table.locator("thead th").nth(index)
    dates.locator("button").click()
    dates.locator("button").click()
    shown = _column(table, index)
    keys = page.evaluate("""texts => texts.map(t => window.klyngeSort.parseDate(t))""", shown)
    checks = page.evaluate(
        """() => {
          const k = window.klyngeSort;
          return {
            number: k.parseNumber('1.234.567,89 kr.'), negative: k.parseNumber('-3,5 %'),
            lead: k.parseNumber('500.000,00 (leadkommune)'), plain: k.parseNumber('1127'),
            text: k.parseNumber('Kalundborg'),
            dates: ['31-12-2023', '1. januar 2024', '2. februar 2024 kl. 10.15',
                    '29 February 2024', '2024-03-01'].map(k.parseDate),
            letters: ['Aarhus', 'Ærø', 'Zealand', 'Øster', 'Åby', 'abe']
                       .sort(k.collator.compare),
          };
        }"""
    )

    assert len(shown) >= 10 and None not in keys
    assert keys == sorted(keys, reverse=True)
    assert checks["number"] == 1234567.89 and checks["negative"] == -3.5
    assert checks["lead"] == 500000 and checks["plain"] == 1127 and checks["text"] is None
    assert checks["dates"] == sorted(checks["dates"]) and None not in checks["dates"]
    # Danish order: æ, ø, å after z (and "aa" is å).
    assert checks["letters"] == ["abe", "Zealand", "Ærø", "Øster", "Aarhus", "Åby"] or checks[
        "letters"
    ] == ["abe", "Zealand", "Ærø", "Øster", "Åby", "Aarhus"]
    assert page.klynge_errors == []


def _header_index(table: Any, text: str) -> int:
    headers = table.locator("thead th").all_inner_texts()
    return next(i for i, h in enumerate(headers) if text in h)


def test_without_script_the_table_is_plain_and_whole(browser: Any, site: str) -> None:
    context = browser.new_context(locale="da-DK", java_script_enabled=False)
    page = context.new_page()
    log_in(page, site, "laeser", DEMO_PASSWORD)
    page.goto(site + "/fordeling/2024/")

    assert page.locator("main table").first.locator("tbody tr").count() == 17
    assert page.locator("thead button").count() == 0
    assert page.locator("main table").first.locator("thead th").first.inner_text() == "Kommune"
    context.close()


def test_the_allocation_page_is_short_folded_and_fits_1280_px(site: str, page: Any) -> None:
    log_in(page, site, "sekretariat", DEMO_PASSWORD)
    page.goto(site + "/fordeling/2024/")
    height = page.evaluate("document.documentElement.scrollHeight")
    wrapper = page.locator(".table--responsive-scroll").first
    overflow = wrapper.evaluate("w => w.scrollWidth - w.clientWidth")
    folds = page.locator("details.fold")
    closed = folds.evaluate_all("ds => ds.filter(d => !d.open).length")
    first_total = folds.first.locator("summary").inner_text()

    # An amount in the matrix opens its office's explanation and shows the line.
    link = page.locator("main table").first.locator("tbody a[href^='#forklaring-']").first
    target = link.get_attribute("href")
    link.click()
    target_place = page.locator(target).evaluate(
        "el => [el.closest('details').open, el.getBoundingClientRect().top, window.innerHeight]"
    )

    assert height < 4000, height  # was 23.870 px
    assert overflow <= 0  # no sideways scrolling at 1280 px
    assert folds.count() == 4 and closed == 4
    assert "1.000.000,00 kr." in first_total
    assert target_place[0] is True and -2 <= target_place[1] < target_place[2]
    assert page.klynge_errors == []


def test_scenario_results_are_in_view_after_compute(site: str, page: Any) -> None:
    log_in(page, site, "greve", DEMO_PASSWORD)
    page.goto(site + "/scenarier/")
    page.select_option("#id_year", "2024")
    with page.expect_navigation():
        page.click("button[type=submit] >> text=Beregn")
    heading = page.locator("#resultat h2")
    top = heading.evaluate("h => h.getBoundingClientRect().top")

    assert heading.inner_text() == "Resultat"
    assert 0 <= top < 200, top
    assert page.klynge_errors == []


def test_on_a_phone_tables_scroll_with_the_first_column_in_view(site: str, page: Any) -> None:
    page.set_viewport_size(PHONE)
    log_in(page, site, "greve", DEMO_PASSWORD)
    page.goto(site + "/")
    wrapper = page.locator(".table--responsive-scroll").first
    explanation = wrapper.locator("td.explanation").first
    width = explanation.evaluate("td => td.getBoundingClientRect().width")
    wrapper.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    first = wrapper.locator("tbody th").first.evaluate("c => c.getBoundingClientRect().left")
    left = wrapper.evaluate("w => w.getBoundingClientRect().left")
    fits = explanation.evaluate("td => td.getBoundingClientRect().right <= window.innerWidth + 1")

    assert width >= 180, width  # was 3 characters wide
    assert abs(first - left) <= 2  # the first column stays put while the rest scrolls
    assert fits
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.klynge_errors == []


def test_the_start_page_shows_the_latest_year_first_and_folds_the_others(
    site: str, page: Any
) -> None:
    log_in(page, site, "greve", DEMO_PASSWORD)
    page.goto(site + "/")
    years = page.locator("main h3").all_inner_texts()
    fold = page.locator("details.fold", has_text="År, der ikke kan beregnes")

    assert years[0].startswith("2024")
    assert fold.count() == 1 and not fold.evaluate("d => d.open")
    assert "2023, 2021" in fold.locator("summary").inner_text()
    fold.locator("summary").click()
    assert fold.locator("text=Fordelingen for 2023 kan ikke beregnes").is_visible()
    assert page.klynge_errors == []
