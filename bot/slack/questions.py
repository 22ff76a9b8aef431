"""Questions on Slack: the Ask and Ask a follow-up buttons open a question box (`views.open`,
within the 3 s a trigger lives); its submission is acknowledged at once (the box closes) and
answered in the thread; `@arxiv-digest <question>` in a paper's thread (or with an arXiv id in
it) is answered the same way, one in an answer's thread follows it, and one anywhere else is
asked across the archive and answered in its own thread, where a later mention follows it.
Refusals go to the asker alone."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.ask_answers import paper_title
from bot.core import ChatCore
from bot.platform import Caller, QuestionEvent, Reply, TextReply
from bot.replies import refusal
from bot.slack.asking import (
    ASK_ACTION,
    ASK_VIEW,
    FOLLOW_UP_ACTION,
    Asking,
    asking_from_tap,
    question_modal,
    question_of,
)
from bot.slack.poster import SlackPoster
from bot.slack.render import render_reply
from domain.errors import DigestError
from pipeline.ids import parse_arxiv_id
from storage.questions import QuestionRepository
from storage.redaction import Redactor

log = logging.getLogger(__name__)

_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def add_questions(app: AsyncApp, core: ChatCore, poster: SlackPoster, redact: Redactor) -> None:
    """Registers the buttons, the question box and mentions on the Bolt app."""

    async def on_ask(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        caller = _tapper(body)
        language = await core.language_of(caller)
        asking = asking_from_tap(body, action)
        if asking is None:
            await _tell(respond, refusal(language, "asking.not_a_paper"), redact)
            return
        title = await paper_title(core, asking.paper) if asking.paper else ""
        try:
            view = question_modal(asking, title, language)
            await client.views_open(trigger_id=str(body.get("trigger_id") or ""), view=view)
        except SlackApiError as exc:  # the trigger expired, was used, or is not Slack's
            log.warning("no question box for %s: %s", caller.user_id, exc.response.get("error"))
            await _tell(respond, refusal(language, "asking.trigger_expired"), redact)

    async def on_submit(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()  # the box closes now; the answer follows in the thread
        parsed = question_of(body)
        if parsed is None:
            log.warning("a question box this app did not open: %s", body.get("view", {}).get("id"))
            return
        event, asking = parsed
        await _answer(core, poster, client, event, asking, redact)

    async def on_mention(event: dict[str, Any], client: AsyncWebClient) -> None:
        """Bolt acknowledges events itself; a retried delivery carries the same key."""
        channel, user, ts = (str(event.get(k) or "") for k in ("channel", "user", "ts"))
        question = " ".join(_MENTION.sub(" ", str(event.get("text") or "")).split())
        thread = str(event.get("thread_ts") or "")
        caller = Caller("slack", channel, user, is_private=channel.startswith("D"))
        paper = _paper_in(question)
        asking = Asking(paper or "", channel, thread or ts)
        if not question and not thread:
            language = await core.language_of(caller)
            await _whisper(client, caller, asking, refusal(language, "asking.how"), redact)
            return
        # A mention in the thread of one asked by mention follows it; the thread's first
        # message is then the asker's, not the bot's.
        follows = await _mentioned(core, channel, thread) if thread and paper is None else None
        asked = QuestionEvent(
            caller,
            question,
            paper,
            replied_to=thread if thread and follows is None else None,
            request_key=_mention_key(channel, ts),
            follows=follows,
        )
        await _answer(core, poster, client, asked, asking, redact)

    app.action(ASK_ACTION)(on_ask)
    app.action(FOLLOW_UP_ACTION)(on_ask)
    app.view(ASK_VIEW)(on_submit)
    app.event("app_mention")(on_mention)


async def _answer(
    core: ChatCore,
    poster: SlackPoster,
    client: AsyncWebClient,
    event: QuestionEvent,
    asking: Asking,
    redact: Redactor,
) -> None:
    """The answer in the thread, for everyone; a refusal to the asker alone."""
    caller = event.caller
    try:
        reply = await core.on_event(event)
        if reply is None:
            return  # asked twice: answered once already
        if isinstance(reply, TextReply):
            await _whisper(client, caller, asking, reply, redact)
            return
        first = ""
        for message in render_reply(reply):
            ts = await poster.post(asking.channel, message, thread_ts=asking.thread_ts)
            first = first or ts
        await core.posted(caller, first, reply)
    except Exception:
        log.exception("answering a question from %s in %s failed", caller.user_id, caller.chat_id)
        failed = TextReply((await core.failure(caller),), is_error=True)
        try:
            await _whisper(client, caller, asking, failed, redact)
        except Exception:
            log.exception("could not even say so")


async def _whisper(
    client: AsyncWebClient, caller: Caller, asking: Asking, reply: Reply, redact: Redactor
) -> None:
    """Visible to the asker only, in the thread the question was about."""
    for message in render_reply(reply):
        await client.chat_postEphemeral(
            channel=asking.channel,
            user=caller.user_id,
            thread_ts=asking.thread_ts,
            text=redact(message.text),
            blocks=redact.deep(message.blocks),
        )


async def _tell(respond: AsyncRespond, reply: Reply, redact: Redactor) -> None:
    for message in render_reply(reply):
        await respond(
            text=redact(message.text),
            blocks=redact.deep(message.blocks),
            response_type="ephemeral",
            replace_original=False,
        )


async def _mentioned(core: ChatCore, channel: str, thread: str) -> int | None:
    """The stored question the mention opening `thread` asked, if it was one."""
    async with core.db.session() as session:
        asked = await QuestionRepository(session).by_request("slack", _mention_key(channel, thread))
    return asked.id if asked is not None else None


def _mention_key(channel: str, ts: str) -> str:
    return f"mention:{channel}:{ts}"


def _paper_in(question: str) -> str | None:
    """The first word of the question that is an arXiv id or link, if any."""
    for word in question.split():
        try:
            return str(parse_arxiv_id(word))
        except DigestError:
            continue
    return None


def _tapper(body: dict[str, Any]) -> Caller:
    channel = str((body.get("channel") or {}).get("id") or "")
    user = str((body.get("user") or {}).get("id") or "")
    return Caller("slack", channel, user, is_private=channel.startswith("D"))
