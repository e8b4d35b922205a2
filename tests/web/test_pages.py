"""Server-rendered pages and HTMX fragments: editor validation next to the cell, run, what-if, save, jobs."""

from __future__ import annotations

import html
import re
import time

from editor_data import UK_WHATIF


def test_index_lists_builtins(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "emission-standards-1994" in page.text and 'hx-headers=\'{"X-CSRF-Token":' in page.text
    assert "detente_csrf" in page.headers["set-cookie"]


def test_cell_errors_appear_next_to_the_cell(client, editor_form):
    form, hx = editor_form(client)
    r = client.post(
        "/ui/validate",
        data={**form, "stance-2-salience": "1.7", "stance-0-position": "abc", "actor-1-capability": "-3"},
        headers=hx,
    )
    assert r.status_code == 200
    for key, words in (
        ("stance-2-salience", "salience"),
        ("stance-0-position", "expected a number"),
        ("actor-1-capability", "capability"),
    ):
        m = re.search(rf'id="{key}"[^>]*>\s*<div class="cell-error">([^<]*)</div>', r.text)
        assert m, key
        assert words in m.group(1)
    ok = client.post("/ui/validate", data=form, headers=hx)
    assert "cell-error" not in ok.text
    # running with a bad cell reports the problems instead of a forecast
    bad = client.post("/ui/run", data={**form, "stance-2-salience": "1.7"}, headers=hx)
    assert bad.status_code == 422 and bad.headers["hx-retarget"] == "#messages" and "salience" in bad.text


def _forecast_value(html: str) -> float:
    return float(re.search(r'data-issue="emission">([0-9.]+)<', html).group(1))


def test_run_whatif_save_reload(client, editor_form):
    form, hx = editor_form(client)
    r1 = client.post("/ui/run", data=form, headers=hx)
    assert r1.status_code == 200 and "plotly" in r1.text.lower()
    r2 = client.post("/ui/run", data={**form, "stance-6-salience": "0.1"}, headers=hx)
    assert _forecast_value(r2.text) != _forecast_value(r1.text)
    wi = client.post(
        "/ui/whatif",
        data={**form, **UK_WHATIF},
        headers=hx,
    )
    assert wi.status_code == 200 and "what-if" in wi.text
    vals = [float(v) for v in re.findall(r'class="num whatif-value">([0-9.]+)<', wi.text)]
    assert vals and vals[0] < _forecast_value(r1.text)  # the UK moving to 4 pulls the outcome down
    # each side with its own 50 % interval, in the table and as bars in the chart
    cells = re.findall(r'data-level="50">([0-9.]+)–([0-9.]+)<', wi.text)
    assert len(cells) == 2 and cells[0] != cells[1]
    lo, hi = map(float, cells[0])
    assert (vals[0] < lo or vals[0] > hi) == ("num beyond" in wi.text)  # marked ▲ when outside
    from plotly_bundle import figures

    (data, _layout), *_ = figures(wi.text).values()
    bars = [t for t in data if t.get("mode") == "lines"]
    assert {y for t in bars for y in t["y"] if y} == {"as entered", "what-if"}
    big = client.post(  # the UK at the far end with all the clout: beyond the 50 % interval, marked
        "/ui/whatif",
        data={
            **form,
            "actor": "uk",
            "issue": "emission",
            "position": "4",
            "salience": "1",
            "capability": "1",
        },
        headers=hx,
    )
    assert big.status_code == 200, big.text[:300]
    (moved,) = re.findall(r'class="num whatif-value">([0-9.]+)<', big.text)[:1]
    lo, hi = map(float, re.findall(r'data-level="50">([0-9.]+)–([0-9.]+)<', big.text)[0])
    assert not lo <= float(moved) <= hi and 'class="num beyond">' in big.text and "▲</td>" in big.text
    saved = client.post("/ui/save", data={**form, "stance-6-salience": "0.1", "author": "ana"}, headers=hx)
    assert saved.headers["hx-redirect"] == "/s/emission-standards-1994@1"
    # a built-in's name means the built-in (docs/vocabulary.md); the stored copy is KEY@VERSION
    assert "Built-in scenario" in client.get("/s/emission-standards-1994").text
    page = client.get("/s/emission-standards-1994@1")
    assert (
        "version 1" in page.text
        and 'id="stance-6-salience" name="stance-6-salience" value="0.1"' in page.text
    )
    assert "salience 0.9 → 0.1" in page.text and "ana" in page.text
    form2, hx2 = editor_form(client, "emission-standards-1994@1")
    client.post("/ui/save", data={**form2, "stance-6-salience": "0.2"}, headers=hx2)
    page = client.get("/s/emission-standards-1994@2")
    assert "version 2" in page.text and "salience 0.1 → 0.2" in page.text


def test_downloads_from_the_editor(client, editor_form):
    form, _hx = editor_form(client)
    y = client.post("/ui/yaml", data={**form, "stance-0-salience": "0.55"})
    assert y.status_code == 200 and "salience: 0.55" in y.text
    rep = client.post("/ui/report", data=form)
    assert (
        rep.status_code == 200 and "attachment" in rep.headers["content-disposition"] and "<html" in rep.text
    )


def test_section_job_renders_report_charts(client, editor_form):
    form, hx = editor_form(client)
    r = client.post("/ui/job/sections", data=form, headers=hx)
    frag = _poll(client, hx, r.text)
    assert 'data-kind="sections"' in frag and 'class="report-section"' in frag
    from detente.report.parts import part_builders

    assert frag.count('class="report-section"') >= len(part_builders())


def _poll(client, hx, html):
    m = re.search(r'hx-get="/ui/jobs/([0-9a-f]+)"', html)
    if m is None:  # finished before the first answer
        return html
    job_id = m.group(1)
    for _ in range(400):
        frag = client.get(f"/ui/jobs/{job_id}", headers=hx).text
        if "job-done" in frag or "failed" in frag:
            return frag
        time.sleep(0.05)
    raise AssertionError("job did not finish")


def test_sweep_and_simulator_jobs_from_the_page(client, editor_form):
    form, hx = editor_form(client, "ukraine-2025")
    frag = _poll(client, hx, client.post("/ui/job/sweep", data={**form, "draws": "50"}, headers=hx).text)
    assert 'data-kind="sweep"' in frag and frag.count("<tr><td>") == 6  # one row per issue
    assert "inputs' uncertainty only" in frag and "model error" in frag  # what the quantiles leave out
    runs = client.get("/api/runs").json()
    assert runs[0]["variant"] == "sweep" and runs[0]["scenario"] == "ukraine-2025"
    assert runs[0]["results"]["draws"] == 50
    frag = _poll(client, hx, client.post("/ui/job/simulate", data={**form, "draws": "50"}, headers=hx).text)
    assert 'data-kind="simulate"' in frag and "How the runs end" in frag
    # the numbers in words, as the report and detente simulate say them (sim.words), shares in percent
    body = html.unescape(re.sub(r"<details>.*?</details>", "", frag, flags=re.S))
    assert "first ceasefire within 12 months" in body and "p_ceasefire_12" not in body
    assert "military decision for Russia" in body and "decision_R" not in body and "decision R" not in body
    assert re.search(r"US sanctions by the end</td><td class=\"num\">\d+\.\d %", body)
    bad = client.post("/ui/job/sweep", data={**form, "draws": "0"}, headers=hx)
    assert bad.status_code == 422 and "draws" in bad.text
    # a scenario without dynamics gets a clear message from the simulator job
    form2, hx2 = editor_form(client)
    frag = _poll(
        client, hx2, client.post("/ui/job/simulate", data={**form2, "draws": "10"}, headers=hx2).text
    )
    assert "failed" in frag and "dynamics" in frag


def _base(html_text: str) -> str:
    import html

    return html.unescape(re.search(r'name="base" value="([^"]*)"', html_text).group(1))


def test_add_and_remove_rows(client, editor_form):
    import json

    form, hx = editor_form(client)
    n_stances = len(json.loads(form["base"])["stances"])
    # a duplicate id is refused next to the new-row cell, and what was typed stays
    r = client.post(
        "/ui/validate",
        data={**form, "add": "actor", "new-actor-id": "uk", "new-actor-name": "Again"},
        headers=hx,
    )
    assert re.search(r'id="new-actor-id"[^>]*>\s*<div class="cell-error">[^<]*already exists', r.text)
    assert 'value="Again"' in r.text
    # add an actor, then a stance for it
    r = client.post(
        "/ui/validate",
        data={**form, "add": "actor", "new-actor-id": "sweden", "new-actor-capability": "0.1"},
        headers=hx,
    )
    assert "<code>sweden</code>" in r.text and "cell-error" not in r.text
    form["base"] = _base(r.text)
    r = client.post(
        "/ui/validate",
        data={
            **form,
            "add": "stance",
            "new-stance-actor": "sweden",
            "new-stance-issue": "emission",
            "new-stance-position": "4",
            "new-stance-salience": "1",
        },
        headers=hx,
    )
    form["base"] = _base(r.text)
    assert len(json.loads(form["base"])["stances"]) == n_stances + 1
    run = client.post("/ui/run", data=form, headers=hx)
    assert run.status_code == 200
    # removing the actor removes its stance too; removing stance 0 drops one more
    actors = [a["id"] for a in json.loads(form["base"])["actors"]]
    r = client.post(
        "/ui/validate",
        data={**form, f"actor-{actors.index('sweden')}-delete": "1", "stance-0-delete": "1"},
        headers=hx,
    )
    data = json.loads(_base(r.text))
    assert "sweden" not in [a["id"] for a in data["actors"]]
    assert len(data["stances"]) == n_stances - 1
    # saving a new key records what changed since the page was loaded
    saved = client.post("/ui/save", data={**form, "base": _base(r.text), "key": "eu-cars"}, headers=hx)
    assert saved.headers["hx-redirect"] == "/s/eu-cars@1"
    hist = client.get("/api/scenarios/eu-cars/versions").json()
    assert "removed stance netherlands/emission" in hist[0]["summary"]


def test_ledger_page_forms(client):
    page = client.get("/ledger")
    token = client.cookies.get("detente_csrf")
    assert f'name="csrf_token" value="{token}"' in page.text
    r = client.post(
        "/ui/ledger",
        data={"csrf_token": token, "question": "Summit statement by July?", "value": "0.8"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    r = client.post(
        "/ui/ledger/1/resolve", data={"csrf_token": token, "outcome": "1"}, follow_redirects=False
    )
    assert r.status_code == 303
    page = client.get("/ledger").text
    assert "Summit statement by July?" in page and "mean Brier score 0.040" in page
    assert client.post("/ui/ledger", data={"question": "forged?", "value": "0.5"}).status_code == 403
    bad = client.post(
        "/ui/ledger",
        data={"csrf_token": token, "question": "Q?", "value": "lots"},
        headers={"Accept": "text/html"},
    )
    assert bad.status_code == 422 and "value: expected a number" in bad.text and "Traceback" not in bad.text


def test_ledger_page_scores_distributions_as_ledger_score_does(client):
    """The ledger page takes a numeric forecast's quantiles (as ledger add --quantiles), shows them, and
    gives what detente ledger score gives: log score, CRPS, interval coverage and the calibration table."""
    from detente.store.ledger_scores import quantile_crps

    client.get("/ledger")
    token = client.cookies.get("detente_csrf")
    add = {"csrf_token": token, "question": "US sanctions level end 2026", "value": "42", "kind": "numeric"}
    r = client.post("/ui/ledger", data={**add, "quantiles": "10:20, 50:40, 90:65"}, follow_redirects=False)
    assert r.status_code == 303
    r = client.post("/ui/ledger", data={"csrf_token": token, "question": "Deal?", "value": "0.3"})
    client.post("/ui/ledger/1/resolve", data={"csrf_token": token, "outcome": "55"})
    client.post("/ui/ledger/2/resolve", data={"csrf_token": token, "outcome": "0"})
    page = client.get("/ledger").text
    flat = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    crps = quantile_crps([55.0], [{"10": 20.0, "50": 40.0, "90": 65.0}])[0]
    assert "(quantiles 10 %: 20, 50 %: 40, 90 %: 65)" in flat
    assert f"mean CRPS {crps:.3f}" in flat and "80 % → 100 %" in flat and "mean log score 0.357" in flat
    assert "Calibration: what the forecasts said and what happened" in flat
    assert "quantile 90 % 1 90 % at or below 100 %" in flat and "central 80 % 1 80 % inside 100 %" in flat
    assert "yes/no 30-40 % 1 30 % mean forecast 0 %" in flat
    bad = client.post(
        "/ui/ledger", data={**add, "quantiles": "10=20"}, headers={"Accept": "text/html"}
    )  # refused as the CLI refuses it, nothing recorded
    assert bad.status_code in (400, 422) and "quantiles: expected LEVEL:VALUE pairs" in bad.text
    assert client.get("/ledger").text.count("US sanctions level") == 1


def test_model_parameters_from_the_page(client, editor_form):
    from detente.io.builtin import load_builtin
    from detente.models import forecast, get_model

    form, hx = editor_form(client)
    r = client.post("/ui/run", data={**form, "model": "median", "set": "tie=upper"}, headers=hx)
    want = float(
        forecast(get_model("median", tie="upper"), load_builtin("emission-standards-1994")).outcome[0]
    )
    assert _forecast_value(r.text) == round(want, 2)
    bad = client.post("/ui/run", data={**form, "model": "median", "set": "tie=sideways"}, headers=hx)
    assert bad.status_code == 422 and "tie" in bad.text
    bad = client.post("/ui/run", data={**form, "model": "median", "set": "oops"}, headers=hx)
    assert bad.status_code == 422 and "NAME=VALUE" in bad.text


def test_scenario_page_shows_the_description_once(client) -> None:
    """The header shows the scenario's description; the who-wants-what panel does not repeat it (QA)."""
    from detente.io.builtin import load_builtin

    desc = load_builtin("ukraine-2025").description
    page = client.get("/scenario?scenario=ukraine-2025")
    assert page.status_code == 200
    import html as _html
    import re

    visible = re.sub(r'value="[^"]*"', "", page.text)  # the form's hidden JSON copies are not shown
    assert _html.unescape(visible).count(desc[:60]) == 1
