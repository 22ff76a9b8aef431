"""Telegram as one `Platform`: the bot answering commands, the day's threads, the login check."""

from __future__ import annotations

from datetime import date

from telegram import Bot
from telegram.error import TelegramError

from bot.core import ChatCore
from bot.daily import ChatRun, run_daily
from bot.platform import PlatformError
from bot.stopping import StopSignal
from bot.telegram.app import build_telegram_app
from bot.telegram.poster import TelegramPoster, make_bot
from bot.telegram.runner import run_telegram
from bot.telegram.settings import TelegramSettings
from bot.weekly import WeekRun, run_weekly
from pipeline.archive.weekly import IsoWeek


class TelegramUnavailable(PlatformError):
    """Telegram refused the bot (a wrong token, say) or could not be reached."""


class TelegramPlatform:
    """`Platform` for Telegram: long polling, or a webhook with TELEGRAM_WEBHOOK_URL."""

    name = "Telegram"

    def __init__(self, settings: TelegramSettings) -> None:
        self.settings = settings

    async def serve(self, core: ChatCore) -> None:
        """Until cancelled; a token Telegram rejects fails at once (PTB's error names it)."""
        try:
            await run_telegram(build_telegram_app(core, self.settings), self.settings)
        except TelegramError as exc:
            raise TelegramUnavailable(str(exc)) from exc

    async def deliver(
        self, core: ChatCore, requested: date | None = None, stop: StopSignal | None = None
    ) -> list[ChatRun]:
        async with make_bot(self.settings) as bot:
            poster = TelegramPoster.from_settings(bot, self.settings)
            return await run_daily(core, poster, self.settings.chats, requested, stop)

    async def deliver_week(
        self, core: ChatCore, week: IsoWeek, stop: StopSignal | None = None
    ) -> list[WeekRun]:
        async with make_bot(self.settings) as bot:
            poster = TelegramPoster.from_settings(bot, self.settings)
            return await run_weekly(core, poster, self.settings.chats, week, stop)

    async def check_connection(self) -> str:
        """`getMe`: the bot's username."""
        bot = Bot(self.settings.bot_token, base_url=self.settings.api_url)
        try:
            async with bot:
                me = await bot.get_me()
        except TelegramError as exc:
            raise TelegramUnavailable(f"getMe: {exc}") from exc
        return f"@{me.username}"
