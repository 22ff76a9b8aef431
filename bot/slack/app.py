"""Slash commands, vote buttons and vote reactions: acknowledge at once, then let the chat core
do the work and deliver its reply.

Papers and reports are for the whole channel and are posted there; everything else (keyword
lists, help, errors, a vote's acknowledgement) goes back to the person who typed the command or
tapped the button, visible only to them. A :+1:/:-1: reaction is recorded and not answered.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import ChatCore
from bot.platform import Caller, CommandEvent, FileReply, SearchReply, TextReply
from bot.slack.files import send_privately
from bot.slack.poster import SlackPoster
from bot.slack.questions import add_questions
from bot.slack.render import SlackMessage, render_reply
from bot.slack.settings import SlackConfigError, SlackSettings
from bot.slack.votes import REACTION_EVENTS, VOTE_ACTIONS, reaction_of, vote_of
from storage.redaction import Redactor

log = logging.getLogger(__name__)

COMMANDS = (
    "/summarize",
    "/keywords",
    "/report",
    "/digest",
    "/why",
    "/interests",
    "/ask",
    "/search",
    "/saved",
    "/export",
)

# Posting to the channel fails like this when the bot may not write there (a private channel
# it was not invited to, or a DM between other people): the asker gets the answer instead.
_CANNOT_POST_HERE = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}


def build_slack_app(
    core: ChatCore,
    client: AsyncWebClient,
    settings: SlackSettings,
    *,
    poster: SlackPoster | None = None,
) -> AsyncApp:
    """The Bolt app; `poster` is shared with the daily run so both respect the same pacing."""
    if settings.signing_secret is None and settings.app_token is None:
        raise SlackConfigError(
            "Slack needs SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)"
        )
    channel_poster = poster or SlackPoster.from_settings(client, settings)
    app = AsyncApp(
        client=client,
        # Bolt checks every HTTP request's signature; Socket Mode requests carry none, and
        # `run_slack` refuses HTTP mode without a secret.
        signing_secret=settings.signing_secret or "",
        name="arxiv-digest",
    )

    redact = settings.redactor

    async def acknowledge(ack: AsyncAck, command: dict[str, Any]) -> None:
        text = await core.ack(_caller(command), _command_text(command))
        await (ack(text=text) if text else ack())

    async def answer(command: dict[str, Any], respond: AsyncRespond) -> None:
        caller = _caller(command)
        # A user's mistake comes back as a reply, never as an exception.
        reply = await core.on_event(CommandEvent(caller, _command_text(command)))
        if isinstance(reply, FileReply):  # to the asker's DM; a line for them where they asked
            reply = await send_privately(client, caller.user_id, reply, redact)
        if isinstance(reply, TextReply | SearchReply):  # for the asker alone
            await _respond_all(respond, render_reply(reply), redact)
            return
        try:
            try:
                ts = await channel_poster.post_reply(caller.chat_id, reply)
                await core.posted(caller, ts, reply)
            except SlackApiError as exc:
                if exc.response.get("error") not in _CANNOT_POST_HERE:
                    raise
                await _respond_all(respond, render_reply(reply), redact)
        except Exception:
            log.exception("answering %r in %s failed", _command_text(command), caller.chat_id)
            await respond(text=await core.failure(caller), response_type="ephemeral")

    async def on_command(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        """Acknowledged at once (Bolt answers Slack's HTTP request on `ack`), answered after.

        A plain listener rather than a lazy one: on a long-running server Bolt runs it as a task
        already, and a lazy listener's deep copy of every request is cost without a use here.
        """
        await acknowledge(ack, command)
        await answer(command, respond)

    async def on_vote(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        """A 👍/👎 tap: acknowledged with nothing (the message stays as it is for everyone),
        recorded, then answered to the person alone through the interaction's response URL."""
        await ack()
        vote = vote_of(body, action)
        try:
            await _respond_all(respond, render_reply(await core.on_event(vote)), redact)
        except Exception:
            log.exception("answering a vote from %s in %s failed", *_who(vote.caller))

    async def on_reaction(event: dict[str, Any]) -> None:
        """A :+1:/:-1: added or removed: Bolt acknowledges events by itself; no answer."""
        reaction = reaction_of(event)
        if reaction is not None:
            await core.on_event(reaction)

    for name in COMMANDS:
        app.command(name)(on_command)
    for action_id in VOTE_ACTIONS.values():
        app.action(action_id)(on_vote)
    for event_type in REACTION_EVENTS:
        app.event(event_type)(on_reaction)
    add_questions(app, core, channel_poster, redact)
    return app


def _command_text(command: dict[str, Any]) -> str:
    """Slack sends "/summarize 2602.00780" as command="/summarize", text="2602.00780"."""
    name = str(command.get("command", "")).lstrip("/")
    text = str(command.get("text") or "").strip()
    return f"{name} {text}".strip()


def _caller(command: dict[str, Any]) -> Caller:
    channel_id = str(command.get("channel_id", ""))
    return Caller(
        platform="slack",
        chat_id=channel_id,
        user_id=str(command.get("user_id", "")),
        # Slack does not say who is an admin; the core checks BOT_ADMINS itself.
        is_admin=False,
        is_private=command.get("channel_name") == "directmessage" or channel_id.startswith("D"),
    )


def _who(caller: Caller) -> tuple[str, str]:
    return caller.user_id, caller.chat_id


async def _respond_all(
    respond: AsyncRespond, messages: list[SlackMessage], redact: Redactor
) -> None:
    """Visible to the asker only; a response URL takes a handful of messages, plenty here."""
    for message in messages:
        await respond(
            text=redact(message.text),
            blocks=redact.deep(message.blocks),
            response_type="ephemeral",
            replace_original=False,
        )
