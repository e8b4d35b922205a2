"""Forecast the built-in column scenario with the compromise and median models."""

from detente import forecast, get_model, load_builtin

scenario = load_builtin("ukraine-2025")
for name in ("compromise", "median", "nbs"):
    result = forecast(get_model(name), scenario)
    for issue, value in zip(scenario.issues, result.outcome, strict=True):
        print(f"{name:10s} {issue.name:55s} {value:6.1f}  ({issue.scale.describe(value)})")
