"""Inline keyboards and callback queries, as the fake Telegram validates and serves them.

- `reply_markup` of sendMessage/editMessageText: an `inline_keyboard` of rows of buttons, each
  with a non-empty `text` and exactly one action; a `callback_data` of 1 to 64 bytes, else 400
  "Bad Request: BUTTON_DATA_INVALID" (Telegram's answer).
- `answerCallbackQuery`: a query id the fake handed out in a `callback_query` update and not yet
  answered, else 400 "Bad Request: query is too old and response timeout expired or query ID is
  invalid"; a `text` of at most 200 characters, else 400 "Bad Request: MESSAGE_TOO_LONG".
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

CALLBACK_DATA_BYTES = 64
ANSWER_TEXT_LIMIT = 200
_ACTIONS = ("callback_data", "url", "switch_inline_query", "switch_inline_query_current_chat")
_QUERY_IDS = itertools.count(1)


class MarkupError(ValueError):
    """What Telegram says of a keyboard it refuses, after "Bad Request: "."""


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    """An accepted answerCallbackQuery: the toast (or alert) the tapping user saw."""

    query_id: str
    text: str | None
    show_alert: bool


def checked_keyboard(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """`markup` if Telegram would take it as an inline keyboard; raises `MarkupError`."""
    if markup is None:
        return None
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise MarkupError('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not str(button.get("text") or "").strip():
                raise MarkupError("BUTTON_TEXT_INVALID")
            if sum(1 for action in _ACTIONS if action in button) != 1:
                raise MarkupError("BUTTON_TYPE_INVALID")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_BYTES:
                raise MarkupError("BUTTON_DATA_INVALID")
    return markup


def callback_data_of(markup: dict[str, Any] | None) -> list[str]:
    """Every button's callback_data, row by row."""
    rows = (markup or {}).get("inline_keyboard") or []
    return [str(b["callback_data"]) for row in rows for b in row if "callback_data" in b]


def callback_query(user: dict[str, Any], message: dict[str, Any], data: str) -> dict[str, Any]:
    """The `callback_query` of an update: a tap by `user` on a button of `message`."""
    return {
        "id": str(next(_QUERY_IDS)),
        "from": user,
        "message": message,
        "chat_instance": "-1234567890",
        "data": data,
    }
