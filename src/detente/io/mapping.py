"""parse_scenario(mapping) / dump_scenario(scenario): all parse rules for the native layout, pure.

The native layout (YAML/JSON) is::

    id, title, description, as_of, sources: [text], metadata: {key: value}
    actors:  [{id, name, capability, groups: [text], description}]
    issues:  [{id, name, description, scale: {low, high, labels: [low label, high label],
               points: [{value, label}]}, reference, rule, veto_players: [actor id]}]
    stances: [{actor, issue, position, salience, capability, sd, low, high,
               evidence: [{quote, source, date, url, note, assumption}]}]
    dynamics: {free mapping, kept as is}

Validation collects **all** problems before raising one :class:`~detente.errors.ScenarioError`
whose ``problems`` holds one line per problem, ``FILE[:LINE]: FIELD: what is wrong (expected ...)``.
Unknown keys are errors (they are usually typos, e.g. ``salinece``), with the closest known key
suggested. Numbers may be given as numeric text (``"0.5"``, as CSV cells are); NaN and infinities
are refused; booleans are not numbers.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Mapping
from typing import Any

from detente.core.scale import MAX_ABS, Scale
from detente.core.scenario import Actor, Evidence, Issue, Scenario, Stance
from detente.errors import ScenarioError
from detente.io.checker import _MISSING, _Checker, _fmt
from detente.io.checker import Path_ as Path_
from detente.io.checker import field_name as field_name
from detente.io.drafts import check_draft_section, stance_status, warn_drafts
from detente.io.panel import dump_panel, parse_panel
from detente.io.rule_fields import RULE_KEYS, dump_rule_fields, inherit, parse_forums, parse_rule_fields

TOP_KEYS = (
    "id",
    "title",
    "description",
    "as_of",
    "sources",
    "metadata",
    "actors",
    "issues",
    "stances",
    "dynamics",
    "panel",
    "forums",
    "draft",
)
_AS_OF = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")
ACTOR_KEYS = ("id", "name", "capability", "groups", "description")
ISSUE_KEYS = ("id", "name", "description", "scale", "reference", "rule", "veto_players", *RULE_KEYS)
SCALE_KEYS = ("low", "high", "labels", "points")
POINT_KEYS = ("value", "label")
STANCE_KEYS = (
    "actor",
    "issue",
    "position",
    "salience",
    "capability",
    "sd",
    "low",
    "high",
    "evidence",
    "status",
)
EVIDENCE_KEYS = ("quote", "source", "date", "url", "note", "assumption")


def _plain(ck: _Checker, value: Any, path: Path_, depth: int = 0) -> Any:
    """JSON-like copy of a free value (text, numbers, booleans, null, lists, mappings); dates become text."""
    if depth > 50:
        ck.add(path, "nested too deeply (expected at most 50 levels)")
        return None
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            ck.add(path, f"{value} is not a finite number (expected a finite number)")
        return value
    if isinstance(value, _dt.date | _dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(ck, v, (*path, k), depth + 1) for k, v in enumerate(value)]
    if isinstance(value, Mapping):
        return {str(k): _plain(ck, v, (*path, str(k)), depth + 1) for k, v in value.items()}
    ck.add(path, f"a value of type {type(value).__name__} (expected text, numbers, lists or mappings)")
    return None


def _evidence(ck: _Checker, items: Any, path: Path_) -> tuple[Evidence, ...] | None:
    if items is None:
        return ()
    if isinstance(items, Mapping):  # a single evidence mapping is accepted
        items = [items]
    out: list[Evidence] = []
    ok = True
    for k, e in enumerate(ck.seq(items, path, "evidence mappings")):
        p = (*path, k)
        m = ck.mapping(e, p, EVIDENCE_KEYS)
        if m is None:
            ok = False
            continue
        vals = {key: ck.text(m.get(key), (*p, key)) for key in ("quote", "source", "date", "url", "note")}
        a = m.get("assumption", False)
        if a is None:
            a = False
        if isinstance(a, str) and a.strip().lower() in ("true", "false", "yes", "no", "1", "0", ""):
            a = a.strip().lower() in ("true", "yes", "1")
        if not isinstance(a, bool):
            ck.add((*p, "assumption"), f"{_fmt(a)} is not true/false (expected true or false)")
            ok = False
            continue
        if any(v is _MISSING for v in vals.values()):
            ok = False
            continue
        if a and not str(vals["note"]).strip():
            ck.add((*p, "note"), "an assumption needs a one-line rationale (expected a note)")
            ok = False
            continue
        if not a and not str(vals["quote"]).strip():
            ck.add((*p, "quote"), "is missing (expected a quote, or assumption: true with a note)")
            ok = False
            continue
        out.append(Evidence(assumption=a, **vals))
    return tuple(out) if ok else None


def parse_scenario(
    data: Any, *, source: str = "<mapping>", lines: Mapping[Path_, int] | None = None
) -> Scenario:
    """Build a valid :class:`Scenario` from a native mapping, or raise ScenarioError listing every problem.

    ``lines`` maps key paths (``("stances", 3, "salience")``) to line numbers for the messages.

    Examples
    --------
    >>> sc = parse_scenario({"id": "t", "actors": [{"id": "a"}], "issues": [{"id": "x"}],
    ...                      "stances": [{"actor": "a", "issue": "x", "position": 40, "salience": 0.5}]})
    >>> sc.stances[0].position
    40.0
    >>> try:
    ...     parse_scenario({"id": "t", "actors": [{"id": "a"}], "issues": [{"id": "x"}],
    ...                     "stances": [{"actor": "a", "issue": "x", "position": 40, "salience": 1.7}]},
    ...                    source="s.yaml")
    ... except ScenarioError as e:
    ...     print(e.problems[0])
    s.yaml: stances[0].salience: 1.7 is above range (expected 0 to 1)
    """
    ck = _Checker(source, lines)
    top = ck.mapping(data, (), TOP_KEYS)
    if top is None:
        raise ScenarioError(ck.problems[0], ck.problems)

    # The sections are checked in file order so the problems are listed in file order too.
    header = _parse_header(ck, top)
    actors, actor_ids = _parse_actors(ck, top)
    issues, issue_scales = _parse_issues(ck, top, actor_ids)
    stances = _parse_stances(ck, top, actor_ids, issue_scales)
    check_draft_section(ck, top)
    panel = parse_panel(ck, top.get("panel"))

    if ck.problems:
        raise ScenarioError(_summary(ck.problems), ck.problems)
    warn_drafts(top, source)
    sid = header["id"]
    title = header["title"]
    if sid is _MISSING or not sid:
        sid = _slug(title) if title else "scenario"
    try:
        return Scenario(
            id=sid,
            title=title,
            description=header["description"],
            as_of=header["as_of"],
            sources=header["sources"],
            actors=tuple(actors),
            issues=tuple(issues),
            stances=tuple(stances),
            metadata=header["metadata"],
            dynamics=header["dynamics"],
            panel=panel,
        )
    except ScenarioError as exc:  # anything the model checks that we did not
        probs = [f"{source}: {p}" for p in exc.problems]
        raise ScenarioError(_summary(probs), probs) from None


def _parse_header(ck: _Checker, top: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario's own fields (id, title, ..., metadata, dynamics), checked; values may be _MISSING."""
    sid = ck.text(top.get("id"), ("id",))
    title = ck.text(top.get("title"), ("title",))
    description = ck.text(top.get("description"), ("description",))
    as_of = ck.text(top.get("as_of"), ("as_of",))
    if isinstance(as_of, str) and as_of and not _AS_OF.fullmatch(as_of):
        # "yesterday" passed and stood in the report's title; the ledger and the reader need a date
        ck.add(("as_of",), f"{_fmt(as_of)} is not a date (expected YYYY-MM-DD, YYYY-MM or YYYY)")
        as_of = _MISSING
    sources = ck.text_list(top.get("sources"), ("sources",))
    metadata: list[tuple[str, str]] = []
    if top.get("metadata") is not None:
        md = ck.mapping(top["metadata"], ("metadata",), None)
        for mk, mv in (md or {}).items():
            t = ck.text(mv, ("metadata", str(mk)))
            if t is not _MISSING:
                metadata.append((str(mk), t))
    dynamics: tuple[tuple[str, object], ...] = ()
    if top.get("dynamics") is not None:
        dm = ck.mapping(top["dynamics"], ("dynamics",), None)
        dynamics = tuple((str(k), _plain(ck, v, ("dynamics", str(k)))) for k, v in (dm or {}).items())
    return {
        "id": sid,
        "title": title,
        "description": description,
        "as_of": as_of,
        "sources": sources,
        "metadata": tuple(metadata),
        "dynamics": dynamics,
    }


def _parse_actors(ck: _Checker, top: Mapping[str, Any]) -> tuple[list[Actor], dict[str, int]]:
    """The valid actors, and every actor id seen mapped to its index (for references and duplicates)."""
    actors: list[Actor] = []
    actor_ids: dict[str, int] = {}
    for k, a in enumerate(ck.seq(top.get("actors"), ("actors",), "actor mappings")):
        p: Path_ = ("actors", k)
        m = ck.mapping(a, p, ACTOR_KEYS)
        if m is None:
            continue
        aid = ck.text(m.get("id", _MISSING), (*p, "id"), required=True)
        if aid is not _MISSING and aid in actor_ids:
            ck.add(
                (*p, "id"),
                f"duplicate actor id {aid!r} (expected unique ids; first at actors[{actor_ids[aid]}])",
            )
            continue
        name = ck.text(m.get("name"), (*p, "name"))
        cap = ck.number(m.get("capability", 1.0), (*p, "capability"), low=0.0, high=MAX_ABS)
        groups = ck.text_list(m.get("groups"), (*p, "groups"))
        desc = ck.text(m.get("description"), (*p, "description"))
        if aid is _MISSING:
            continue
        actor_ids[aid] = k
        if _MISSING in (name, cap, desc):
            continue
        actors.append(Actor(id=aid, name=name, capability=cap, groups=groups, description=desc))
    if "actors" in top and not actor_ids and isinstance(top.get("actors"), list):
        ck.add(("actors",), "is empty (expected at least one actor)")
    return actors, actor_ids


def _parse_issues(
    ck: _Checker, top: Mapping[str, Any], actor_ids: Mapping[str, int]
) -> tuple[list[Issue], dict[str, Scale | None]]:
    """The valid issues, and every issue id seen mapped to its scale (None when the scale is bad)."""
    issues: list[Issue] = []
    issue_scales: dict[str, Scale | None] = {}
    groups = _group_names(top)
    forums = parse_forums(ck, top, actor_ids, groups, _evidence)
    for k, i in enumerate(ck.seq(top.get("issues"), ("issues",), "issue mappings")):
        p: Path_ = ("issues", k)
        m = ck.mapping(i, p, ISSUE_KEYS)
        if m is None:
            continue
        iid = ck.text(m.get("id", _MISSING), (*p, "id"), required=True)
        if iid is not _MISSING and iid in issue_scales:
            ck.add((*p, "id"), f"duplicate issue id {iid!r} (expected unique ids)")
            continue
        scale = _scale(ck, m.get("scale"), (*p, "scale"))
        if iid is not _MISSING:
            issue_scales[iid] = scale
        name = ck.text(m.get("name"), (*p, "name"))
        desc = ck.text(m.get("description"), (*p, "description"))
        ref: Any = None
        if m.get("reference") is not None and scale is not None:
            ref = ck.number(m["reference"], (*p, "reference"), low=scale.low, high=scale.high)
        own = parse_rule_fields(ck, m, p, scale=scale, actors=actor_ids, groups=groups, evidence=_evidence)
        rules = inherit(ck, m, p, own, forums)
        if iid is _MISSING or scale is None or _MISSING in (name, desc, ref, *rules.values()):
            continue
        issues.append(Issue(id=iid, name=name, scale=scale, reference=ref, description=desc, **rules))
    if "issues" in top and not issue_scales and isinstance(top.get("issues"), list):
        ck.add(("issues",), "is empty (expected at least one issue)")
    return issues, issue_scales


def _group_names(top: Mapping[str, Any]) -> set[str]:
    """Every group named by an actor (veto players may name a group)."""
    out: set[str] = set()
    for a in top.get("actors") or ():
        g = a.get("groups") if isinstance(a, Mapping) else None
        if isinstance(g, str):
            out |= {x.strip() for x in g.replace(";", ",").split(",") if x.strip()}
        elif isinstance(g, list | tuple):
            out |= {str(x).strip() for x in g}
    return out


def _parse_stances(
    ck: _Checker,
    top: Mapping[str, Any],
    actor_ids: Mapping[str, int],
    issue_scales: Mapping[str, Scale | None],
) -> list[Stance]:
    """The valid stances; each must name a known actor and issue, once per pair."""
    stances: list[Stance] = []
    pairs: dict[tuple[str, str], int] = {}
    for k, s in enumerate(ck.seq(top.get("stances"), ("stances",), "stance mappings")):
        stance = _parse_stance(ck, s, k, actor_ids, issue_scales, pairs)
        if stance is not None:
            stances.append(stance)
    return stances


def _parse_stance(
    ck: _Checker,
    s: Any,
    k: int,
    actor_ids: Mapping[str, int],
    issue_scales: Mapping[str, Scale | None],
    pairs: dict[tuple[str, str], int],
) -> Stance | None:
    """One stance, checked (problems go to ``ck``); records its (actor, issue) pair in ``pairs``."""
    p: Path_ = ("stances", k)
    m = ck.mapping(s, p, STANCE_KEYS)
    if m is None:
        return None
    actor = ck.text(m.get("actor", _MISSING), (*p, "actor"), required=True)
    issue = ck.text(m.get("issue", _MISSING), (*p, "issue"), required=True)
    bad = False
    if actor is not _MISSING and actor not in actor_ids:
        ck.add((*p, "actor"), f"unknown actor {actor!r} (expected one of {_ids(actor_ids)})")
        bad = True
    scale = None
    if issue is not _MISSING:
        if issue not in issue_scales:
            ck.add((*p, "issue"), f"unknown issue {issue!r} (expected one of {_ids(issue_scales)})")
            bad = True
        else:
            scale = issue_scales[issue]
    draft = stance_status(ck, m, p) == "draft"  # io/drafts.py: may lack numbers; left out of the Scenario
    pos: Any = _MISSING if draft and m.get("position") is None else _position(ck, m, p, scale, issue)
    if draft and m.get("salience") is None:
        sal: Any = _MISSING
    elif "salience" not in m:
        ck.add((*p, "salience"), "is missing (expected a number from 0 to 1)")
        sal = _MISSING
    else:
        sal = ck.number(m["salience"], (*p, "salience"), low=0.0, high=1.0)
    cap = (
        None
        if m.get("capability") is None
        else ck.number(m["capability"], (*p, "capability"), low=0.0, high=MAX_ABS)
    )
    sd = None if m.get("sd") is None else ck.number(m["sd"], (*p, "sd"), low=0.0)
    lo = None if m.get("low") is None else ck.number(m["low"], (*p, "low"))
    hi = None if m.get("high") is None else ck.number(m["high"], (*p, "high"))
    if not _range_ok(ck, p, lo, hi, pos, scale, issue):
        bad = True
    ev = _evidence(ck, m.get("evidence"), (*p, "evidence"))
    if actor is not _MISSING and issue is not _MISSING:
        if (actor, issue) in pairs:
            ck.add(
                p,
                f"duplicate stance of {actor!r} on {issue!r} (expected one; first at stances[{pairs[(actor, issue)]}])",
            )
            bad = True
        else:
            pairs[(actor, issue)] = k
    if draft or bad or ev is None or _MISSING in (actor, issue, pos, sal, cap, sd, lo, hi):
        return None
    return Stance(
        actor=actor,
        issue=issue,
        position=pos,
        salience=sal,
        capability=cap,
        sd=sd,
        low=lo,
        high=hi,
        evidence=ev,
    )


def _position(ck: _Checker, m: Mapping[str, Any], p: Path_, scale: Scale | None, issue: Any) -> Any:
    """A stance's position: required, a number, on its issue's scale when that is known."""
    if "position" not in m:
        ck.add((*p, "position"), "is missing (expected a number)")
        return _MISSING
    if scale is None:
        return ck.number(m["position"], (*p, "position"))
    pos = ck.number(
        m["position"],
        (*p, "position"),
        expected=f"{scale.low:g} to {scale.high:g} on the scale of {issue!r}",
    )
    if pos is not _MISSING and not scale.contains(pos):
        ck.add(
            (*p, "position"),
            f"{pos:g} is outside the scale of issue {issue!r} (expected {scale.low:g} to {scale.high:g})",
        )
        return _MISSING
    return pos


def _range_ok(ck: _Checker, p: Path_, lo: Any, hi: Any, pos: Any, scale: Scale | None, issue: Any) -> bool:
    """Check a stance's optional uncertainty range (low, high): both or neither, bracketing the position."""
    ok = True
    if (lo is None) != (hi is None):
        ck.add((*p, "low" if lo is None else "high"), "is missing (expected both low and high, or neither)")
        ok = False
    elif lo is not None and hi is not None and _MISSING not in (lo, hi, pos) and not (lo <= pos <= hi):
        ck.add(
            (*p, "low"),
            f"low={lo:g}, high={hi:g} do not bracket position {pos:g} (expected low <= position <= high)",
        )
        ok = False
    if scale is not None:  # the uncertainty range is a range of positions: on the issue's scale too
        for end, bound in (("low", lo), ("high", hi)):
            if bound is not None and bound is not _MISSING and not scale.contains(bound):
                ck.add(
                    (*p, end),
                    f"{bound:g} is outside the scale of issue {issue!r} (expected {scale.low:g} to {scale.high:g})",
                )
                ok = False
    return ok


def _scale(ck: _Checker, value: Any, path: Path_) -> Scale | None:
    if value is None:
        return Scale()
    m = ck.mapping(value, path, SCALE_KEYS)
    if m is None:
        return None
    lo = ck.number(m.get("low", 0.0), (*path, "low"))
    hi = ck.number(m.get("high", 100.0), (*path, "high"))
    labels_raw = m.get("labels", ("", ""))
    labels: Any = _MISSING
    if isinstance(labels_raw, list | tuple) and len(labels_raw) == 2:
        a, b = ck.text(labels_raw[0], (*path, "labels", 0)), ck.text(labels_raw[1], (*path, "labels", 1))
        if _MISSING not in (a, b):
            labels = (a, b)
    else:
        ck.add(
            (*path, "labels"),
            f"{_fmt(labels_raw)} (expected a list of two texts: [low end label, high end label])",
        )
    if _MISSING in (lo, hi):
        return None
    if not hi > lo:
        ck.add((*path, "high"), f"{hi:g} is not above low={lo:g} (expected high > low)")
        return None
    for end, v in (("low", lo), ("high", hi)):
        if abs(v) > MAX_ABS:
            ck.add((*path, end), f"{v:g} is too large (expected a number within ±{MAX_ABS:g})")
            return None
    points: list[tuple[float, str]] = []
    ok = True
    for k, pt in enumerate(
        ck.seq(m.get("points"), (*path, "points"), "{value, label} mappings", required=False)
    ):
        pp = (*path, "points", k)
        if isinstance(pt, list | tuple) and len(pt) == 2:
            pt = {"value": pt[0], "label": pt[1]}
        pm = ck.mapping(pt, pp, POINT_KEYS)
        if pm is None:
            ok = False
            continue
        v = ck.number(pm.get("value"), (*pp, "value"), low=lo, high=hi)
        lab = ck.text(pm.get("label"), (*pp, "label"))
        if _MISSING in (v, lab):
            ok = False
            continue
        points.append((v, lab))
    if labels is _MISSING or not ok:
        return None
    return Scale(low=lo, high=hi, labels=labels, points=tuple(points))


def _ids(ids: Mapping[str, Any]) -> str:
    names = list(ids)
    if not names:
        return "(none defined)"
    return ", ".join(names[:8]) + (f", ... ({len(names)} in all)" if len(names) > 8 else "")


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^0-9a-z]+", "-", text.lower()).strip("-") or "scenario"


def _summary(problems: list[str]) -> str:
    if len(problems) == 1:
        return problems[0]
    return f"{problems[0]} (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"


# ------------------------------------------------------------------------------------------------
def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v not in (None, "", (), [], {})}


def _num_out(v: float) -> int | float:
    return int(v) if float(v).is_integer() and abs(v) < 2**53 else float(v)


def _dump_evidence(items: tuple[Evidence, ...]) -> list[dict[str, Any]]:
    return [
        _clean({"quote": e.quote, "source": e.source, "date": e.date, "url": e.url, "note": e.note})
        | ({"assumption": True} if e.assumption else {})
        for e in items
    ]


def dump_scenario(scenario: Scenario) -> dict[str, Any]:
    """The native mapping of a scenario (inverse of :func:`parse_scenario`; defaults left out).

    Examples
    --------
    >>> sc = parse_scenario({"id": "t", "actors": [{"id": "a"}], "issues": [{"id": "x"}],
    ...                      "stances": [{"actor": "a", "issue": "x", "position": 40, "salience": 0.5}]})
    >>> parse_scenario(dump_scenario(sc)) == sc
    True
    """
    out: dict[str, Any] = {"id": scenario.id}
    out.update(
        _clean(
            {
                "title": scenario.title,
                "description": scenario.description,
                "as_of": scenario.as_of,
                "sources": list(scenario.sources),
                "metadata": dict(scenario.metadata),
            }
        )
    )
    out["actors"] = [
        {"id": a.id, "name": a.name, "capability": _num_out(a.capability)}
        | _clean({"groups": list(a.groups), "description": a.description})
        for a in scenario.actors
    ]
    issues = []
    for i in scenario.issues:
        sc: dict[str, Any] = {
            "low": _num_out(i.scale.low),
            "high": _num_out(i.scale.high),
            "labels": list(i.scale.labels),
        }
        if i.scale.points:
            sc["points"] = [{"value": _num_out(v), "label": lab} for v, lab in i.scale.points]
        d: dict[str, Any] = {"id": i.id, "name": i.name}
        d.update(_clean({"description": i.description}))
        d["scale"] = sc
        if i.reference is not None:
            d["reference"] = _num_out(i.reference)
        if i.rule is not None:
            d["rule"] = i.rule
        if i.veto_players:
            d["veto_players"] = list(i.veto_players)
        d.update(dump_rule_fields(i, _dump_evidence))
        issues.append(d)
    out["issues"] = issues
    stances = []
    for s in scenario.stances:
        d = {
            "actor": s.actor,
            "issue": s.issue,
            "position": _num_out(s.position),
            "salience": _num_out(s.salience),
        }
        for key in ("capability", "sd", "low", "high"):
            v = getattr(s, key)
            if v is not None:
                d[key] = _num_out(v)
        if s.evidence:
            d["evidence"] = _dump_evidence(s.evidence)
        stances.append(d)
    out["stances"] = stances
    if scenario.dynamics:
        out["dynamics"] = dict(scenario.dynamics)
    if scenario.panel is not None:
        out["panel"] = dict(dump_panel(scenario.panel))
    return out
