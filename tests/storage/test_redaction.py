"""Secrets are masked in every form a server may quote them in, and never reach a row."""

from __future__ import annotations

import json
from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from storage.db import Database
from storage.redaction import MASK, MIN_SECRET_LENGTH, Redactor

KEY = "sk-proj-Ab+c/d=e&f 9"
TOKEN = "123456789:AAH-telegram_secret-half"


def test_a_secret_is_masked_as_written_url_encoded_and_json_escaped() -> None:
    redact = Redactor([KEY])
    for quoted in (
        f"Incorrect API key provided: {KEY}.",
        f"GET /v1?key={quote(KEY, safe='')} HTTP/1.1",
        f"https://proxy.example/{quote(KEY)}/chat",
        json.dumps({"authorization": f"Bearer {KEY}"}),
        f"Authorization: Bearer {KEY}",
    ):
        masked = redact(quoted)
        assert KEY not in masked and quote(KEY, safe="") not in masked and MASK in masked
        assert "Ab+c/d" not in masked


def test_a_telegram_tokens_secret_half_is_masked_alone_too() -> None:
    redact = Redactor([TOKEN])
    assert redact(f"https://api.telegram.org/bot{TOKEN}/getMe") == (
        f"https://api.telegram.org/bot{MASK}/getMe"
    )
    assert redact("Unauthorized: AAH-telegram_secret-half") == f"Unauthorized: {MASK}"
    assert "123456789" in redact("bot 123456789 is ours")  # the bot's id is not a secret


def test_a_secret_containing_another_is_masked_whole() -> None:
    redact = Redactor(["password-1", "password-1-and-more"])
    assert redact("x password-1-and-more y") == f"x {MASK} y"


def test_short_secrets_are_named_and_left_unmasked_rather_than_garbling_every_text() -> None:
    redact = Redactor(["ab", "abcdef"])
    assert redact.too_short == ["ab"]
    assert redact("ab abcdef") == f"ab {MASK}"
    assert len("abcdef") == MIN_SECRET_LENGTH


def test_no_secrets_changes_nothing_and_deep_walks_structures() -> None:
    assert not Redactor([]) and Redactor([]).deep({"a": ["b"]}) == {"a": ["b"]}
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": f"key {KEY}"}}, 3, None]
    assert Redactor([KEY]).deep(blocks) == [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"key {MASK}"}},
        3,
        None,
    ]


@given(
    before=st.text(max_size=30),
    after=st.text(max_size=30),
    secret=st.text(min_size=MIN_SECRET_LENGTH, max_size=40).filter(lambda s: s.strip()),
)
def test_any_secret_anywhere_in_any_text_is_gone(before: str, after: str, secret: str) -> None:
    assert secret not in Redactor([secret])(before + secret + after)


async def test_every_text_written_to_the_database_is_masked(database_url: str) -> None:
    db = await Database.open(database_url, Redactor([KEY]))
    try:
        async with db.session() as session:
            await session.execute(
                text("CREATE TABLE leak_check (id INTEGER PRIMARY KEY, note TEXT)")
            )
            await session.execute(
                text("INSERT INTO leak_check (id, note) VALUES (:id, :note)"),
                [{"id": 1, "note": f"refused {KEY}"}, {"id": 2, "note": "plain"}],
            )
        async with db.session() as session:
            notes = (await session.execute(text("SELECT note FROM leak_check ORDER BY id"))).all()
            await session.execute(text("DROP TABLE leak_check"))
    finally:
        await db.close()
    assert [n for (n,) in notes] == [f"refused {MASK}", "plain"]
