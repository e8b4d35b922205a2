"""The dashboard's forecast tables say what their intervals hold, as the report's tables do.

Run and Compare had bare "50 % interval" / "90 % interval" headers while the report's forecast tables
say "50 % interval (inputs + model error)", "(model error only (not swept))" or "(input uncertainty
only)" (``report.parts.forecasts.interval_holds``, one home for both).
"""

from __future__ import annotations

import html
import re

import pytest
from editor_data import UK_WHATIF

from detente.report.parts.forecasts import HOLDS, holds_key, interval_holds


def _heads(text: str) -> list[list[str]]:
    """The header cells of every table of a page, as a reader sees them."""
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<th>(.*?)</th>", head, re.S)]
        for head in re.findall(r"<thead>(.*?)</thead>", text, re.S)
    ]


def _sources(text: str) -> list[str]:
    """The "Intervals: …" lines under the tables (where the intervals come from)."""
    return [
        html.unescape(m)
        for m in re.findall(r'<p class="muted interval-source">Intervals: (.*?)\.(?: |</p>)', text, re.S)
    ]


@pytest.mark.parametrize(
    ("source", "words"),
    [
        (
            "input uncertainty (200 draws) and model error (1,238 decisions, DEU III dev split)",
            "inputs + model error",
        ),
        ("model error (1,238 decisions, DEU III dev split)", "model error only (not swept)"),
        ("input uncertainty (200 draws)", "input uncertainty only"),
        ("input uncertainty and model error", "inputs + model error"),  # IssueInterval.source
        ("none", ""),
        (None, ""),
    ],
)
def test_a_source_in_words(source, words) -> None:
    assert (HOLDS.get(holds_key(source), "")) == words
    assert interval_holds([source, source]) == (f" ({words})" if words else "")


def test_rows_that_differ_say_so() -> None:
    both = ["input uncertainty (200 draws)", "model error (12 decisions, x)"]
    assert interval_holds(both) == " (see 'interval holds')"  # the report adds that column
    assert interval_holds(both, mixed="mixed") == " (mixed)"
    assert interval_holds(["none", None]) == ""


def test_run_table_says_what_its_intervals_hold(client, editor_form) -> None:
    form, hx = editor_form(client)
    text = client.post("/ui/run", data=form, headers=hx).text
    (source,) = _sources(text)
    words = HOLDS[holds_key(source)]
    head = next(h for h in _heads(text) if "forecast" in h)
    assert head[2:4] == [f"50 % interval ({words})", f"90 % interval ({words})"], head


def test_compare_tables_say_what_their_intervals_hold(client) -> None:
    text = client.get("/compare?a=ukraine-2025&b=emission-standards-1994&model=compromise").text
    sources = _sources(text)
    heads = [h for h in _heads(text) if "in words" in h]
    assert len(sources) == len(heads) == 2
    for source, head in zip(sources, heads, strict=True):
        words = HOLDS[holds_key(source)]
        assert head[2:4] == [f"50 % interval ({words})", f"90 % interval ({words})"], head


def test_whatif_table_says_what_each_sides_interval_holds(client, editor_form) -> None:
    form, hx = editor_form(client)
    wi = client.post(
        "/ui/whatif",
        data={**form, **UK_WHATIF},
        headers=hx,
    )
    assert wi.status_code == 200, wi.text[:300]
    (source,) = _sources(wi.text)
    words = HOLDS[holds_key(source)]
    head = next(h for h in _heads(wi.text) if "what-if" in h)
    assert [c for c in head if c.startswith("50 % interval")] == [f"50 % interval ({words})"] * 2, head
