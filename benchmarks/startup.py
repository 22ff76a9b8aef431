"""Benchmark: how long the command line takes to start, against `python -c pass`.

Run with `python -m benchmarks.startup [--smoke]`. Each timing is a fresh subprocess with the
same interpreter:
- `python -m arxiv_digest --help`: what every command pays before its work (target < 0.5 s);
- `python -m arxiv_digest serve -v` in Slack HTTP mode against a local FakeSlack, from spawning
  until the HTTP port accepts connections (`serve -v` logs "Slack bot listening: <url>" once it
  does); the first start also creates the database, later ones find it migrated.
The baseline is the interpreter alone; ratios to it drift less than seconds on a shared machine.
"""

from __future__ import annotations

import argparse
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.environment import machine_env
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.slack_server import FakeSlack

TARGET_HELP_SECONDS = 0.5
FULL_ROUNDS = 5
SMOKE_ROUNDS = 2
_READY_LINE = re.compile(r"Slack bot listening: http://[^:/]+:(\d+)/slack/events")
_WAIT_SECONDS = 60.0  # a bound on a start-up, never an expectation of speed


def _time_command(args: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(args, env=env, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def _time_serve(env: dict[str, str], cwd: Path) -> dict[str, float]:
    """Seconds from spawning `serve -v` to its ready line, and to its port accepting one."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "arxiv_digest", "serve", "-v"],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    try:
        logged = ""
        while not (found := _READY_LINE.search(logged)):
            line = process.stderr.readline()
            if not line:
                raise RuntimeError(f"serve exited before it was ready:\n{logged}")
            logged += line
            if time.perf_counter() - started > _WAIT_SECONDS:
                raise RuntimeError(f"serve was not ready after {_WAIT_SECONDS:.0f} s:\n{logged}")
        logged_at = time.perf_counter() - started
        with socket.create_connection(("127.0.0.1", int(found[1])), timeout=_WAIT_SECONDS):
            accepted_at = time.perf_counter() - started
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=_WAIT_SECONDS)
        return {"ready_line_s": logged_at, "accepts_s": accepted_at}
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def run(smoke: bool = False, rounds: int | None = None) -> dict:
    """Medians of `rounds` fresh processes each: the baseline, `--help` and `serve` to ready."""
    rounds = rounds or (SMOKE_ROUNDS if smoke else FULL_ROUNDS)
    python = sys.executable
    with (
        tempfile.TemporaryDirectory(prefix="bench-startup-") as workdir,
        FakeSlack() as slack,
        FakeArxiv() as arxiv,
    ):
        cwd = Path(workdir)  # no .env here: the settings are the ones below
        env = machine_env()
        serve_env = env | {
            "DATABASE_URL": f"sqlite+aiosqlite:///{cwd / 'bench.sqlite3'}",
            "REPORTS_DIR": str(cwd / "reports"),
            "ARXIV_RSS_URL": arxiv.rss_url,
            "ARXIV_API_URL": arxiv.api_url,
            "ARXIV_PDF_URL": arxiv.pdf_url,
            "SLACK_BOT_TOKEN": slack.token,
            "SLACK_API_URL": slack.api_url,
            "SLACK_SIGNING_SECRET": "benchmark-signing-secret-0123456789",
            "SLACK_HTTP_PORT": "0",
        }
        # Interleaved, so a slow moment of the machine is shared by all three.
        first_serve = _time_serve(serve_env, cwd)  # creates and migrates the database
        baseline, help_, serve = [], [], []
        for _ in range(rounds):
            baseline.append(_time_command([python, "-c", "pass"], env, cwd))
            help_.append(_time_command([python, "-m", "arxiv_digest", "--help"], env, cwd))
            serve.append(_time_serve(serve_env, cwd))
    base = statistics.median(baseline)
    help_s = statistics.median(help_)
    ready_s = statistics.median(s["ready_line_s"] for s in serve)
    accepts_s = statistics.median(s["accepts_s"] for s in serve)
    return {
        "rounds": rounds,
        "baseline_s": base,
        "help_s": help_s,
        "help_ratio": help_s / base,
        "help_target_met": help_s < TARGET_HELP_SECONDS,
        "serve_ready_line_s": ready_s,
        "serve_accepts_s": accepts_s,
        "serve_ratio": accepts_s / base,
        "first_serve_accepts_s": first_serve["accepts_s"],
    }


def report(result: dict) -> str:
    base = result["baseline_s"]
    verdict = "met" if result["help_target_met"] else "missed"
    return "\n".join(
        [
            f"Start-up, fresh subprocesses, median of {result['rounds']}",
            f"python -c pass (baseline): {base * 1000:.0f} ms",
            f"arxiv-digest --help: {result['help_s'] * 1000:.0f} ms = {result['help_ratio']:.1f}x "
            f"baseline (target < {TARGET_HELP_SECONDS * 1000:.0f} ms: {verdict})",
            f"serve (Slack HTTP mode, FakeSlack) to port accepting: "
            f"{result['serve_accepts_s'] * 1000:.0f} ms = {result['serve_ratio']:.1f}x baseline "
            f"(ready line logged at {result['serve_ready_line_s'] * 1000:.0f} ms); "
            f"first start, creating the database: {result['first_serve_accepts_s'] * 1000:.0f} ms",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help=f"median of {SMOKE_ROUNDS}")
    args = parser.parse_args(argv)
    print(report(run(smoke=args.smoke)))


if __name__ == "__main__":
    main()
