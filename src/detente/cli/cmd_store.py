"""Store commands: ``detente ledger add|list|resolve|score`` and ``detente serve`` (the dashboard)."""

from __future__ import annotations

import ipaddress
import os
from typing import Annotated, Any

import typer

from detente.cli.common import console, fail, print_json

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db", help="database URL or SQLite file (default: DETENTE_DB, else a file in the user data dir)"
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]


def _store(db: str | None) -> Any:
    from detente.errors import DetenteError
    from detente.store import Store

    try:
        return Store(db)
    except DetenteError as exc:
        fail(str(exc))


def _entry_row(e: Any) -> list[str]:
    return [
        str(e.id),
        e.created_at.replace("T", " ")[:16],
        e.question,
        e.kind,
        f"{e.value:g}",
        e.resolution_date or "—",
        "—" if e.outcome is None else f"{e.outcome:g}",
        "—" if e.score is None else f"{e.score:.3f}",
    ]


def _is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def register(app: typer.Typer) -> None:
    ledger = typer.Typer(
        help="Forecast ledger: record forecasts with a resolution date, resolve them, score them "
        "(Brier score for yes/no questions, absolute error for numbers).",
        no_args_is_help=True,
    )
    app.add_typer(ledger, name="ledger")

    @ledger.command("add")
    def ledger_add(
        question: Annotated[str, typer.Argument(help="the question, e.g. 'Ceasefire signed by 2025-12-31?'")],
        value: Annotated[float, typer.Argument(help="probability (yes/no question) or number")],
        resolves: Annotated[str, typer.Option("--resolves", help="resolution date YYYY-MM-DD")] = "",
        kind: Annotated[
            str | None,
            typer.Option(
                "--kind",
                help="binary or numeric (default: binary if VALUE in [0,1] and the question ends with '?')",
            ),
        ] = None,
        scenario: Annotated[
            str, typer.Option("--scenario", help="scenario reference the forecast came from")
        ] = "",
        model: Annotated[str, typer.Option("--model", help="model that produced the forecast")] = "",
        note: Annotated[str, typer.Option("--note", help="free text")] = "",
        db: DbOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Record a forecast now."""
        from detente.errors import DetenteError

        st = _store(db)
        try:
            e = st.ledger_add(
                question,
                value,
                kind=kind,
                resolution_date=resolves,
                scenario_ref=scenario,
                model=model,
                note=note,
            )
        except DetenteError as exc:
            fail(str(exc))
        if as_json:
            print_json(e.__dict__)
        else:
            console.print(
                f"recorded forecast #{e.id} ({e.kind}): {e.question} → {e.value:g}"
                + (f", resolves {e.resolution_date}" if e.resolution_date else "")
            )

    @ledger.command("list")
    def ledger_list(
        open_only: Annotated[bool, typer.Option("--open", help="only unresolved forecasts")] = False,
        db: DbOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """List the forecasts in the ledger."""
        from rich.table import Table

        st = _store(db)
        entries = st.ledger_list(resolved=False if open_only else None)
        if as_json:
            print_json([e.__dict__ for e in entries])
            return
        if not entries:
            console.print("the ledger is empty" if not open_only else "no open forecasts")
            return
        t = Table("#", "made", "question", "kind", "forecast", "resolves", "outcome", "score")
        for e in entries:
            t.add_row(*_entry_row(e))
        console.print(t)

    @ledger.command("resolve")
    def ledger_resolve(
        entry: Annotated[int, typer.Argument(help="forecast number (from 'detente ledger list')")],
        outcome: Annotated[
            float, typer.Argument(help="what happened: 1 or 0 for a yes/no question, else the number")
        ],
        db: DbOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Record what happened; prints the forecast's score."""
        from detente.errors import DetenteError

        st = _store(db)
        try:
            e = st.ledger_resolve(entry, outcome)
        except DetenteError as exc:
            fail(str(exc))
        if as_json:
            print_json(e.__dict__)
        else:
            what = "Brier score" if e.kind == "binary" else "absolute error"
            console.print(f"resolved #{e.id}: outcome {e.outcome:g}, {what} {e.score:.3f}")

    @ledger.command("score")
    def ledger_score(db: DbOpt = None, as_json: JsonOpt = False) -> None:
        """Mean Brier score (yes/no questions) and mean absolute error (numbers) of resolved forecasts."""
        st = _store(db)
        s = st.ledger_score()
        if as_json:
            print_json(s)
            return
        console.print(f"{s['forecasts']} forecasts, {s['resolved']} resolved, {s['open']} open")
        if s["mean_brier"] is not None:
            console.print(
                f"yes/no questions: {s['binary_resolved']} resolved, mean Brier score {s['mean_brier']:.3f} "
                "(0 = perfect, 0.25 = always saying 50%)"
            )
        if s["mean_absolute_error"] is not None:
            console.print(
                f"numeric questions: {s['numeric_resolved']} resolved, mean absolute error "
                f"{s['mean_absolute_error']:.3f}"
            )

    @app.command("serve")
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
        max_upload_mb: Annotated[
            float, typer.Option("--max-upload-mb", help="upload size limit in MB")
        ] = 10.0,
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

        missing = [m for m in ("fastapi", "uvicorn", "multipart") if importlib.util.find_spec(m) is None]
        if missing:
            fail(
                f"the dashboard needs the web extra: pip install 'detente[web]' ({', '.join(missing)} missing)"
            )
        import uvicorn

        from detente.errors import DetenteError
        from detente.store import Store, default_db_url, normalise_url

        url = normalise_url(db) if db else default_db_url()
        try:
            st = Store(url)  # fail now, with one line, if the database cannot be opened
        except DetenteError as exc:
            fail(str(exc))
        shown_db = st.safe_url
        st.close()
        # the app is built by its env-driven factory (the cli does not import the web layer)
        os.environ["DETENTE_DB"] = url
        os.environ["DETENTE_MAX_UPLOAD_MB"] = f"{max_upload_mb:g}"
        if token:
            os.environ["DETENTE_TOKEN"] = token
        else:
            os.environ.pop("DETENTE_TOKEN", None)
        shown = f"[{host}]" if ":" in host else host
        base = f"http://{shown}:{port}/"
        console.print(
            f"detente dashboard on {base}" + (f"  (log in once: {base}login?token=…)" if token else ""),
            soft_wrap=True,
        )
        console.print(f"database: {shown_db}", soft_wrap=True)
        uvicorn.run(
            "detente.web.app:create_app_from_env",
            factory=True,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
        )
