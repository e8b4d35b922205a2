"""Plain sentences from a model's event log: why one actor moved or stayed, round by round.

Generic over the event kinds of models.md §0 (``challenge``, ``confrontation``, ``compromise``,
``capitulation``, ``exchange``, ``bargain``): every model fills the :class:`~detente.core.results.EventLog`
columns ``actor`` (who moved or acted), ``counterpart`` (because of whom), ``issue`` (and ``issue2``
for joint moves), ``before``/``after`` (the actor's position, unit scale), ``value`` (the deciding
number) and model-specific ``extra`` columns (EUM: ``a``, ``b``; exchange: e.g. ``gain``).
Positions are reported in the issue's own units with the scale's words (``Scale.describe``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from detente.analysis.summary import IssueBrief
from detente.core.results import EventLog
from detente.core.scenario import Issue, Scenario
from detente.core.text import possessive


@dataclass
class RoundStory:
    """What happened to one actor on one issue in one round (plain sentences)."""

    round: int
    moved: bool
    sentences: list[str] = field(default_factory=list)
    last_round: int = 0  # > round when identical quiet rounds were merged
    key: tuple[Any, ...] = ()

    @property
    def label(self) -> str:
        if self.last_round > self.round:
            return f"Rounds {self.round}–{self.last_round}"
        return f"Round {self.round}"

    def text(self) -> str:
        return " ".join(self.sentences)


@dataclass
class ActorStory:
    """An actor's story on one issue: an opening, one entry per round, a closing."""

    actor: str
    issue: str
    title: str
    opening: list[str]
    rounds: list[RoundStory]
    closing: list[str]

    def text(self, width: int | None = None) -> str:
        paras = [self.title, " ".join(self.opening)]
        paras += [f"{r.label}: {r.text()}" for r in self.rounds]
        paras.append(" ".join(self.closing))
        return "\n\n".join(p for p in paras if p)


def _num(v: float) -> str:
    if not math.isfinite(v):
        return "n/a"
    return f"{v:.2f}".rstrip("0").rstrip(".") if abs(v) < 1e4 else f"{v:,.0f}"


def brief_sentence(issue: Issue, b: IssueBrief) -> str:
    """The "In brief" sentence of one issue: the lead model's point forecast (the number every
    command gives), its 90 % and 50 % intervals with their parts, the models' range.

    Models without a forecast on the issue are named with their reason, not counted in the range.
    """
    if math.isfinite(b.forecast):
        s = f"{issue.name}: the {b.lead} model's point forecast is {b.forecast:.1f} ({issue.scale.describe(b.forecast, reference=issue.reference)})"
    else:
        s = f"{issue.name}: the {b.lead} model gives no forecast"
    if b.has_interval:
        s += f", 90% interval {b.low:.1f}–{b.high:.1f}"
    d = b.detail  # the interval's parts and the end points (issue #14)
    # the parts right after the 90 % interval they make up: after the 50 % one they read as its parts (QA)
    if d is not None and d.parts():
        s += f" ({d.parts()})"
    if d is not None and math.isfinite(d.mid_low) and d.error_n:
        s += f", 50% interval {d.mid_low:.1f}–{d.mid_high:.1f}"
    if d is not None and (extra := [x for x in (d.reading, d.median_note()) if x]):
        s += "; " + "; ".join(extra)
    if b.n_models:
        s += (
            f"; the models range from {b.range_low:.1f} ({b.range_low_model}) "
            f"to {b.range_high:.1f} ({b.range_high_model})"
        )
    if b.left_out:
        by_reason: dict[str, list[str]] = {}
        for m, why in b.left_out.items():
            by_reason.setdefault(why, []).append(m)
        s += "; no forecast from " + "; ".join(f"{', '.join(ms)} ({why})" for why, ms in by_reason.items())
    return s + "."


def where(issue: Issue, value: float) -> str:
    """``7.5 (50% of the way from 'early' to 'late')`` — the value in units and in words."""
    words = issue.scale.describe(value, reference=issue.reference)
    return _num(value) if words == f"{value:g}" else f"{_num(value)} ({words})"


_MODEL_NAMES = {
    "eum": "expected-utility model",
    "exchange": "exchange model",
    "smp": "spatial model of politics",
}


def _eu(v: float) -> str:
    return f"{v:+.3f}"


def _names(scenario: Scenario) -> list[str]:
    return [a.label for a in scenario.actors]


def describe_event(row: dict[str, Any], scenario: Scenario, *, subject: int) -> str:
    """One sentence for one event, told from the side of actor index ``subject``.

    ``subject`` is the mover (``row["actor"]``) or the counterpart; kinds outside models.md §0
    get a neutral sentence.
    """
    names = _names(scenario)
    issue = scenario.issues[int(row["issue"])]
    me_mover = int(row["actor"]) == subject
    mover = names[int(row["actor"])]
    other = names[int(row["counterpart"])] if 0 <= int(row["counterpart"]) < len(names) else "another actor"
    b4 = issue.scale.from_unit(float(row["before"]))
    af = issue.scale.from_unit(float(row["after"]))
    kind = str(row["kind"])
    a = float(row.get("a", math.nan))
    b = float(row.get("b", math.nan))
    value = float(row.get("value", math.nan))
    move = f"from {_num(b4)} to {where(issue, af)}"
    if _num(b4) == _num(af):
        move = f"only marginally (staying at {where(issue, af)})"
    if not me_mover:
        # the subject caused someone else's move
        verbs = {
            "confrontation": f"{mover} lost a confrontation to {other} and moved {move}",
            "compromise": f"{mover} compromised with {other}, moving {move}",
            "capitulation": f"{mover} capitulated to {other}, moving {move}",
            "challenge": f"{other} challenged {mover}, who moved {move}",
            "exchange": f"{mover} traded with {other}, moving {move} on {issue.name}",
            "bargain": f"{mover} struck a bargain with {other}, moving {move}",
        }
        return verbs.get(kind, f"{mover} moved {move} because of {other} ({kind})") + "."
    if kind == "confrontation":
        s = f"{mover} lost a confrontation to {other} and moved all the way to {possessive(other)} position, {move}."
        if math.isfinite(a) and math.isfinite(b):
            s += (
                f" {mover} expected to gain from challenging {other} ({_eu(a)}), but it saw {other} "
                f"gaining more from pressing its demand ({_eu(b)}), so resisting was the worse bet."
            )
        return s
    if kind == "compromise":
        s = f"{mover} compromised with {other}, moving {move}."
        if math.isfinite(a) and math.isfinite(b) and b != 0:
            s += (
                f" Challenging {other} looked like a loss to {mover} (expected utility {_eu(a)}) while "
                f"{other} stood to gain {_eu(b)} by pressing; the gain outweighed the loss, so {mover} "
                f"met {other} {abs(a) / b:.0%} of the way (|a|/b)."
            )
        return s
    if kind == "capitulation":
        s = f"{mover} capitulated to {other}, moving all the way {move}."
        if math.isfinite(a) and math.isfinite(b):
            s += (
                f" Challenging {other} looked like a loss ({_eu(a)}) at least as large as {other}'s gain "
                f"from pressing ({_eu(b)}), so {mover} gave in completely."
            )
        return s
    if kind == "exchange":
        i2 = int(row.get("issue2", -1))
        tail = (
            f" in return for {other} moving on {scenario.issues[i2].name}"
            if 0 <= i2 < len(scenario.issues)
            else ""
        )
        gain = float(row.get("gain", value))
        g = f" (expected gain {gain:+.3g})" if math.isfinite(gain) else ""
        return f"{mover} traded with {other}: it moved {move} on {issue.name}{tail}{g}."
    if kind == "bargain":
        v = f" (value {value:+.3g})" if math.isfinite(value) else ""
        return f"{mover} struck a bargain with {other} and moved {move}{v}."
    if kind == "challenge":
        v = f" (expected utility {value:+.3g})" if math.isfinite(value) else ""
        return f"{mover} was challenged by {other} and moved {move}{v}."
    return f"{mover} moved {move} because of {other} ({kind})."


def _stay_sentence(
    model: str, name: str, issue: Issue, pos: float, press: tuple[str, float, float] | None = None
) -> str:
    """Why an actor stayed; for the EUM with the strongest pressure it faced (rival, a, b)."""
    s = f"{name} stayed at {where(issue, pos)}"
    if model != "eum":
        return s + "."
    if press is None:
        return s + ": every other actor already stood at the same position, so there was nothing to settle."
    rival, a, b = press
    if not (b > 0):
        return (
            s + f": no rival expected to gain by pressing it — even the best prospect, {possessive(rival)}, "
            f"was {_eu(b)} as {name} saw it."
        )
    if a > 0:
        return (
            s
            + f": the strongest pressure came from {rival} ({_eu(b)}), but {name} expected at least as much "
            f"from challenging {rival} itself ({_eu(a)}), so it held firm."
        )
    return (
        s
        + f": the strongest pressure came from {rival} ({_eu(b)}) but it did not add up to an offer {name} would take."
    )


def actor_story(
    scenario: Scenario,
    events: EventLog | None,
    actor_id: str,
    issue_id: str,
    *,
    model: str = "eum",
    trajectory: Any = None,
    round_stats: dict[str, Any] | None = None,
    status: str = "",
    forecast: float | None = None,
    pressure: dict[str, Any] | None = None,
    batch: int = 0,
) -> ActorStory:
    """The story of ``actor_id`` on ``issue_id``.

    ``trajectory`` (T+1, A, I) and ``round_stats`` (name -> (T+1, I)) are on the unit scale, as
    in a :class:`~detente.core.results.Prediction`; ``forecast`` in issue units. ``pressure`` is the
    EUM's ``extras["pressure"]`` (``proposer``, ``a``, ``b`` of shape (T, A, I)): the strongest offer
    each actor faced, used to say why it stayed. Identical quiet rounds are merged.
    """
    a_idx = scenario.actor_ids.index(actor_id)
    i_idx = scenario.issue_ids.index(issue_id)
    issue = scenario.issues[i_idx]
    name = scenario.actors[a_idx].label
    rows = [] if events is None else [r for r in events.rows() if r["batch"] == batch]
    mine = [r for r in rows if r["issue"] == i_idx or r.get("issue2", -1) == i_idx]
    traj = None if trajectory is None else np.asarray(trajectory)
    n_rounds = traj.shape[0] - 1 if traj is not None else max((int(r["round"]) for r in mine), default=0)

    def pos(t: int) -> float:
        if traj is None:
            return math.nan
        return issue.scale.from_unit(float(traj[t, a_idx, i_idx]))

    def stat(nm: str, t: int) -> float:
        if not round_stats or nm not in round_stats:
            return math.nan
        return issue.scale.from_unit(float(np.asarray(round_stats[nm])[t, i_idx]))

    lo, hi = issue.scale.labels
    ends = f" ({_num(issue.scale.low)} = {lo} … {_num(issue.scale.high)} = {hi})" if lo or hi else ""
    title = f"{name} on “{issue.name}”{ends}"
    stance = next((s for s in scenario.stances if s.actor == actor_id and s.issue == issue_id), None)
    opening: list[str] = []
    if stance is None:
        opening.append(f"{name} takes no position on this issue, so the {model} model leaves it out.")
        return ActorStory(actor_id, issue_id, title, opening, [], [])
    cap = stance.capability if stance.capability is not None else scenario.actors[a_idx].capability
    opening.append(
        f"{name} starts at {where(issue, stance.position)} with salience {stance.salience:.2f} and "
        f"capability {cap:g}."
    )
    med0 = stat("median", 0)
    if math.isfinite(med0):
        opening.append(
            f"The weighted median (the position that beats every other in pairwise votes) is {where(issue, med0)}."
        )
    stories: list[RoundStory] = []
    for t in range(1, n_rounds + 1):
        rt = [r for r in mine if int(r["round"]) == t]
        own = [r for r in rt if int(r["actor"]) == a_idx]
        caused = [r for r in rt if int(r["counterpart"]) == a_idx and int(r["actor"]) != a_idx]
        sentences = [describe_event(r, scenario, subject=a_idx) for r in own]
        moved = bool(own) and any(abs(float(r["after"]) - float(r["before"])) > 0 for r in own)
        press = None
        if pressure is not None:
            j = int(np.asarray(pressure["proposer"])[t - 1, a_idx, i_idx])
            if j >= 0:
                press = (
                    _names(scenario)[j],
                    float(np.asarray(pressure["a"])[t - 1, a_idx, i_idx]),
                    float(np.asarray(pressure["b"])[t - 1, a_idx, i_idx]),
                )
        if not own:
            p = pos(t)
            sentences.append(
                _stay_sentence(model, name, issue, p if math.isfinite(p) else stance.position, press)
            )
        if caused:
            sentences.append(
                "Meanwhile " + " ".join(describe_event(r, scenario, subject=a_idx) for r in caused)
            )
        m = stat("median", t)
        if math.isfinite(m):
            sentences.append(f"After round {t} the weighted median is {where(issue, m)}.")
        reason = None if press is None else ("nobody" if not press[2] > 0 else press[0])
        key = () if own or caused else (pos(t), stat("median", t), reason)
        if key and stories and stories[-1].key and stories[-1].key[:3] == key:
            last = stories[-1]
            last.last_round = t
            # keep the first round's numbers; say the quiet spell lasted
            continue
        story = RoundStory(t, moved, sentences, key=key)
        stories.append(story)
    for s in stories:
        if s.last_round > s.round:
            s.sentences = [
                x.replace(f"After round {s.round} ", f"Through round {s.last_round} ") for x in s.sentences
            ]
    closing: list[str] = []
    if n_rounds:
        rounds_word = "round" if n_rounds == 1 else "rounds"
        closing.append(f"After {n_rounds} {rounds_word} {name} is at {where(issue, pos(n_rounds))}.")
        n_moves = sum(1 for s in stories if s.moved)
        closing.append(f"It moved in {n_moves} of {n_rounds} rounds.")
    if forecast is not None and math.isfinite(forecast):
        closing.append(
            f"The {_MODEL_NAMES.get(model, model)} forecasts {where(issue, forecast)} for the issue"
            + (f" (status: {status})." if status else ".")
        )
    if status == "oscillating":
        closing.append(
            "The positions never settle: the forecast keeps swinging, so read it as a range rather than a point."
        )
    elif status == "cycled":
        closing.append(
            "The positions go round in a repeating cycle, so the forecast depends on the round where the run "
            "stops: read it as a range rather than a point."
        )
    return ActorStory(actor_id, issue_id, title, opening, stories, closing)


def perspective_sentences(
    scenario: Scenario, persp: Any, actor_id: str, issue_id: str, *, top: int = 3
) -> list[str]:
    """Plain sentences for the quadrant chart of one viewer on one issue (EUM, round 0).

    ``persp`` is the model's ``extras["perspective"]``: for rival ``j`` the viewer ``h`` weighs its own
    expected utility of challenging ``j`` (``own[h, j, d] = E^h(U_hj)``) against ``j``'s expected
    utility of challenging ``h`` (``rival[h, j, d] = E^h(U_jh)``).
    """
    h = scenario.actor_ids.index(actor_id)
    d = scenario.issue_ids.index(issue_id)
    own, rival = np.asarray(persp["own"]), np.asarray(persp["rival"])
    names = _names(scenario)
    present = {s.actor for s in scenario.stances if s.issue == issue_id}
    rivals = [j for j, aid in enumerate(scenario.actor_ids) if j != h and aid in present]
    if actor_id not in present or not rivals:
        return []

    def eu(v: float) -> float:
        # an expected utility within 1e-12 of 0 is 0: at distance 0, U_s = U_f = U_sq and eq. 25
        # gives exactly 0 (models.md §4), which the kernels' exp(r·log) rounds to ±1e-16
        return 0.0 if abs(v) < 1e-12 else v

    pts = [(j, eu(float(own[h, j, d])), eu(float(rival[h, j, d]))) for j in rivals]
    # quadrants (Bueno de Mesquita's perspective chart): x = h's gain from challenging j,
    # y = j's gain from challenging h, both as h estimates them
    press = sorted([p for p in pts if p[1] > 0 and p[1] > p[2]], key=lambda p: -p[1])
    threat = sorted([p for p in pts if p[2] > 0 and p[2] >= p[1]], key=lambda p: -p[2])
    quiet = [p for p in pts if p[1] <= 0 and p[2] <= 0]
    me = names[h]
    out = []

    def lst(items: list[tuple[int, float, float]], mine_first: bool) -> str:
        shown = ", ".join(
            f"{names[j]} ({_eu(x)} vs {_eu(y)})" if mine_first else f"{names[j]} ({_eu(y)} vs {_eu(x)})"
            for j, x, y in items[:top]
        )
        more = len(items) - top
        return shown + (f" and {more} more" if more > 0 else "")

    if press:
        out.append(
            f"At the start {me} expects to come out ahead if it challenges {lst(press, True)} "
            f"(its own expected gain vs the rival's)."
        )
    if threat:
        out.append(
            f"It expects to be pressed by {lst(threat, False)} (the rival's expected gain vs its own)."
        )
    if quiet:
        out.append(
            f"With {', '.join(names[j] for j, _, _ in quiet)} neither side expects to gain: a stand-off."
        )
    return out
