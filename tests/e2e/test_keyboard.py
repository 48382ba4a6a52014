"""
Keyboard-only use of the main flows: every visible control is reachable by
Tab, the focused control is visibly marked, and focus never gets trapped.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.e2e.conftest import log_in

from klynge.demo.services import DEMO_PASSWORD

# Every control a keyboard user must reach: visible, enabled, not removed from the tab order,
# not folded away in a closed <details> (its summary is reached, and opens it).
FOCUSABLE_JS = """() => {
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]';
  const folded = el => {
    const fold = el.closest('details:not([open])');
    return fold && !fold.querySelector(':scope > summary').contains(el);
  };
  return [...document.querySelectorAll(sel)]
    .filter(el => el.getAttribute('tabindex') !== '-1' && !el.disabled && !folded(el))
    .filter(el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
    .map((el, i) => {
      // A radio group is one Tab stop; arrow keys move within it.
      const id = el.type === 'radio' ? 'radio:' + el.name : String(i);
      el.dataset.kbd = id;
      return [id, el.tagName + ' ' + (el.innerText || el.name || el.id || '').slice(0, 40)];
    });
}"""

# What the focused element is, and whether its focus is visible (outline or shadow).
ACTIVE_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  const text = (el.innerText || el.name || '').slice(0, 40);
  return {id: el.dataset.kbd || null, tag: el.tagName, text: text, visible: outline || shadow};
}"""


def tab_through(page: Any, limit: int = 400) -> tuple[set[str], list[dict[str, Any]]]:
    """
    Press Tab from the top of the page until focus comes back round.

    Returns the ids reached and the focus stops without a visible focus mark.
    Raises if focus never comes round (a trap) within `limit` presses.
    """
    controls = dict(page.evaluate(FOCUSABLE_JS))
    expected = set(controls)
    page.evaluate(
        "() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }"
    )
    reached: list[str] = []
    invisible = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE_JS)
        if active is None or active["id"] is None:
            if reached:  # left the document: the cycle is complete
                break
            continue
        if reached and active["id"] == reached[0]:
            break
        reached.append(active["id"])
        if not active["visible"]:
            invisible.append(active)
    else:
        raise AssertionError(f"focus trapped: no way out after {limit} presses of Tab")
    missing = expected - set(reached)
    assert not missing, f"not reachable by Tab: {[controls[i] for i in sorted(missing)]}"
    return set(reached), invisible


@pytest.mark.parametrize(
    ("username", "url"),
    [
        (None, "/log-ind/"),
        ("sekretariat", "/overblik/"),
        ("sekretariat", "/fordeling/2024/"),
        ("sekretariat", "/aftale/2024/deltagelse/350/"),
        ("greve", "/"),
        ("webuild", "/"),
        ("laeser", "/kommuner/"),
    ],
)
def test_every_control_is_reachable_by_tab_with_visible_focus(
    site: str, page: Any, username: str | None, url: str
) -> None:
    if username:
        log_in(page, site, username, DEMO_PASSWORD)
    page.goto(site + url)

    reached, invisible = tab_through(page)

    assert len(reached) >= 3
    assert invisible == [], f"focus not visible on: {invisible}"


def test_log_in_and_change_participation_with_the_keyboard_only(site: str, page: Any) -> None:
    page.goto(site + "/log-ind/")
    page.keyboard.press("Tab")  # skip link
    page.focus("#id_username")
    page.keyboard.type("sekretariat")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/overblik/")

    page.goto(site + "/aftale/2024/deltagelse/350/")
    page.focus("#id_participates_1")  # "deltager ikke"
    page.keyboard.press("Space")
    page.focus("#id_note")
    page.keyboard.type("Byrådsbeslutning (tastaturtest)")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url.endswith("/aftale/2024/")
    assert "Byrådsbeslutning (tastaturtest)" in page.content()
    assert page.klynge_errors == []


def test_switch_language_with_the_keyboard(site: str, page: Any) -> None:
    page.goto(site + "/log-ind/")
    page.focus("button[name=language]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.locator("html").get_attribute("lang") == "en"
    page.focus("button[name=language]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == "da"


def test_the_focus_check_catches_a_page_that_hides_focus(site: str, page: Any) -> None:
    """The control: with every outline and shadow removed, the check reports it."""
    page.goto(site + "/log-ind/")
    page.evaluate(
        """() => document.querySelectorAll('*').forEach(el => {
             el.style.setProperty('outline', 'none', 'important');
             el.style.setProperty('box-shadow', 'none', 'important');
           })"""
    )

    _reached, invisible = tab_through(page)

    assert invisible != []
