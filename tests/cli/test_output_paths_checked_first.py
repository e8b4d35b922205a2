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


# ------------------------------------------------------------------------------------------------
# never over the input, a device, a pipe or a symbolic link (QA audit, 2026-12-07: `convert x.yaml
# x.yaml`, `backtest d.tsv --out d.tsv` and `report s.yaml --report s.yaml` destroyed their input, and
# `report --report /dev/full` replaced the device node with a regular file when run as root)


def _one_error(r, fragment: str) -> None:
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], r.stderr
    assert "Traceback" not in r.output


@pytest.mark.parametrize(
    "args",
    [
        ("convert", "{sc}", "{sc}"),
        ("convert", "{sc}", "{sc}", "--to", "decide"),
        ("report", "{sc}", "--report", "{sc}"),
        ("run", "{sc}", "--report", "{sc}"),
        ("elicit", "import", "{sc}", "--scenario", "{sc}", "--out", "{sc}"),
    ],
)
def test_the_input_scenario_is_never_overwritten(cli, tmp_path, args):
    sc = tmp_path / "s.yaml"
    assert cli("convert", "emission-standards-1994", str(sc)).exit_code == 0
    before = sc.read_bytes()
    r = cli(*(a.format(sc=sc) for a in args))
    _one_error(r, "is the input file")
    assert sc.read_bytes() == before


@pytest.mark.parametrize("flag", ["--out", "--report"])
def test_the_deu_file_is_never_overwritten(cli, data_dir, tmp_path, no_work, flag):
    data = tmp_path / "d.tsv"
    data.write_bytes((data_dir / "deu" / "deu3_dev.tsv").read_bytes())
    before = data.read_bytes()
    _one_error(cli("backtest", str(data), flag, str(data)), "is the input file")
    _one_error(cli("calibrate", str(data), "--out", str(data)), "is the input file")
    assert data.read_bytes() == before


def test_a_pipe_or_device_is_refused_and_left_alone(cli, tmp_path):
    import os
    import stat

    fifo = tmp_path / "fifo.html"
    os.mkfifo(fifo)
    _one_error(cli("report", "emission-standards-1994", "--report", str(fifo)), "not a regular file")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    _one_error(cli("convert", "emission-standards-1994", str(fifo)), "not a regular file")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    if os.path.exists("/dev/null"):
        _one_error(cli("convert", "emission-standards-1994", "/dev/null"), "not a regular file")
        assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_a_symbolic_link_is_written_through_and_kept(cli, tmp_path):
    link, real = tmp_path / "link.yaml", tmp_path / "real.yaml"
    link.symlink_to(real.name)  # dangling until written
    assert cli("convert", "emission-standards-1994", str(link)).exit_code == 0
    assert link.is_symlink() and real.is_file() and "emission" in real.read_text(encoding="utf-8")
    html_link, html = tmp_path / "r.html", tmp_path / "target.html"
    html.write_text("old", encoding="utf-8")
    html_link.symlink_to(html.name)
    from detente.cli.common import write_text_atomic

    write_text_atomic(html_link, "new")
    assert html_link.is_symlink() and html.read_text(encoding="utf-8") == "new"


# ------------------------------------------------------------------------------------------------
# counts and seeds (QA audit: `--seed -1` ended in a NumPy traceback in eight commands, `backtest
# --seed -1` printed a table of NaN with exit 0, a huge --draws or --months ran out of memory)


@pytest.mark.parametrize(
    "args",
    [
        ("run", "--seed", "-1"),
        ("report", "--seed", "-1"),
        ("forecast", "--seed", "-1"),
        ("sweep", "-m", "mean", "--seed", "-1"),
        ("sensitivity", "--seed", "-1"),
        ("explain", "-a", "russia", "--seed", "-1"),
        ("levers", "-i", "sanctions", "-t", ">=60", "--seed", "-1"),
        ("simulate", "--seed", "-1"),
        ("backtest", "{data}", "-m", "compromise", "--seed", "-1"),
        ("calibrate", "{data}", "--out", "{tmp}/em.json", "--seed", "-1"),
    ],
)
def test_a_negative_seed_is_one_line(cli, data_dir, tmp_path, args):
    data = str(data_dir / "deu" / "deu3_dev.tsv")
    r = cli(*(a.format(data=data, tmp=tmp_path) for a in args))
    _one_error(r, "--seed: expected an integer >= 0, received -1")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("sweep", "-m", "mean", "-n", "10000000000000"), "--draws 10000000000000: the draws' results alone"),
        (("simulate", "-n", "10000000000000"), "runs of 24 months alone would need"),
        (("simulate", "--months", "99999999999999999999999"), "--months: expected an integer <= 1200"),
        (("sensitivity", "--method", "sobol", "-n", "10000000000000"), "the Sobol runs' outcomes alone"),
    ],
)
def test_counts_beyond_the_machine_are_refused_before_the_work(cli, args, fragment):
    _one_error(cli(*args), fragment)


def test_an_absurd_size_reads_as_a_power_of_ten_not_millions_of_terabytes(cli):
    r = cli("simulate", "-n", "100000000000000000")
    _one_error(r, "would need 3.1e+20 bytes, more than")
    assert " TB" not in r.stderr


def test_calibrate_on_a_handful_of_issues_says_what_the_error_model_is_worth(cli, data_dir, tmp_path):
    """QA audit: calibrate fitted and wrote an error model from one proposal without a word."""
    lines = (data_dir / "deu" / "deu3_dev.tsv").read_text(encoding="utf-8").splitlines()
    first = lines[1].split("\t")[0]
    small = tmp_path / "one.tsv"
    small.write_text("\n".join([lines[0], *(r for r in lines[1:] if r.split("\t")[0] == first)]) + "\n")
    r = cli("calibrate", str(small), "--out", str(tmp_path / "em.json"), "-m", "compromise")
    assert r.exit_code == 0 and (tmp_path / "em.json").is_file(), r.output
    warn = [ln for ln in r.stderr.splitlines() if ln.startswith("warning: ")]
    assert len(warn) == 1 and "below 20 the error model is the residual quantiles" in warn[0], r.stderr
