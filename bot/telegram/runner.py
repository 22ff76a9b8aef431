"""Running the Telegram bot: long polling by default, a webhook when TELEGRAM_WEBHOOK_URL is set.

`run_telegram` runs until it is cancelled and then stops cleanly, so the composition root can run
it as one task beside others in the same event loop. The webhook is served with aiohttp (as the
Slack endpoint is): each request must carry the secret token given to Telegram with `setWebhook`
in its `X-Telegram-Bot-Api-Secret-Token` header, anything else gets 403 and is dropped.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.telegram.app import LONG_POLL_SECONDS, register_commands
from bot.telegram.settings import TelegramConfigError, TelegramSettings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Commands arrive as messages, taps on the vote buttons as callback queries, 👍/👎 reactions as
# message reactions (which Telegram sends only to a bot that asks); nothing else is handled, so
# nothing else is asked for.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MESSAGE_REACTION]


def webhook_app(app: Application, secret: str, path: str) -> web.Application:
    """Telegram's updates on `POST <path>`, queued for the application once the secret matches."""

    async def handle(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=403, text="wrong secret token")
        try:
            update = Update.de_json(await request.json(), app.bot)
        except Exception:
            return web.Response(status=400, text="not an update")
        await app.update_queue.put(update)
        return web.Response(text="ok")

    application = web.Application()
    application.router.add_post(path, handle)
    return application


async def run_telegram(
    app: Application,
    settings: TelegramSettings,
    *,
    host: str = "0.0.0.0",
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve Telegram until cancelled; `on_ready` gets "long polling" or the webhook's local URL."""
    ready = on_ready or (lambda where: log.info("Telegram bot listening: %s", where))
    webhook_url, secret = settings.webhook_url, settings.webhook_secret
    if webhook_url and secret is None:
        raise TelegramConfigError("a Telegram webhook needs TELEGRAM_WEBHOOK_SECRET")
    async with app:  # getMe first: a wrong token fails here
        await register_commands(app)
        await app.start()
        try:
            if webhook_url and secret is not None:
                port = settings.webhook_port
                await _run_webhook(app, webhook_url, secret, host, port, ready)
            else:
                await _run_polling(app, ready)
        finally:
            await app.stop()


async def _run_polling(app: Application, ready: Callable[[str], None]) -> None:
    updater = app.updater
    if updater is None:
        raise TelegramConfigError("the application was built without an updater")
    # Deletes any webhook first.
    await updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=LONG_POLL_SECONDS)
    try:
        ready("long polling")
        await asyncio.Event().wait()  # until cancelled
    finally:
        await updater.stop()


async def _run_webhook(
    app: Application,
    url: str,
    secret: str,
    host: str,
    port: int,
    ready: Callable[[str], None],
) -> None:
    """The local path is the public URL's: a reverse proxy passes requests on unchanged."""
    path = urlsplit(url).path or "/"
    runner = web.AppRunner(webhook_app(app, secret, path), handle_signals=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        await app.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        bound_host, bound_port = runner.addresses[0][:2]
        ready(f"http://{bound_host}:{bound_port}{path}")
        await asyncio.Event().wait()  # until cancelled
    finally:
        await runner.cleanup()
