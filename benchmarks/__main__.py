"""`python -m benchmarks [--smoke]`: every benchmark in one run, written to benchmarks/RESULTS.md.

Each benchmark reports ratios measured in the same run (against a baseline or a target), since
absolute times drift on shared machines. `--smoke` runs each at a small size in a few seconds, so
CI keeps them working; its numbers are not results and RESULTS.md is left alone.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import (
    ask_latency,
    capping,
    chat_latency,
    day_run,
    extraction,
    extraction_peers,
    matching,
    qa_archive,
    qa_retrieval,
    ranking,
    search,
    search_latency,
    startup,
    tokens,
)

RESULTS = Path(__file__).with_name("RESULTS.md")
VOTES = 10  # up and down, in each chat, for the ranked day runs
HISTORY_HEADING = "## Before and after"


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def _machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def _kept_history() -> str:
    """The hand-written record of changes and their before/after numbers survives each run."""
    if not RESULTS.is_file():
        return ""
    old = RESULTS.read_text(encoding="utf-8")
    start = old.find(HISTORY_HEADING)
    return "\n" + old[start:] if start >= 0 else ""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small sizes, a few seconds")
    parser.add_argument(
        "--days",
        type=Path,
        default=None,
        help=f"announcement days for the ranking benchmark (default {ranking.DAYS})",
    )
    args = parser.parse_args(argv)

    smoke = args.smoke
    sizes = (50, 200) if smoke else (matching.FULL_PAPERS, matching.FULL_KEYWORDS)
    day_runs = (
        [("Day run", day_run.run(smoke=True))]
        if smoke
        else [
            ("Day run, pacing off (our own cost)", day_run.run(paced=False)),
            ("Day run, the platforms' pacing on", day_run.run()),
            (
                "Day run ranked by votes, pacing off",
                day_run.run(paced=False, votes=VOTES),
            ),
            (
                "Day run ranked by votes, with glibc's default heaps (8 a core)",
                day_run.run(paced=False, votes=VOTES, malloc_arenas=8 * (os.cpu_count() or 1)),
            ),
        ]
    )
    sections: list[tuple[str, str]] = [
        *((title, day_run.report(result)) for title, result in day_runs),
        ("Full-text reading", extraction.report(extraction.run(2 if smoke else None))),
        ("Full-text reading against peers", extraction_peers.report(extraction_peers.run(smoke))),
        ("Matching", matching.report(matching.run(*sizes))),
        ("Ranking", ranking.report(ranking.run(smoke=smoke, days_dir=args.days))),
        ("Tokens per paper", tokens.report(tokens.run(smoke=smoke))),
        ("Tokens the cap saves", capping.report(capping.run(smoke=smoke))),
        ("Asking a paper: retrieval", qa_retrieval.report(qa_retrieval.run(smoke=smoke))),
        ("Asking a paper: overhead", ask_latency.report(ask_latency.run(smoke=smoke))),
        ("Chat latency", chat_latency.report(chat_latency.run(smoke=smoke))),
        ("Searching the archive", search.report(asyncio.run(search.run(smoke=smoke)))),
        ("Asking the archive", qa_archive.report(asyncio.run(qa_archive.run(smoke=smoke)))),
        (
            "Searching and exporting in the chat",
            search_latency.report(search_latency.run(smoke=smoke)),
        ),
        ("Start-up", startup.report(startup.run(smoke=smoke))),
    ]

    header = f"Benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {_commit()}, {_machine()}"
    text = "\n\n".join(f"## {title}\n\n```\n{body}\n```" for title, body in sections)
    print(header)
    print(text)
    if not args.smoke:
        RESULTS.write_text(f"# {header}\n\n{text}\n{_kept_history()}", encoding="utf-8")
        print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
