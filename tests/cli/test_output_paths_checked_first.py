"""backtest and calibrate refuse an output path they cannot write before minutes of work, not after
(QA: `calibrate --out missing/x.json` fitted every model on the dev file and only then failed)."""

from __future__ import annotations

import pytest


@pytest.fixture()
def no_work(monkeypatch):
    """Loading the DEU file is the first real work of both commands: it must not happen."""
    import detente.io.deu

    def boom(*a, **k):
        raise AssertionError("the DEU file was loaded before the output path was checked")

    monkeypatch.setattr(detente.io.deu, "load_deu", boom)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("calibrate", "{data}", "--out", "{tmp}/missing/em.json"), "missing does not exist"),
        (("calibrate", "{data}", "--out", "{tmp}"), "is a directory"),
        (("backtest", "{data}", "--out", "{tmp}/missing/bt.csv"), "missing does not exist"),
        (("backtest", "{data}", "--report", "{tmp}/missing/bt.html"), "missing does not exist"),
        (("backtest", "{data}", "--report", "{tmp}"), "is a directory"),
    ],
)
def test_unwritable_output_is_refused_before_any_work(cli, data_dir, tmp_path, no_work, args, fragment):
    data = str(data_dir / "deu" / "deu3_dev.tsv")
    r = cli(*(a.format(data=data, tmp=tmp_path) for a in args))
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], r.stderr
    assert "Traceback" not in r.output
    assert not (tmp_path / "missing").exists()
