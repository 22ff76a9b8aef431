"""The 👍/👎 buttons of a paper's first Slack message, and the taps Slack sends back for them.

Each button's `value` is the neutral `VoteButton.data` ("vote:up:2602.00780"), so a tap names
its paper by itself: a button posted before a restart still works. A tap comes as a signed
`block_actions` interaction (or over Socket Mode); the person is answered ephemerally.
"""

from __future__ import annotations

from typing import Any

from bot.platform import Caller, VoteEvent, vote_buttons, vote_from

VOTE_ACTIONS = {1: "vote_up", -1: "vote_down"}  # the buttons' action_id, by value
VOTES_BLOCK_ID = "votes"


def vote_block(arxiv_id: str) -> dict[str, Any]:
    """An `actions` block with the two buttons (plain-text emoji labels)."""
    return {
        "type": "actions",
        "block_id": VOTES_BLOCK_ID,
        "elements": [
            {
                "type": "button",
                "action_id": VOTE_ACTIONS[button.value],
                "text": {"type": "plain_text", "text": button.label, "emoji": True},
                "value": button.data,
            }
            for button in vote_buttons(arxiv_id)
        ],
    }


def vote_of(body: dict[str, Any], action: dict[str, Any]) -> VoteEvent:
    """The neutral vote a `block_actions` payload stands for; a value that is not a vote
    becomes one the core refuses."""
    return vote_from(_caller(body), str(action.get("value") or ""))


def _caller(body: dict[str, Any]) -> Caller:
    channel = body.get("channel") or {}
    container = body.get("container") or {}
    channel_id = str(channel.get("id") or container.get("channel_id") or "")
    user = body.get("user") or {}
    return Caller(
        platform="slack",
        chat_id=channel_id,
        user_id=str(user.get("id") or ""),
        is_private=channel.get("name") == "directmessage" or channel_id.startswith("D"),
    )
