"""Logging for every command: one line per event, as text or JSON lines, with no secret in it.

Secrets are replaced by "***" in the formatted line, so messages, arguments, exceptions and
tracebacks are all covered, whoever logs them (PTB, for one, names a rejected token in its error).
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from storage.redaction import NO_SECRETS, Redactor

if TYPE_CHECKING:
    from arxiv_digest.settings import Settings
    from pipeline.outcomes import RunStats

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


class RedactingFormatter(logging.Formatter):
    """Formats as `inner` would, then hides each secret in the whole line."""

    def __init__(self, inner: logging.Formatter, redact: Redactor) -> None:
        super().__init__()
        self.inner = inner
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(self.inner.format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the `extra=` fields, exception.

    Values are redacted before they are encoded too, so a secret that JSON would escape (a
    password with a quote in it) cannot slip past the redaction of the encoded line.
    """

    def __init__(self, redact: Redactor = NO_SECRETS) -> None:
        super().__init__()
        self.redact = redact

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
            return self.redact(value)
        if isinstance(value, Mapping):
            return {str(k): self._clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple | set):
            return [self._clean(v) for v in value]
        if value is None or isinstance(value, bool | int | float):
            return value
        return self.redact(str(value))


def level_for(configured: str | None, *, verbose: bool, default: int) -> int:
    """LOG_LEVEL when set; else INFO with -v; else the command's default."""
    if configured:
        level = logging.getLevelName(configured.strip().upper())
        if isinstance(level, int):
            return level
        raise ValueError(f"LOG_LEVEL={configured!r} is not a logging level (e.g. INFO, DEBUG)")
    return logging.INFO if verbose else default


def configure_logging(
    *, level: int, fmt: str = "text", redact: Redactor = NO_SECRETS, stream: Any = None
) -> None:
    """Replace the root logger's handlers with one that writes `fmt` lines to stderr.

    Also redacts the tracebacks of uncaught exceptions, which bypass logging.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter(redact))
    else:
        handler.setFormatter(RedactingFormatter(logging.Formatter(TEXT_FORMAT), redact))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    for chatty in CHATTY_LOGGERS:
        logging.getLogger(chatty).setLevel(level if level <= logging.DEBUG else logging.WARNING)
    sys.excepthook = _redacting_excepthook(redact)


def _redacting_excepthook(redact: Redactor) -> Callable[..., None]:
    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        text = "".join(traceback.format_exception(kind, exc, tb))
        sys.stderr.write(redact(text))

    return hook


def setup_from_settings(settings: Settings, *, verbose: bool, default: int) -> None:
    """The one call each command makes once its settings are loaded."""
    configure_logging(
        level=level_for(settings.log_level, verbose=verbose, default=default),
        fmt=settings.log_format,
        redact=settings.redactor,
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
        "capped": stats.capped,
        "suggested": stats.suggested,
        "tokens_saved": stats.tokens_saved,
        "failures": list(stats.failures),  # each names the paper or step, and why
        "posted": dict(posted),
        "tokens": stats.prompt_tokens + stats.completion_tokens,
        "wall_seconds": round(wall_seconds, 3),
    }
    shown = " ".join(f"{k}={v}" for k, v in fields.items() if k != "event")
    logging.getLogger("arxiv_digest.run").info("run summary: %s", shown, extra=fields)
