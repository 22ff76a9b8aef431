"""What the Telegram adapter needs to know, and nothing else: built from the service's settings
at the edge (`Settings.telegram()`), so the adapter never reads the service's configuration."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.platform import PlatformError
from storage.redaction import NO_SECRETS, Redactor


class TelegramConfigError(PlatformError, ValueError):
    """Telegram settings that cannot work together; the message says which to set."""


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    """The token and the webhook secret stay out of `repr`; `redactor` masks every configured
    secret in what is posted and logged."""

    bot_token: str = field(repr=False)
    chats: tuple[str, ...] = ()  # the starting set; `digest here` / `digest off` change it
    api_url: str = "https://api.telegram.org/bot"
    webhook_url: str | None = None  # None: long polling, no public URL needed
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_port: int = 8443
    messages_per_second: float = 1.0
    timeout_seconds: float = 30.0  # one request, start to end
    redactor: Redactor = NO_SECRETS
