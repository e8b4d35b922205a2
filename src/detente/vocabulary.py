"""The one vocabulary of the command line and the JSON API (docs/vocabulary.md says the same).

Every option of every command, every argument and every field of an API request body is one of the
names below, with one meaning. ``tests/cli/test_vocabulary.py`` walks the commands and the API's
request models and fails on a name outside these lists, and checks docs/vocabulary.md against them.

Old spellings keep working for one release: :func:`modernise` rewrites a command's arguments (one
``detente: --runs is deprecated; use --draws`` line on stderr each), and the API's request bodies
map :data:`DEPRECATED_FIELDS` to their new names (``detente.web.schemas``), saying so in the response.
"""

from __future__ import annotations

from collections.abc import Sequence

OPTIONS: dict[str, str] = {
    # shared by many commands: the same name always means the same thing
    "--format": "how the result is printed on standard output: table (default), json or csv",
    "--draws": "number of Monte Carlo draws (sweep, simulate; sensitivity: the Sobol base sample; forecast: a "
    "seeded sweep whose spread is added to each forecast's quantiles, default 0 = none)",
    "--seed": "the one seed of every random step: the same seed gives the same numbers",
    "--out": "the data file to write (CSV, JSON or a scenario file; elicit export: the folder), never the HTML report",
    "--report": "the self-contained HTML report to write",
    "--model": "a model name (detente models lists them); repeatable where several can run",
    "--set": "a model or simulator parameter, NAME=VALUE (repeatable)",
    "--issue": "an issue id (explain: or its name)",
    "--actor": "an actor id or name",
    "--scenario": "the reference of the scenario a ledger forecast came from (e.g. ukraine-2025@2), or that "
    "returned questionnaires answer (elicit import)",
    "--from": "the format of the scenario file read, instead of detecting it",
    "--to": "the format of the file written: convert, instead of its extension's; elicit export: xlsx or csv",
    # one command each
    "--target": "levers: the target, '>=VALUE' or '<=VALUE' in the issue's units",
    "--threshold": "sweep: ISSUE=VALUE, report P(outcome >= VALUE) (repeatable)",
    "--groups": "cohesion: the two groups (or actor ids) compared, A,B",
    "--cut": "cohesion: merge blocs while their average distance is at most this share of the scale",
    "--method": "sensitivity: tornado, knockout or sobol",
    "--top": "sensitivity: rows per issue",
    "--chunk": "sweep: draws per model call",
    "--workers": "sweep: start a local Dask cluster with this many workers",
    "--processes": "sweep: local worker processes without Dask",
    "--scheduler": "sweep: the address of an existing Dask scheduler",
    "--position-sd": "sweep: position noise as a share of the scale",
    "--salience-sd": "sweep: salience noise (absolute, on 0-1)",
    "--capability-sd": "sweep: capability noise (log-normal sigma)",
    "--dropout": "sweep: probability that an actor drops out of a draw",
    "--full": "run: print every table after the brief",
    "--thorough": "run, report: larger sweeps and simulations (slower)",
    "--months": "simulate: months to simulate",
    "--preset": "simulate: a reference mode, rubinstein or fearon",
    "--capability": "backtest, calibrate: how capability is measured: votes, ssi, banzhaf or equal",
    "--missing-salience": "backtest: impute or drop missing saliences",
    "--calibration": "the model-error part of the predictive distributions: default (the shipped DEU error "
    "models), none, an error-model FILE (detente calibrate); backtest also crossfit (its default)",
    "--folds": "backtest: K of the cross-fitting by proposal (--calibration crossfit)",
    "--error-model": "backtest, calibrate: the error model fitted: hurdle (end masses + interior quantile "
    "regression, default) or quantile_regression",
    "--resolves": "ledger add: the date the answer will be known, YYYY-MM-DD",
    "--kind": "ledger add: binary (a yes/no question) or numeric",
    "--note": "ledger add: free text kept with the forecast",
    "--quantiles": "ledger add: a numeric forecast's quantiles, LEVEL:VALUE pairs in percent (scored with the CRPS)",
    "--open": "ledger list: only the forecasts not resolved yet",
    "--force": "ledger resolve: replace the outcome of a resolved forecast",
    "--db": "the database URL or SQLite file (default: $DETENTE_DB, else the user data directory)",
    "--host": "serve: the address to bind",
    "--port": "serve: the TCP port",
    "--token": "serve: the access token every request must carry",
    "--max-upload-mb": "serve: the upload size limit in MB",
    "--experts": "elicit export: the experts' ids, separated by commas",
    "--prefill": "elicit export: show the scenario's current values in the questionnaires (default: blind)",
    "--pool": "elicit import: how the experts' answers are pooled: median, mean, trimmed or weighted",
    "--into": "draft: merge into this scenario (a built-in name or a file): evidence added, nothing overwritten",
    "--source-title": "draft: the title of the text, shown with every quote",
    "--source-date": "draft: the date of the text",
    "--source-url": "draft: where the text was published",
    "--aliases": "draft: your own aliases, a CSV alias,actor[,name] or a YAML {alias: actor} file",
    "--templates": "draft: your own issue templates (YAML, the layout of the packaged ones)",
    "--lm-url": "draft: also ask this OpenAI-compatible endpoint (off unless given)",
    "--lm-model": "draft: the model name sent to --lm-url",
    "--version": "print the version and exit",
    "--help": "show the help of a command and exit",
}
"""Every long option name, with its one meaning."""

SHORT: dict[str, str] = {
    "-m": "--model",
    "-n": "--draws",
    "-i": "--issue",
    "-a": "--actor",
    "-t": "--target",
    "-g": "--groups",
}
"""The short forms; each stands for one long option only."""

ARGUMENTS: dict[str, str] = {
    "SCENARIO": "a built-in name (detente scenarios lists them) or a scenario file; default ukraine-2025",
    "SOURCE": "convert: the scenario to convert, a built-in name or a file",
    "OUT": "convert: the scenario file to write (the same meaning as --out)",
    "DATA": "backtest: the DEU data file",
    "QUESTION": "ledger add: the question forecast",
    "VALUE": "ledger add: the probability of yes (0 to 1), or the number forecast",
    "ENTRY": "ledger: the forecast's number",
    "OUTCOME": "ledger resolve: what happened, 1/0 or the number",
    "FILES": "elicit import: the returned questionnaires (.xlsx, .csv or .json)",
    "TEXT": "draft: the text to draft from (plain text, Markdown or HTML, UTF-8)",
}
"""Every positional argument (upper case, as help shows them)."""

API_FIELDS: dict[str, str] = {
    "scenario": "the scenario: a reference string as on the command line (a built-in name such as "
    "ukraine-2025, or a stored KEY or KEY@VERSION) or an inline scenario mapping",
    "model": "a model name, as --model",
    "set": "model parameters as a mapping {NAME: VALUE}, as --set NAME=VALUE",
    "seed": "the one seed, as --seed",
    "draws": "number of Monte Carlo draws, as --draws",
    "record": "store the run (manifest and results) in the database",
    "changes": "what-if: the changes to apply",
    "actor": "an actor id, as --actor",
    "issue": "an issue id, as --issue",
    "position": "what-if: the new position",
    "salience": "what-if: the new salience",
    "capability": "what-if: the new capability",
    "a": "compare: the first scenario reference",
    "b": "compare: the second scenario reference",
    "author": "who saves a scenario version",
    "key": "the key a scenario is stored under (default: its id)",
    "filename": "parse: the uploaded file's name (its extension picks the reader)",
    "content_base64": "parse: the file's content, base64",
    "save": "parse: store the parsed scenario too",
    "question": "ledger: the question, as QUESTION",
    "value": "ledger: the probability or number, as VALUE",
    "kind": "ledger: binary or numeric, as --kind",
    "resolves": "ledger: the resolution date, as --resolves",
    "note": "ledger: free text, as --note",
    "quantiles": "ledger: a numeric forecast's quantiles, level in percent -> value, as --quantiles",
    "outcome": "ledger resolve: what happened, as OUTCOME",
    "force": "ledger resolve: replace an earlier resolution, as --force",
    "experts": "panels: the experts' ids, separated by commas, as --experts",
    "pool": "panels: how the submitted answers are pooled, as --pool",
    "answers": "panels: an expert's answers, one mapping per actor and issue (the questionnaire's columns)",
    "submit": "panels: submit the answers (they can no longer be changed)",
    "text": "drafts: the text to draft from (plain text, Markdown or HTML)",
    "source_title": "drafts: the title of the text, as --source-title",
    "source_date": "drafts: the date of the text, as --source-date",
    "source_url": "drafts: where the text was published, as --source-url",
    "into": "drafts: merge into this scenario, as --into",
    "action": "drafts: accept or reject a drafted stance",
}
"""Every field of a JSON API request body: the command line's words without the dashes."""

FORM_FIELDS: dict[str, str] = {
    "csrf_token": "every form post: the page's anti-forgery token",
    "base": "editor: the scenario mapping the table was drawn from",
    "origin": "editor: the mapping the page was loaded with (a save's summary says what changed)",
    "file": "upload: the file (its extension picks the reader)",
}
"""The dashboard's own form fields that are not API fields. Every other field of a dashboard form is
an API field (the same word as the API and the command line); the editor's table cells are named
``actor-N-name``, ``stance-N-salience``, ...; ``tests/cli/test_vocabulary.py`` reads the templates."""

_JSON = ("--format", "json")
_REPORT: dict[str, tuple[str, ...]] = {"--out": ("--report",), "-o": ("--report",)}

DEPRECATED_OPTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "simulate": {"--runs": ("--draws",)},
    "run": _REPORT,  # --out was the HTML report; --out is always the data file now
    "report": _REPORT,
    "convert": {"--format": ("--to",)},  # --format is how stdout is printed; the file format is --to
    **{f"ledger {c}": {"--json": _JSON} for c in ("add", "list", "resolve", "history", "score")},
    "elicit export": {"--format": ("--to",)},  # issue #18's spelling; --format is how stdout is printed
}
"""Per command (its path after ``detente``): old spelling -> the arguments that replace it. Accepted
for one release (deprecated in 0.x, removed in the next), with one line on stderr."""

DEPRECATED_FIELDS: dict[str, str] = {
    "ref": "scenario",
    "n_draws": "draws",
    "n_runs": "draws",
    "params": "set",
    "resolution_date": "resolves",
    "scenario_ref": "scenario",
    "save_key": "key",
    "wi_actor": "actor",
    "wi_issue": "issue",
    "wi_position": "position",
    "wi_salience": "salience",
    "wi_capability": "capability",
}
"""API request fields and dashboard form fields: old name -> new name (where the request model or the
form has the new name). Accepted for one release; the response carries a ``Deprecation`` header."""

BUILTIN_PREFIX = "builtin:"
"""The API's old spelling of a built-in reference (``builtin:ukraine-2025`` for ``ukraine-2025``)."""


def deprecation(old: str, new: str) -> str:
    """The one deprecation line, the same for the command line and the API."""
    return f"{old} is deprecated; use {new}"


def modernise(command: str, args: Sequence[str]) -> tuple[list[str], list[str]]:
    """``args`` of ``command`` (e.g. ``"simulate"``, ``"ledger add"``) with old spellings replaced, and
    one deprecation message (``OLD is deprecated; use NEW``) per old spelling used, for the caller to show.

    ``--runs 5`` and ``--runs=5`` both become ``--draws 5``; nothing after ``--`` is touched.
    """
    table = DEPRECATED_OPTIONS.get(command)
    if not table:
        return list(args), []
    out: list[str] = []
    said: dict[str, str] = {}
    rest = iter(args)
    for arg in rest:
        if arg == "--":
            out += [arg, *rest]
            break
        name, eq, value = arg.partition("=")
        new = table.get(name) if name.startswith("-") else None
        if new is None:
            out.append(arg)
            continue
        out += [*new, value] if eq else list(new)
        said.setdefault(name, deprecation(name, " ".join(new)))
    return out, list(said.values())
