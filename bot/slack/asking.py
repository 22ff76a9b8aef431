"""Asking a paper on Slack, as Block Kit: the Ask and follow-up buttons, the question box (a
modal) and what comes back from them.

A button names its paper by itself (`value`: the arXiv id; a follow-up's also the question it
follows, and no paper for an answer across the archive), so buttons from before a restart keep
working. The modal carries where to answer in
its `private_metadata`; a submission becomes a neutral `QuestionEvent` whose request key is
the view's id, so a submission Slack delivers twice is answered once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.platform import Caller, QuestionEvent
from bot.why_answers import short
from domain.messages import text
from pipeline.qa.answers import MAX_QUESTION_CHARS

ASK_ACTION = "ask"
FOLLOW_UP_ACTION = "ask_follow_up"
FOLLOW_UP_BLOCK_ID = "follow_up"
ASK_VIEW = "ask_question"  # the modal's callback_id
QUESTION_BLOCK = "question"
QUESTION_INPUT = "text"
LABEL_CHARACTERS = 120  # of the title in the input's label (Slack allows 2,000)


@dataclass(frozen=True, slots=True)
class Asking:
    """Where a question goes: the paper ("" across the archive), the channel and thread to
    answer in, and the stored question it follows (a follow-up)."""

    paper: str
    channel: str
    thread_ts: str
    follows: int | None = None

    def metadata(self) -> str:
        return json.dumps(
            {"p": self.paper, "c": self.channel, "t": self.thread_ts, "f": self.follows}
        )

    @classmethod
    def from_metadata(cls, raw: str) -> Asking | None:
        """None for metadata this app did not write (a forged or foreign view)."""
        try:
            data = json.loads(raw)
            follows = data.get("f")
            return cls(
                str(data["p"]),
                str(data["c"]),
                str(data["t"]),
                int(follows) if follows is not None else None,
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


def ask_button(arxiv_id: str, language: str) -> dict[str, Any]:
    """The Ask button, set beside a paper's 👍/👎."""
    return _button(ASK_ACTION, text("asking.button", language), arxiv_id)


def follow_up_block(arxiv_id: str, question_id: int, language: str) -> dict[str, Any]:
    """An answer's last block: Ask a follow-up (value "<question id>:<arXiv id>", the id
    empty for an answer across the archive)."""
    label = text("asking.button.follow_up", language)
    button = _button(FOLLOW_UP_ACTION, label, f"{question_id}:{arxiv_id}")
    return {"type": "actions", "block_id": FOLLOW_UP_BLOCK_ID, "elements": [button]}


def _button(action_id: str, label: str, value: str) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": label, "emoji": True},
        "value": value,
    }


def asking_from_tap(body: dict[str, Any], action: dict[str, Any]) -> Asking | None:
    """Where a tap on Ask (or Ask a follow-up) asks to answer: in the thread of the message
    tapped (a paper in a day's thread), or under it (a `summarize` answer at the top)."""
    value = str(action.get("value") or "")
    follows: int | None = None
    if action.get("action_id") == FOLLOW_UP_ACTION:
        number, _, value = value.partition(":")
        if not number.isdigit():
            return None
        follows = int(number)
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = str((body.get("channel") or {}).get("id") or container.get("channel_id") or "")
    ts = message.get("thread_ts") or container.get("thread_ts") or container.get("message_ts")
    if not (channel and ts) or not (value or follows is not None):
        return None
    return Asking(value, channel, str(ts), follows)


def question_modal(asking: Asking, title: str, language: str) -> dict[str, Any]:
    """The question box: one plain-text input, as long as a question may be; `title` is the
    paper's (unused for a follow-up across the archive)."""
    if asking.paper:
        label_key = "asking.modal.follow_up" if asking.follows is not None else "asking.modal.label"
        label = text(label_key, language, title=short(title, LABEL_CHARACTERS))
        heading, hint = text("asking.modal.title", language), text("asking.modal.hint", language)
    else:
        label = text("asking.modal.archive_follow_up", language)
        heading = text("asking.modal.archive_title", language)
        hint = text("asking.modal.archive_hint", language)
    return {
        "type": "modal",
        "callback_id": ASK_VIEW,
        "private_metadata": asking.metadata(),
        "title": _plain(heading),
        "submit": _plain(text("asking.modal.submit", language)),
        "close": _plain(text("asking.modal.close", language)),
        "blocks": [
            {
                "type": "input",
                "block_id": QUESTION_BLOCK,
                "label": _plain(label),
                "hint": _plain(hint),
                "element": {
                    "type": "plain_text_input",
                    "action_id": QUESTION_INPUT,
                    "multiline": True,
                    "max_length": MAX_QUESTION_CHARS,
                },
            }
        ],
    }


def _plain(value: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": value, "emoji": True}


def question_of(body: dict[str, Any]) -> tuple[QuestionEvent, Asking] | None:
    """The question a `view_submission` carries, and where to answer; None for a view this
    app did not open."""
    view = body.get("view") or {}
    asking = Asking.from_metadata(str(view.get("private_metadata") or ""))
    if asking is None:
        return None
    values = (view.get("state") or {}).get("values") or {}
    typed = str(((values.get(QUESTION_BLOCK) or {}).get(QUESTION_INPUT) or {}).get("value") or "")
    user = str((body.get("user") or {}).get("id") or "")
    caller = Caller("slack", asking.channel, user, is_private=asking.channel.startswith("D"))
    key = f"view:{view.get('id')}" if view.get("id") else None
    paper = asking.paper or None  # none: a follow-up across the archive
    event = QuestionEvent(caller, typed, paper, request_key=key, follows=asking.follows)
    return event, asking
