"""Log lines: one per event, JSON when asked, and never a secret in them."""

from __future__ import annotations

import io
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from arxiv_digest.logs import configure_logging, level_for
from arxiv_digest.settings import Settings
from tests.fakes.slack_server import FakeSlack
from tests.fakes.telegram_server import FakeTelegram
from tests.processes import PAPER, cli

OPENAI_KEY = "sk-log-test-0123456789"
SLACK_BOT = "xoxb-log-test-bot-token"
SLACK_APP = "xapp-log-test-app-token"
SIGNING = "signing-secret-log-test"
TELEGRAM = "987654321:LOG-test-telegram-token"
WEBHOOK = "webhook-secret-log-test"
DB_PASSWORD = "pg-pass-log-test"
SECRETS = (OPENAI_KEY, SLACK_BOT, SLACK_APP, SIGNING, TELEGRAM, WEBHOOK, DB_PASSWORD)


def all_secrets_settings() -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        openai_api_key=OPENAI_KEY,  # type: ignore[arg-type]
        slack_bot_token=SLACK_BOT,  # type: ignore[arg-type]
        slack_app_token=SLACK_APP,  # type: ignore[arg-type]
        slack_signing_secret=SIGNING,  # type: ignore[arg-type]
        telegram_bot_token=TELEGRAM,  # type: ignore[arg-type]
        telegram_webhook_secret=WEBHOOK,  # type: ignore[arg-type]
        database_url=f"postgresql+asyncpg://digest:{DB_PASSWORD}@db.internal/digest",
    )


@pytest.fixture
def restore_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`configure_logging` changes process-wide state: put it back for the next test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    noisy = {name: logging.getLogger(name).level for name in ("httpx", "telegram")}
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, noisy_level in noisy.items():
        logging.getLogger(name).setLevel(noisy_level)


def configured(fmt: str, level: int = logging.INFO) -> io.StringIO:
    stream = io.StringIO()
    configure_logging(level=level, fmt=fmt, redact=all_secrets_settings().redactor, stream=stream)
    return stream


def test_every_configured_secret_is_known_including_the_database_password() -> None:
    assert set(all_secrets_settings().secret_values()) == set(SECRETS)
    assert Settings(_env_file=None).secret_values() == []  # type: ignore[call-arg]


def test_json_lines_one_per_event_with_extra_fields(restore_logging: None) -> None:
    stream = configured("json")
    log = logging.getLogger("arxiv_digest.test")
    log.info("analysed %d papers", 3, extra={"papers": 3, "posted": {"slack": 2}})
    try:
        raise ValueError("a line\nand another")
    except ValueError:
        log.exception("it failed")
    log.debug("not shown at INFO")

    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["level"] == "INFO" and first["logger"] == "arxiv_digest.test"
    assert first["message"] == "analysed 3 papers"
    assert first["papers"] == 3 and first["posted"] == {"slack": 2}
    assert first["time"].endswith("+00:00")
    assert second["level"] == "ERROR" and second["message"] == "it failed"
    assert "Traceback" in second["exception"] and "and another" in second["exception"]


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_secrets_are_masked_in_messages_arguments_exceptions_and_tracebacks(
    restore_logging: None, fmt: str
) -> None:
    stream = configured(fmt)
    log = logging.getLogger("arxiv_digest.test")
    log.warning(f"key {OPENAI_KEY} in the message")
    log.warning("token %s in the arguments", TELEGRAM, extra={"url": f"/bot{TELEGRAM}/getMe"})
    try:
        raise RuntimeError(
            f"rejected {SLACK_BOT} {SLACK_APP} {SIGNING} {WEBHOOK} postgres://u:{DB_PASSWORD}@h"
        )
    except RuntimeError:
        log.exception("with a traceback")
    logging.getLogger("bot.telegram").error("stack", stack_info=True, extra={"key": OPENAI_KEY})

    output = stream.getvalue()
    for secret in SECRETS:
        assert secret not in output
    assert output.count("***") >= 7  # message, argument, five in the exception
    if fmt == "json":
        for line in output.splitlines():
            json.loads(line)


def test_uncaught_tracebacks_are_masked_too(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configured("text")
    try:
        raise RuntimeError(f"the token {TELEGRAM} was rejected")
    except RuntimeError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)

    err = capsys.readouterr().err
    assert "the token *** was rejected" in err and TELEGRAM not in err


def test_http_loggers_stay_at_warning_even_when_debugging(restore_logging: None) -> None:
    stream = configured("text", logging.DEBUG)
    logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/bot…")
    logging.getLogger("telegram.ext").debug("calling the Bot API")
    logging.getLogger("arxiv_digest.test").debug("our own debug line")

    assert stream.getvalue().splitlines() == [
        line for line in stream.getvalue().splitlines() if "our own debug line" in line
    ]
    assert "our own debug line" in stream.getvalue()


@pytest.mark.parametrize(
    ("configured_level", "verbose", "default", "expected"),
    [
        (None, False, logging.WARNING, logging.WARNING),
        (None, True, logging.WARNING, logging.INFO),
        (None, False, logging.INFO, logging.INFO),
        ("debug", False, logging.WARNING, logging.DEBUG),
        ("ERROR", True, logging.INFO, logging.ERROR),
        ("", False, logging.WARNING, logging.WARNING),
    ],
)
def test_log_level_setting_wins_then_verbose_then_the_commands_default(
    configured_level: str | None, verbose: bool, default: int, expected: int
) -> None:
    assert level_for(configured_level, verbose=verbose, default=default) == expected


def test_an_unknown_log_level_is_refused() -> None:
    with pytest.raises(ValueError, match="LOG_LEVEL"):
        level_for("LOUD", verbose=False, default=logging.INFO)


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_a_failing_verbose_digest_shows_no_token_anywhere(
    fakes: tuple,
    tmp_path: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
) -> None:
    """The LLM is down, Slack refuses the token, Telegram rejects its token (and PTB names it)."""
    arxiv, llm = fakes
    llm.default = "server_error"
    with FakeSlack() as slack, FakeTelegram() as telegram:
        secrets = {
            "SLACK_BOT_TOKEN": SLACK_BOT,  # not the fake's token: invalid_auth
            "SLACK_API_URL": slack.api_url,  # type: ignore[attr-defined]
            "SLACK_CHANNELS": "C0TEAM",
            "SLACK_SIGNING_SECRET": SIGNING,
            "TELEGRAM_BOT_TOKEN": TELEGRAM,  # not the fake's token: 401
            "TELEGRAM_API_URL": telegram.base_url,  # type: ignore[attr-defined]
            "TELEGRAM_CHATS": "-1001",
            "TELEGRAM_WEBHOOK_SECRET": WEBHOOK,
            "LOG_FORMAT": fmt,
        }
        for name, value in secrets.items():
            monkeypatch.setenv(name, value)
        result = cli(["digest", "-v"], tmp_path, arxiv, llm, database_url)

    output = result.stdout + result.stderr
    assert result.returncode == 1  # the platforms failed
    for secret in (*SECRETS, "sk-cli-test"):
        assert secret not in output
    assert "***" in output  # PTB did name the token, and it was masked
    assert "Slack C0TEAM: failed" in result.stderr or "Slack: failed" in result.stderr
    assert "; messages posted: Slack 0, Telegram 0" in result.stdout.splitlines()[-1]
    if fmt == "json":
        events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
        summary = [e for e in events if e.get("event") == "run_summary"]
        assert len(summary) == 1
        assert summary[0]["papers_seen"] == 1 and summary[0]["matched"] == 1
        assert summary[0]["failed"] == 1 and summary[0]["ok"] is False
        assert summary[0]["posted"] == {"slack": 0, "telegram": 0}
        assert summary[0]["wall_seconds"] > 0
    assert os.path.exists(tmp_path / "reports" / "2026-02-04.md")
    assert PAPER.title in (tmp_path / "reports" / "2026-02-04.md").read_text()
