"""The dashboard's forms when what was typed is wrong: the editor keeps a bad cell as typed and refuses
every action while one is bad; the ledger and panel forms answer with their own page, the message by
the form and the typing kept; a new panel's page reloads (post-redirect-get); Simulate is off without
``dynamics:``; the Compare form starts on a pair that shares issues; dates and timestamps."""

from __future__ import annotations

import html
import re

import pytest

BROWSER = {"Accept": "text/html,application/xhtml+xml"}


def _cell(text: str, key: str) -> str:
    m = re.search(rf'<input id="{key}"[^>]*>', text)
    assert m, key
    return m.group(0)


# ---------------------------------------------------------------------------------------------- item 1
def test_a_cell_that_is_not_a_number_keeps_what_was_typed(client, editor_form) -> None:
    form, hx = editor_form(client, "ukraine-2025")
    r = client.post("/ui/validate", data={**form, "actor-0-capability": "abc"}, headers=hx)
    assert r.status_code == 200
    cell = _cell(r.text, "actor-0-capability")
    assert 'value="abc"' in cell and "bad" in cell and 'aria-invalid="true"' in cell
    assert "capability: expected a number, received &#39;abc&#39;" in r.text
    # a row removed above it: the typed text follows its cell
    r = client.post(
        "/ui/validate", data={**form, "stance-3-salience": "x", "stance-0-delete": "1"}, headers=hx
    )
    assert 'value="x"' in _cell(r.text, "stance-2-salience")


@pytest.mark.parametrize("bad", [{"actor-0-capability": "abc"}, {"stance-0-salience": "2"}])
@pytest.mark.parametrize("path", ["/ui/run", "/ui/save", "/ui/job/sweep", "/ui/job/simulate", "/ui/yaml"])
def test_every_action_refuses_while_a_cell_is_bad(client, editor_form, bad, path) -> None:
    form, hx = editor_form(client, "ukraine-2025")
    r = client.post(path, data={**form, **bad, "draws": "10"}, headers=hx)
    assert r.status_code == 422, r.text[:300]
    assert r.headers["hx-retarget"] == "#messages"
    assert ("abc" in r.text) if "actor-0-capability" in bad else ("salience" in r.text)


def test_a_download_with_problems_answers_htmx_with_a_fragment(client, editor_form) -> None:
    """The page downloads with fetch (HX-Request): the message goes to #messages, no error page."""
    form, hx = editor_form(client)
    r = client.post("/ui/report", data={**form, "stance-0-salience": "abc"}, headers=hx)
    assert r.status_code == 422 and r.headers["hx-retarget"] == "#messages"
    assert "<html" not in r.text and "fix them before downloading" in r.text
    ok = client.post("/ui/yaml", data=form, headers=hx)
    assert ok.status_code == 200 and "attachment" in ok.headers["content-disposition"]


# ---------------------------------------------------------------------------------------------- item 3
def _token(client, path: str) -> str:
    page = client.get(path).text
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"value": "2", "kind": "binary"}, "expected a probability in [0, 1]"),
        ({"value": "lots"}, "value: expected a number"),
        ({"value": "0.4", "resolves": "tomorrow"}, "expected YYYY-MM-DD"),
        ({"value": "30", "quantiles": "10:20,50"}, "quantiles: expected LEVEL:VALUE pairs"),
    ],
)
def test_a_refused_ledger_forecast_shows_the_page_again_with_the_typing(client, fields, words) -> None:
    token = _token(client, "/ledger")
    data = {"csrf_token": token, "question": "Ceasefire by May?", "scenario": "ukraine-2025", **fields}
    r = client.post("/ui/ledger", data=data, headers=BROWSER, follow_redirects=False)
    assert r.status_code in (400, 422)
    assert "<h1>Forecast ledger</h1>" in r.text and 'id="ledger-add-error"' in r.text
    assert words in html.unescape(r.text)
    form = r.text.split('id="ledger-add"', 1)[1].split("</form>", 1)[0]
    for k, v in data.items():
        if k == "kind":
            assert f'<option value="{v}" selected>' in form
        elif k != "csrf_token":
            assert f'value="{html.escape(v)}"' in form, k
    # an API client still gets the one-line JSON error with the same status
    j = client.post("/ui/ledger", data=data, headers={"Accept": "application/json"})
    assert j.status_code == r.status_code and words in j.json()["error"]


def test_a_refused_resolution_stays_by_its_row(client) -> None:
    token = _token(client, "/ledger")
    data = {"csrf_token": token, "question": "Summit by July?", "value": "0.7", "kind": "binary"}
    assert client.post("/ui/ledger", data=data, follow_redirects=False).status_code == 303
    entry = client.get("/api/ledger").json()[0]["id"]
    r = client.post(
        f"/ui/ledger/{entry}/resolve", data={"csrf_token": token, "outcome": "7"}, headers=BROWSER
    )
    assert r.status_code in (400, 422) and f'id="resolve-error-{entry}"' in r.text
    assert 'value="7"' in _cell(r.text, f"outcome-{entry}")


def test_a_refused_panel_shows_the_form_again(client) -> None:
    token = _token(client, "/panels")
    for fields, status, words in (
        ({"scenario": "no-such", "experts": "ana,ben"}, 404, "no-such"),
        ({"scenario": "ukraine-2025", "experts": "ana,ana"}, 422, "'ana' is named twice"),
    ):
        r = client.post("/ui/panels", data={"csrf_token": token, **fields}, headers=BROWSER)
        assert r.status_code == status and 'id="new-panel-error"' in r.text
        assert words in html.unescape(r.text) and "<h1>Expert panels</h1>" in r.text
        form = r.text.split('id="new-panel"', 1)[1].split("</form>", 1)[0]
        assert f'value="{fields["scenario"]}"' in form and f'value="{fields["experts"]}"' in form


def test_pooling_before_anyone_submitted_shows_the_panel_page(client) -> None:
    panel = client.post("/api/panels", json={"scenario": "ukraine-2025", "experts": "ana"}).json()
    token = _token(client, f"/panels/{panel['id']}")
    r = client.post(
        f"/ui/panels/{panel['id']}/pool", data={"csrf_token": token, "pool": "mean"}, headers=BROWSER
    )
    assert r.status_code == 409 and 'id="pool-error"' in r.text and "no expert has submitted" in r.text
    assert "<option selected>mean</option>" in r.text and 'id="progress"' in r.text


# ---------------------------------------------------------------------------------------------- item 4
def test_create_panel_redirects_to_its_page_which_reloads(client) -> None:
    token = _token(client, "/panels")
    r = client.post(
        "/ui/panels",
        data={"csrf_token": token, "scenario": "ukraine-2025", "experts": "ana,ben"},
        headers=BROWSER,
        follow_redirects=False,
    )
    assert r.status_code == 303 and re.fullmatch(r"/panels/\d+", r.headers["location"])
    page = client.get(r.headers["location"])
    assert page.status_code == 200 and page.text.count('class="expert-link"') == 2
    again = client.get(r.headers["location"])  # a reload shows them again to the browser that created it
    assert again.text.count('class="expert-link"') == 2
    client.cookies.clear()  # another browser (or the same after the cookie went): no links, and why
    other = client.get(r.headers["location"])
    assert "expert-link" not in other.text and 'id="links-gone"' in other.text


# ---------------------------------------------------------------------------------------------- item 5
def test_simulate_is_off_without_dynamics(client) -> None:
    off = client.get("/s/china-1989").text
    button = re.search(r'<button type="button" id="simulate"[^>]*>', off).group(0)
    assert "disabled" in button and 'id="sim-off"' in off and "dynamics:" in off
    on = client.get("/s/ukraine-2025").text
    button = re.search(r'<button type="button" id="simulate"[^>]*>', on).group(0)
    assert "disabled" not in button and 'id="sim-off"' not in on


# ---------------------------------------------------------------------------------------------- item 6
def test_the_redrawn_table_carries_the_whatif_choices(client, editor_form) -> None:
    form, hx = editor_form(client)
    r = client.post(
        "/ui/validate",
        data={**form, "add": "actor", "new-actor-id": "observer", "actor-0-delete": "1"},
        headers=hx,
    )
    import json

    choices = json.loads(html.unescape(re.search(r'<div id="table" data-whatif="([^"]*)"', r.text).group(1)))
    ids = [a["id"] for a in choices["actors"]]
    assert "observer" in ids and ids[0] != "netherlands"


# ---------------------------------------------------------------------------------------------- item 7
def test_an_empty_draws_box_says_it_is_empty(client, editor_form) -> None:
    form, hx = editor_form(client, "ukraine-2025")
    for kind in ("sweep", "simulate"):
        r = client.post(f"/ui/job/{kind}", data={**form, "draws": " "}, headers=hx)
        assert r.status_code == 422 and "draws: the box is empty" in r.text and "received 0" not in r.text


# ---------------------------------------------------------------------------------------------- item 8
def test_compare_starts_on_a_pair_that_shares_issues(client) -> None:
    page = client.get("/").text
    a = re.search(r'id="compare-a">.*?<option selected>([^<]+)<', page, re.S).group(1)
    b = re.search(r'id="compare-b">.*?<option selected>([^<]+)<', page, re.S).group(1)
    model = re.search(r'id="compare-model">.*?<option selected>([^<]+)<', page, re.S).group(1)
    assert model == "compromise"
    cmp = client.get(f"/compare?a={a}&b={b}&model={model}")
    assert cmp.status_code == 200 and "share no issue" not in cmp.text


def test_compare_prefers_a_saved_scenario_and_what_it_was_made_from(client, editor_form) -> None:
    form, hx = editor_form(client, "emission-standards-1994")
    client.post("/ui/save", data={**form, "stance-0-salience": "0.3"}, headers=hx)
    page = client.get("/").text
    a = re.search(r'id="compare-a">.*?<option selected>([^<]+)<', page, re.S).group(1)
    b = re.search(r'id="compare-b">.*?<option selected>([^<]+)<', page, re.S).group(1)
    assert (a, b) == ("emission-standards-1994", "emission-standards-1994@1")


# ---------------------------------------------------------------------------------------------- item 9
def test_a_draft_source_date_must_be_a_date(client) -> None:
    r = client.post("/api/drafts", json={"text": "Russia and Ukraine talk.", "source_date": "yesterday"})
    assert r.status_code == 422
    assert r.json()["error"] == (
        "source date: 'yesterday' is not a date (expected YYYY-MM-DD, YYYY-MM or YYYY, e.g. 2025-06-15)"
    )
    page = client.get("/draft").text
    assert 'name="source_date"' in page and "pattern=" in page


# ---------------------------------------------------------------------------------------------- item 10
def test_form_fields_have_labels(client) -> None:
    for path, names in (
        ("/ledger", ["question", "value", "quantiles", "kind", "resolves", "scenario"]),
        ("/", ["file", "a", "b", "model"]),
    ):
        page = client.get(path).text
        for name in names:
            assert re.search(rf'<label>[^<]*<(?:input|select)[^>]*name="{name}"', page), (path, name)
    panel = client.post("/api/panels", json={"scenario": "ukraine-2025", "experts": "ana"}).json()
    page = client.get(f"/panels/{panel['id']}").text
    assert '<label for="pool-method">' in page and 'id="pool-method"' in page


# ---------------------------------------------------------------------------------------------- item 11
def test_timestamps_are_readable_with_the_full_value_kept(client) -> None:
    from detente.web.deps import when

    t = when("2026-12-07T20:06:21+00:00")
    assert str(t) == (
        '<time datetime="2026-12-07T20:06:21+00:00" title="2026-12-07T20:06:21+00:00">2026-12-07 20:06 UTC</time>'
    )
    assert str(when("2026-12-07T22:06:21+02:00")).endswith(">2026-12-07 20:06 UTC</time>")
    assert str(when("not a time")) == "not a time" and str(when(None)) == ""
    client.post("/api/ledger", json={"question": "Q?", "value": 0.5})
    page = client.get("/ledger").text
    assert re.search(
        r'<time datetime="\d{4}-\d\d-\d\dT[^"]+"[^>]*>\d{4}-\d\d-\d\d \d\d:\d\d UTC</time>', page
    )


# ---------------------------------------------------------------------------------------------- item 12
def test_the_two_draws_boxes_have_distinct_labels(client) -> None:
    page = client.get("/s/ukraine-2025").text
    assert re.search(r"<label>sweep draws <input[^>]*id=\"sweep-draws\"", page)
    assert re.search(r"<label>simulator draws <input[^>]*id=\"sim-draws\"", page)


def test_a_menu_above_the_plot_moves_below_the_toolbar() -> None:
    """The EUM perspective chart's viewer menu hung where plotly draws its toolbar (top right)."""
    from detente.report.figure import Figure
    from detente.web.figures import MODEBAR_H, fit

    lay = {"height": 600, "margin": {"t": 80, "b": 60}, "title": {"text": "Perspective"}}
    fig = fit(Figure([], {**lay, "updatemenus": [{"buttons": [], "y": 1.12, "yanchor": "top"}]}))
    m = fig.layout["margin"]
    plot_h = fig.layout["height"] - m["t"] - m["b"]
    assert plot_h == 600 - 80 - 60  # the plot keeps its size: the room is added on top
    assert m["t"] - (fig.layout["updatemenus"][0]["y"] - 1) * plot_h >= MODEBAR_H - 1e-9
