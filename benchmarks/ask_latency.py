"""Benchmark: what answering a question about a paper costs beyond the LLM call itself.

Run with `python -m benchmarks.ask_latency [--smoke]`. As `benchmarks.chat_latency`: the service
runs as deployed, `arxiv-digest serve` in its own process (Telegram by long polling), against
the fakes of `tests/fakes/` in this process. A paper is summarized once (read and analysed);
then questions, each different (none answered from the store), are sent one after another as
replies to that answer, each timed from the queued update to the sendMessage answering it, as
the fake records it. The LLM's part is taken from the fake LLM's own records (every chat
completion received and answered while that question was open); what remains is the overhead:
finding the paper, retrieval, the prompt, storing, rendering and posting. Target: p95 under
300 ms. The first question also pays for the passages of a paper never asked about before, and
is reported apart; so is a question asked again (answered from the store, no LLM at all).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sqlite3
import tempfile
import time
from pathlib import Path

from benchmarks.chat_latency import (
    _TELEGRAM_READY,
    _WAIT_SECONDS,
    _paper,
    _percentiles,
    _Recorder,
    _service,
    _service_env,
    _TimedTelegram,
    milliseconds,
)
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.pdfgen import make_paper_pdf
from tests.polling import until

TARGET_P95_SECONDS = 0.3
FULL = {"questions": 100, "llm_latency": 0.05}
SMOKE = {"questions": 5, "llm_latency": 0.01}
_CHAT = 10_000
_USER = 4242
_COMPLETIONS = "/v1/chat/completions"


def _remembered(workdir: Path, message_id: int) -> bool:
    with contextlib.closing(sqlite3.connect(workdir / "bench.sqlite3")) as db:
        found = db.execute(
            "SELECT 1 FROM answer_messages WHERE chat_id = ? AND message_id = ?",
            (str(_CHAT), str(message_id)),
        ).fetchone()
    return found is not None


def _llm_seconds(llm: FakeOpenAI, since: float, until: float) -> float:
    """The LLM's own time for the requests it received in [since, until]."""
    return sum(
        (r.answered_at or until) - r.received_at
        for r in llm.requests_to(_COMPLETIONS)
        if since <= r.received_at <= until
    )


async def _questions(sizes: dict, workdir: Path) -> dict:
    paper = _paper(0)
    recorder = _Recorder(asyncio.get_running_loop())
    with (
        FakeArxiv() as arxiv,
        FakeOpenAI(latency=sizes["llm_latency"]) as llm,
        _TimedTelegram() as telegram,
    ):
        telegram.recorder = recorder
        arxiv.add_paper(paper, make_paper_pdf(title=paper.title))
        env = _service_env(
            arxiv,
            llm,
            workdir,
            telegram_bot_token=telegram.token,
            telegram_api_url=telegram.base_url,
            telegram_messages_per_second="0",
            ask_per_user_per_day="0",
        )
        async with _service(env, workdir, _TELEGRAM_READY):
            command = telegram.add_command(_CHAT, _USER, f"/summarize {paper.arxiv_id}")
            await recorder.wait((_CHAT, command["message"]["message_id"]))
            answer_id = telegram.sent(_CHAT)[-1].message_id
            # The bot notes which paper its answer showed just after posting it; a reply before
            # that would be told the message is no paper's.
            await until(lambda: _remembered(workdir, answer_id), bound=_WAIT_SECONDS)

            async def ask(question: str) -> tuple[float, float]:
                started = time.monotonic()
                update = telegram.add_message(_CHAT, _USER, question, reply_to=answer_id)
                answered = await recorder.wait((_CHAT, update["message"]["message_id"]))
                return answered - started, _llm_seconds(llm, started, answered)

            first = await ask("What is the main result, and on which benchmark?")
            totals: list[float] = []
            overheads: list[float] = []
            for i in range(sizes["questions"]):
                total, in_llm = await ask(
                    f"Question {i}: what baseline do they beat, and by how much?"
                )
                totals.append(total)
                overheads.append(total - in_llm)
            stored, stored_llm = await ask(
                "Question 0: what baseline do they beat, and by how much?"
            )
    return {
        "first": {"total": first[0], "overhead": first[0] - first[1]},
        "total": _percentiles(totals),
        "overhead": _percentiles(overheads),
        "stored": {"total": stored, "llm": stored_llm},
        "llm_latency": sizes["llm_latency"],
    }


def run(smoke: bool = False, sizes: dict | None = None) -> dict:
    sizes = dict(sizes or (SMOKE if smoke else FULL))

    async def measure() -> dict:
        with tempfile.TemporaryDirectory(prefix="bench-ask-") as workdir:
            return await _questions(sizes, Path(workdir))

    return {"sizes": sizes, **asyncio.run(measure())}


def report(result: dict) -> str:
    sizes, overhead = result["sizes"], result["overhead"]
    met = "met" if overhead["p95"] < TARGET_P95_SECONDS else "missed"
    return "\n".join(
        [
            f"Questions about a paper through Telegram (`arxiv-digest serve` in its own process, "
            f"fakes on 127.0.0.1, fake LLM answering after {result['llm_latency'] * 1000:.0f} ms), "
            f"{sizes['questions']} different questions one after another, replies to a "
            "summarize answer:",
            f"  question to answer: {milliseconds(result['total'])}",
            f"  overhead beyond the LLM's own time (retrieval, prompt, storing, posting): "
            f"{milliseconds(overhead)} (target p95 < {TARGET_P95_SECONDS * 1000:.0f} ms: {met})",
            f"  the paper's first question (its passages made first): "
            f"{result['first']['total'] * 1000:.0f} ms, of which "
            f"{result['first']['overhead'] * 1000:.0f} ms beyond the LLM",
            f"  a question asked again (from the store): {result['stored']['total'] * 1000:.0f} "
            f"ms, {result['stored']['llm'] * 1000:.0f} ms in the LLM",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="5 questions")
    args = parser.parse_args(argv)
    print(report(run(smoke=args.smoke)))


if __name__ == "__main__":
    main()
