"""`arxiv-digest serve`: every configured bot and the daily schedule in one event loop."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Coroutine
from typing import Any

from arxiv_digest.settings import Settings
from arxiv_digest.wiring import chat_platforms, digest_options, make_chat_core, open_digest
from pipeline.digest import Digest

log = logging.getLogger(__name__)

# A stop still going after this long names what it waits for (the process gives up at 15 s).
SLOW_STOP_SECONDS = 8.0


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    """Every configured bot in one event loop until `stop` is set; a bot that fails stops all.

    The daily schedule runs alongside.
    """
    platforms = chat_platforms(settings)
    if not platforms:
        raise ValueError("nothing to serve: no chat platform is configured")
    async with open_digest(settings, digest_options(settings)) as digest:
        core = make_chat_core(settings, digest)
        services = {platform.name.lower(): platform.serve(core) for platform in platforms}
        services["schedule"] = _schedule_service(settings, digest)
        await _run_until(stop, services)


async def _schedule_service(settings: Settings, digest: Digest) -> None:
    from arxiv_digest.schedule import run_schedule

    await run_schedule(settings, digest)


async def _run_until(stop: asyncio.Event, services: dict[str, Coroutine[Any, Any, None]]) -> None:
    tasks: dict[asyncio.Task[Any], str] = {
        asyncio.create_task(coro, name=name): name for name, coro in services.items()
    }
    stopping: asyncio.Task[Any] = asyncio.create_task(stop.wait(), name="stop")
    try:
        done, _ = await asyncio.wait([stopping, *tasks], return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in [stopping, *tasks]:
            task.cancel()
        await _stopped([stopping, *tasks])
    for task in done:
        if task is not stopping:
            task.result()  # a service's error surfaces here
            raise RuntimeError(f"{tasks[task]} stopped unexpectedly")


async def _stopped(tasks: list[asyncio.Task[Any]]) -> None:
    """Wait for cancelled tasks to end; a slow stop logs where every task still running is."""
    _, pending = await asyncio.wait(tasks, timeout=SLOW_STOP_SECONDS)
    if pending:
        for task in asyncio.all_tasks():
            if task is not asyncio.current_task() and not task.done():
                where = io.StringIO()
                task.print_stack(file=where)
                log.warning("still stopping: %s\n%s", task.get_name(), where.getvalue())
    await asyncio.gather(*tasks, return_exceptions=True)
