"""Slash commands and button taps as Slack sends them to the Bolt app (signed form posts), the
app served by `run_slack` against a fake Slack, and its answers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import WSMsgType, web
from slack_sdk.signature import SignatureVerifier

from arxiv_digest.wiring import digest_options, make_chat_core, open_digest
from bot.core import ChatCore
from bot.slack.app import build_slack_app
from bot.slack.client import make_client
from bot.slack.runner import run_slack
from tests.daydata import ECO, make_settings, method_pdf
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.base import Request, Response
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack
from tests.polling import WAIT_SECONDS

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CHANNEL = "C0TEAM"
ALICE = "U0ALICE"  # a member of CHANNEL
ADMIN = "U0ADMIN"  # a bot admin, in the app's settings


class SocketModeSlack(FakeSlack):
    """FakeSlack that also hands out a Socket Mode connection (to the test's WebSocket)."""

    app_token = "xapp-1-A0APP-test"
    wss_url = ""

    def handle(self, request: Request) -> Response:
        if request.path == "/api/apps.connections.open":
            if request.headers.get("authorization") != f"Bearer {self.app_token}":
                return Response.json({"ok": False, "error": "invalid_auth"})
            return Response.json({"ok": True, "url": self.wss_url})
        return super().handle(request)


class GatedOpenAI(FakeOpenAI):
    """An LLM that answers only once the test opens `gate`: work that waits on it is slow."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.gate.set()

    def handle(self, request: Request) -> Response:
        self.gate.wait(WAIT_SECONDS)
        return super().handle(request)


@dataclass
class Bot:
    url: str
    core: ChatCore
    slack: FakeSlack
    llm: GatedOpenAI
    arxiv: FakeArxiv


@contextlib.asynccontextmanager
async def running_slack_bot(
    arxiv: FakeArxiv, llm: GatedOpenAI, slack: FakeSlack, database_url: str, tmp_path: Path
) -> AsyncIterator[Bot]:
    """The Bolt app in HTTP mode on an ephemeral port, signed with `SECRET`; ECO is on arXiv."""
    arxiv.add_paper(ECO, method_pdf(ECO.title))
    settings = make_settings(
        arxiv,
        llm,
        database_url,
        tmp_path,
        slack_bot_token=slack.token,
        slack_api_url=slack.api_url,
        slack_signing_secret=SECRET,
        slack_http_port=0,
        slack_messages_per_second=0,
        bot_admins=[ADMIN],
    )
    async with open_digest(settings, digest_options(settings)) as digest:
        core = make_chat_core(settings, digest)
        app = build_slack_app(core, make_client(settings.slack()), settings.slack())
        ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        server = asyncio.create_task(
            run_slack(app, settings.slack(), host="127.0.0.1", on_ready=ready.set_result)
        )
        try:
            url = await asyncio.wait_for(ready, WAIT_SECONDS)
            yield Bot(url, core, slack, llm, arxiv)
        finally:
            server.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await server


def payload(
    slack: FakeSlack,
    command: str,
    text: str,
    *,
    response_token: str,
    channel: str = CHANNEL,
    channel_name: str = "team",
    user: str = ALICE,
) -> str:
    return urlencode(
        {
            "token": "deprecated-verification-token",
            "team_id": slack.team_id,
            "team_domain": "fake",
            "channel_id": channel,
            "channel_name": channel_name,
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0APP",
            "is_enterprise_install": "false",
            "response_url": slack.response_url(response_token),
            "trigger_id": "1.2.3",
        }
    )


async def post_signed(
    url: str,
    body: str,
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
    content_type: str = "application/x-www-form-urlencoded",
) -> tuple[int, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
    }
    timeout = aiohttp.ClientTimeout(total=WAIT_SECONDS)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.post(url, data=body.encode(), headers=headers) as response,
    ):
        return response.status, await response.text()


async def slash(bot: Bot, command: str, text: str = "", *, token: str = "r1", **where: str) -> str:
    """Sends a slash command as Slack does; returns the acknowledgement's text."""
    body = payload(bot.slack, command, text, response_token=token, **where)
    status, answer = await post_signed(bot.url, body)
    assert status == 200, answer
    return ack_text_of(answer)


def ack_text_of(body: str) -> str:
    """Bolt answers a text-only ack as plain text; Slack shows either form to the user."""
    if body.startswith("{"):
        return str(json.loads(body)["text"])
    return body


def private_answers(slack: FakeSlack, token: str) -> list[dict[str, Any]]:
    answers = slack.responses_to(token)
    assert all(a.get("response_type") == "ephemeral" for a in answers), answers
    return answers


def shown(answer: dict[str, Any]) -> str:
    return f"{answer.get('text')} {json.dumps(answer.get('blocks'), ensure_ascii=False)}"


def block_actions(
    slack: FakeSlack,
    message_ts: str,
    action_id: str,
    value: str,
    *,
    response_token: str,
    channel: str = CHANNEL,
    user: str = ALICE,
) -> dict[str, Any]:
    """A tap on a button of the bot's message, as Slack's `block_actions` interaction has it."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "team_id": slack.team_id},
        "api_app_id": "A0APP",
        "token": "deprecated-verification-token",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "trigger_id": "1.2.3",
        "team": {"id": slack.team_id, "domain": "fake"},
        "channel": {"id": channel, "name": "directmessage" if channel[0] == "D" else "team"},
        "message": {"type": "message", "ts": message_ts, "user": slack.bot_user_id},
        "response_url": slack.response_url(response_token),
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "votes",
                "text": {"type": "plain_text", "text": "👍", "emoji": True},
                "value": value,
                "action_ts": "1700000001.000000",
            }
        ],
    }


def interaction(payload: dict[str, Any]) -> str:
    """The form body Slack posts an interaction as: one `payload` field holding its JSON."""
    return urlencode({"payload": json.dumps(payload)})


def reaction_event(
    slack: FakeSlack,
    message_ts: str,
    reaction: str,
    *,
    removed: bool = False,
    channel: str = CHANNEL,
    user: str = ALICE,
) -> str:
    """A `reaction_added` (or `_removed`) on the bot's message, as the Events API posts it."""
    event = {
        "type": "reaction_removed" if removed else "reaction_added",
        "user": user,
        "reaction": reaction,
        "item": {"type": "message", "channel": channel, "ts": message_ts},
        "item_user": slack.bot_user_id,
        "event_ts": f"{time.time():.6f}",
    }
    return json.dumps(
        {
            "token": "deprecated-verification-token",
            "team_id": slack.team_id,
            "api_app_id": "A0APP",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{time.monotonic_ns()}",
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": slack.team_id, "user_id": slack.bot_user_id, "is_bot": True}
            ],
        }
    )


@dataclass
class SocketBot:
    core: ChatCore
    acks: asyncio.Queue[dict[str, Any]]  # what the app sent back over the socket
    where: str  # what run_slack said it listens on


@contextlib.asynccontextmanager
async def running_socket_mode_bot(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    slack: SocketModeSlack,
    database_url: str,
    tmp_path: Path,
    envelope: dict[str, Any],
) -> AsyncIterator[SocketBot]:
    """The Bolt app in Socket Mode: a local WebSocket says hello, hands it `envelope` and
    collects its acknowledgements. No signing secret: Socket Mode needs none."""
    acks: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def link(request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"type": "hello", "num_connections": 1})
        await socket.send_json(envelope)
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                acks.put_nowait(json.loads(message.data))
        return socket

    server = web.Application()
    server.router.add_get("/link", link)
    runner = web.AppRunner(server, shutdown_timeout=1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    slack.wss_url = f"ws://127.0.0.1:{runner.addresses[0][1]}/link"
    settings = make_settings(
        arxiv,
        llm,
        database_url,
        tmp_path,
        slack_bot_token=slack.token,
        slack_app_token=slack.app_token,
        slack_api_url=slack.api_url,
    )
    try:
        async with open_digest(settings, digest_options(settings)) as digest:
            core = make_chat_core(settings, digest)
            app = build_slack_app(core, make_client(settings.slack()), settings.slack())
            ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()
            bot = asyncio.create_task(run_slack(app, settings.slack(), on_ready=ready.set_result))
            try:
                yield SocketBot(core, acks, await asyncio.wait_for(ready, WAIT_SECONDS))
            finally:
                bot.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await bot
    finally:
        await runner.cleanup()
