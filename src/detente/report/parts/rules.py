"""Part ``rules``: what each issue's decision rule changes (docs/decision_rules.md). Renders
``MainJobResult.rules``; issues without a declared rule are listed as falling back to a simple majority."""

from __future__ import annotations

from detente.analysis.main_job import MainJobResult
from detente.analysis.rule_effects import binding_summary
from detente.report.base import Part, Section, Table


def _g(v: float | None) -> str:
    return "—" if v is None else f"{v:.3g}"


def build(job: MainJobResult) -> Part:
    """A table (rule, acceptable set, compromise with and without it) and one sentence per binding rule."""
    effects = list(job.rules)
    if not effects:
        return Part(name="rules")
    names = {i.id: i.name for i in job.scenario.issues}
    rows = [
        [
            names[e.issue],
            e.rule,
            _g(e.reversion),
            f"{e.low:.3g} to {e.high:.3g}",
            _g(e.compromise),
            _g(e.constrained),
            _g(e.procedural),
            e.evidence or ("—" if e.declared else "no rule declared"),
        ]
        for e in effects
    ]
    table = Table(
        "What the decision rules change",
        [
            "issue",
            "rule",
            "status quo",
            "pivots accept",
            "compromise",
            "within the rule",
            "procedural",
            "why this rule",
        ],
        rows,
        caption="'Pivots accept': every outcome each pivotal actor (veto player, or the pivot of the "
        "majority) weakly prefers to the status quo. 'Within the rule': the compromise moved into that set "
        "(rule_compromise model); 'procedural': the agenda setter's best point in it (procedural model).",
    )
    binding = [e.text for e in effects if e.declared and e.binding is not None]
    undeclared = [names[e.issue] for e in effects if not e.declared]
    notes = (
        [f"No decision rule declared for {', '.join(undeclared)}: simple majority of capability assumed."]
        if undeclared
        else []
    )
    section = Section(
        id="rules",
        title="Decision rules",
        caption="How each issue is decided bounds where it can land: under consensus the most reluctant "
        "member holds the line at the status quo; a unilateral decider can only be persuaded. "
        + " ".join(notes),
        tables=[table],
    )
    return Part(
        name="rules",
        tables=[table],
        sections=[section],
        notes=notes,
        headline=binding,
        brief=[binding_summary(job.scenario, effects)] if binding else [],  # one sentence for the terminal
        manifest={"rules": {e.issue: e.rule for e in effects}},
    )
