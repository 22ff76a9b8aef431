"""The 👍/👎 buttons of a paper's first Slack message, and the taps Slack sends back for them.

Each button's `value` is the neutral `VoteButton.data` ("vote:up:2602.00780"), so a tap names
its paper by itself: a button posted before a restart still works. A tap comes as a signed
`block_actions` interaction (or over Socket Mode); the person is answered ephemerally.

A :+1: or :-1: emoji reaction on a paper's message (`reaction_added` / `reaction_removed`
events, any skin tone) counts the same; it names the message, and nobody is answered.
"""

from __future__ import annotations

from typing import Any

from bot.platform import Caller, ReactionEvent, VoteEvent, vote_buttons, vote_from

VOTE_ACTIONS = {1: "vote_up", -1: "vote_down"}  # the buttons' action_id, by value
VOTES_BLOCK_ID = "votes"
REACTION_EVENTS = ("reaction_added", "reaction_removed")
# Slack's names for the two emoji; a skin tone comes as a suffix, "+1::skin-tone-2".
_REACTION_VOTES = {"+1": 1, "thumbsup": 1, "-1": -1, "thumbsdown": -1}


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


def reaction_of(event: dict[str, Any]) -> ReactionEvent | None:
    """The neutral reaction a `reaction_added`/`reaction_removed` event stands for; None when
    it is not on a message (a file, say) or names no channel or person."""
    item = event.get("item") or {}
    channel, ts, user = item.get("channel"), item.get("ts"), event.get("user")
    if item.get("type") != "message" or not (channel and ts and user):
        return None
    name = str(event.get("reaction") or "").partition("::")[0]
    caller = Caller(
        platform="slack",
        chat_id=str(channel),
        user_id=str(user),
        is_private=str(channel).startswith("D"),
    )
    removed = event.get("type") == "reaction_removed"
    return ReactionEvent(caller, str(ts), _REACTION_VOTES.get(name), removed=removed)
