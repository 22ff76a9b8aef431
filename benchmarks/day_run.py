"""Benchmark: a whole day, `arxiv-digest digest` from start to the last post on Slack and Telegram.

Run with `python -m benchmarks.day_run [--smoke]`. The system under test runs as a subprocess
(its peak RSS is read after it exits); the fakes run in this process with injected latency: the
LLM answers each call in 2 s, each PDF takes 0.2 s. A 2,000-paper feed, 100 papers match, one
Slack channel and one Telegram group.

The ideal for the analysis is ⌈LLM calls / C⌉ × latency (C = `LLM_CONCURRENCY`) plus what can
never overlap with it: the first PDF download (the first call needs a paper's text) and 3 s if
the run calls arXiv's API. Posting has its own floor, set by the platforms' limits, not by us:
about one message a second per chat on both, and 20 a minute per Telegram group (the first 20
may go at once). Both ratios are reported: against the analysis ideal alone, and against
max(analysis ideal, posting floor). The thread is posted while papers are still analysed, so
the two overlap; "the last post" is the parent's closing edit, which comes after every paper.
"""

from __future__ import annotations

import argparse
import math
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from arxiv_digest.settings import Settings
from benchmarks.day_votes import seed_votes
from benchmarks.environment import machine_env
from benchmarks.extraction import corpus_pdfs
from domain.models import AnnounceType, Paper
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.base import Request, Response
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack
from tests.fakes.telegram_server import FakeTelegram
from tests.pdfgen import make_paper_pdf

DAY = date(2026, 2, 4)
CATEGORY = "cs.AI"
KEYWORD = "vision language action"
CHANNEL = "C0TEAM"
GROUP = -100200300
TARGET_RATIO = 1.2
TARGET_RSS_MB = 400
TELEGRAM_GROUP_PER_MINUTE = 20  # bot/telegram/poster.py's GROUP_MESSAGES_PER_MINUTE
TELEGRAM_GROUP_BURST = 20  # its limiter lets the first minute's messages go at once
FULL = {"papers": 2000, "matching": 100, "llm_latency": 2.0, "pdf_delay": 0.2, "paced": True}
SMOKE = {"papers": 100, "matching": 4, "llm_latency": 0.05, "pdf_delay": 0.01, "paced": False}


class SlowPdfArxiv(FakeArxiv):
    """FakeArxiv whose PDFs take `pdf_delay` seconds to arrive, as arXiv's do."""

    pdf_delay = 0.0

    def _pdf(self, name: str) -> Response:
        response = super()._pdf(name)
        response.delay = self.pdf_delay
        return response


def _paper(n: int, matching: bool) -> Paper:
    if matching:
        title = f"Vision-Language-Action Policies, Study {n:04d}"
        abstract = "We train vision-language-action policies for robot manipulation."
    else:
        title = f"Graph Neural Networks for Molecules, Study {n:04d}"
        abstract = "We predict molecular properties with message passing on graphs."
    return Paper(
        arxiv_id=f"2602.{n:05d}",
        version=1,
        title=title,
        authors=["Ada Lovelace", "Alan Turing"],
        abstract=abstract,
        categories=[CATEGORY],
        announce_type=AnnounceType.NEW,
    )


def _pdfs() -> tuple[list[bytes], str]:
    """The corpus's real PDFs (cycled over the matching papers), else one generated paper."""
    files = corpus_pdfs()
    if files:
        return [f.read_bytes() for f in files if "encrypted" not in f.name], "corpus PDFs"
    body = "Our method predicts sparsity from the environment. " * 30
    return [make_paper_pdf([("1 Introduction", body), ("3 Method", body)])], "generated PDF"


def _env(
    tmp: Path,
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    slack: FakeSlack,
    telegram: FakeTelegram,
    paced: bool,
) -> dict[str, str]:
    rate = "1" if paced else "0"
    return machine_env() | {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'digest.sqlite3'}",
        "REPORTS_DIR": str(tmp / "reports"),
        "ARXIV_RSS_URL": arxiv.rss_url,
        "ARXIV_API_URL": arxiv.api_url,
        "ARXIV_PDF_URL": arxiv.pdf_url,
        "OPENAI_BASE_URL": llm.base_url,
        "OPENAI_API_KEY": "sk-bench",
        "LLM_MODEL": "bench-model",
        "DIGEST_CATEGORIES": CATEGORY,
        "DIGEST_KEYWORDS": KEYWORD,
        "DIGEST_MAX_PAPERS": "0",  # every match analysed: a 100-analysis day, as before the cap
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_API_URL": slack.api_url,
        "SLACK_CHANNELS": CHANNEL,
        "SLACK_MESSAGES_PER_SECOND": rate,
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_API_URL": telegram.base_url,
        "TELEGRAM_CHATS": str(GROUP),
        "TELEGRAM_MESSAGES_PER_SECOND": rate,
    }


def _run_watched(
    command: list[str], *, cwd: Path, env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run the command and read its own peak resident set (`VmHWM`) until it exits.

    Not `ru_maxrss`: a child made by fork and exec starts with the parent's high-water mark, so
    the benchmark's own size would show as the digest's. The mark only grows, so its last
    reading, taken every 50 ms, is the peak up to the last moments.
    """
    child = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    status = Path(f"/proc/{child.pid}/status")
    peak_kb = 0
    finished = threading.Event()

    def watch() -> None:
        nonlocal peak_kb
        while not finished.wait(0.05):
            try:
                lines = status.read_text(encoding="ascii").splitlines()
            except OSError:
                return
            for line in lines:
                if line.startswith("VmHWM:"):
                    peak_kb = max(peak_kb, int(line.split()[1]))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out, err = child.communicate()
    finished.set()
    watcher.join()
    if not peak_kb:  # no /proc: an upper bound instead
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.CompletedProcess(command, child.returncode, out, err)
    return done, peak_kb / 1024


def _last(requests: list[Request]) -> float | None:
    times = [r.answered_at for r in requests if r.answered_at is not None]
    return max(times) if times else None


def _first(requests: list[Request]) -> float | None:
    times = [r.received_at for r in requests]
    return min(times) if times else None


def _posted_once(titles: list[str], texts: list[str]) -> dict[str, int]:
    """How many matching papers appear exactly once, and how many appear more than once."""
    pattern = re.compile(r"Study \d{4}")
    counts = {title: 0 for title in titles}
    for text in texts:
        for study in set(pattern.findall(text)):
            title = f"Vision-Language-Action Policies, {study}"
            if title in counts:
                counts[title] += 1
    return {
        "once": sum(1 for c in counts.values() if c == 1),
        "twice_or_more": sum(1 for c in counts.values() if c > 1),
    }


def _telegram_floor(messages: int, per_second: float) -> float:
    per_chat = (messages - 1) / per_second
    group = max(0, messages - TELEGRAM_GROUP_BURST) * 60 / TELEGRAM_GROUP_PER_MINUTE
    return max(per_chat, group)


def run(
    smoke: bool = False,
    *,
    papers: int | None = None,
    matching: int | None = None,
    llm_latency: float | None = None,
    pdf_delay: float | None = None,
    paced: bool | None = None,
    votes: int = 0,
    malloc_arenas: int | None = None,
) -> dict:
    """One day end to end; wall time, peak RSS and exactly-once counts, with the ideal times."""
    size = dict(SMOKE if smoke else FULL)
    for name, value in [
        ("papers", papers),
        ("matching", matching),
        ("llm_latency", llm_latency),
        ("pdf_delay", pdf_delay),
        ("paced", paced),
    ]:
        if value is not None:
            size[name] = value
    n_papers, n_matching = int(size["papers"]), int(size["matching"])
    latency, delay, is_paced = float(size["llm_latency"]), float(size["pdf_delay"]), size["paced"]
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    concurrency, pdf_concurrency = defaults.llm_concurrency, defaults.pdf_concurrency

    step = max(n_papers // n_matching, 1)
    feed = [_paper(n, n % step == 0 and n // step < n_matching) for n in range(n_papers)]
    wanted = [p for p in feed if p.title.startswith("Vision")]
    pdfs, pdf_source = _pdfs()

    with (
        SlowPdfArxiv() as arxiv,
        FakeOpenAI(latency=latency) as llm,
        FakeSlack() as slack,
        FakeTelegram() as telegram,
        tempfile.TemporaryDirectory() as tmp_dir,
    ):
        arxiv.pdf_delay = delay  # type: ignore[attr-defined]
        arxiv.feeds[CATEGORY] = (DAY, feed)  # type: ignore[attr-defined]
        for i, paper in enumerate(wanted):
            arxiv.pdfs[paper.versioned_id] = pdfs[i % len(pdfs)]  # type: ignore[attr-defined]
        telegram.add_chat(GROUP, "supergroup")  # type: ignore[attr-defined]
        tmp = Path(tmp_dir)
        env = _env(tmp, arxiv, llm, slack, telegram, bool(is_paced))  # type: ignore[arg-type]
        if malloc_arenas is not None:  # glibc's say over the process's own (arxiv_digest.heaps)
            env["MALLOC_ARENA_MAX"] = str(malloc_arenas)
        if votes:
            chats = {"slack": CHANNEL, "telegram": str(GROUP)}
            unwanted = [p for p in feed if p not in wanted]
            seed_votes(env["DATABASE_URL"], chats, wanted, unwanted, votes)

        started = time.monotonic()
        done, peak_rss_mb = _run_watched(
            [sys.executable, "-m", "arxiv_digest", "digest"], cwd=tmp, env=env
        )
        ended = time.monotonic()

        llm_calls = llm.requests_to("/v1/chat/completions")
        # Every message the platforms took, the parent's closing edit included: the day is
        # posted once the parent no longer says it is being analysed.
        slack_posts = slack.requests_to("/api/chat.postMessage") + slack.requests_to(
            "/api/chat.update"
        )
        tg_posts = [
            r for r in telegram.requests if r.path.endswith(("/sendMessage", "/editMessageText"))
        ]
        api_calls = len(arxiv.requests_to("/api/"))
        titles = [p.title for p in wanted]
        slack_texts = [
            f"{p.text or ''} {p.blocks or ''}"
            for p in slack.all_posts  # type: ignore[attr-defined]
            if p.channel == CHANNEL and p.thread_ts is not None
        ]
        sent = telegram.sent(GROUP)  # type: ignore[attr-defined]
        parent = sent[0].message_id if sent else None
        tg_texts = [m.plain for m in sent if m.reply_to == parent]

        last_llm, last_slack, last_tg = _last(llm_calls), _last(slack_posts), _last(tg_posts)
        first_llm = _first(llm_calls)
        first_slack = _first(slack_posts)

    rate = 1.0 if is_paced else 0.0
    llm_ideal = math.ceil(len(llm_calls) / concurrency) * latency + (delay if llm_calls else 0.0)
    if api_calls:
        llm_ideal += defaults.arxiv_api_delay_seconds
    slack_floor = (len(slack_posts) - 1) / rate if rate and slack_posts else 0.0
    tg_floor = _telegram_floor(len(tg_posts), rate) if rate and tg_posts else 0.0
    # run_everything delivers to the platforms side by side: the slower one sets the floor.
    posting_floor = max(slack_floor, tg_floor)
    wall = ended - started
    ends = [t for t in (last_slack, last_tg) if t is not None]
    to_last_post = (max(ends) - started) if ends else wall
    analysis_wall = (last_llm - started) if last_llm is not None else 0.0
    posting_wall = (max(ends) - first_slack) if ends and first_slack is not None else 0.0
    return {
        "papers": n_papers,
        "matching": n_matching,
        "llm_latency_s": latency,
        "pdf_delay_s": delay,
        "pdf_source": pdf_source,
        "paced": bool(is_paced),
        "votes": votes,
        "malloc_arenas": malloc_arenas,
        "exit_code": done.returncode,
        "stderr_tail": done.stderr[-2000:] if done.returncode else "",
        "llm_concurrency": concurrency,
        "pdf_concurrency": pdf_concurrency,
        "llm_calls": len(llm_calls),
        "llm_max_in_flight": llm.max_in_flight,
        "api_calls": api_calls,
        "pdf_downloads": len(arxiv.requests_to("/pdf/")),
        "slack_messages": len(slack_posts),
        "telegram_messages": len(tg_posts),
        "slack": _posted_once(titles, slack_texts),
        "telegram": _posted_once(titles, tg_texts),
        "wall_s": wall,
        "to_last_post_s": to_last_post,
        "analysis_s": analysis_wall,
        # start-up, feed, matching and the first PDF: what comes before any LLM call
        "first_llm_call_s": (first_llm - started) if first_llm is not None else 0.0,
        "posting_s": posting_wall,
        "llm_ideal_s": llm_ideal,
        "slack_floor_s": slack_floor,
        "telegram_floor_s": tg_floor,
        "posting_floor_s": posting_floor,
        "ratio_vs_llm_ideal": to_last_post / llm_ideal if llm_ideal else float("nan"),
        "ratio_vs_max_floor": to_last_post / max(llm_ideal, posting_floor)
        if llm_ideal
        else float("nan"),
        "analysis_ratio": analysis_wall / llm_ideal if llm_ideal else float("nan"),
        "posting_ratio": posting_wall / posting_floor if posting_floor else float("nan"),
        "peak_rss_mb": peak_rss_mb,
        "target_ratio": TARGET_RATIO,
        "target_rss_mb": TARGET_RSS_MB,
    }


def report(result: dict) -> str:
    r = result
    if r["exit_code"] != 0:
        return f"day run failed (exit {r['exit_code']}):\n{r['stderr_tail']}"
    pacing = (
        "pacing on (1 message/s per chat, Telegram group 20/min)"
        if r["paced"]
        else "pacing OFF (SLACK/TELEGRAM_MESSAGES_PER_SECOND=0): posting floors not applied"
    )
    # Unpaced, nothing but our own work stands between the analysis ideal and the last post;
    # paced, the platforms' limits are a floor no client can go under.
    overall = r["ratio_vs_max_floor"] if r["paced"] else r["ratio_vs_llm_ideal"]
    met = "met" if overall <= r["target_ratio"] else "missed"
    rss = "met" if r["peak_rss_mb"] < r["target_rss_mb"] else "missed"
    return "\n".join(
        [
            f"day run: {r['papers']} papers, {r['matching']} match, LLM {r['llm_latency_s']:g} s "
            f"a call, PDF {r['pdf_delay_s']:g} s ({r['pdf_source']}), `arxiv-digest digest` "
            f"as a subprocess, {pacing}"
            + (
                f"; each chat ranked by its votes ({r['votes']} up, {r['votes']} down)"
                if r.get("votes")
                else "; no votes (keyword order)"
            )
            + (f"; MALLOC_ARENA_MAX={r['malloc_arenas']}" if r.get("malloc_arenas") else ""),
            f"LLM calls {r['llm_calls']} (concurrency {r['llm_concurrency']}, most in flight "
            f"{r['llm_max_in_flight']}), PDF downloads {r['pdf_downloads']} (concurrency "
            f"{r['pdf_concurrency']}), arXiv API calls {r['api_calls']}",
            f"posted once: Slack {r['slack']['once']}/{r['matching']}, Telegram "
            f"{r['telegram']['once']}/{r['matching']} (duplicates: {r['slack']['twice_or_more']}"
            f", {r['telegram']['twice_or_more']}); messages: Slack {r['slack_messages']}, "
            f"Telegram {r['telegram_messages']}",
            f"wall to the last post {r['to_last_post_s']:.1f} s (process exit {r['wall_s']:.1f} s)"
            f"; first LLM call at {r['first_llm_call_s']:.1f} s, analysis done at "
            f"{r['analysis_s']:.1f} s; posting took {r['posting_s']:.1f} s",
            f"analysis ideal {r['llm_ideal_s']:.1f} s = ceil({r['llm_calls']}/"
            f"{r['llm_concurrency']}) x {r['llm_latency_s']:g} s + first PDF "
            f"{r['pdf_delay_s']:g} s" + (" + 3 s API spacing" if r["api_calls"] else ""),
            f"posting floor {r['posting_floor_s']:.1f} s = max(Slack {r['slack_floor_s']:.1f} s, "
            f"Telegram {r['telegram_floor_s']:.1f} s) (the platforms are delivered side by side)",
            f"analysis phase / analysis ideal: {r['analysis_ratio']:.2f}x",
            f"posting phase / posting floor: {r['posting_ratio']:.2f}x"
            if r["paced"]
            else "posting phase / posting floor: n/a (pacing off)",
            f"to last post / analysis ideal: {r['ratio_vs_llm_ideal']:.2f}x; "
            f"/ max(analysis ideal, posting floor): {r['ratio_vs_max_floor']:.2f}x "
            f"(target <= {r['target_ratio']:g}x "
            + ("against the latter" if r["paced"] else "against the analysis ideal")
            + f": {met})",
            f"peak RSS of the digest process: {r['peak_rss_mb']:.0f} MB "
            f"(target < {r['target_rss_mb']} MB: {rss})",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="100 papers, 4 match, no pacing")
    parser.add_argument("--unpaced", action="store_true", help="posting pacing off (say so)")
    parser.add_argument("--votes", type=int, default=0, help="N up and N down in each chat")
    parser.add_argument("--arenas", type=int, default=None, help="MALLOC_ARENA_MAX for the run")
    args = parser.parse_args(argv)
    paced = False if args.unpaced else None
    print(report(run(args.smoke, paced=paced, votes=args.votes, malloc_arenas=args.arenas)))


if __name__ == "__main__":
    main()
