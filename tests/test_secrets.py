"""No configured secret leaves the process: not in logs, reports, stored rows, chat messages or
what the LLM is sent, whether the day succeeds or the start fails.

`tests/test_logs.py` tests the masking itself; here whole `arxiv-digest digest -v` runs are
searched everywhere their output can land.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import MetaData, pool, select
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import async_database_url
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.base import Response
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack
from tests.fakes.telegram_server import FakeTelegram
from tests.processes import GROUP, PAPER, cli_env, run_cli

OPENAI_KEY = "sk-secrets-test-4f1c9e0b"
SLACK_BOT = "xoxb-secrets-test-bot-7d2a"
SLACK_APP = "xapp-secrets-test-app-51e3"
SIGNING = "signing-secrets-test-0c9d"
TELEGRAM = "555444333:SECRETS-test-telegram-half"
TELEGRAM_SECRET_HALF = TELEGRAM.split(":", 1)[1]
WEBHOOK = "webhook-secrets-test-e8b2"
DB_PASSWORD = "pg-secrets-test-pass-93aa"
SECRETS = (
    OPENAI_KEY,
    SLACK_BOT,
    SLACK_APP,
    SIGNING,
    TELEGRAM,
    TELEGRAM_SECRET_HALF,
    WEBHOOK,
    DB_PASSWORD,
)
CHANNEL = "C0TEAM"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(token=SLACK_BOT) as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram(token=TELEGRAM) as fake:
        fake.add_chat(GROUP, "supergroup")
        yield fake  # type: ignore[misc]


def secret_env(
    tmp_path: Path,
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    database_url: str,
    slack: FakeSlack,
    telegram: FakeTelegram,
    log_format: str,
) -> dict[str, str]:
    return cli_env(
        tmp_path,
        arxiv,
        llm,
        database_url,
        OPENAI_API_KEY=OPENAI_KEY,
        SLACK_BOT_TOKEN=SLACK_BOT,
        SLACK_APP_TOKEN=SLACK_APP,
        SLACK_SIGNING_SECRET=SIGNING,
        SLACK_API_URL=slack.api_url,
        SLACK_CHANNELS=CHANNEL,
        TELEGRAM_BOT_TOKEN=TELEGRAM,
        TELEGRAM_API_URL=telegram.base_url,
        TELEGRAM_CHATS=str(GROUP),
        TELEGRAM_WEBHOOK_SECRET=WEBHOOK,
        LOG_FORMAT=log_format,
    )


async def stored_rows(database_url: str) -> str:
    """Every row of every table, as text."""
    engine = create_async_engine(async_database_url(database_url), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:

            def dump(sync_connection: object) -> dict[str, list[list[str]]]:
                metadata = MetaData()
                metadata.reflect(sync_connection)  # type: ignore[arg-type]
                return {
                    name: [
                        [str(v) for v in row]
                        for row in sync_connection.execute(select(table))  # type: ignore[attr-defined]
                    ]
                    for name, table in metadata.tables.items()
                }

            tables = await connection.run_sync(dump)
    finally:
        await engine.dispose()
    assert tables["papers"] and tables["reports"]  # the dump did find the day's rows
    return json.dumps(tables, ensure_ascii=False)


def chat_messages(slack: FakeSlack, telegram: FakeTelegram) -> str:
    posts = [json.dumps([p.text, p.blocks, p.args], default=str) for p in slack.all_posts]
    answers = [json.dumps(r.body, default=str) for r in slack.responses]
    sent = [json.dumps([m.text, m.args], default=str) for m in telegram.all_sent]
    return "\n".join(posts + answers + sent)


def llm_bodies(llm: FakeOpenAI) -> str:
    return "\n".join(r.body.decode("utf-8", "replace") for r in llm.requests)


def reports(tmp_path: Path) -> str:
    return "\n".join(p.read_text() for p in sorted((tmp_path / "reports").glob("*.md")))


def assert_no_secret_in(**places: str) -> None:
    leaks = [
        (where, text[max(0, text.index(s) - 200) : text.index(s) + 50])
        for where, text in places.items()
        for s in SECRETS
        if s in text
    ]
    assert leaks == [], "\n".join(f"{w}: {t!r}" for w, t in leaks)


@pytest.mark.parametrize("log_format", ["json", "text"])
async def test_a_full_day_on_both_platforms_shows_no_secret_anywhere(
    fakes: tuple[FakeArxiv, FakeOpenAI],
    slack: FakeSlack,
    telegram: FakeTelegram,
    database_url: str,
    tmp_path: Path,
    log_format: str,
) -> None:
    arxiv, llm = fakes
    env = secret_env(tmp_path, arxiv, llm, database_url, slack, telegram, log_format)

    code, out, err = await run_cli(["digest", "-v"], env, tmp_path)

    assert code == 0, err
    assert len(slack.all_posts) == 2 and len(telegram.sent(GROUP)) == 2  # a real day
    assert PAPER.title in reports(tmp_path) and llm.completions
    if log_format == "json":
        assert [json.loads(line) for line in err.splitlines() if line.strip()]
    assert_no_secret_in(
        logs=out + err,
        reports=reports(tmp_path),
        rows=await stored_rows(database_url),
        chats=chat_messages(slack, telegram),
        llm=llm_bodies(llm),
    )


def llm_refusal(style: str) -> Response:
    """A 401 that quotes the key: OpenAI's own, or a proxy echoing the whole header."""
    if style == "openai":
        return Response.json(
            {
                "error": {
                    "message": f"Incorrect API key provided: {OPENAI_KEY}. You can find your "
                    "API key at https://platform.openai.com/account/api-keys.",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": "invalid_api_key",
                }
            },
            401,
        )
    return Response(
        401,
        f"upstream refused the request headers: Authorization: Bearer {OPENAI_KEY}".encode(),
        {"Content-Type": "text/plain", "WWW-Authenticate": f'Bearer realm="{OPENAI_KEY}"'},
    )


@pytest.mark.parametrize("style", ["openai", "proxy"])
async def test_rejected_tokens_and_an_llm_that_answers_401_show_no_secret_anywhere(
    fakes: tuple[FakeArxiv, FakeOpenAI],
    database_url: str,
    tmp_path: Path,
    style: str,
) -> None:
    """Both platforms refuse their tokens; the LLM quotes the key it refuses."""
    arxiv, llm = fakes
    llm.script(*(llm_refusal(style) for _ in range(20)))
    with FakeSlack() as slack, FakeTelegram() as telegram:  # other tokens than ours
        telegram.add_chat(GROUP, "supergroup")
        env = secret_env(tmp_path, arxiv, llm, database_url, slack, telegram, "text")
        code, out, err = await run_cli(["digest", "-v"], env, tmp_path)

    assert code == 1
    assert "***" in out + err  # something did try to name a secret, and it was masked
    assert "HTTP 401" in reports(tmp_path)  # the refusal itself is reported
    assert slack.all_posts == [] and telegram.all_sent == []
    assert llm.completions  # the LLM was asked, and refused the key
    assert_no_secret_in(
        logs=out + err,
        reports=reports(tmp_path),
        rows=await stored_rows(database_url),
        chats=chat_messages(slack, telegram),
        llm=llm_bodies(llm),
    )


async def test_chat_errors_that_quote_the_tokens_show_no_secret_anywhere(
    fakes: tuple[FakeArxiv, FakeOpenAI],
    slack: FakeSlack,
    telegram: FakeTelegram,
    database_url: str,
    tmp_path: Path,
) -> None:
    """Slack and Telegram (or a proxy in front of them) name the token in their refusals: in
    the error text, and in a URL with the token percent-encoded."""
    arxiv, llm = fakes
    slack.fail_always(
        Response.json(
            {"ok": False, "error": "invalid_auth", "detail": f"token {SLACK_BOT} revoked"}
        ),
        path="chat.postMessage",
    )
    encoded = quote(TELEGRAM, safe="")
    telegram.fail_always(
        Response.json(
            {
                "ok": False,
                "error_code": 400,
                "description": f"Bad Request: https://proxy.local/bot{encoded}/sendMessage "
                f"refused for {TELEGRAM}",
            },
            400,
        ),
        path="/sendMessage",
    )
    env = secret_env(tmp_path, arxiv, llm, database_url, slack, telegram, "text")

    code, out, err = await run_cli(["digest", "-v"], env, tmp_path)

    assert code == 1
    assert "***" in out + err
    assert slack.requests_to("/api/chat.postMessage") and telegram.requests
    assert_no_secret_in(
        logs=out + err,
        reports=reports(tmp_path),
        rows=await stored_rows(database_url),
        chats=chat_messages(slack, telegram),
    )


@pytest.mark.parametrize("log_format", ["json", "text"])
async def test_an_unreachable_database_does_not_show_its_password(
    fakes: tuple[FakeArxiv, FakeOpenAI],
    slack: FakeSlack,
    telegram: FakeTelegram,
    tmp_path: Path,
    log_format: str,
) -> None:
    arxiv, llm = fakes
    unreachable = f"postgresql://digest:{DB_PASSWORD}@127.0.0.1:9/digest"  # port 9: discard
    env = secret_env(tmp_path, arxiv, llm, unreachable, slack, telegram, log_format)

    code, out, err = await run_cli(["digest", "-v"], env, tmp_path)

    assert code not in (0, None)
    assert err.strip()  # it did say why
    assert slack.all_posts == [] and telegram.all_sent == [] and llm.requests == []
    assert_no_secret_in(logs=out + err)
