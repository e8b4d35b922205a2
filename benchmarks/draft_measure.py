"""Measure ``detente draft`` against a hand-coded scenario (docs/draft.md §7).

Usage::

    python benchmarks/draft_measure.py TEXT [--scenario ukraine-2025] [--named ukraine,russia,...]

* actor recall / precision: drafted actors (standalone draft) resolved to the scenario's actors by the
  merge rules (docs/draft.md §5); ``--named`` lists the scenario actors the text names (hand-coded);
* stance coverage: scenario stances whose evidence quotes TEXT, and how many get a draft quote on the
  same actor and issue (draft merged ``--into`` the scenario) whose offsets overlap the quote's; also
  without the group-name rule (docs/draft.md §5) and over the stances of the actors the text names;
* roles and positions: covered stances whose overlapping quote has the actor as its clause's subject
  or only mentions it (docs/draft.md §3), how many of them carry a suggested position, and the
  precision of the suggested positions (standalone draft): the share on the same half of the issue's
  scale as the analyst's position, over those the analyst coded;
* exact quotes: share of draft quotes that are ``text[start:end]``;
* speed: median wall and CPU seconds of ``draft_source`` on a text of about ``--words`` words, after start-up
  (tables loaded, one warm-up run), built by repeating TEXT.

The text is read from the path given; nothing of it is stored in the repository.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from detente.analysis.draft.merge import resolve_actor
from detente.io.draft import draft_source, load_base, read_source
from detente.io.draft.reader import SourceText


def _span(url: str) -> tuple[int, int] | None:
    if "#char=" not in url:
        return None
    a, b = url.rsplit("#char=", 1)[1].split(",")
    return int(a), int(b)


def _norm(s: str) -> str:
    return " ".join(s.split())


def measure(text_path: str, scenario: str, named: list[str], words: int) -> dict[str, Any]:
    src = read_source(text_path)
    base = load_base(scenario)
    text = src.text
    flat = _norm(text)

    alone = draft_source(src)
    found: dict[str, list[str]] = {}
    for a in alone["actors"]:
        ids, _how = resolve_actor(a["id"], alone["draft"]["actors"][a["id"]], base["actors"])
        found[a["id"]] = ids
    correct = [d for d, ids in found.items() if set(ids) & set(named)]
    hit = {x for ids in found.values() for x in ids} & set(named)

    merged = draft_source(src, into=base)
    quotes_ok = all(
        text[q["start"] : q["end"]] and text.find(text[q["start"] : q["end"]]) >= 0
        for s in merged["draft"]["suggestions"]
        for q in s["quotes"]
    )
    exact = [
        e["quote"] == text[_span(e["url"])[0] : _span(e["url"])[1]]  # type: ignore[index]
        for s in merged["stances"]
        for e in s.get("evidence", [])
        if isinstance(e, dict) and _span(str(e.get("url", ""))) is not None
    ]
    amap = merged["draft"]["mapping"]["actors"]
    imap = merged["draft"]["mapping"]["issues"]
    targets, got, direct, named_targets, named_got, misses = 0, 0, 0, 0, 0, []
    by_role = {"subject": 0, "mentioned": 0, "other": 0}  # covered stances by the role of their best hit
    with_position = 0  # covered stances whose overlapping suggestion carries a position
    for s in base["stances"]:
        spans = []
        for e in s.get("evidence", []):
            q = _norm(str(e.get("quote", "")))
            if q and q in flat:
                # map the normalised match back to offsets in the original text
                i = flat.find(q)
                spans.append(_orig_span(text, i, i + len(q)))
        if not spans:
            continue
        targets += 1
        drafted = [
            ((q["start"], q["end"]), amap[sug["actor"]]["how"], q.get("role"), sug["position"])
            for sug in merged["draft"]["suggestions"]
            if s["actor"] in amap.get(sug["actor"], {}).get("to", []) and imap.get(sug["issue"]) == s["issue"]
            for q in sug["quotes"]
        ]
        hits = [
            (how, role, pos) for d, how, role, pos in drafted if any(d[0] < b and a < d[1] for a, b in spans)
        ]
        ok = bool(hits)
        got += ok
        direct += any(how == "actor" for how, _r, _p in hits)
        if ok:
            roles = {r for _h, r, _p in hits}
            by_role[
                "subject" if "subject" in roles else "mentioned" if roles == {"mentioned"} else "other"
            ] += 1
            with_position += any(p is not None for _h, _r, p in hits)
        if s["actor"] in named:
            named_targets += 1
            named_got += ok
        if not ok:
            misses.append(f"{s['actor']}/{s['issue']}")

    positions = []  # suggested positions next to the analyst's (same actor and issue)
    old_pos = {(x["actor"], x["issue"]): x.get("position") for x in base["stances"]}
    scales = {str(i["id"]): i.get("scale") or {} for i in base["issues"]}
    same_half = checked = 0
    for sug in alone["draft"]["suggestions"]:
        if sug["position"] is None:
            continue
        for aid in amap.get(sug["actor"], {}).get("to", []):
            iid = imap.get(sug["issue"])
            old = old_pos.get((aid, iid))
            positions.append((f"{aid}/{iid}", sug["position"], old))
            if isinstance(old, int | float) and iid is not None:
                sc = scales.get(iid, {})
                lo, hi = float(sc.get("low", 0)), float(sc.get("high", 100))
                mid = (lo + hi) / 2  # the draft's 0-100 scale rescaled to the (docs/draft.md §5)
                sug_pos = lo + sug["position"] / 100 * (hi - lo)
                checked += 1
                same_half += (sug_pos - mid) * (old - mid) > 0

    base_words = text.split()
    reps = max(1, -(-words // max(1, len(base_words))))
    big = SourceText(src.name, "\n".join([text] * reps), src.media_type)
    draft_source(big)
    times, cpu = [], []
    for _ in range(5):
        t0, c0 = time.perf_counter(), time.process_time()
        draft_source(big)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return {
        "drafted_actors": found,
        "actor_precision": len(correct) / max(1, len(found)),
        "actor_recall": len(hit) / max(1, len(named)),
        "missed_actors": sorted(set(named) - hit),
        "stances_with_quotes": targets,
        "stances_covered": got,
        "coverage": got / max(1, targets),
        "coverage_without_group_names": direct / max(1, targets),
        "stances_of_named_actors": named_targets,
        "coverage_of_named_actors": named_got / max(1, named_targets),
        "missed_stances": misses,
        "covered_as_subject": by_role["subject"],
        "covered_only_as_mentioned": by_role["mentioned"],
        "covered_other": by_role["other"],
        "covered_with_position": with_position,
        "positions_suggested_vs_analyst": positions,
        "position_precision_same_half": (same_half, checked),
        "exact_quotes": (sum(exact), len(exact)),
        "suggestion_quotes_exact": quotes_ok,
        "words": len(big.text.split()),
        "seconds_median": statistics.median(times),
        "seconds_min": min(times),
        "cpu_seconds_median": statistics.median(cpu),
    }


def _orig_span(text: str, a: int, b: int) -> tuple[int, int]:
    """Offsets in ``text`` of the characters a..b of its whitespace-normalised form."""
    k = -1
    start = end = 0
    prev_space = True
    for i, c in enumerate(text):
        if c.isspace():
            if prev_space:
                continue
            prev_space = True
        else:
            prev_space = False
        k += 1
        if k == a:
            start = i
        if k == b - 1:
            end = i + 1
            break
    return start, end


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("text")
    ap.add_argument("--scenario", default="ukraine-2025")
    ap.add_argument("--named", default="ukraine,russia,united_states,eu,g7,nato")
    ap.add_argument("--words", type=int, default=5000)
    a = ap.parse_args()
    res = measure(a.text, a.scenario, [x for x in a.named.split(",") if x], a.words)
    for k, v in res.items():
        print(f"{k}: {v}")  # noqa: T201


if __name__ == "__main__":
    main()
