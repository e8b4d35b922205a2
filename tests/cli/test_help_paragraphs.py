"""Help texts: rich prints a docstring's line breaks as they are, so every paragraph of a command's
help must be one line in the source (QA item 9: 'and write / them', 'must / lie between')."""

from __future__ import annotations

from typing import Any


def _commands() -> list[tuple[str, Any]]:
    from typer.main import get_command

    from detente.cli.app import app

    out: list[tuple[str, Any]] = []

    def walk(c: Any, path: list[str]) -> None:
        if isinstance(getattr(c, "commands", None), dict):
            for name, sub in c.commands.items():
                walk(sub, [*path, name])
        out.append((" ".join(path) or "detente", c))

    walk(get_command(app), [])
    return out


def test_no_help_paragraph_breaks_mid_sentence():
    cmds = _commands()
    assert {"calibrate", "backtest", "ledger add"} <= {name for name, _ in cmds}
    broken = [name for name, c in cmds if any("\n" in para.strip() for para in (c.help or "").split("\n\n"))]
    assert broken == []


def test_rendered_help_keeps_sentences_whole(cli):
    for args in (["calibrate", "--help"], ["ledger", "add", "--help"], ["--help"]):
        lines = [
            " ".join(line.strip(" │").split())
            for line in cli(*args, env={"COLUMNS": "200"}).stdout.splitlines()
        ]
        assert not any(line.endswith((" and write", " must", "--kind numeric")) for line in lines), args
