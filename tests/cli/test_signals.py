"""Ctrl-C and SIGTERM on real ``detente`` processes (issue #12 item 2), and ``detente --version``.

Each long command is started in its own session, left to work (worker processes exist, or it has
used CPU time well beyond the imports), then sent SIGINT on the whole process group (what a
terminal does on Ctrl-C) or SIGTERM on the parent only. Required: exit 130 / 143 with one
``interrupted`` line and no traceback, every process of the group gone within LIMIT_S seconds of
the signal, no output file written. The measured seconds are printed (``pytest -s``).
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "detente.cli"]
LIMIT_S = 2.0  # the goal is one second (measured 0.1-0.9 s on a busy 2-core machine); CI headroom
BUSY_CPU_S = 1.5  # CPU seconds used before the signal: imports take ~0.5, so the work is under way

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


# ---------------------------------------------------------------------------------- /proc helpers
def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()  # fields from 3 (state) on; the name may hold spaces


def _live(pids: list[int]) -> list[int]:
    out = []
    for pid in pids:
        st = _stat(pid)
        if st is not None and st[0] not in ("Z", "X"):
            out.append(pid)
    return out


def _all_pids() -> list[int]:
    return [int(d) for d in os.listdir("/proc") if d.isdigit()]


def _group(pgid: int) -> list[int]:
    """Live processes of process group ``pgid``."""
    out = []
    for pid in _all_pids():
        st = _stat(pid)
        if st is not None and int(st[2]) == pgid and st[0] not in ("Z", "X"):
            out.append(pid)
    return out


def _children(pid: int) -> list[int]:
    out = []
    for p in _all_pids():
        st = _stat(p)
        if st is not None and int(st[1]) == pid and st[0] not in ("Z", "X"):
            out.append(p)
    return out


def _cpu_s(pid: int) -> float:
    st = _stat(pid)
    return 0.0 if st is None else (int(st[11]) + int(st[12])) / os.sysconf("SC_CLK_TCK")


# -------------------------------------------------------------------------------------- running
class Cmd:
    def __init__(self, args: list[str], cwd: Path) -> None:
        self.out, self.err = cwd / "stdout.txt", cwd / "stderr.txt"
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.proc = subprocess.Popen(
                [*CLI, *args],
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,  # its own process group, like a job in a terminal
                # a SIGINT ignored by whoever runs the tests (nohup, CI) would be inherited, and
                # detente rightly keeps an ignored SIGINT ignored
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            )
        self.pid = self.proc.pid

    def stderr(self) -> str:
        return self.err.read_text(errors="replace")

    def wait_busy(self, *, cpu: float = BUSY_CPU_S, children: int = 0, timeout: float = 90.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            assert self.proc.poll() is None, (
                f"ended before the signal ({self.proc.returncode}): {self.stderr()[-2000:]}"
            )
            if _cpu_s(self.pid) >= cpu and len(_children(self.pid)) >= children:
                return
            time.sleep(0.05)
        self.kill()
        pytest.fail(f"not busy after {timeout} s: {self.stderr()[-2000:]}")

    def interrupt(self, sig: int, *, group: bool) -> tuple[float, float]:
        """Send ``sig``; return (seconds until the parent exited, until the whole group was gone)."""
        t0 = time.monotonic()
        if group:
            os.killpg(self.pid, sig)
        else:
            os.kill(self.pid, sig)
        parent = None
        while time.monotonic() - t0 < 15:
            if parent is None and self.proc.poll() is not None:
                parent = time.monotonic() - t0
            if parent is not None and not _group(self.pid):
                return parent, time.monotonic() - t0
            time.sleep(0.005)
        left = _group(self.pid)
        self.kill()
        pytest.fail(
            f"{'parent still running' if parent is None else f'left behind: {left}'} 15 s after the signal"
        )

    def kill(self) -> None:
        for pid in _group(self.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(5)


def _check(cmd: Cmd, sig: int, *, group: bool, what: str) -> None:
    parent_s, all_s = cmd.interrupt(sig, group=group)
    how = "SIGINT to the group" if group else f"{signal.Signals(sig).name} to the parent"
    print(f"\n{what}: {how}: parent exited after {parent_s:.2f} s, last process gone after {all_s:.2f} s")
    err = cmd.stderr()
    assert cmd.proc.returncode == 128 + sig, (cmd.proc.returncode, err[-2000:])
    assert "interrupted" in err.splitlines(), err[-2000:]
    assert "Traceback" not in err, err[-4000:]
    assert all_s < LIMIT_S, f"{what}: {all_s:.2f} s from {how} to the last process gone"


def _no_outputs(folder: Path, *names: str) -> None:
    assert not [n for n in names if (folder / n).exists()], "an output file was written"
    assert not list(folder.glob(".detente-*")) and not list(folder.glob("*.tmp")), (
        "temporary file left behind"
    )


# -------------------------------------------------------------------------------------- version
def test_version() -> None:
    from detente._version import __version__

    r = subprocess.run([*CLI, "--version"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout == f"detente {__version__}\n" and r.stderr == ""
    assert __version__ == "0.1.0"


def test_version_in_process(cli) -> None:
    r = cli("--version")
    assert r.exit_code == 0 and r.stdout.strip() == "detente 0.1.0"


# ------------------------------------------------------------------------------------- commands
SWEEP = ["sweep", "ukraine-2025", "-m", "eum", "--draws", "200000", "--processes", "2", "--format", "json"]


@linux_only
@pytest.mark.slow
@pytest.mark.parametrize(
    ("sig", "group"), [(signal.SIGINT, True), (signal.SIGTERM, False)], ids=["int", "term"]
)
def test_sweep_with_processes(tmp_path: Path, sig: int, group: bool) -> None:
    cmd = Cmd(SWEEP, tmp_path)
    cmd.wait_busy(cpu=0.0, children=2)  # the pool exists once the first chunks are submitted
    time.sleep(0.5)
    assert len(_children(cmd.pid)) >= 2
    _check(cmd, sig, group=group, what="sweep --processes 2")
    assert cmd.out.read_text() == ""  # no partial JSON


@linux_only
@pytest.mark.slow
def test_sweep_with_a_local_dask_cluster(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    cmd = Cmd([*SWEEP[:-4], "--workers", "2", "--format", "json"], tmp_path)
    cmd.wait_busy(cpu=0.0, children=2, timeout=120)
    end = time.monotonic() + 120  # the workers start, import, then compute: wait for the computing
    while sum(_cpu_s(c) for c in _children(cmd.pid)) < 2 * BUSY_CPU_S + 2:
        assert time.monotonic() < end and cmd.proc.poll() is None, cmd.stderr()[-2000:]
        time.sleep(0.1)
    _check(cmd, signal.SIGINT, group=True, what="sweep --workers 2 (local Dask cluster)")
    assert cmd.out.read_text() == ""


@linux_only
@pytest.mark.slow
def test_sweep_workers_die_with_a_killed_parent(tmp_path: Path) -> None:
    """SIGKILL cannot be handled: the pool workers notice that their parent is gone and end."""
    cmd = Cmd(SWEEP, tmp_path)
    cmd.wait_busy(cpu=0.0, children=2)
    workers = _children(cmd.pid)
    t0 = time.monotonic()
    os.kill(cmd.pid, signal.SIGKILL)
    cmd.proc.wait(5)
    while _live(workers) and time.monotonic() - t0 < 15:
        time.sleep(0.005)
    gone = time.monotonic() - t0
    print(f"\nsweep --processes 2: SIGKILL to the parent: workers gone after {gone:.2f} s")
    left = _live(workers)
    if left:
        cmd.kill()
    assert not left and gone < LIMIT_S


@linux_only
@pytest.mark.slow
def test_run(tmp_path: Path) -> None:
    cmd = Cmd(["run", "--thorough", "--report", "report.html"], tmp_path)
    cmd.wait_busy()
    _check(cmd, signal.SIGINT, group=True, what="run --thorough")
    _no_outputs(tmp_path, "report.html")


def _synthetic_deu(path: Path, n_issues: int = 60) -> Path:
    """A DEU III-layout file of random positions (takes ~1 min to backtest with every model)."""
    members = "at be bu cr cy cz dk ee fi fr de el hu ie it lv lt lu mt nl pl pt ro si sk es se uk".split()
    actors = ["com", "ep", *members]
    fixed = "prnrnmc isnrnmc prnr prname isnr type council proc counvte proccde issues intro finact".split()
    header = fixed + ["p" + a for a in actors] + ["s" + a for a in actors] + ["rp", "out"]
    rng = random.Random(0)
    lines = ["\t".join(header)]
    for k in range(n_issues):
        prnr = f"d{k // 3:05d}"
        row = dict(
            zip(
                fixed,
                [
                    "1",
                    "1",
                    prnr,
                    "synthetic",
                    f"{prnr}i{k % 3 + 1}",
                    "Reg",
                    "General",
                    "COD",
                    "QMV",
                    "1",
                    "3",
                    "2000-01-01",
                    "999",
                ],
                strict=True,
            )
        )
        row |= {"p" + a: str(rng.choice([0, 25, 50, 75, 100])) for a in actors}
        row |= {"s" + a: str(rng.choice([30, 50, 70, 90])) for a in actors}
        row |= {"rp": "0", "out": str(rng.choice([0, 25, 50, 75, 100]))}
        lines.append("\t".join(row[h] for h in header))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@linux_only
@pytest.mark.slow
def test_backtest(tmp_path: Path) -> None:
    _synthetic_deu(tmp_path / "deu.tsv")
    cmd = Cmd(["backtest", "deu.tsv", "--out", "forecasts.csv", "--report", "backtest.html"], tmp_path)
    cmd.wait_busy()
    _check(cmd, signal.SIGTERM, group=False, what="backtest")
    _no_outputs(tmp_path, "forecasts.csv", "backtest.html")


@linux_only
@pytest.mark.slow
def test_simulate(tmp_path: Path) -> None:
    cmd = Cmd(["simulate", "--draws", "200000", "--format", "json"], tmp_path)
    cmd.wait_busy()
    _check(cmd, signal.SIGINT, group=True, what="simulate --draws 200000")
    assert cmd.out.read_text() == ""


@linux_only
@pytest.mark.slow
def test_sensitivity(tmp_path: Path) -> None:
    cmd = Cmd(["sensitivity", "ukraine-2025", "-m", "eum", "--method", "sobol", "--draws", "20000"], tmp_path)
    cmd.wait_busy()
    _check(cmd, signal.SIGTERM, group=False, what="sensitivity --method sobol")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as r:
        return bytes(r.read())


@linux_only
@pytest.mark.slow
@pytest.mark.parametrize(
    ("sig", "group"), [(signal.SIGINT, True), (signal.SIGTERM, False)], ids=["int", "term"]
)
def test_serve_with_a_running_job(tmp_path: Path, sig: int, group: bool) -> None:
    pytest.importorskip("uvicorn")
    pytest.importorskip("fastapi")
    port = _free_port()
    cmd = Cmd(["serve", "--port", str(port), "--db", str(tmp_path / "db.sqlite")], tmp_path)
    base = f"http://127.0.0.1:{port}"
    end = time.monotonic() + 60
    while True:
        assert cmd.proc.poll() is None, cmd.stderr()[-2000:]
        try:
            _get(base + "/api/health")
            break
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > end:
                cmd.kill()
                pytest.fail("the server did not answer within 60 s")
            time.sleep(0.1)
    # a long job runs in the server's thread pool: it must not keep the process alive
    body = {"ref": "builtin:ukraine-2025", "model": "eum", "n_draws": 20000}
    req = urllib.request.Request(
        base + "/api/sweep", data=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        job = json.loads(r.read())["id"]
    end = time.monotonic() + 30
    while json.loads(_get(f"{base}/api/jobs/{job}"))["status"] != "running":
        assert time.monotonic() < end, "the job did not start"
        time.sleep(0.1)
    time.sleep(0.5)
    _check(cmd, sig, group=group, what="serve with a running sweep job")
