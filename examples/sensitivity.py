"""Uncertainty and levers on the column scenario: intervals, knock-out, what would it take."""

import os

from detente import get_model, knockout, load_builtin, run_ensemble, what_it_takes
from detente.analysis.summary import summarize

scenario = load_builtin("ukraine-2025")
model = get_model("compromise")
draws = 200 if os.environ.get("DETENTE_EXAMPLE_SMALL") else 5000

for s in summarize(run_ensemble(model, scenario, n_draws=draws, seed=7)):
    print(f"{s.issue:24s} mean {s.mean:5.1f}  90% interval {s.quantiles['5']:5.1f}-{s.quantiles['95']:5.1f}")

ko = knockout(model, scenario)
for issue in scenario.issues:
    actor, change = ko.ranked(issue.id)[0]
    print(f"without {actor:14s} the forecast on {issue.name!r} moves by {change:+.1f}")

issue = scenario.issue("line_of_separation")
wit = what_it_takes(model, scenario, issue.id, ">=", 60.0)
for lever in wit.feasible()[:3]:
    print(lever.sentence(issue.name, ">= 60"))
