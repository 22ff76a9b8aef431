"""What the Slack adapter needs to know, and nothing else: built from the service's settings at
the edge (`Settings.slack()`), so the adapter never reads the service's configuration itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.platform import PlatformError
from storage.redaction import NO_SECRETS, Redactor


class SlackConfigError(PlatformError, ValueError):
    """Slack settings that cannot work together; the message says which to set."""


@dataclass(frozen=True, slots=True)
class SlackSettings:
    """Tokens and secrets stay out of `repr`; `redactor` masks every configured secret (not only
    Slack's) in what is posted, since a server's error quoted in a message may name one."""

    bot_token: str = field(repr=False)
    channels: tuple[str, ...] = ()  # the starting set; `digest here` / `digest off` change it
    app_token: str | None = field(default=None, repr=False)  # xapp-…: Socket Mode
    signing_secret: str | None = field(default=None, repr=False)  # HTTP mode
    api_url: str = "https://slack.com/api/"
    http_port: int = 3000
    messages_per_second: float = 1.0
    timeout_seconds: float = 30.0  # one request, start to end
    redactor: Redactor = NO_SECRETS
