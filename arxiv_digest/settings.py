"""Every setting in one typed object, read once from the environment and `.env`."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from storage.redaction import Redactor

if TYPE_CHECKING:
    from bot.slack.settings import SlackSettings
    from bot.telegram.settings import TelegramSettings

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/arxiv-digest.sqlite3"
DEFAULT_USER_AGENT = "arxiv-digest/0.1 (daily paper digest for a research team)"

CommaList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    """Names match the environment variables (case-insensitive); `.env.example` documents each."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # What to read
    digest_categories: CommaList = Field(default_factory=lambda: ["cs.AI", "cs.LG"])
    digest_keywords: CommaList = Field(default_factory=list)
    digest_language: Literal["en", "zh"] = "en"
    digest_include_replacements: bool = True

    # Where things go
    database_url: str = DEFAULT_DATABASE_URL
    reports_dir: Path = Path("reports")

    # When `serve` runs the day (cron: minute hour day-of-month month day-of-week)
    # arXiv announces at 20:00 US Eastern, Sunday to Thursday, and its RSS feed refreshes around
    # midnight Eastern: half past midnight finds the new day; a feed not refreshed yet is
    # retried every `digest_retry_minutes` for up to `digest_retry_hours`.
    digest_schedule: str = "30 0 * * *"
    digest_timezone: str = "America/New_York"
    digest_retry_minutes: float = Field(default=20, gt=0)
    digest_retry_hours: float = Field(default=6, ge=0)
    # When `serve` posts each chat's weekly digest of the previous ISO week (Monday 09:00);
    # empty: no weekly digest.
    digest_weekly_schedule: str = "0 9 * * 1"

    # arXiv
    arxiv_rss_url: str = "https://rss.arxiv.org/rss/"
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    arxiv_pdf_url: str = "https://arxiv.org/pdf/"
    arxiv_api_delay_seconds: float = 3.0
    http_user_agent: str = DEFAULT_USER_AGENT
    http_timeout_seconds: float = 60.0
    http_deadline_seconds: float = 300.0  # one download in all (feed, API page, PDF)
    pdf_max_bytes: int = 30_000_000
    pdf_max_pages: int = 150
    pdf_max_page_content_bytes: int = 5_000_000  # inflated page content; over: page left out
    pdf_max_content_bytes: int = 50_000_000  # the same for all pages; over: abstract only
    pdf_concurrency: int = 4

    # The LLM (any OpenAI-compatible chat-completions endpoint)
    openai_base_url: str | None = None
    openai_api_key: SecretStr | None = None
    llm_model: str | None = None
    llm_response_format: Literal["auto", "json_schema", "json_object"] = "auto"
    llm_concurrency: int = 4
    llm_timeout_seconds: float = 120.0
    llm_max_retries: int = 3
    llm_max_output_tokens: int = 2000
    llm_input_token_budget: int = 12000
    llm_daily_token_cap: int = 0  # tokens per UTC day for all analyses; 0: no cap
    qa_input_token_budget: int = 6000  # tokens sent to answer a question about a paper
    summarize_per_user_per_day: int = 20  # chat `summarize` needing the LLM; 0: no cap
    summarize_per_user_per_minute: int = 5  # any chat `summarize`; 0: no limit
    ask_per_user_per_day: int = 30  # questions needing the LLM (not stored ones); 0: no cap
    keyword_changes_per_user_per_minute: int = 10  # chat `keywords add/remove`; 0: no limit
    keywords_per_user: int = 100  # keywords a member keeps in a chat (and a chat's own); 0: no cap
    export_max_papers: int = 2000  # papers in one chat `export` (the newest); 0: no cap

    # Ranking: whose votes order the day, how many papers are analysed, what else is suggested
    # EMBEDDINGS: tfidf (this machine, no download), endpoint (an OpenAI-compatible
    # /v1/embeddings: EMBEDDING_MODEL at EMBEDDING_BASE_URL, default the LLM's endpoint and key),
    # off (keyword order, no learning).
    embeddings: Literal["tfidf", "endpoint", "off"] = "tfidf"
    embedding_model: str | None = None
    embedding_base_url: str | None = None
    digest_max_papers: int = Field(default=25, ge=0)  # analysed per report; 0: no cap
    digest_suggestions: int = Field(default=3, ge=0)  # unmatched papers the taste suggests

    # Logs
    log_format: Literal["text", "json"] = "text"
    log_level: str | None = None  # unset: INFO for serve, WARNING for one-shot commands (-v: INFO)

    # Chat delivery, shared by both bots
    digest_post_empty_days: bool = True  # a short note on days without papers
    bot_admins: CommaList = Field(default_factory=list)  # user ids allowed to administer
    chat_timeout_seconds: float = 30.0  # one Slack or Telegram request, start to end

    # Slack
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None  # xapp-…: Socket Mode, no public URL needed
    slack_signing_secret: SecretStr | None = None  # HTTP mode
    slack_channels: CommaList = Field(default_factory=list)
    slack_api_url: str = "https://slack.com/api/"
    slack_http_port: int = 3000
    slack_messages_per_second: float = 1.0

    # Telegram
    telegram_bot_token: SecretStr | None = None
    telegram_chats: CommaList = Field(default_factory=list)
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None  # unset: long polling, no public URL needed
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_port: int = 8443
    telegram_messages_per_second: float = 1.0

    @field_validator(
        "digest_categories",
        "digest_keywords",
        "bot_admins",
        "slack_channels",
        "telegram_chats",
        mode="before",
    )
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator(
        "slack_bot_token",
        "slack_app_token",
        "slack_signing_secret",
        "telegram_bot_token",
        "telegram_webhook_url",
        "telegram_webhook_secret",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """`SLACK_APP_TOKEN=` as copied from `.env.example` means "not set", not an empty token."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("arxiv_rss_url", "arxiv_pdf_url", "slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @field_validator("digest_timezone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. America/New_York, UTC)") from None
        return value

    @field_validator("digest_weekly_schedule")
    @classmethod
    def _cron_or_off(cls, value: str) -> str:
        return cls._cron_expression(value) if value.strip() else ""

    @field_validator("digest_schedule")
    @classmethod
    def _cron_expression(cls, value: str) -> str:
        from arxiv_digest.crontab import crontab_trigger

        try:
            crontab_trigger(value, "UTC")
        except ValueError as exc:
            raise ValueError(
                f"{value!r} is not a cron expression of 5 fields "
                f"(minute hour day month weekday, e.g. '30 0 * * *'): {exc}"
            ) from None
        return value

    @model_validator(mode="after")
    def _endpoint_has_model(self) -> Settings:
        if self.embeddings == "endpoint" and not self.embedding_model:
            raise ValueError(
                "EMBEDDINGS=endpoint needs EMBEDDING_MODEL (e.g. text-embedding-3-small)"
            )
        if self.embeddings == "endpoint" and not (
            self.embedding_base_url or self.openai_base_url or self.openai_api_key
        ):
            raise ValueError(
                "EMBEDDINGS=endpoint needs EMBEDDING_BASE_URL, OPENAI_BASE_URL or OPENAI_API_KEY"
            )
        return self

    @property
    def slack_configured(self) -> bool:
        return self.slack_bot_token is not None

    @property
    def telegram_configured(self) -> bool:
        return self.telegram_bot_token is not None

    @property
    def llm_configured(self) -> bool:
        """A model name plus an endpoint or a key: a local server (Ollama, vLLM) needs no key."""
        return bool(self.llm_model) and bool(self.openai_base_url or self.openai_api_key)

    def slack(self) -> SlackSettings:
        """What the Slack adapter needs; it reads nothing else."""
        from bot.slack.settings import SlackConfigError, SlackSettings

        if self.slack_bot_token is None:
            raise SlackConfigError("SLACK_BOT_TOKEN is not set")
        return SlackSettings(
            bot_token=self.slack_bot_token.get_secret_value(),
            channels=tuple(self.slack_channels),
            app_token=_secret(self.slack_app_token),
            signing_secret=_secret(self.slack_signing_secret),
            api_url=self.slack_api_url,
            http_port=self.slack_http_port,
            messages_per_second=self.slack_messages_per_second,
            timeout_seconds=self.chat_timeout_seconds,
            redactor=self.redactor,
        )

    def telegram(self) -> TelegramSettings:
        """What the Telegram adapter needs; it reads nothing else."""
        from bot.telegram.settings import TelegramConfigError, TelegramSettings

        if self.telegram_bot_token is None:
            raise TelegramConfigError("TELEGRAM_BOT_TOKEN is not set")
        return TelegramSettings(
            bot_token=self.telegram_bot_token.get_secret_value(),
            chats=tuple(self.telegram_chats),
            api_url=self.telegram_api_url,
            webhook_url=self.telegram_webhook_url,
            webhook_secret=_secret(self.telegram_webhook_secret),
            webhook_port=self.telegram_webhook_port,
            messages_per_second=self.telegram_messages_per_second,
            timeout_seconds=self.chat_timeout_seconds,
            redactor=self.redactor,
        )

    @cached_property
    def redactor(self) -> Redactor:
        """Every configured secret, masked in all that leaves the process or is stored; built
        once, with the settings."""
        return Redactor(self.secret_values())

    def secret_values(self) -> list[str]:
        """The API key, bot and app tokens, signing and webhook secrets, database password."""
        values = [
            self.openai_api_key,
            self.slack_bot_token,
            self.slack_app_token,
            self.slack_signing_secret,
            self.telegram_bot_token,
            self.telegram_webhook_secret,
        ]
        found = [v.get_secret_value() for v in values if v is not None]
        password = _database_password(self.database_url)
        if password:
            found.append(password)
        return [value for value in found if value]


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def _database_password(url: str) -> str | None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).password
    except (ArgumentError, ValueError):
        return None
