"""Slack as one `Platform`: the Bolt app answering commands, the day's threads, the login check."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.core import ChatCore
from bot.daily import ChatRun, run_daily
from bot.slack.app import build_slack_app
from bot.slack.client import make_client, slack_client
from bot.slack.poster import SlackPoster, SlackUnavailable
from bot.slack.runner import HealthProbe, run_slack
from bot.slack.settings import SlackSettings
from bot.stopping import StopSignal
from bot.weekly import WeekRun, run_weekly
from pipeline.archive.weekly import IsoWeek


class SlackPlatform:
    """`Platform` for Slack; `health` is served on `GET /healthz` in HTTP mode."""

    name = "Slack"

    def __init__(self, settings: SlackSettings, *, health: HealthProbe | None = None) -> None:
        self.settings = settings
        self._health = health

    async def serve(self, core: ChatCore) -> None:
        """Socket Mode or HTTP until cancelled; Slack refusing the app's token fails at once."""
        try:
            async with self.app(core) as app:
                await run_slack(app, self.settings, health=self._health)
        except SlackApiError as exc:
            raise SlackUnavailable(f"Slack refused: {exc.response.get('error', exc)}") from exc

    @asynccontextmanager
    async def app(self, core: ChatCore) -> AsyncIterator[AsyncApp]:
        """The Bolt app answering commands, its answers posted over kept-alive connections.

        Bolt copies its client into every request, and a pooled one cannot be copied: Bolt keeps
        a plain client for its own rare calls.
        """
        async with slack_client(self.settings) as pooled:
            poster = SlackPoster.from_settings(pooled, self.settings)
            yield build_slack_app(core, make_client(self.settings), self.settings, poster=poster)

    async def deliver(
        self, core: ChatCore, requested: date | None = None, stop: StopSignal | None = None
    ) -> list[ChatRun]:
        async with slack_client(self.settings) as client:
            poster = SlackPoster.from_settings(client, self.settings)
            return await run_daily(core, poster, self.settings.channels, requested, stop)

    async def deliver_week(
        self, core: ChatCore, week: IsoWeek, stop: StopSignal | None = None
    ) -> list[WeekRun]:
        async with slack_client(self.settings) as client:
            poster = SlackPoster.from_settings(client, self.settings)
            return await run_weekly(core, poster, self.settings.channels, week, stop)

    async def check_connection(self) -> str:
        """`auth.test`: the bot's user and workspace."""
        try:
            answer = await make_client(self.settings).auth_test()
        except SlackApiError as exc:
            raise SlackUnavailable(f"auth.test: {exc.response.get('error', 'failed')}") from exc
        return f"{answer.get('user')} in {answer.get('team')}"
