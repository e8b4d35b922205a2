"""Operations shared by the HTML pages and the JSON API (one handler per operation).

Nothing here touches a path given by a request: scenarios come from the built-ins (by a name
from ``builtin_names()``), from the store (by key and version) or from uploaded bytes written to a
fixed name inside a private temporary directory.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from detente.core.scenario import Scenario
from detente.errors import DetenteError, InputFileError, ScenarioError, StoreError
from detente.models.base import statuses_not_warnings

if TYPE_CHECKING:
    from detente.web.jobs import Job, JobManager

REF_RE = re.compile(
    r"^(?:builtin:(?P<builtin>[A-Za-z0-9_.\-]{1,80})|(?P<key>[A-Za-z0-9][A-Za-z0-9_.\-]{0,79})(?:@(?P<version>\d{1,9}))?)$"
)

# upload extension -> reader format of ``detente.io.files`` (None = detect among the text formats);
# only these extensions are ever parsed
UPLOAD_FORMATS: dict[str, str | None] = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".csv": None,  # tidy CSV, KTAB CSV or a BdM table, told apart by content
    ".xlsx": "xlsx",
    ".ktab": "ktab-csv",
    ".xml": "ktab-xml",
    ".txt": "decide",
    ".decide": "decide",
}


class WebError(DetenteError):
    """A request could not be served; ``status`` is the HTTP status."""

    def __init__(self, message: str, status: int = 400, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.problems = list(problems or [message])


# ------------------------------------------------------------------------------------------ conversion
def scenario_to_mapping(scenario: Scenario) -> dict[str, Any]:
    """The native mapping of a scenario (``io.mapping.dump_scenario`` when present)."""
    from detente.io.mapping import dump_scenario

    return dict(dump_scenario(scenario))


def mapping_to_scenario(data: Mapping[str, Any]) -> Scenario:
    """Parse a native mapping; any malformed content becomes a ``ScenarioError`` with problems."""
    from detente.io.mapping import parse_scenario

    if not isinstance(data, Mapping):
        raise ScenarioError("scenario: expected a mapping of id, actors, issues and stances")
    try:
        return parse_scenario(dict(data))
    except ScenarioError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        what = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
        raise ScenarioError(f"scenario: {what}") from exc


def scenario_yaml(scenario: Scenario) -> str:
    """The scenario as YAML text (the native layout)."""
    from detente.io.files import dump_yaml

    return str(dump_yaml(scenario))


# ------------------------------------------------------------------------------------------ refs
def parse_ref(ref: str) -> tuple[str, str | None, int | None]:
    """('builtin', name, None) or ('store', key, version|None); ``WebError`` if malformed."""
    m = REF_RE.match(ref or "")
    if not m:
        raise WebError(
            f"scenario reference: expected a built-in NAME, KEY or KEY@VERSION, received {ref[:80]!r}", 400
        )
    if m.group("builtin"):
        return "builtin", m.group("builtin"), None
    v = m.group("version")
    return "store", m.group("key"), int(v) if v else None


def load_ref(ref: str, store: Any) -> tuple[Scenario, dict[str, Any], str]:
    """(scenario, mapping, canonical reference) for a built-in or stored scenario.

    ``ref`` is parsed by :func:`parse_ref` (a bare ``KEY`` is a stored key: callers turn a built-in
    name into ``builtin:NAME`` first, ``detente.web.schemas.reference``). The canonical reference is
    the vocabulary's (docs/vocabulary.md): a built-in's plain name, a stored ``KEY@VERSION``."""
    kind, name, version = parse_ref(ref)
    if kind == "builtin":
        if name not in builtin_names():
            raise WebError(
                f"built-in scenario {name!r}: unknown (expected one of {', '.join(builtin_names())})", 404
            )
        sc, text = builtin_scenario(str(name))
        return sc, json.loads(text), str(name)
    try:
        sv = store.get_scenario(name, version)
    except StoreError as exc:
        raise WebError(str(exc), 404) from exc
    return mapping_to_scenario(sv.data), sv.data, sv.ref


@functools.lru_cache(maxsize=1)
def builtin_names() -> tuple[str, ...]:
    """Names of the packaged scenarios (cached: they do not change while the server runs)."""
    from detente.io.builtin import builtin_names as names

    return tuple(names())


@functools.lru_cache(maxsize=64)
def builtin_scenario(name: str) -> tuple[Scenario, str]:
    """A parsed built-in (frozen, safe to share) and its mapping as JSON (callers get a fresh copy)."""
    from detente.io.builtin import load_builtin

    sc = load_builtin(name)
    return sc, json.dumps(scenario_to_mapping(sc), ensure_ascii=False)


def read_upload(data: bytes, filename: str) -> Scenario:
    """Parse uploaded bytes in one of :data:`UPLOAD_FORMATS` (decided by the extension only).

    The bytes are written to a fixed name in a private temporary directory; the client's file
    name is used for its extension and for messages, never as a path.
    """
    base = os.path.basename((filename or "").replace("\\", "/"))[:120] or "upload"
    ext = os.path.splitext(base)[1].lower()
    if ext not in UPLOAD_FORMATS:
        raise WebError(
            f"{base}: unsupported file type {ext or '(none)'} (expected one of {', '.join(sorted(UPLOAD_FORMATS))})",
            415,
        )
    with tempfile.TemporaryDirectory(prefix="detente-upload-") as tmpdir:
        os.chmod(tmpdir, 0o700)
        path = os.path.join(tmpdir, "upload" + ext)
        with open(path, "wb") as fh:
            fh.write(data)
        try:
            return _read_path(path, ext)
        except InputFileError as exc:
            raise WebError(
                str(exc).replace(path, base).replace(tmpdir, ""),
                422,
                [p.replace(path, base) for p in exc.problems],
            ) from exc
        except ScenarioError as exc:
            raise WebError(f"{base}: {exc}", 422, exc.problems) from exc
        except DetenteError as exc:
            raise WebError(f"{base}: {str(exc).replace(path, base)}", 422) from exc
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            raise WebError(f"{base}: cannot read this file ({type(exc).__name__})", 422) from exc


def _read_path(path: str, ext: str) -> Scenario:
    from detente.io.files import read_scenario

    return read_scenario(path, format=UPLOAD_FORMATS[ext], max_bytes=max(os.path.getsize(path), 1))


# ------------------------------------------------------------------------------------------ models
def model_list() -> list[dict[str, Any]]:
    from detente.models import available_models, model_class

    out = []
    for name in available_models():
        cls = model_class(name)
        info = getattr(cls, "info", None)
        params = {}
        for f in dataclasses.fields(cls):
            d = f.default if f.default is not dataclasses.MISSING else None
            params[f.name] = d if isinstance(d, (int, float, str, bool, type(None))) else str(d)
        out.append(
            {
                "name": name,
                "dynamic": bool(getattr(info, "dynamic", False)),
                "stochastic": bool(getattr(info, "stochastic", False)),
                "description": str(
                    getattr(info, "description", "") or (cls.__doc__ or "").strip().split("\n")[0]
                ),
                "params": params,
            }
        )
    return out


def parse_params(text: str) -> dict[str, str]:
    """``"variant=bdm1994, rounds=20"`` -> ``{"variant": "bdm1994", "rounds": "20"}`` (typed by the model)."""
    from detente.models.registry import SettingSyntaxError, parse_settings

    try:
        return parse_settings(item for item in re.split(r"[\s,;]+", (text or "").strip()) if item)
    except SettingSyntaxError as exc:
        raise WebError(f"parameters: expected NAME=VALUE, received {exc.item[:40]!r}", 422) from None


def build_model(name: str, params: Mapping[str, Any] | None = None) -> Any:
    """Model ``name`` with ``params`` (models.registry.build_model: an unknown name is a ModelConfigError naming it)."""
    from detente.models.registry import build_model as registry_build_model

    return registry_build_model(name, params)


def run_forecast(
    scenario: Scenario, model: str, params: Mapping[str, Any] | None = None, seed: int = 0
) -> Any:
    """Model ``model`` with ``params`` on the scenario, as ``detente forecast`` runs it (analysis.runs)."""
    from detente.analysis.runs import point_forecast

    return point_forecast(build_model(model, params), scenario, seed)


def forecast_json(scenario: Scenario, fc: Any, pred: Any = None) -> dict[str, Any]:
    """The forecast for the API and the pages (``io.documents.web_forecast``, built on the CLI's
    result) with each issue's predictive distribution as ``detente forecast --format json`` gives it
    by default: the shipped error models' model error, no sweep (``analysis.runs.predictive``);
    ``pred``: that distribution when the caller has it already (:func:`forecast_intervals`)."""
    from detente.analysis.intervals import domain_caveat
    from detente.analysis.runs import predictive
    from detente.io.documents import web_forecast
    from detente.io.error_models import default_error_models

    ems = default_error_models()
    caveat = domain_caveat(scenario, ems, short=True)
    return web_forecast(scenario, fc, pred if pred is not None else predictive(scenario, fc, ems), caveat)


def forecast_intervals(scenario: Scenario, fc: Any) -> Any:
    """``fc``'s predictive distributions and read-outs (``analysis.intervals.Intervals``) with the
    shipped error models' model error, no sweep: the same distribution :func:`forecast_json` gives,
    once for the Run table and the chart's interval bars."""
    import numpy as np

    from detente.analysis.intervals import intervals
    from detente.io.error_models import default_error_models

    return intervals(scenario, {fc.model: np.asarray(fc.outcome, dtype=float)}, {}, default_error_models())


def forecast_view(scenario: Scenario, fc: Any) -> tuple[dict[str, Any], Any]:
    """``fc`` as the pages show it: its JSON (:func:`forecast_json`) and its intervals
    (:func:`forecast_intervals`, for the chart's bars), the predictive distribution computed once."""
    ivals = forecast_intervals(scenario, fc)
    return forecast_json(scenario, fc, ivals.by_model[fc.model]), ivals


def intervals_under(labels: Mapping[str, tuple[Any, str]]) -> Any:
    """One ``Intervals`` whose models are ``labels`` (label -> (intervals, model)): e.g. the what-if's
    "as entered" and "what-if", two runs of one model, each with its own distribution, for one chart.
    Nothing is recomputed; the source, N and caveat are the first's (the same error models)."""
    first = next(iter(labels.values()))[0]
    return dataclasses.replace(
        first,
        by_model={lab: iv.by_model[m] for lab, (iv, m) in labels.items()},
        readouts={lab: iv.readouts[m] for lab, (iv, m) in labels.items()},
    )


# ------------------------------------------------------------------------------------------ what-if
def apply_whatif(data: Mapping[str, Any], changes: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Copy of ``data`` with actors' position (per issue), salience (per issue or all) and capability changed."""
    out = {k: v for k, v in data.items()}
    actors = [dict(a) for a in data.get("actors", [])]
    stances = [dict(s) for s in data.get("stances", [])]
    ids = {str(a.get("id")) for a in actors}
    for ch in changes:
        actor = str(ch.get("actor", ""))
        if actor not in ids:
            raise WebError(
                f"what-if: unknown actor {actor!r} (expected one of {', '.join(sorted(ids))})", 422
            )
        issue = ch.get("issue")
        for key in ("position", "salience", "capability"):
            if ch.get(key) is None or ch.get(key) == "":
                continue
            try:
                val = float(ch[key])
            except (TypeError, ValueError) as exc:
                raise WebError(
                    f"what-if {actor}: {key}: expected a number, received {ch[key]!r}", 422
                ) from exc
            if key == "capability" and not issue:
                for a in actors:
                    if a.get("id") == actor:
                        a["capability"] = val
                continue
            hit = False
            for s in stances:
                if s.get("actor") == actor and (not issue or s.get("issue") == issue):
                    s[key] = val
                    hit = True
            if not hit:
                raise WebError(f"what-if {actor}: no stance on issue {issue!r}", 422)
    out["actors"], out["stances"] = actors, stances
    return out


# ------------------------------------------------------------------------------------------ shared operations
# what the pages and the JSON API both do, done once (the routers only read requests and render)
def safe_key(text: str) -> str:
    """A store key made from ``text`` (a scenario id): letters, digits, ``_.-``; ``scenario`` if none."""
    key = re.sub(r"[^A-Za-z0-9_.\-]+", "-", text or "").strip("-.")[:80]
    return key or "scenario"


def source_scenario(
    scenario: str | Mapping[str, Any] | None, store: Any
) -> tuple[Scenario, dict[str, Any], str]:
    """(scenario, mapping, reference) of an API body's ``scenario``: an inline mapping or a reference."""
    if isinstance(scenario, Mapping):
        return mapping_to_scenario(scenario), dict(scenario), "inline"
    if scenario:
        return load_ref(scenario, store)
    raise WebError("scenario: expected a reference (e.g. ukraine-2025) or an inline scenario mapping", 422)


def save_scenario(
    store: Any, scenario: Scenario, data: Mapping[str, Any], *, author: str, key: str | None = None
) -> Any:
    """Save ``data`` as a new version of ``key`` (default: the scenario id made a safe key)."""
    return store.save_scenario(data, author=author, key=key or safe_key(scenario.id), summary=None)


def changed_scenario(data: Mapping[str, Any], changes: Sequence[Mapping[str, Any]]) -> Scenario:
    """The what-if scenario: ``data`` with ``changes`` applied (:func:`apply_whatif`), parsed."""
    return mapping_to_scenario(apply_whatif(data, changes))


def compare(a: str, b: str, model: str, seed: int, store: Any) -> dict[str, Any]:
    """Scenarios ``a`` and ``b`` under one model: each side's forecast and chart, and the differences."""
    out: dict[str, Any] = {"model": model, "seed": seed, "sides": []}
    for ref in (a, b):
        sc, _data, canon = load_ref(ref, store)
        fc = run_forecast(sc, model, None, seed)
        res, ivals = forecast_view(sc, fc)  # the side's table and its chart's bars, as on Run
        out["sides"].append(
            {
                "scenario": canon,
                "title": sc.title or sc.id,
                "forecast": res,
                "sections": forecast_figure_html(
                    sc, {fc.model: fc}, prefix=f"cmp{len(out['sides'])}-", ivals=ivals
                ),
            }
        )
    ia = {i["issue"]: i for i in out["sides"][0]["forecast"]["issues"]}
    out["differences"] = [
        {
            "issue": i["issue"],
            "a": ia[i["issue"]]["forecast"],
            "b": i["forecast"],
            "difference": None
            if ia[i["issue"]]["forecast"] is None or i["forecast"] is None
            else i["forecast"] - ia[i["issue"]]["forecast"],
        }
        for i in out["sides"][1]["forecast"]["issues"]
        if i["issue"] in ia
    ]
    return out


def start_sweep(
    jobs: JobManager,
    store: Any,
    ref: str,
    scenario: Scenario,
    model: str,
    params: Mapping[str, Any],
    *,
    draws: int,
    seed: int,
    label: str,
) -> Job:
    """Submit a Monte Carlo sweep job (bad parameters fail now, not in the job); when it is done the
    run is stored (manifest, quantiles; the draws as .npz) and its id added to the result."""
    build_model(model, params)

    def record(job: Job) -> None:
        from detente import __version__
        from detente.core.hashing import scenario_hash

        arrays = job.result.pop("_arrays", None)
        run = store.save_run(
            scenario_ref=ref,
            model=model,
            variant="sweep",
            params=params,
            seed=seed,
            input_hash=scenario_hash(scenario),
            version=__version__,
            results={"issues": job.result["issues"], "draws": draws},
            arrays=arrays,
        )
        job.result["run_id"] = run.id

    return jobs.submit(
        "sweep",
        label,
        lambda p: sweep(scenario, model, draws=draws, seed=seed, progress=p, params=params),
        on_done=record,
    )


def start_simulate(jobs: JobManager, scenario: Scenario, *, draws: int, seed: int, label: str) -> Job:
    """Submit a simulator job of ``draws`` runs."""
    return jobs.submit("simulate", label, lambda p: simulate(scenario, draws=draws, seed=seed, progress=p))


def get_job(jobs: JobManager, job_id: str) -> Job:
    """The job ``job_id``; a 404 ``WebError`` if it is unknown or expired."""
    job = jobs.get(job_id)
    if job is None:
        raise WebError("job: unknown or expired", 404)
    return job


# ------------------------------------------------------------------------------------------ figures
def _fitted(section: Any) -> Any:
    """The section with its figures' titles wrapped to fit the dashboard's columns (web.figures)."""
    from detente.web.figures import fit

    for fig in section.figures:
        try:
            fit(fig)
        except Exception:  # cosmetic: a figure that cannot be fitted is drawn as the report draws it
            import logging

            logging.getLogger("detente.web").exception("could not fit figure of section %s", section.id)
    return section


def scenario_figure_html(scenario: Scenario) -> list[dict[str, Any]]:
    from detente.report.html import section_context
    from detente.report.parts.forecasts import scenario_section

    # the page's header shows the description already
    return [section_context(_fitted(scenario_section(scenario, with_description=False)), prefix="sc-")]


def forecast_figure_html(
    scenario: Scenario, results: dict[str, Any], prefix: str = "run-", ivals: Any = None
) -> list[dict[str, Any]]:
    """The report's "Forecast by model" chart of ``results``, with the 50 %/90 % interval bars of
    ``ivals`` (:func:`forecast_intervals`) when given."""
    from detente.report.html import section_context
    from detente.report.parts.forecasts import forecast_section

    return [section_context(_fitted(forecast_section(scenario, results, ivals=ivals)), prefix=prefix)]


def _main_job(scenario: Scenario, seed: int, part: str | None = None) -> Any:
    """The main job of ``detente run`` (quick), computed once for every part; ``None`` if it fails
    (then each part's main job runs alone, ``part``, so that one failing part does not sink the others)."""
    from detente.analysis.main_job import PARTS, MainJobOptions, main_job
    from detente.io.error_models import default_error_models

    try:
        with statuses_not_warnings():
            return main_job(  # intervals with the shipped error models, as detente run (issue #14)
                scenario,
                MainJobOptions(
                    seed=seed,
                    quick=True,
                    parts=PARTS if part is None else (part,),
                    error_model=default_error_models(),
                ),
            )
    except Exception:
        if part is not None:  # reported by the part
            raise
        return None


def part_sections(
    scenario: Scenario, seed: int = 0, progress: Any = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """The report's sections (quick mode) as HTML fragments, plus notes of parts that failed."""
    from detente.report.html import section_context
    from detente.report.parts import part_builders

    builders = part_builders()
    job = _main_job(scenario, seed)
    out: list[dict[str, Any]] = []
    notes: list[str] = []
    for k, (name, build) in enumerate(builders):
        try:
            with statuses_not_warnings():
                part = build(job if job is not None else _main_job(scenario, seed, name))
        except Exception as exc:  # one part failing must not sink the page
            notes.append(f"part {name} could not run: {' '.join(str(exc).split())[:200]}")
        else:
            out += [section_context(_fitted(s), prefix=f"p-{name}-") for s in part.sections]
            notes += list(part.notes)
        if progress is not None:
            progress((k + 1) / max(len(builders), 1))
    return out, notes


def build_report(scenario: Scenario, seed: int = 0, progress: Any = None) -> str:
    """The same self-contained HTML report as ``detente report`` (quick parts)."""
    from detente.report.html import render_scenario_report
    from detente.report.parts import part_builders

    parts = []
    builders = part_builders()
    job = _main_job(scenario, seed)
    for k, (name, build) in enumerate(builders):
        with statuses_not_warnings():
            parts.append(build(job if job is not None else _main_job(scenario, seed, name)))
        if progress is not None:
            progress((k + 1) / max(len(builders), 1))
    return render_scenario_report(scenario, parts, seed=seed, source="detente serve")


# ------------------------------------------------------------------------------------------ long runs
def sweep(
    scenario: Scenario,
    model: str,
    *,
    draws: int,
    seed: int,
    progress: Any = None,
    params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Monte Carlo sweep under the scenario's own uncertainty settings, as ``detente sweep`` runs it
    (``detente.analysis.runs.sweep``): quantiles per issue."""
    from detente.analysis import runs

    m = build_model(model, params)
    done = [0]

    def tick(k: int) -> None:
        done[0] += k
        if progress is not None:
            progress(done[0] / draws)

    ens = runs.sweep(m, scenario, draws=draws, seed=seed, progress=tick)
    from detente.io.documents import web_sweep

    out = web_sweep(scenario, model, ens, draws=draws, seed=seed)
    out["_arrays"] = {"outcomes": ens.raw_outcomes()}  # kept for the store (.npz), never sent
    return out


def simulate(
    scenario: Scenario, *, draws: int, seed: int, progress: Any = None, months: int = 24
) -> dict[str, Any]:
    """The war-bargaining simulator on the scenario's ``dynamics:``, summarised (``detente.analysis.runs.simulate``:
    without ``dynamics:`` only ``ukraine-2025`` runs, on the simulator's defaults; others get its ScenarioError)."""
    from detente.analysis import runs

    def tick(month: int, total: int) -> None:
        if progress is not None:
            progress(month / max(total, 1))

    result = runs.simulate(scenario, runs=draws, seed=seed, months=months, progress=tick)
    from detente.io.documents import web_simulate

    return web_simulate(scenario.id, result, draws=draws, seed=seed, months=months, scenario=scenario)
