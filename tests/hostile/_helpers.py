"""What every hostile-input test checks of an answer as the user would see it on each platform."""

from __future__ import annotations

import re

from bot.platform import Reply
from bot.slack.render import render_reply as render_slack
from bot.telegram.render import render_reply as render_telegram
from tests.fakes.slack_blocks import validate_blocks as _validate_blocks
from tests.fakes.telegram_server import parse_html

_SLACK_LINK = re.compile(r"<([^<>|]*)\|([^<>]*)>")


def slack_text(reply: Reply) -> str:
    """The reply as Slack would show it; every message passes the fake's block validation."""
    shown = []
    for message in render_slack(reply):
        _validate_blocks(message.blocks)
        for block in message.blocks:
            text = block.get("text", {}).get("text", "") if block["type"] == "section" else ""
            assert "<!" not in text and "<@" not in text, text  # no live mention from user text
            shown.append(decode_mrkdwn(text))
        assert "<!" not in message.text and "<@" not in message.text
    return "\n".join(shown)


def decode_mrkdwn(text: str) -> str:
    """Our links shown as their labels, then Slack's three escapes decoded."""
    text = _SLACK_LINK.sub(lambda m: m.group(2), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def telegram_text(reply: Reply) -> str:
    """The reply as Telegram would show it; every message parses as Telegram's HTML."""
    return "\n".join(parse_html(message) for message in render_telegram(reply))


def assert_one_clean_line(message: str) -> None:
    assert "\n" not in message and "Traceback" not in message, message
    assert len(message) < 400, message
    assert "\u202e" not in message and "\u200b" not in message, message
