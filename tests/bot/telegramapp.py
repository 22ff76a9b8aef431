"""The real PTB application served by `run_telegram` (long polling, or a webhook) against a fake
Telegram, as the chat's tests run it."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from arxiv_digest.wiring import digest_options, make_chat_core, open_digest
from bot.core import ChatCore
from bot.telegram.app import build_telegram_app
from bot.telegram.runner import run_telegram
from tests.daydata import ECO, make_settings, method_pdf
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import FakeTelegram
from tests.polling import WAIT_SECONDS


@dataclass
class Bot:
    telegram: FakeTelegram
    core: ChatCore
    llm: FakeOpenAI
    arxiv: FakeArxiv
    where: str  # what run_telegram said it listens on


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def running_bot(
    telegram: FakeTelegram,
    fake_arxiv: FakeArxiv,
    fake_llm: FakeOpenAI,
    database_url: str,
    tmp_path: Path,
    **overrides: object,
) -> AsyncIterator[Bot]:
    fake_arxiv.add_paper(ECO, method_pdf(ECO.title))
    settings = make_settings(
        fake_arxiv,
        fake_llm,
        database_url,
        tmp_path,
        telegram_bot_token=telegram.token,
        telegram_api_url=telegram.base_url,
        telegram_messages_per_second=0,
        **overrides,
    )
    async with open_digest(settings, digest_options(settings)) as digest:
        core = make_chat_core(settings, digest)
        app = build_telegram_app(core, settings.telegram())
        ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(
            run_telegram(app, settings.telegram(), host="127.0.0.1", on_ready=ready.set_result)
        )
        try:
            where = await asyncio.wait_for(ready, WAIT_SECONDS)
            if where == "long polling":  # the first poll has its connection: stopping is prompt
                assert await asyncio.to_thread(telegram.wait_for_long_poll, WAIT_SECONDS)
            yield Bot(telegram, core, fake_llm, fake_arxiv, where)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
