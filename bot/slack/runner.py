"""Running the Bolt app: Socket Mode with an app-level token, otherwise an HTTP endpoint.

`run_slack` runs until it is cancelled and then closes its connection or server, so the
composition root can run it as one task beside others in the same event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.app.async_app import AsyncApp

from bot.slack.settings import SlackConfigError, SlackSettings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

# What `GET /healthz` serves: (healthy, a JSON-able report); 200 when healthy, else 503.
HealthProbe = Callable[[], Awaitable[tuple[bool, dict[str, Any]]]]


def web_app(app: AsyncApp, health: HealthProbe | None = None) -> web.Application:
    """Slack's requests (slash commands) on `POST /slack/events`, handed to Bolt as they came;
    with `health`, also `GET /healthz` for load balancers and orchestrators.

    Bolt checks each request's signature before anything else runs.
    """

    async def handle(request: web.Request) -> web.Response:
        response = await app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def healthz(_request: web.Request) -> web.Response:
        assert health is not None
        ok, report = await health()
        return web.json_response(report, status=200 if ok else 503)

    application = web.Application()
    application.router.add_post(EVENTS_PATH, handle)
    if health is not None:
        application.router.add_get(HEALTH_PATH, healthz)
    return application


async def run_slack(
    app: AsyncApp,
    settings: SlackSettings,
    *,
    host: str = "0.0.0.0",
    on_ready: Callable[[str], None] | None = None,
    health: HealthProbe | None = None,
) -> None:
    """Serve Slack until cancelled; `on_ready` gets "socket mode" or the HTTP endpoint's URL.

    `health` is served on `GET /healthz` in HTTP mode (Socket Mode has no server).
    """
    ready = on_ready or (lambda where: log.info("Slack bot listening: %s", where))
    if settings.app_token is not None:
        await _run_socket_mode(app, settings.app_token, ready)
    elif settings.signing_secret is None:
        raise SlackConfigError("HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN)")
    else:
        await _run_http(app, host, settings.http_port, ready, health)


async def _run_socket_mode(app: AsyncApp, app_token: str, ready: Callable[[str], None]) -> None:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(app, app_token)
    try:
        await handler.connect_async()
        ready("socket mode")
        await asyncio.Event().wait()  # until cancelled
    finally:
        await handler.close_async()


async def _run_http(
    app: AsyncApp,
    host: str,
    port: int,
    ready: Callable[[str], None],
    health: HealthProbe | None = None,
) -> None:
    runner = web.AppRunner(web_app(app, health), handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_host, bound_port = runner.addresses[0][:2]
        ready(f"http://{bound_host}:{bound_port}{EVENTS_PATH}")
        await asyncio.Event().wait()  # until cancelled
    finally:
        await runner.cleanup()
