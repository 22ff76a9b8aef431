"""Logging for every command: one line per event, as text or JSON lines, with no secret in it.

Secrets are replaced by "***" in the formatted line, so messages, arguments, exceptions and
tracebacks are all covered, whoever logs them (PTB, for one, names a rejected token in its error).
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from arxiv_digest.settings import Settings
    from pipeline.digest import RunStats

MASK = "***"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Their request lines carry URLs, and URLs can carry tokens (Telegram puts the bot token in the
# path): they stay at WARNING whatever LOG_LEVEL says.
NOISY_LOGGERS = ("httpx", "httpcore", "telegram", "urllib3", "openai", "arxiv")
# Chatty at INFO (Alembic names its context on every start); shown at DEBUG.
CHATTY_LOGGERS = ("alembic",)

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}


def secrets_of(settings: Settings) -> list[str]:
    """Every configured secret value, longest first (so a secret containing another goes whole)."""
    values = [
        settings.openai_api_key,
        settings.slack_bot_token,
        settings.slack_app_token,
        settings.slack_signing_secret,
        settings.telegram_bot_token,
        settings.telegram_webhook_secret,
    ]
    found = [v.get_secret_value() for v in values if v is not None and v.get_secret_value()]
    password = _database_password(settings.database_url)
    if password:
        found.append(password)
    return sorted(set(found), key=len, reverse=True)


def _database_password(url: str) -> str | None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).password  # type: ignore[return-value]
    except (ArgumentError, ValueError):
        return None


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text


class RedactingFormatter(logging.Formatter):
    """Formats as `inner` would, then hides each secret in the whole line."""

    def __init__(self, inner: logging.Formatter, secrets: Iterable[str]) -> None:
        super().__init__()
        self.inner = inner
        self.secrets = list(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return redact(self.inner.format(record), self.secrets)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the `extra=` fields, exception.

    Values are redacted before they are encoded too, so a secret that JSON would escape (a
    password with a quote in it) cannot slip past the redaction of the encoded line.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = list(secrets)

    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                event[key] = value
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            event["stack"] = self.formatStack(record.stack_info)
        return json.dumps(self._clean(event), ensure_ascii=False, default=str)

    def _clean(self, value: Any) -> Any:
        if isinstance(value, str):
            return redact(value, self.secrets)
        if isinstance(value, Mapping):
            return {str(k): self._clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple | set):
            return [self._clean(v) for v in value]
        if value is None or isinstance(value, bool | int | float):
            return value
        return redact(str(value), self.secrets)


def level_for(configured: str | None, *, verbose: bool, default: int) -> int:
    """LOG_LEVEL when set; else INFO with -v; else the command's default."""
    if configured:
        level = logging.getLevelName(configured.strip().upper())
        if isinstance(level, int):
            return level
        raise ValueError(f"LOG_LEVEL={configured!r} is not a logging level (e.g. INFO, DEBUG)")
    return logging.INFO if verbose else default


def configure_logging(
    *, level: int, fmt: str = "text", secrets: Iterable[str] = (), stream: Any = None
) -> None:
    """Replace the root logger's handlers with one that writes `fmt` lines to stderr.

    Also redacts the tracebacks of uncaught exceptions, which bypass logging.
    """
    secrets = list(secrets)
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter(secrets))
    else:
        handler.setFormatter(RedactingFormatter(logging.Formatter(TEXT_FORMAT), secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    for chatty in CHATTY_LOGGERS:
        logging.getLogger(chatty).setLevel(level if level <= logging.DEBUG else logging.WARNING)
    sys.excepthook = _redacting_excepthook(secrets)


def _redacting_excepthook(secrets: list[str]) -> Callable[..., None]:
    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        text = "".join(traceback.format_exception(kind, exc, tb))
        sys.stderr.write(redact(text, secrets))

    return hook


def setup_from_settings(settings: Settings, *, verbose: bool, default: int) -> None:
    """The one call each command makes once its settings are loaded."""
    configure_logging(
        level=level_for(settings.log_level, verbose=verbose, default=default),
        fmt=settings.log_format,
        secrets=secrets_of(settings),
    )


def log_run_summary(
    stats: RunStats,
    *,
    report_date: object,
    posted: Mapping[str, int],
    wall_seconds: float,
    ok: bool,
) -> None:
    """The daily run's one summary event; its fields are the same in text and JSON."""
    fields: dict[str, Any] = {
        "event": "run_summary",
        "report_date": str(report_date),
        "ok": ok,
        "papers_seen": stats.announced,
        "matched": stats.matched,
        "analysed": stats.analysed,
        "cached": stats.cached,
        "failed": stats.failed,
        "over_budget": stats.over_budget,
        "failures": list(stats.failures),  # each names the paper or step, and why
        "posted": dict(posted),
        "tokens": stats.prompt_tokens + stats.completion_tokens,
        "wall_seconds": round(wall_seconds, 3),
    }
    shown = " ".join(f"{k}={v}" for k, v in fields.items() if k != "event")
    logging.getLogger("arxiv_digest.run").info("run summary: %s", shown, extra=fields)
