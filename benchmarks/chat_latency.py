"""Benchmark: `/summarize` from command to reply, through the real Slack and Telegram paths.

Run with `python -m benchmarks.chat_latency [--smoke]`. Everything is local: the service runs
as deployed, `arxiv-digest serve` in its own process (Slack over HTTP, Telegram by long
polling), against the fakes of `tests/fakes/` (Slack, Telegram, arXiv, an OpenAI-compatible LLM),
which run in this process with the load generator. Each reply's time is taken by the fake when it
records the message, so the benchmark's own waiting adds nothing to it.

- Cached: a paper analysed once before timing, then asked for again and again. Slack: a signed
  slash-command POST to the HTTP endpoint, until FakeSlack records the chat.postMessage (each
  request in its own channel, so per-channel pacing never delays it). Telegram: a command update
  queued in FakeTelegram, until it records the sendMessage answering it (batches of updates).
  Target: p95 under 300 ms.
- Uncached, Slack only: many different papers at once with a slow LLM. Slack wants the
  acknowledgement within 3 s; each paper must still be answered, in order of arrival, within
  ceil(n / LLM_CONCURRENCY) x the LLM's latency plus the time of one cached answer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import re
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from arxiv_digest.settings import Settings
from benchmarks.environment import machine_env
from bot.slack.runner import EVENTS_PATH
from bot.telegram.poster import MESSAGES_PER_SECOND_OVERALL
from domain.models import AnnounceType, Paper
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack
from tests.fakes.telegram_server import FakeTelegram
from tests.pdfgen import make_paper_pdf

TARGET_P95_SECONDS = 0.3
ACK_LIMIT_SECONDS = 3.0  # Slack shows the user an error after this
FULL = {"requests": 200, "concurrency": 20, "uncached": 50, "llm_latency": 2.0, "api_delay": 3.0}
SMOKE = {"requests": 10, "concurrency": 5, "uncached": 5, "llm_latency": 0.2, "api_delay": 0.01}
_SECRET = "benchmark-signing-secret-0123456789"
_USER = "U0BENCH"
_TG_USER = 4242
_STAGGER_SECONDS = 0.002  # between the uncached requests: arrival order is sending order
_WAIT_SECONDS = 120.0  # a bound on every wait, never an expectation of speed
_SLACK_READY = re.compile(r"Slack bot listening: http://[^:/]+:(\d+)/")
_TELEGRAM_READY = re.compile(r"Telegram bot (listening): long polling")


class _Recorder:
    """Hands the time a fake recorded a message to whoever waits on it in the event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._times: dict[object, float] = {}
        self._waiting: dict[object, asyncio.Future[float]] = {}
        self._lock = threading.Lock()

    def record(self, key: object) -> None:  # called in the fake's thread
        now = time.monotonic()
        with self._lock:
            if key in self._times:
                return  # a long answer's later parts: the first one counts
            self._times[key] = now
        self._loop.call_soon_threadsafe(self._wake, key, now)

    def _wake(self, key: object, at: float) -> None:
        waiter = self._waiting.get(key)
        if waiter is not None and not waiter.done():
            waiter.set_result(at)

    async def wait(self, key: object) -> float:
        with self._lock:
            if key in self._times:
                return self._times[key]
            waiter = self._waiting.setdefault(key, self._loop.create_future())
        return await asyncio.wait_for(waiter, _WAIT_SECONDS)

    def order(self) -> list[object]:
        with self._lock:
            return sorted(self._times, key=self._times.__getitem__)


class _TimedSlack(FakeSlack):
    recorder: _Recorder | None = None

    def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = super()._post_message(args)
        if self.recorder is not None:
            self.recorder.record(answer["channel"])
        return answer


class _TimedTelegram(FakeTelegram):
    recorder: _Recorder | None = None

    def _send_message(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = super()._send_message(args)
        reply_to = (answer.get("reply_to_message") or {}).get("message_id")
        if self.recorder is not None:
            self.recorder.record((answer["chat"]["id"], reply_to))
        return answer


def _paper(n: int) -> Paper:
    return Paper(
        arxiv_id=f"2602.{10000 + n}",
        version=1,
        title=f"Benchmark Paper {n}: Pruning Vision-Language-Action Models",
        authors=["Ada Lovelace"],
        abstract="Vision-language-action models are slow. We prune them adaptively.",
        categories=["cs.AI"],
        announce_type=AnnounceType.NEW,
    )


def _service_env(
    arxiv: FakeArxiv, llm: FakeOpenAI, workdir: Path, api_delay: float = 0.01, **chat: str
) -> dict[str, str]:
    """The environment `arxiv-digest serve` reads its settings from, and nothing else of ours."""
    return machine_env() | {
        "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}",
        "REPORTS_DIR": str(workdir / "reports"),
        "ARXIV_RSS_URL": arxiv.rss_url,
        "ARXIV_API_URL": arxiv.api_url,
        "ARXIV_PDF_URL": arxiv.pdf_url,
        "ARXIV_API_DELAY_SECONDS": str(api_delay),  # arXiv's terms: 3 s between API requests
        "OPENAI_BASE_URL": llm.base_url,
        "OPENAI_API_KEY": "sk-bench",
        "LLM_MODEL": "m",
        "SUMMARIZE_PER_USER_PER_MINUTE": "0",  # one user asks hundreds of times a minute
        **{name.upper(): value for name, value in chat.items()},
    }


@contextlib.asynccontextmanager
async def _service(env: dict[str, str], cwd: Path, ready: re.Pattern[str]) -> AsyncIterator[str]:
    """`arxiv-digest serve` in its own process, as deployed; yields its ready line's match.

    Its log is read all along (a full pipe would stall it) and shown if it fails to start.
    """
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "arxiv_digest",
        "serve",
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    log: list[str] = []
    found: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def read_log() -> None:
        assert process.stderr is not None
        async for raw in process.stderr:
            line = raw.decode(errors="replace")
            log.append(line)
            if not found.done() and (match := ready.search(line)):
                found.set_result(match[1])
        if not found.done():
            found.set_exception(RuntimeError("serve exited before it was ready:\n" + "".join(log)))

    reader = asyncio.create_task(read_log())
    try:
        yield await asyncio.wait_for(found, _WAIT_SECONDS)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), _WAIT_SECONDS)
        await reader


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else []
    return {
        "n": len(ordered),
        "p50": statistics.median(ordered),
        "p95": cuts[94] if cuts else ordered[0],
        "max": ordered[-1],
    }


# ---- Slack ---------------------------------------------------------------------------------


@dataclass
class _SlackBot:
    url: str
    slack: _TimedSlack
    recorder: _Recorder
    session: aiohttp.ClientSession

    async def summarize(self, paper: Paper, channel: str, user: str = _USER) -> float:
        """Posts the signed slash command; returns the acknowledgement's time in seconds."""
        body = urlencode(
            {
                "team_id": self.slack.team_id,
                "channel_id": channel,
                "channel_name": "bench",
                "user_id": user,
                "command": "/summarize",
                "text": paper.arxiv_id,
                "response_url": self.slack.response_url(channel),
                "trigger_id": "1.2.3",
            }
        )
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": SignatureVerifier(_SECRET).generate_signature(
                timestamp=stamp, body=body
            ),
        }
        started = time.monotonic()
        async with self.session.post(self.url, data=body.encode(), headers=headers) as response:
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"Slack endpoint answered {response.status}")
        return time.monotonic() - started


@contextlib.asynccontextmanager
async def _slack_bot(
    arxiv: FakeArxiv, llm: FakeOpenAI, workdir: Path, api_delay: float
) -> AsyncIterator[_SlackBot]:
    recorder = _Recorder(asyncio.get_running_loop())
    with _TimedSlack() as slack:
        slack.recorder = recorder
        env = _service_env(
            arxiv,
            llm,
            workdir,
            api_delay,
            slack_bot_token=slack.token,
            slack_api_url=slack.api_url,
            slack_signing_secret=_SECRET,
            slack_http_port="0",
            summarize_per_user_per_day="0",
        )
        async with _service(env, workdir, _SLACK_READY) as port:
            url = f"http://127.0.0.1:{port}{EVENTS_PATH}"  # it listens on every interface
            timeout = aiohttp.ClientTimeout(total=_WAIT_SECONDS)
            connector = aiohttp.TCPConnector(limit=0)
            async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
                yield _SlackBot(url, slack, recorder, session)


async def _slack_cached(bot: _SlackBot, paper: Paper, requests: int, concurrency: int) -> dict:
    await bot.summarize(paper, "C0WARM")
    await bot.recorder.wait("C0WARM")  # analysed once: every later request is cached
    slots = asyncio.Semaphore(concurrency)
    acks: list[float] = []
    replies: list[float] = []

    async def one(i: int) -> None:
        channel = f"C0CACHED{i:04d}"
        async with slots:
            started = time.monotonic()
            acks.append(await bot.summarize(paper, channel))
            replies.append(await bot.recorder.wait(channel) - started)

    began = time.monotonic()
    await asyncio.gather(*(one(i) for i in range(requests)))
    elapsed = time.monotonic() - began
    return {
        "concurrency": concurrency,
        "answered": len(replies),
        "reply": _percentiles(replies),
        "ack": _percentiles(acks),
        "requests_per_s": requests / elapsed,
    }


async def _slack_uncached(
    bot: _SlackBot, papers: list[Paper], llm_concurrency: int, llm_latency: float
) -> dict:
    """All at once, but sent `_STAGGER_SECONDS` apart, so the order of arrival is known."""
    began = time.monotonic()

    async def one(i: int, paper: Paper) -> float:
        await asyncio.sleep(i * _STAGGER_SECONDS)
        return await bot.summarize(paper, f"C0NEW{i:04d}", user=f"U0NEW{i:04d}")

    acks = await asyncio.gather(*(one(i, p) for i, p in enumerate(papers)))
    channels = [f"C0NEW{i:04d}" for i in range(len(papers))]
    answered: dict[str, float] = {}
    for channel in channels:
        with contextlib.suppress(TimeoutError):
            answered[channel] = await bot.recorder.wait(channel) - began
    # Request i's LLM round is i // C: it should be answered by the end of that round. Answers
    # within one round may come in any order; one overtaking an answer of an earlier round counts.
    rounds = {c: i // llm_concurrency for i, c in enumerate(channels)}
    lateness = [answered[c] - (rounds[c] + 1) * llm_latency for c in answered]
    answered_order = [c for c in bot.recorder.order() if c in rounds]
    overtakes = sum(
        1
        for i, later in enumerate(answered_order)
        for earlier in answered_order[i + 1 :]
        if rounds[earlier] < rounds[later]
    )
    return {
        "requests": len(papers),
        "answered": len(answered),
        "ack": _percentiles(list(acks)),
        "last_answer_s": max(answered.values(), default=float("nan")),
        "max_lateness_s": max(lateness, default=float("nan")),
        "overtakes": overtakes,
    }


async def _slack(sizes: dict, workdir: Path) -> dict:
    papers = [_paper(n) for n in range(sizes["uncached"] + 1)]
    pdf = make_paper_pdf(title=papers[0].title)
    with FakeArxiv() as arxiv, FakeOpenAI(latency=sizes["llm_latency"]) as llm:
        for paper in papers:
            arxiv.add_paper(paper, pdf)
        async with _slack_bot(arxiv, llm, workdir, sizes["api_delay"]) as bot:
            cached = await _slack_cached(bot, papers[0], sizes["requests"], sizes["concurrency"])
            concurrency = Settings.model_fields["llm_concurrency"].default
            looked_up = len(arxiv.requests_to("/api/"))
            uncached = await _slack_uncached(bot, papers[1:], concurrency, sizes["llm_latency"])
            api_requests = len(arxiv.requests_to("/api/")) - looked_up
    rounds = math.ceil(sizes["uncached"] / concurrency)
    uncached |= {
        "llm_latency": sizes["llm_latency"],
        "llm_concurrency": concurrency,
        "llm_max_in_flight": llm.max_in_flight,
        "api_requests": api_requests,
        "api_delay_s": sizes["api_delay"],
        # The first look-up goes at once; each further request waits for arXiv's next turn.
        "arxiv_floor_s": sizes["api_delay"] * max(api_requests - 1, 0),
        "bound_s": rounds * sizes["llm_latency"],
    }
    return {"cached": cached, "uncached": uncached}


# ---- Telegram ------------------------------------------------------------------------------


async def _telegram(sizes: dict, workdir: Path, *, paced: bool) -> dict:
    """`paced`: the default flood limits (PTB's limiter, 30 messages a second in all)."""
    paper = _paper(0)
    loop = asyncio.get_running_loop()
    recorder = _Recorder(loop)
    with FakeArxiv() as arxiv, FakeOpenAI() as llm, _TimedTelegram() as telegram:
        telegram.recorder = recorder
        arxiv.add_paper(paper, make_paper_pdf(title=paper.title))
        env = _service_env(
            arxiv,
            llm,
            workdir,
            telegram_bot_token=telegram.token,
            telegram_api_url=telegram.base_url,
            telegram_messages_per_second="1" if paced else "0",
        )
        async with _service(env, workdir, _TELEGRAM_READY):

            def ask(chat_id: int) -> tuple[object, float]:
                started = time.monotonic()
                update = telegram.add_command(chat_id, _TG_USER, f"/summarize {paper.arxiv_id}")
                return (chat_id, update["message"]["message_id"]), started

            key, _ = ask(10_000)
            await recorder.wait(key)  # analysed once
            replies: list[float] = []
            began = time.monotonic()
            for batch in range(math.ceil(sizes["requests"] / sizes["concurrency"])):
                first = batch * sizes["concurrency"]
                last = min(first + sizes["concurrency"], sizes["requests"])
                asked = [ask(20_000 + i) for i in range(first, last)]
                for key, started in asked:
                    replies.append(await recorder.wait(key) - started)
            elapsed = time.monotonic() - began
        polls = len(telegram.requests_to(f"/bot{telegram.token}/getUpdates"))
    return {
        "batch": sizes["concurrency"],
        "answered": len(replies),
        "reply": _percentiles(replies),
        "requests_per_s": len(replies) / elapsed,
        "fake_long_poll_wait_s": telegram.long_poll_wait,
        "get_updates_calls": polls,
    }


# ---- the benchmark -------------------------------------------------------------------------


def run(smoke: bool = False, sizes: dict | None = None) -> dict:
    """Cached and uncached `/summarize` through Slack, cached through Telegram, in one run."""
    sizes = dict(sizes or (SMOKE if smoke else FULL))

    async def both() -> dict:
        with tempfile.TemporaryDirectory(prefix="bench-chat-") as slack_dir:
            slack = await _slack(sizes, Path(slack_dir))
        with tempfile.TemporaryDirectory(prefix="bench-chat-") as telegram_dir:
            telegram = await _telegram(sizes, Path(telegram_dir), paced=False)
        with tempfile.TemporaryDirectory(prefix="bench-chat-") as telegram_dir:
            paced = await _telegram(sizes, Path(telegram_dir), paced=True)
        return {"slack": slack, "telegram": telegram, "telegram_paced": paced}

    return {"sizes": sizes, **asyncio.run(both())}


def milliseconds(stats: dict[str, float]) -> str:
    """p50, p95 and max of timings in seconds, in milliseconds, on one line."""
    return (
        f"p50 {stats['p50'] * 1000:.0f} ms, p95 {stats['p95'] * 1000:.0f} ms, "
        f"max {stats['max'] * 1000:.0f} ms"
    )


def _verdict(ok: bool) -> str:
    return "met" if ok else "missed"


def report(result: dict) -> str:
    sizes, slack, telegram = result["sizes"], result["slack"], result["telegram"]
    paced = result["telegram_paced"]
    cached, uncached = slack["cached"], slack["uncached"]
    target_ms = TARGET_P95_SECONDS * 1000
    slack_ok = cached["reply"]["p95"] < TARGET_P95_SECONDS
    tg_ok = telegram["reply"]["p95"] < TARGET_P95_SECONDS
    bound = uncached["bound_s"]
    flood_floor = telegram["batch"] / MESSAGES_PER_SECOND_OVERALL
    floor = uncached["arxiv_floor_s"]
    late = uncached["max_lateness_s"] - floor
    in_time = late < uncached["llm_latency"]  # no extra LLM round
    all_acked = uncached["ack"]["max"] < ACK_LIMIT_SECONDS
    lines = [
        f"/summarize of a cached paper, {sizes['requests']} requests, command to reply "
        "(`arxiv-digest serve` in its own process, fakes on 127.0.0.1; each request in its own "
        "channel or chat, Slack at its default pacing of 1 message/s per channel)",
        f"Slack (signed POST -> chat.postMessage), {cached['concurrency']} at a time: "
        f"{milliseconds(cached['reply'])}; ack {milliseconds(cached['ack'])}; "
        f"{cached['requests_per_s']:.0f} requests/s; answered {cached['answered']}/"
        f"{sizes['requests']} (target p95 < {target_ms:.0f} ms: {_verdict(slack_ok)})",
        f"Telegram (queued update -> sendMessage, pacing off), batches of {telegram['batch']}: "
        f"{milliseconds(telegram['reply'])}; {telegram['requests_per_s']:.0f} requests/s; answered "
        f"{telegram['answered']}/{sizes['requests']} (target p95 < {target_ms:.0f} ms: "
        f"{_verdict(tg_ok)})",
        f"Telegram with its default flood limits (1/s per chat, 30/s in all): "
        f"{milliseconds(paced['reply'])}; {paced['requests_per_s']:.0f} requests/s; answered "
        f"{paced['answered']}/{sizes['requests']}",
        f"  floor set by Telegram's {MESSAGES_PER_SECOND_OVERALL} messages/s for a whole bot: "
        f"{telegram['batch']} requests in flight / {MESSAGES_PER_SECOND_OVERALL} per s = "
        f"{flood_floor * 1000:.0f} ms a reply on average once its burst of "
        f"{MESSAGES_PER_SECOND_OVERALL} is spent (Little's law); p50 / floor "
        f"{paced['reply']['p50'] / flood_floor:.2f}x, p95 / floor "
        f"{paced['reply']['p95'] / flood_floor:.2f}x: a p95 under {target_ms:.0f} ms needs "
        f"fewer than {TARGET_P95_SECONDS * MESSAGES_PER_SECOND_OVERALL:.0f} requests in flight",
        f"  polling: PTB re-polls at once (poll_interval 0, timeout 10 s); the fake holds an "
        f"empty getUpdates {telegram['fake_long_poll_wait_s'] * 1000:.0f} ms and answers at "
        f"once when an update is queued ({telegram['get_updates_calls']} getUpdates calls)",
        f"Slack, {uncached['requests']} uncached papers at once, LLM latency "
        f"{uncached['llm_latency']:.1f} s, LLM_CONCURRENCY {uncached['llm_concurrency']} "
        f"(max in flight seen: {uncached['llm_max_in_flight']}):",
        f"  ack {milliseconds(uncached['ack'])} "
        f"(limit {ACK_LIMIT_SECONDS:.0f} s: {_verdict(all_acked)})",
        f"  answered {uncached['answered']}/{uncached['requests']}, the last after "
        f"{uncached['last_answer_s']:.2f} s; the LLM alone needs ceil({uncached['requests']}/"
        f"{uncached['llm_concurrency']}) x {uncached['llm_latency']:.1f} s = {bound:.1f} s, "
        f"plus arXiv's spacing: {uncached['api_requests']} API requests "
        f"{uncached['api_delay_s']:g} s apart = {floor:.1f} s",
        f"  each within its LLM round (request i by (i // C + 1) x latency + arXiv's spacing): "
        f"at most {late * 1000:.0f} ms after it ({_verdict(in_time)}: under one more round)",
        f"  in order of arrival: {uncached['overtakes']} answers overtook one of an earlier round",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="10 requests, 5 at a time")
    args = parser.parse_args(argv)
    print(report(run(smoke=args.smoke)))


if __name__ == "__main__":
    main()
