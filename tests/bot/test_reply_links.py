"""Where a parent's titles link to: each platform's address of a reply in the day's thread."""

from __future__ import annotations

import pytest

from bot.slack.permalinks import reply_permalinks
from bot.telegram.links import message_links

REPLIES = {"2602.00001": "1700000000.000002", "2602.00002": "1700000000.000003"}


def test_slack_replies_link_in_slacks_own_thread_form() -> None:
    parent = "https://acme.slack.com/archives/C0DIGEST/p1700000000000001"

    links = reply_permalinks(parent, "C0DIGEST", "1700000000.000001", REPLIES)

    assert links == {
        "2602.00001": "https://acme.slack.com/archives/C0DIGEST/p1700000000000002"
        "?thread_ts=1700000000.000001&cid=C0DIGEST",
        "2602.00002": "https://acme.slack.com/archives/C0DIGEST/p1700000000000003"
        "?thread_ts=1700000000.000001&cid=C0DIGEST",
    }


@pytest.mark.parametrize(
    "parent", ["", "not a link", "http://acme.slack.com/archives/C1/p1", "https://acme/x/y"]
)
def test_a_slack_permalink_not_in_its_form_gives_no_links(parent: str) -> None:
    assert reply_permalinks(parent, "C1", "1.000001", REPLIES) == {}


@pytest.mark.parametrize(
    ("chat_id", "topic", "expected"),
    [
        ("-1001234567890", None, "https://t.me/c/1234567890/42"),
        ("-1001234567890", "7", "https://t.me/c/1234567890/7/42"),
        ("-4242", None, None),  # a basic group
        ("4242", None, None),  # a private chat
        ("@channel", None, None),
    ],
)
def test_telegram_message_links_exist_in_supergroups_only(
    chat_id: str, topic: str | None, expected: str | None
) -> None:
    links = message_links(chat_id, topic, {"2602.00001": "42"})
    assert links == ({"2602.00001": expected} if expected else {})
