"""`detente backtest` through the CLI (CliRunner): small subset fast, full dev file marked slow."""

from __future__ import annotations

import csv
import json
import time

import pytest


@pytest.fixture()
def subset(data_dir, tmp_path):
    lines = (data_dir / "deu" / "deu3_dev.tsv").read_text().splitlines()
    p = tmp_path / "subset.tsv"
    p.write_text("\n".join(lines[:12]) + "\n")  # header + 11 issues (4 proposals)
    return p


def test_backtest_subset_table_and_csv(cli, subset, tmp_path):
    out = tmp_path / "f.csv"
    r = cli("backtest", str(subset), "--model", "anchored", "--out", str(out))
    assert r.exit_code == 0, r.output
    for name in ("compromise", "salience_mean", "mean", "median", "commission", "reference", "anchored"):
        assert name in r.stdout
    assert "Δ MAE vs compromise" in r.stdout
    rows = list(csv.DictReader(out.open()))
    quantile_cols = [f"q{k:02d}" for k in range(5, 100, 5)]
    interval_cols = ["lo50", "hi50", "lo80", "hi80", "lo90", "hi90"]
    assert list(rows[0]) == ["issue_id", "proposal_id", "model", "forecast", "low", "high", *quantile_cols,
                             "p_low_end", "p_high_end", *interval_cols, "outcome"]  # fmt: skip
    for x in rows:  # every row with a forecast has its predictive distribution, quantiles non-decreasing
        if x["forecast"]:
            q = [float(x[c]) for c in quantile_cols]
            assert all(a <= b for a, b in zip(q, q[1:], strict=False)) and 0 <= q[0] and q[-1] <= 100
            assert 0 <= float(x["p_low_end"]) + float(x["p_high_end"]) <= 1
            iv = [float(x[c]) for c in interval_cols]  # nested content-exact intervals inside the scale
            assert 0 <= iv[4] <= iv[2] <= iv[0] <= iv[1] <= iv[3] <= iv[5] <= 100
    models = {x["model"] for x in rows}
    assert models == {"compromise", "salience_mean", "mean", "median", "commission", "reference", "anchored",
                      "conformal_compromise"}  # fmt: skip
    assert len([x for x in rows if x["model"] == "compromise"]) == 11
    first = next(x for x in rows if x["model"] == "compromise")
    assert first["issue_id"] == "d00032i1" and first["proposal_id"] == "d00032"
    assert abs(float(first["forecast"]) - 52.906) < 1e-3


def test_backtest_json_and_report(cli, subset, tmp_path):
    rep = tmp_path / "bt.html"
    r = cli(
        "backtest",
        str(subset),
        "-m",
        "anchored",
        "--format",
        "json",
        "--report",
        str(rep),
        "--capability",
        "ssi",
        "--missing-salience",
        "drop",
        "--set",
        "b=0.1",
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["n_issues"] == 11 and d["n_proposals"] == 4
    assert d["settings"]["capability"] == "ssi" and d["settings"]["models"]["anchored"]["b"] == 0.1
    rows = {x["model"]: x for x in d["leaderboard"]}
    assert set(rows) >= {
        "compromise",
        "mean",
        "median",
        "commission",
        "reference",
        "salience_mean",
        "anchored",
    }
    c = rows["compromise"]
    assert c["mae_ci"][0] <= c["mae"] <= c["mae_ci"][1] and "diff_vs_compromise" not in c
    assert set(rows["anchored"]["diff_vs_compromise"]) == {"n", "diff", "ci"}
    html = rep.read_text()
    assert (
        html.count("Plotly") > 0 and "Leaderboard" in html and "Errors by procedure and decision rule" in html
    )
    assert "How sure: predictive distributions on real outcomes" in html and "<script src=" not in html
    assert "Reliability" in html and "PIT histograms" in html
    assert d["settings"]["calibration"]["mode"] == "crossfit"
    for k in (
        "crps",
        "crps_ci",
        "interval_score80",
        "coverage50",
        "coverage80",
        "coverage90",
        "width80",
        "pit_ks",
    ):
        assert c[k] is not None, k
    assert c["crps_ci"][0] <= c["crps"] <= c["crps_ci"][1]
    assert set(rows["compromise"]["crps_diff_vs_conformal_compromise"]) == {"n", "diff", "ci"}
    assert "conformal_compromise" in rows and len(c["reliability"]) == 9 and sum(c["pit_hist"]) == 11


def test_backtest_coverage_is_that_of_the_csv_intervals(cli, subset, tmp_path):
    """The leaderboard's coverage is the share of outcomes inside the content-exact intervals the
    CSV writes (lo/hi columns); the equal-tailed closed coverage is reported beside it."""
    from detente.analysis.predictive import QUANTILE_COLUMNS, make_predictive

    out = tmp_path / "f.csv"
    r = cli("backtest", str(subset), "-m", "compromise", "--out", str(out), "--format", "json")
    assert r.exit_code == 0, r.output
    rows = {x["model"]: x for x in json.loads(r.stdout)["leaderboard"]}
    csv_rows = [x for x in csv.DictReader(out.open()) if x["model"] == "compromise"]
    y = [float(x["outcome"]) for x in csv_rows]
    for c in (50, 80, 90):
        inside = [float(x[f"lo{c}"]) <= v <= float(x[f"hi{c}"]) for x, v in zip(csv_rows, y, strict=True)]
        assert rows["compromise"][f"coverage{c}"] == pytest.approx(sum(inside) / len(inside))
        pred = make_predictive(
            [[float(x[q]) for q in QUANTILE_COLUMNS] for x in csv_rows],
            [float(x["p_low_end"]) for x in csv_rows],
            [float(x["p_high_end"]) for x in csv_rows],
        )
        lo, hi = pred.equal_tailed(c / 100)
        eq = [a - 1e-4 <= v <= b + 1e-4 for a, b, v in zip(lo, hi, y, strict=True)]
        assert rows["compromise"][f"coverage_equal_tailed{c}"] == pytest.approx(sum(eq) / len(eq))
        assert 0 <= rows["compromise"][f"coverage_pit{c}"] <= 1


def test_backtest_probabilistic_model_columns(cli, subset, tmp_path):
    from detente.models import available_models, model_class

    stoch = [n for n in available_models() if model_class(n).info.stochastic]
    if not stoch:
        pytest.fail("no stochastic model registered to exercise CRPS/coverage")
    out = tmp_path / "f.csv"
    r = cli("backtest", str(subset), "-m", stoch[0], "--out", str(out), "--format", "json")
    assert r.exit_code == 0, r.output
    row = next(x for x in json.loads(r.stdout)["leaderboard"] if x["model"] == stoch[0])
    assert row["crps"] is not None and 0 <= row["coverage80"] <= 1
    rows = [x for x in csv.DictReader(out.open()) if x["model"] == stoch[0]]
    assert all(x["low"] != "" and float(x["low"]) <= float(x["high"]) for x in rows)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--capability", "gdp"], "--capability"),
        (["--format", "xml"], "--format"),
        (["--missing-salience", "guess"], "--missing-salience"),
        (["--model", "nosuchmodel"], "nosuchmodel"),
        (["--set", "zzz=1"], "--set zzz"),
        (["--set", "novalue"], "NAME=VALUE"),
        (["--error-model", "magic"], "--error-model"),
    ],
)
def test_backtest_bad_options(cli, subset, tmp_path, args, fragment):
    out = tmp_path / "f.csv"
    r = cli("backtest", str(subset), "--out", str(out), *args)
    assert r.exit_code == 2 and fragment in r.output and "Traceback" not in r.output
    assert not out.exists()


def test_backtest_error_model_kind_is_recorded(cli, subset):
    """--error-model picks what the cross-fitting fits (hurdle by default); the settings say which."""
    kinds = {}
    for extra in ([], ["--error-model", "quantile_regression"]):
        r = cli("backtest", str(subset), "-m", "compromise", "--format", "json", *extra)
        assert r.exit_code == 0, r.output
        cal = json.loads(r.stdout)["settings"]["calibration"]
        kinds[cal["kind"]] = cal["description"]
    assert set(kinds) == {"hurdle", "quantile_regression"}
    assert "multinomial logit" in kinds["hurdle"] and "multinomial logit" not in kinds["quantile_regression"]


def test_backtest_bad_file_one_line_error(cli, tmp_path, subset):
    r = cli("backtest", str(tmp_path / "missing.tsv"))
    assert r.exit_code == 2 and "error:" in r.output and "missing.tsv" in r.output
    bad = tmp_path / "bad.tsv"
    lines = subset.read_text().splitlines()
    lines[3] = lines[3].replace("\t100\t", "\tlots\t", 1)
    bad.write_text("\n".join(lines) + "\n")
    out = tmp_path / "f.csv"
    r = cli("backtest", str(bad), "--out", str(out))
    assert r.exit_code == 2 and "bad.tsv:4: column" in r.output and len(r.output.strip().splitlines()) == 1
    assert not out.exists()


def test_backtest_calibration_none_and_file(cli, subset, tmp_path):
    em = tmp_path / "em.json"
    r = cli("calibrate", str(subset), "--out", str(em), "-m", "compromise")
    assert r.exit_code == 0, r.output
    doc = json.loads(em.read_text())
    prov = doc["provenance"]
    assert doc["format"] == "detente-error-models" and doc["n"] == 11 and prov["n_proposals"] == 4
    assert prov["licence"].startswith("CC BY 4.0") and len(prov["data_sha256"]) == 64 and prov["fitted_on"]
    # only what was asked plus what it needs (the fallback and the conformal baseline), and said so
    assert set(doc["models"]) == {"compromise", "conformal_compromise"}
    assert "added: compromise" not in r.output and "conformal_compromise" in r.output
    out = tmp_path / "f.csv"
    r = cli(
        "backtest",
        str(subset),
        "-m",
        "compromise",
        "--calibration",
        str(em),
        "--format",
        "json",
        "--out",
        str(out),
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["settings"]["calibration"]["mode"] == "file"
    assert d["settings"]["calibration"]["provenance"]["data_sha256"] == prov["data_sha256"]
    html = tmp_path / "none.html"
    r = cli(
        "backtest", str(subset), "-m", "compromise", "--calibration", "none", "--out", str(out),
        "--report", str(html),
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    rows = [x for x in csv.DictReader(out.open()) if x["model"] == "compromise"]
    # no model-error part: a deterministic model's distribution is its point forecast
    assert all(x["q05"] == x["q95"] == x["forecast"] for x in rows)
    # and the table says why its ranges have no width (issue #14: never a zero width without why)
    said = " ".join(r.stdout.split())
    named = said.split("Width 0: ", 1)[1].split(" give one number per issue", 1)[0].split(", ")
    assert "compromise" in named and "cover only exact hits" in said
    assert "ranges are points that cover only exact hits" in html.read_text(
        encoding="utf-8"
    )  # the report too


def test_backtest_calibration_none_with_a_seeded_model(cli, subset, tmp_path):
    """--calibration none on a model with seed draws (smp, exchange) crashed with a traceback: the
    draws were converted to the unit scale with (I, 1, 2) scales, which core.scale.bounds refuses."""
    from detente.models import available_models, model_class

    stoch = [n for n in available_models() if model_class(n).info.stochastic]
    if not stoch:
        pytest.fail("no stochastic model registered")
    out = tmp_path / "f.csv"
    r = cli("backtest", str(subset), "-m", stoch[0], "--calibration", "none", "--out", str(out))
    assert r.exit_code == 0, r.output
    rows = [x for x in csv.DictReader(out.open()) if x["model"] == stoch[0]]
    assert rows and all(x["q05"] != "" and float(x["q05"]) <= float(x["q95"]) for x in rows)
    # without model error the distribution is the seeds' spread: inside the seeds' range
    assert all(
        float(x["low"]) - 1e-9 <= float(x["q05"]) <= float(x["q95"]) <= float(x["high"]) + 1e-9 for x in rows
    )


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ('{"format": "x"}', "format"),
        (None, "cannot read"),
        (b"\xff\xfe{ bad", "not UTF-8 text (expected a JSON error-model file"),
        (b"\x00\x01\x02", "binary file"),
        (
            '{"format": "detente-error-models", "format_version": 99, "models": {}}',
            "format_version: 99 is newer",
        ),
    ],
)
def test_backtest_bad_calibration_file(cli, subset, tmp_path, content, fragment):
    bad = tmp_path / "em.json"
    if isinstance(content, bytes):
        bad.write_bytes(content)
    elif content is not None:
        bad.write_text(content)
    out = tmp_path / "f.csv"
    r = cli("backtest", str(subset), "--calibration", str(bad), "--out", str(out))
    assert r.exit_code == 2 and fragment in r.output and "em.json" in r.output and "Traceback" not in r.output
    assert r.output.startswith("error: --calibration: ") and len(r.output.strip().splitlines()) == 1
    assert "Error" not in r.output  # no exception class name (UnicodeDecodeError)
    assert not out.exists()
    r = cli("calibrate", str(tmp_path / "missing.tsv"), "--out", str(tmp_path / "x.json"))
    assert r.exit_code == 2 and "missing.tsv" in r.output and not (tmp_path / "x.json").exists()


@pytest.mark.slow
def test_backtest_full_dev_file_all_models(cli, data_dir, tmp_path):
    from detente.models import available_models

    out = tmp_path / "f.csv"
    t0 = time.perf_counter()
    r = cli("backtest", str(data_dir / "deu" / "deu3_dev.tsv"), "--out", str(out), "--format", "json")
    elapsed = time.perf_counter() - t0
    assert r.exit_code == 0, r.output
    # every model on 81 proposals plus the cross-fitted error models (issue #14); ~2 min on an idle
    # 2-core machine, the limit leaves room for a loaded one
    assert elapsed < 420
    d = json.loads(r.stdout)
    rows = {x["model"]: x for x in d["leaderboard"]}
    assert set(available_models()) <= set(rows)
    assert rows["compromise"]["n"] == 210 and abs(rows["compromise"]["mae"] - 23.93) < 0.01
    csv_rows = list(csv.DictReader(out.open()))
    assert len(csv_rows) == 210 * len(d["leaderboard"])  # every model, every scored issue
    assert all(x["q05"] != "" and x["p_low_end"] != "" for x in csv_rows if x["forecast"])
    assert rows["conformal_compromise"]["n_prob"] == 210
    for x in d["leaderboard"]:  # cross-fitted predictive distributions for every model (issue #14)
        assert x["crps"] is not None and x["coverage80"] is not None, x["model"]


def test_backtest_skips_issue_without_positions(cli, tmp_path):
    from detente.errors import InputFileError
    from detente.io.deu import load_deu
    from deu_helpers import row, write

    p = write(
        tmp_path / "s.tsv",
        [
            row("d05001i1", "d05001", "01-02-05", {"com": 100, "de": 20, "fr": 40, "pl": 90}, rp=0, out=50),
            row("d05001i2", "d05001", "01-02-05", {}, out=10),
            row("d06002i1", "d06002", "2010-03-06", {"com": 0, "ep": 100, "uk": 50}, out=100),
        ],
    )
    with pytest.raises(InputFileError, match=r"s.tsv:3: issue d05001i2: expected at least one actor"):
        load_deu(p)
    r = cli("backtest", str(p), "--format", "json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["n_issues"] == 2 and d["skipped_issues"] == [f"{p}:3 d05001i2"]
    comp = next(x for x in d["leaderboard"] if x["model"] == "compromise")
    # by hand: Nice weights (intro 2005, 2006): com 29, de 29, fr 29, pl 27, salience 50 each
    f1 = (100 * 29 + 20 * 29 + 40 * 29 + 90 * 27) / (29 * 3 + 27)
    f2 = (0 * 29 + 100 * 29 + 50 * 29) / (29 * 3)
    assert comp["mae"] == pytest.approx((abs(f1 - 50) + abs(f2 - 100)) / 2)


def test_backtest_title_counts_in_the_singular(cli, tmp_path):
    from deu_helpers import row, write

    p = write(tmp_path / "one.tsv", [row("d05001i1", "d05001", "01-02-05", {"com": 100, "de": 20}, out=50)])
    r = cli("backtest", str(p), "-m", "compromise")
    assert r.exit_code == 0, r.output
    assert "Backtest on 1 issue with an outcome, 1 proposal: point forecasts" in " ".join(r.stdout.split())


def test_backtest_fits_80_columns_and_cuts_nothing(cli, subset, tmp_path, monkeypatch):
    from detente.cli import common

    monkeypatch.setattr(common.console, "width", 80)
    rep = tmp_path / "bt.html"
    r = cli("backtest", str(subset), "-m", "mixture", "-m", "ensemble", "--report", str(rep))
    assert r.exit_code == 0, r.output
    assert "mixture, ensemble: parameters were fitted" in rep.read_text()  # the report's note: same list
    assert max(len(line) for line in r.stdout.splitlines()) <= 80
    assert "…" not in r.stdout  # neither a header nor a number is cut
    assert "Δ CRPS vs conformal" in r.stdout and "width 80 %" in r.stdout
    # one list of in-sample models (analysis.main_job.FITTED_ON_DEU), mixture and ensemble included
    assert "mixture, ensemble: parameters were fitted" in " ".join(r.stdout.split())
    assert "docs/spec/validation.md §2" in r.stdout


def test_backtest_and_forecast_warn_about_a_missing_error_model(cli, subset, tmp_path):
    em = tmp_path / "em.json"
    assert cli("calibrate", str(subset), "--out", str(em), "-m", "compromise").exit_code == 0
    r = cli("backtest", str(subset), "-m", "anchored", "--calibration", str(em), "--format", "json")
    assert r.exit_code == 0, r.output
    warn = [x for x in r.stderr.splitlines() if x.startswith("warning:")]
    assert (
        len(warn) == 1 and "--calibration" in warn[0] and "anchored" in warn[0] and "compromise's" in warn[0]
    )
    r = cli("forecast", "-m", "eum", "--calibration", str(em), "--format", "json")
    assert r.exit_code == 0, r.output
    assert "no error model for eum; it uses compromise's" in r.stderr


def test_model_names_agree_between_set_and_model(cli, subset, tmp_path):
    out = tmp_path / "em.json"
    r = cli("calibrate", str(subset), "--out", str(out), "-m", "bogus")
    assert r.exit_code == 2 and "salience_mean" in r.output and not out.exists()
    r = cli("calibrate", str(subset), "--out", str(out), "-m", "salience_mean")
    assert r.exit_code == 0, r.output
    r = cli("calibrate", str(subset), "--out", str(tmp_path / "x.json"), "-m", "compromise", "--set", "foo=1")
    assert r.exit_code == 2 and "salience_mean" not in r.output and not (tmp_path / "x.json").exists()


def test_subgroup_with_too_few_proposals_shows_no_fake_interval(monkeypatch):
    from detente.cli import cmd_backtest, common

    monkeypatch.setattr(common.console, "width", 80)
    rows = [
        {
            "split": "council_rule",
            "level": lev,
            "n": n,
            "n_proposals": p,
            "model": m,
            "mae": 7.27,
            "mae_ci": ci,
        }
        for lev, n, p, ci in (("QMV", 153, 60, (21.8, 28.8)), ("QMV(10)", 2, 1, (7.27, 7.27)))
        for m in ("compromise", "conformal_compromise", "eum")
    ] + [
        {
            "split": "procedure",
            "level": "COD",
            "n": 155,
            "n_proposals": 61,
            "model": m,
            "mae": 7.0,
            "mae_ci": (6.0, 8.0),
        }
        for m in ("compromise", "eum")
    ]
    with common.console.capture() as cap:
        cmd_backtest._print_subgroups(rows, ["compromise", "conformal_compromise", "eum"])
    text = cap.get()
    assert "7.3 (n too small)" in text and "[7.3, 7.3]" not in text and "7.3 [21.8, 28.8]" in text
    assert max(len(x) for x in text.splitlines()) <= 80 and "…" not in text


def test_report_subgroup_cell_without_interval_has_no_stray_space():
    """The report's subgroup table: a subset with too few proposals reads 'MAE (n too small) (Δ +x)';
    the difference keeps its interval only where the subset has one (no '(Δ +71.7 )')."""
    from types import SimpleNamespace

    from detente.report.backtest import subgroup_section

    def row(lev, n, p, mae, ci, diff):
        return {
            "split": "council_rule",
            "level": lev,
            "n": n,
            "n_proposals": p,
            "model": "eum",
            "mae": mae,
            "mae_ci": ci,
            "diff_vs_compromise": {"diff": diff, "low": diff - 5, "high": diff + 5},
        }

    groups = [row("QMV", 153, 60, 25.3, (21.8, 28.8), 1.5), row("QMV(10)", 2, 1, 79.0, (79.0, 79.0), 71.7)]
    sec = subgroup_section(SimpleNamespace(), ["eum"], {}, groups)
    cells = [c for t in sec.tables for r in t.rows for c in r[1:]]
    assert any("(n too small) (Δ +71.7)" in c for c in cells), cells
    assert any(c.startswith("25.30 [21.8, 28.8] (Δ +1.5 [-3.5, +6.5])") for c in cells), cells
    assert not any(" )" in c for c in cells), cells


def test_backtest_crps_table_names_each_models_issue_count(cli, subset, tmp_path, monkeypatch):
    """Models are scored on different issue sets (``reference`` only where the file has a reference
    point): the CRPS table shows each row's n, and the Δ intervals are signed at both ends."""
    from detente.cli import common

    monkeypatch.setattr(common.console, "width", 80)
    r = cli("backtest", str(subset), "-m", "compromise")
    assert r.exit_code == 0, r.output
    table = r.stdout.split("Predictive distributions")[1].split("Coverage of the predictive")[0]
    header = next(line for line in table.splitlines() if "CRPS [95 % CI]" in line)
    assert header.split()[:2] == ["model", "n"]
    rows = {
        line.split()[0]: line.split()
        for line in table.splitlines()
        if line.strip().startswith(("compromise", "reference"))
    }
    assert rows["compromise"][1] == "11"
    assert rows["reference"][1].isdigit() and int(rows["reference"][1]) <= 11
    for m in rows:  # "[-1.34, +0.04]", never "[-1.34, 0.04]"
        if "[" in rows[m][-1] or "]" in rows[m][-1]:
            ends = " ".join(rows[m][-2:]).strip("[]").split(", ")
            assert all(e[0] in "+-" for e in ends), rows[m]
    assert "each Δ is paired" in " ".join(table.split())
