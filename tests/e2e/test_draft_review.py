"""Browser test of the draft review page: upload a text, see the quotes highlighted beside the
suggestions, move with the keyboard (j/k), edit the numbers (e), accept (Enter) and reject (r);
the accepted stance is in the store with its quote, offsets and source. No request leaves the app.
"""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from test_dashboard import page, server  # noqa: F401  (the same server and browser, one home)

pytestmark = pytest.mark.e2e

TEXT = (
    "Talks in Istanbul\n\n"
    "Russia uses ceasefire talks to impose capitulatory demands. Zelensky asked the EU for new sanctions.\n\n"
    "The Kremlin said prisoner exchanges would continue, and NATO called for strong language in the summit declaration.\n"
)


def _json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read().decode("utf-8"))


def test_upload_review_with_the_keyboard(server, page, tmp_path):  # noqa: F811
    src = tmp_path / "talks.txt"
    src.write_text(TEXT, encoding="utf-8")
    page.goto(server + "/draft")
    page.set_input_files("#draft-form input[type=file]", str(src))
    page.fill("#draft-form input[name=source_title]", "Talks column")
    page.click("#draft-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/draft/draft-talks-column.*"))
    key = page.locator("#draft-counts").get_attribute("data-key")

    items = page.locator("#sugs .sug")
    n = items.count()
    assert n >= 4
    assert page.locator("#draft-text mark").count() >= 3
    # the first suggestion is selected and its quote lit in the text
    first_id = items.nth(0).get_attribute("id")
    lit = page.locator("#draft-text mark.on")
    assert lit.count() >= 1 and first_id in lit.first.get_attribute("data-ids").split()

    page.locator("body").press("j")  # next suggestion: its quote lights up instead
    second = items.nth(1)
    assert "sel" in (second.get_attribute("class") or "")
    sid = second.get_attribute("id")
    page.wait_for_function(
        "id => [...document.querySelectorAll('#draft-text mark.on')].every(m => m.dataset.ids.split(' ').includes(id))",
        arg=sid,
    )
    page.keyboard.press("k")
    assert "sel" in (items.nth(0).get_attribute("class") or "")

    # e: edit the numbers; Enter accepts
    actor, issue = items.nth(0).get_attribute("data-actor"), items.nth(0).get_attribute("data-issue")
    page.keyboard.press("e")
    assert page.evaluate("document.activeElement.name") == "position"
    page.keyboard.press("Control+a")
    page.keyboard.type("80")
    page.keyboard.press("Tab")
    page.keyboard.type("0.7")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#{first_id}.accepted")
    assert page.locator("#n-accepted").inner_text() == "1"

    # the next pending suggestion is selected: r rejects it
    page.locator("body").press("Escape")
    nxt = page.locator("#sugs .sug.sel")
    rid = nxt.get_attribute("id")
    page.locator("body").press("r")
    page.wait_for_selector(f"#{rid}.rejected")
    assert page.locator("#n-rejected").inner_text() == "1"

    data = _json(f"{server}/api/scenarios/{key}")
    data = data.get("scenario", data)
    st = next(s for s in data["stances"] if s["actor"] == actor and s["issue"] == issue)
    assert "status" not in st and st["position"] == 80 and st["salience"] == 0.7
    ev = st["evidence"][0]
    a, b = map(int, re.search(r"#char=(\d+),(\d+)$", ev["url"]).groups())
    assert TEXT[a:b] == ev["quote"] and ev["source"] == "Talks column"
    assert len(data["draft"]["review"]) == 2

    # "Zelensky asked the EU for new sanctions": the EU is only mentioned, so no position is suggested;
    # accepting it needs the analyst's numbers, as for any suggestion without a position
    eu = page.locator('#sugs .sug[data-actor="eu"][data-issue="sanctions"]')
    assert eu.locator(".role.mentioned").is_visible()
    assert eu.locator("input[name=position]").input_value() == ""
    eu.click()
    page.locator("body").press("a")
    page.wait_for_selector("#messages .error")
    assert "type a position" in page.locator("#messages .error").inner_text()
    assert "accepted" not in (eu.get_attribute("class") or "")
    assert page.evaluate("document.activeElement.name") == "position"  # the missing number has the focus
    page.keyboard.type("30")
    page.keyboard.press("Tab")
    page.keyboard.type("0.4")
    page.keyboard.press("Enter")
    page.wait_for_selector('#sugs .sug.accepted[data-actor="eu"]')
    data = _json(f"{server}/api/scenarios/{key}")
    data = data.get("scenario", data)
    st = next(s for s in data["stances"] if (s["actor"], s["issue"]) == ("eu", "sanctions"))
    assert "status" not in st and st["position"] == 30 and st["salience"] == 0.4
    assert "mentioned beside the subject" in st["evidence"][0]["note"]
