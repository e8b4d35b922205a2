"""Store commands: ``detente ledger add|list|resolve|history|score`` and ``detente serve`` (the dashboard)."""

from __future__ import annotations

import errno
import ipaddress
import os
import re
from typing import Annotated, Any

import typer

from detente.cli.choices import Format, Kind
from detente.cli.common import console, fail, print_csv, print_json
from detente.core.text import plural

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL|FILE",
        help="database URL or SQLite file (default: $DETENTE_DB, else detente.sqlite in the user data directory)",
    ),
]
FormatOpt = Annotated[Format, typer.Option("--format", help="how to print the result")]


def _entry_columns() -> list[str]:
    """``--format csv`` of ledger entries: one column per field of a ledger entry."""
    import dataclasses

    from detente.store import LedgerEntry

    return [f.name for f in dataclasses.fields(LedgerEntry)]


def _csv_entry(e: Any) -> dict[str, Any]:
    """A ledger entry as a CSV row (its quantiles as ``LEVEL:VALUE`` pairs, as --quantiles takes them)."""
    row = dict(vars(e))
    q = row.get("quantiles")
    row["quantiles"] = ",".join(f"{a}:{v:g}" for a, v in q.items()) if q else ""
    return row


def _documents() -> Any:
    """The ledger documents' builders (detente.io.documents), imported when JSON is asked for."""
    from detente.io import documents

    return documents


def _db_url(db: str | None) -> str:
    """The database URL of ``--db`` (else ``$DETENTE_DB``, else the default file). A SQLite file
    named by the user must be in an existing folder, as every command's output file must be; only
    the default data directory is created (by the store)."""
    from pathlib import Path

    from detente.store import default_db_url, normalise_url

    given = db or os.environ.get("DETENTE_DB", "").strip()
    url = normalise_url(given) if given else default_db_url()
    if given and url.startswith("sqlite") and ":///" in url:
        path = url.split(":///", 1)[1]
        if path not in ("", ":memory:"):
            shown = Path(given).parent if "://" not in given else Path(path).parent
            if not Path(path).parent.is_dir():
                fail(f"{given}: folder {shown} does not exist")
    return url


def _db_name(db: str | None) -> str | None:
    """The database as the user named it (``--db X`` or ``DETENTE_DB=X``); None for the default file."""
    if db:
        return f"--db {db}"
    env = os.environ.get("DETENTE_DB", "").strip()
    return f"DETENTE_DB={env}" if env else None


def _store(db: str | None, *, read_only: bool = False, must_exist: bool = False) -> Any:
    """The store of ``--db``. A read-only command (``read_only``) never creates or changes a
    database, and one that can only change what is there (``must_exist``: resolve) never creates
    one: a file that does not exist is an error, except the default file, which only means that
    nothing has been recorded yet (an empty store in memory stands in for it). No command opens a
    file that is not SQLite, nor an SQLite database of another program."""
    from pathlib import Path

    from detente.errors import DetenteError
    from detente.store import Store

    url = _db_url(db)
    name = _db_name(db)
    file = url.split(":///", 1)[1] if url.startswith("sqlite:///") else ""
    missing = must_exist and file not in ("", ":memory:") and "?" not in file and not Path(file).exists()
    if not read_only and not missing and file not in ("", ":memory:") and "?" not in file:
        _check_writable(Path(file), name or file)
    try:
        if missing:
            st = Store("sqlite://") if name is None else None
        else:
            st = Store(url, read_only=read_only)
    except DetenteError as exc:
        if getattr(exc, "db_file", None) is None:
            fail(str(exc))
        missing = bool(getattr(exc, "db_missing", False))
        if not missing:
            fail(f"{name or exc.db_file}: {exc.db_reason}")  # type: ignore[attr-defined]
        st = Store("sqlite://") if name is None else None
    if st is None:
        fail(f"{name}: no such database (a ledger is created by 'detente ledger add')")
    _close_on_exit(st)
    return st


def _check_writable(path: Any, shown: str) -> None:
    """A command that writes needs the SQLite file and its folder writable (SQLite writes its
    ``-wal`` file beside the database): else one line, before SQLite's "unable to open database
    file". Reading commands (list, score, history) still read such a database."""
    folder = path.absolute().parent
    if path.is_file() and not os.access(path, os.W_OK):
        fail(
            f"{shown}: cannot write to it (the file is read-only; ledger list, history and score still read it)"
        )
    if (path.is_file() or not path.exists()) and folder.is_dir() and not os.access(folder, os.W_OK):
        what = "write to it" if path.exists() else "create it"
        fail(
            f"{shown}: cannot {what} (folder {folder} is read-only"
            + ("; ledger list, history and score still read it)" if path.exists() else ")")
        )


def _close_on_exit(st: Any) -> None:
    """Close the store when the command ends, so SQLite tidies its -wal and -shm files away."""
    import atexit

    from typer._click.globals import get_current_context  # typer's own click, as in app.py

    ctx = get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(st.close)
    else:  # pragma: no cover - commands always run in a click context
        atexit.register(st.close)


def _entry_row(e: Any) -> list[str]:
    return [
        str(e.id),
        e.created_at[:10],  # the date; 'ledger history ENTRY' shows the time
        e.question,
        e.kind,
        f"{e.value:g}",
        e.resolution_date or "—",
        "—" if e.outcome is None else f"{e.outcome:g}" + (" *" if e.earlier_resolutions else ""),
        "—" if e.score is None else _score_text(e.kind, e.score),
    ]


def _score_name(kind: str) -> str:
    return "Brier score" if kind == "binary" else "absolute error"


def _amount(x: float, digits: int = 4) -> str:
    """An absolute error or a CRPS, in the units of its question: ``digits`` significant digits
    (6.38, 0.2, 4.267), whole numbers from ``10**digits`` on (5000, not 5000.000), no exponent."""
    if abs(x) >= 10**digits:
        return f"{x:.0f}"
    return f"{x:.{digits}g}" if x == 0 or abs(x) >= 0.001 else f"{x:.2g}"


def _score_text(kind: str, score: float) -> str:
    """A stored score: a Brier score (0 to 1) with three decimals; an absolute error, the
    difference of two numbers printed with ``:g``, with as many digits as they have (up to six)."""
    return f"{score:.3f}" if kind == "binary" else _amount(score, 6)


def _warn(message: str) -> None:
    """A one-line warning on stderr: the input is used all the same."""
    import sys

    print("warning: " + " ".join(message.split()), file=sys.stderr)


def _resolution_text(e: Any) -> str:
    """The scores of a resolved forecast: its Brier score or absolute error and, with quantiles,
    the quantile CRPS and whether the central intervals held the outcome (store/ledger_scores.py)."""
    text = f"resolved #{e.id}: outcome {e.outcome:g}, {_score_name(e.kind)} {_score_text(e.kind, e.score)}"
    if not e.quantiles:
        return text
    from detente.store.ledger_scores import interval_hits, quantile_crps

    (crps,) = quantile_crps([e.outcome], [e.quantiles])
    text += f", CRPS {_amount(crps)}"
    hits = interval_hits(e.outcome, e.quantiles)
    if hits:
        text += "; " + ", ".join(
            f"{'inside' if inside else 'outside'} the central {c} % interval ({lo:g}–{hi:g})"
            for c, lo, hi, inside in hits
        )
    return text


def _not_found(st: Any, entry: int) -> str:
    """The one line for a forecast number the ledger does not have: which numbers it has."""
    ids = [e.id for e in st.ledger_list()]
    if not ids:
        return (
            f"ENTRY {entry}: no forecast #{entry}, the ledger is empty (record one with 'detente ledger add')"
        )
    shown = f"#{ids[0]}" if len(ids) == 1 else f"#{ids[0]} to #{ids[-1]}"
    return (
        f"ENTRY {entry}: no forecast #{entry} (expected a number that 'detente ledger list' shows: {shown})"
    )


def _is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


LEDGER = typer.Typer(
    help="Forecast ledger: write down forecasts with the date they resolve, record what happened, "
    "and see how good they were (yes/no questions: Brier and log score; numbers: absolute error, and "
    "CRPS and interval coverage when recorded with --quantiles).\n\n"
    "Example: detente ledger add 'Ceasefire signed by 2027-12-31?' 0.3 --resolves 2027-12-31, "
    "later detente ledger resolve 1 0 (it did not happen), then detente ledger score.",
    no_args_is_help=True,
)
"""``detente ledger``: its commands are the ``ledger_*`` functions below."""


def ledger_add(
    question: Annotated[
        str,
        typer.Argument(
            metavar="QUESTION", help="the question, e.g. 'Ceasefire signed by 2027-12-31?' (quote it)"
        ),
    ],
    value: Annotated[
        float,
        typer.Argument(
            metavar="VALUE",
            help="for a yes/no question the probability of yes, from 0 to 1 (0.3, not 30); else the number",
        ),
    ],
    resolves: Annotated[
        str, typer.Option("--resolves", metavar="DATE", help="when the answer will be known, YYYY-MM-DD")
    ] = "",
    kind: Annotated[
        Kind | None,
        typer.Option(
            "--kind",
            help="binary (yes/no, VALUE is a probability) or numeric; default: binary when the "
            "question ends with '?', else numeric",
        ),
    ] = None,
    scenario: Annotated[
        str,
        typer.Option(
            "--scenario", metavar="REF", help="scenario the forecast came from, e.g. ukraine-2025@2"
        ),
    ] = "",
    model: Annotated[
        str, typer.Option("--model", metavar="NAME", help="model that produced the forecast")
    ] = "",
    note: Annotated[
        str, typer.Option("--note", metavar="TEXT", help="free text kept with the forecast")
    ] = "",
    quantiles: Annotated[
        str | None,
        typer.Option(
            "--quantiles",
            metavar="LEVEL:VALUE,...",
            help="numeric forecasts: quantiles of the predictive distribution, levels in percent, "
            "e.g. 10:42,50:55,90:71 (or the JSON object 'quantiles' of detente forecast --format json); "
            "scored with the CRPS and interval coverage",
        ),
    ] = None,
    db: DbOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Record a forecast now.

    A question ending with '?' is a yes/no question: VALUE is the probability of yes and must lie between 0 and 1. A question answered by a number takes the number (add --kind numeric if it ends with '?') and may carry its quantiles (--quantiles). Nothing is written when the input is refused.
    """
    from detente.errors import DetenteError
    from detente.store import check_forecast
    from detente.store.ledger import forecast_warnings, parse_quantiles, quantiles_text

    qs = None
    try:  # before the database is even opened: a refused forecast writes nothing
        _q, _v, checked_kind = check_forecast(
            question, value, kind=None if kind is None else str(kind), resolution_date=resolves
        )
        if quantiles is not None:
            qs = parse_quantiles(quantiles)
            if checked_kind != "numeric":
                fail(
                    "--quantiles: only a numeric forecast has quantiles (a yes/no forecast is one probability)"
                )
    except DetenteError as exc:
        fail(
            str(exc)
            .replace("use kind 'numeric'", "add --kind numeric")
            .replace("quantiles:", "--quantiles:", 1)
            .replace("resolution date:", "--resolves:", 1)
        )
    st = _store(db)
    try:
        e = st.ledger_add(
            question,
            value,
            kind=None if kind is None else str(kind),
            resolution_date=resolves,
            scenario_ref=scenario,
            model=model,
            note=note,
            quantiles=qs,
        )
    except DetenteError as exc:
        fail(str(exc))
    for warning in forecast_warnings(e.value, e.quantiles, e.resolution_date):
        _warn(warning + "; recorded all the same")
    if fmt == Format.json:
        print_json(_documents().ledger_entry_document(e))
    elif fmt == Format.csv:
        print_csv(_entry_columns(), [_csv_entry(e)])
    else:
        console.print(
            f"recorded forecast #{e.id} ({e.kind}): {e.question} → {e.value:g}"
            + quantiles_text(e.quantiles)
            + (f", resolves {e.resolution_date}" if e.resolution_date else ""),
            markup=False,
            soft_wrap=True,
        )


def ledger_list(
    open_only: Annotated[bool, typer.Option("--open", help="only the forecasts not resolved yet")] = False,
    db: DbOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """List the forecasts in the ledger, with outcome and score once resolved.

    An outcome marked * was corrected with 'ledger resolve --force'; 'detente ledger history ENTRY' shows the earlier one.
    """
    from rich.table import Table

    st = _store(db, read_only=True)
    entries = st.ledger_list(resolved=False if open_only else None)
    if fmt == Format.json:
        print_json(_documents().ledger_list_document(entries))
        return
    if fmt == Format.csv:
        print_csv(_entry_columns(), [_csv_entry(e) for e in entries])
        return
    if not entries:
        console.print("the ledger is empty" if not open_only else "no open forecasts")
        return
    from rich import box

    # no borders and one space between columns, so that at 80 columns dates and numbers stay whole
    # and the question, the one column that wraps, keeps about 16 characters
    t = Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), show_edge=False)
    for name in ("#", "made", "question", "kind", "forecast", "resolves", "outcome", "score"):
        if name == "question":
            t.add_column(name, ratio=1, min_width=12, overflow="fold")
        else:
            right = name in ("#", "forecast", "outcome", "score")
            t.add_column(name, justify="right" if right else "left", no_wrap=True)
    for e in entries:
        t.add_row(*_entry_row(e))
    console.print(t)
    fixed = [str(e.id) for e in entries if e.earlier_resolutions]
    if fixed:
        console.print(
            "* re-resolved with --force; the earlier outcome: detente ledger history "
            + (fixed[0] if len(fixed) == 1 else "ENTRY (" + ", ".join(fixed) + ")"),
            markup=False,
        )


def ledger_resolve(
    entry: Annotated[
        int, typer.Argument(metavar="ENTRY", help="forecast number (the # in 'detente ledger list')")
    ],
    outcome: Annotated[
        float,
        typer.Argument(
            metavar="OUTCOME",
            help="what happened: 1 (yes) or 0 (no) for a yes/no question, else the number",
        ),
    ],
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="replace the outcome of a forecast that is already resolved (the earlier one is kept "
            "in 'detente ledger history ENTRY')",
        ),
    ] = False,
    db: DbOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Record what happened to a forecast and print its score.

    A forecast is resolved once. To correct a resolution, run the command again with --force: the new outcome replaces it, and 'detente ledger history ENTRY' still shows the earlier one.
    """
    from detente.errors import DetenteError
    from detente.store import AlreadyResolvedError, when
    from detente.store.ledger import EntryNotFoundError

    st = _store(db, must_exist=True)
    try:
        e = st.ledger_resolve(entry, outcome, force=force)
    except EntryNotFoundError:
        fail(_not_found(st, entry))
    except AlreadyResolvedError as exc:
        old = exc.entry
        fail(
            f"forecast #{old.id} is already resolved: outcome {old.outcome:g} on {when(old.resolved_at)} "
            f"({_score_name(old.kind)} {_score_text(old.kind, old.score or 0.0)}); to replace it run 'detente ledger resolve "
            f"{old.id} {outcome:g} --force' (the earlier resolution stays in 'detente ledger history {old.id}')"
        )
    except DetenteError as exc:
        fail(str(exc))
    if fmt == Format.json:
        print_json(_documents().ledger_entry_document(e))
    elif fmt == Format.csv:
        print_csv(_entry_columns(), [_csv_entry(e)])
    else:
        console.print(_resolution_text(e), markup=False, soft_wrap=True)
        if e.earlier_resolutions:
            console.print(f"replaces an earlier resolution: detente ledger history {e.id}")


def ledger_history(
    entry: Annotated[
        int, typer.Argument(metavar="ENTRY", help="forecast number (the # in 'detente ledger list')")
    ],
    db: DbOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Show one forecast and every resolution it had, including those replaced with --force."""
    from rich.table import Table

    from detente.errors import DetenteError
    from detente.store import when
    from detente.store.ledger import EntryNotFoundError, quantiles_text

    st = _store(db, read_only=True)
    try:
        e = st.ledger_get(entry)
        history = st.ledger_history(entry)
    except EntryNotFoundError:
        fail(_not_found(st, entry))
    except DetenteError as exc:
        fail(str(exc))
    if fmt == Format.json:
        print_json(_documents().ledger_history_document(e, history))
        return
    if fmt == Format.csv:  # one row per resolution (the forecast itself: ledger list --format csv)
        print_csv(
            ["entry_id", "resolved_at", "outcome", "score", "replaced_at"], [r.__dict__ for r in history]
        )
        return
    console.print(
        f"forecast #{e.id} ({e.kind}), made {when(e.created_at)}: {e.question} → {e.value:g}"
        + quantiles_text(e.quantiles)
        + (f", resolves {e.resolution_date}" if e.resolution_date else ""),
        markup=False,
        soft_wrap=True,
    )
    if not history:
        console.print("not resolved yet")
        return
    t = Table("resolved", "outcome", _score_name(e.kind), "status")
    for r in history:
        status = "current" if r.replaced_at is None else f"replaced {when(r.replaced_at)}"
        t.add_row(when(r.resolved_at), f"{r.outcome:g}", _score_text(e.kind, r.score), status)
    console.print(t)


def ledger_score(db: DbOpt = None, fmt: FormatOpt = Format.table) -> None:
    """Scores of the resolved forecasts and their calibration table.

    Yes/no questions: mean Brier and log score. Numbers: mean absolute error and, for forecasts recorded with --quantiles, the CRPS and how often the central 50/80/90 % intervals held the outcome. The calibration table puts what the forecasts said beside what happened (--format csv prints the table, --format json everything).
    """
    st = _store(db, read_only=True)
    s = st.ledger_score()
    if fmt == Format.json:
        print_json(_documents().ledger_score_document(s))
        return
    from detente.store.ledger_scores import CALIBRATION_COLUMNS

    if fmt == Format.csv:
        print_csv(list(CALIBRATION_COLUMNS), s["calibration"])
        return
    console.print(f"{plural(s['forecasts'], 'forecast')}, {s['resolved']} resolved, {s['open']} open")
    if s["mean_brier"] is not None:
        console.print(
            f"yes/no questions: {s['binary_resolved']} resolved, mean Brier score {s['mean_brier']:.3f}, "
            f"mean log score {s['mean_log_score']:.3f}\n  (0 = perfect; always saying 50% scores 0.25 and 0.693)"
        )
    if s["mean_absolute_error"] is not None:
        console.print(
            f"numeric questions: {s['numeric_resolved']} resolved, mean absolute error "
            f"{_amount(s['mean_absolute_error'])}"
        )
    if s["mean_crps"] is not None:
        held = ", ".join(f"{c} % → {_share(v)}" for c, v in s["coverage"].items())
        console.print(f"  {s['numeric_with_quantiles']} with quantiles: mean CRPS {_amount(s['mean_crps'])}")
        console.print(f"  central intervals held the outcome: {held}")
    rows = [r for r in s["calibration"] if r["n"]]
    if rows:
        _calibration_table(rows)


def _share(v: float | None) -> str:
    return "—" if v is None else f"{100 * v:.0f} %"


def _calibration_table(rows: list[dict[str, Any]]) -> None:
    from rich.table import Table

    from detente.store.ledger_scores import CALIBRATION_WORDS

    # the title on its own line: as the table's title it wraps at the (narrow) table's width
    console.print("calibration: what the forecasts said and what happened")
    t = Table()
    for name in ("forecasts", "n", "said", "happened"):
        t.add_column(name, justify="left" if name == "forecasts" else "right")
    for r in rows:
        prefix, said = CALIBRATION_WORDS[r["kind"]]
        t.add_row(prefix + r["group"], str(r["n"]), f"{_share(r['forecast'])} {said}", _share(r["observed"]))
    console.print(t)


def serve(
    host: Annotated[
        str, typer.Option("--host", help="address to bind; anything but loopback needs --token")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port")] = 8000,
    token: Annotated[
        str | None,
        typer.Option("--token", help="access token every request must carry (env DETENTE_TOKEN)"),
    ] = None,
    db: DbOpt = None,
    max_upload_mb: Annotated[float, typer.Option("--max-upload-mb", help="upload size limit in MB")] = 10.0,
) -> None:
    """Start the web dashboard and JSON API (needs the web extra)."""
    token = token or os.environ.get("DETENTE_TOKEN") or None
    if not _is_loopback(host) and not token:
        fail(f"--host {host}: binding beyond this machine requires --token (or DETENTE_TOKEN)")
    if not 0 < port < 65536:
        fail(f"--port: expected 1-65535, received {port}")
    if not 0 < max_upload_mb <= 1024:
        fail(f"--max-upload-mb: expected a number in (0, 1024], received {max_upload_mb:g}")
    import importlib.util

    from detente.errors import install_hint

    missing = [m for m in ("fastapi", "uvicorn", "multipart") if importlib.util.find_spec(m) is None]
    if missing:
        fail(f"the dashboard needs the web extra ({', '.join(missing)} missing): {install_hint('web')}")
    import uvicorn

    url = _db_url(db)
    st = _store(db)  # fail now, with one line, if the database cannot be opened
    shown_db = st.safe_url
    st.close()
    # the app is built by its env-driven factory (the cli does not import the web layer)
    os.environ["DETENTE_DB"] = url
    os.environ["DETENTE_MAX_UPLOAD_MB"] = f"{max_upload_mb:g}"
    if token:
        os.environ["DETENTE_TOKEN"] = token
    else:
        os.environ.pop("DETENTE_TOKEN", None)
    _check_bind(host, port)  # a port in use is one error line, before "dashboard on …" is printed
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{port}/"
    console.print(
        f"detente dashboard on {base}" + (f"  (log in once: {base}login?token=…)" if token else ""),
        soft_wrap=True,
    )
    console.print(f"database: {shown_db}", soft_wrap=True)
    from detente.cli import signals

    class Server(uvicorn.Server):
        """uvicorn's graceful shutdown on Ctrl-C/SIGTERM, within the CLI's one-second deadline."""

        def handle_exit(self, sig: int, frame: Any) -> None:
            signals.note(sig)  # arms the deadline; a second signal exits at once
            super().handle_exit(sig, frame)

    config = uvicorn.Config(
        "detente.web.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
    )
    server = Server(config)
    server.run()
    if not server.started:  # uvicorn has logged why (e.g. the port is in use)
        raise typer.Exit(3)


def _check_bind(host: str, port: int) -> None:
    """Bind ``host:port`` once, as uvicorn will (``SO_REUSEADDR``), and release it: a port in use or an
    address this machine does not have fails here with one line and exit 2, instead of uvicorn's
    log line after the dashboard's address was already announced (exit 3)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as exc:
        fail(f"--host {host}: cannot resolve ({exc.strerror or exc}; expected an address of this machine)")
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(addr)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fail(
                    f"--port {port}: {host}:{port} is already in use (expected a free port, e.g. --port {port + 1})"
                )
            fail(f"--host {host}: cannot listen on {host}:{port} ({exc.strerror or exc})")


_NEGATIVE_NUMBER = re.compile(r"-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


class _NegativeNumbers:
    """A negative number on the command line is an argument, not an option: ``ledger add 'GDP
    growth' -0.5``, ``ledger resolve 3 -2`` (click took ``-0.5`` for the unknown option ``-0``).
    Only when every unknown ``-...`` word is a number, so a mistyped option is still named."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        known = {o for p in self.get_params(ctx) for o in (*p.opts, *p.secondary_opts)}  # type: ignore[attr-defined]
        words = args[: args.index("--")] if "--" in args else args
        unknown = [a for a in words if a.startswith("-") and a.partition("=")[0] not in known]
        if unknown and all(_NEGATIVE_NUMBER.fullmatch(a) for a in unknown):
            ctx.ignore_unknown_options = True
        return super().parse_args(ctx, args)  # type: ignore[misc,no-any-return]


def _with_negative_numbers(**kwargs: Any) -> Any:
    """The command class of detente (detente.cli.app, complete by the time typer builds the
    commands) with :class:`_NegativeNumbers` in front."""
    try:
        from detente.cli.app import _Command as base
    except ImportError:  # pragma: no cover - app.py defines it
        from typer.core import TyperCommand as base  # type: ignore[assignment]
    return type("NegativeNumbersCommand", (_NegativeNumbers, base), {})(**kwargs)


LEDGER.command("add", cls=_with_negative_numbers)(ledger_add)  # type: ignore[arg-type]
LEDGER.command("list")(ledger_list)
LEDGER.command("resolve", cls=_with_negative_numbers)(ledger_resolve)  # type: ignore[arg-type]
LEDGER.command("history")(ledger_history)
LEDGER.command("score")(ledger_score)


def register(app: typer.Typer) -> None:
    app.add_typer(LEDGER, name="ledger")
    app.command("serve")(serve)
