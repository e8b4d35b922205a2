"""Browser tests of the dashboard by keyboard and on a phone (UX audit).

* Enter in an editor cell "clicked" the form's first submit button, Download YAML: a keyboard user
  committing a number got a file. Now Enter checks the cell only; in a table's last row it adds the
  row (as its Add button does).
* The focus ring shows on every control, also on the blue buttons.
* At 390 px the what-if issue menu, the ledger's question and the draft's title ran past their card.
"""

from __future__ import annotations

import pytest
from test_dashboard import page, server  # noqa: F401  (the same server and browser, one home)

pytestmark = pytest.mark.e2e

# every form field or label that reaches past the inner edge of its card (tables scroll in a box)
PAST_THE_CARD = """() => { const out = [];
  for (const el of document.querySelectorAll('.card input, .card select, .card textarea, .card button, .card label')) {
    const r = el.getBoundingClientRect(); if (!r.width) continue;
    let box = el.parentElement, scrolls = false;
    while (!box.classList.contains('card')) {
      if (['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) { scrolls = true; break; }
      box = box.parentElement; }
    if (scrolls) continue;
    const b = box.getBoundingClientRect(), right = b.right - parseFloat(getComputedStyle(box).borderRightWidth);
    if (r.right > right + 0.5) out.push(`${el.tagName} ${el.name || el.id} ${Math.round(r.right - right)} px`); }
  return out; }"""


@pytest.mark.parametrize("path", ["/", "/s/ukraine-2025", "/ledger", "/panels", "/draft"])
def test_no_field_runs_past_its_card_on_a_phone(server, page, path):  # noqa: F811
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server + path)
    page.wait_for_load_state("load")
    assert page.evaluate(PAST_THE_CARD) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_enter_in_a_cell_checks_it_and_downloads_nothing(server, page):  # noqa: F811
    page.goto(server + "/s/emission-standards-1994")
    page.wait_for_selector("#editor #table")
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.url.rsplit("/", 1)[-1]) if r.method == "POST" else None)
    downloads: list[str] = []
    page.on("download", lambda d: downloads.append(d.suggested_filename))
    page.focus("#stance-1-salience")
    page.keyboard.press("Control+A")
    page.keyboard.type("0.33")
    with page.expect_response("**/ui/validate"):
        page.keyboard.press("Enter")
    page.wait_for_timeout(700)
    assert posted == ["validate"] and downloads == []
    assert page.evaluate("document.activeElement.id") == "stance-1-salience"
    # in the last row Enter adds the row
    page.focus("#new-actor-id")
    page.keyboard.type("observer")
    page.keyboard.press("Enter")
    page.wait_for_selector("#table code:text-is('observer')")
    assert downloads == []
    # the download button itself still downloads by keyboard
    with page.expect_download() as dl:
        page.focus("#download-yaml")
        page.keyboard.press("Enter")
    assert dl.value.suggested_filename.endswith(".yaml")


def test_tab_walks_the_controls_in_order_with_a_visible_ring(server, page):  # noqa: F811
    page.goto(server + "/s/ukraine-2025")
    page.wait_for_selector("#editor #table")
    seen = []
    for _ in range(30):
        page.keyboard.press("Tab")
        seen.append(
            page.evaluate(
                """() => { const e = document.activeElement, cs = getComputedStyle(e);
                   return [e.id, cs.outlineStyle, parseFloat(cs.outlineWidth)]; }"""
            )
        )
    ids = [s[0] for s in seen]
    for a, b in (("run", "charts"), ("sim-draws", "simulate"), ("wi-capability", "actor-0-name")):
        assert ids.index(a) < ids.index(b), ids
    assert ids[ids.index("actor-0-name") + 1] == "actor-0-capability"
    # a solid ring of at least 2 px on every control reached (the browser's own was 1 px 'auto')
    assert all(style == "solid" and width >= 2 for _i, style, width in seen), seen
