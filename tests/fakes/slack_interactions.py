"""What the fake Slack sends to an app and what it keeps of modals: button taps
(`block_actions`), modal submissions (`view_submission`) and `app_mention` events, posted to
`fake.app_url` as Slack does (signed with `fake.signing_secret`: HMAC-SHA256 of
`v0:{timestamp}:{body}`), and `views.open`, which Slack allows once per `trigger_id`, within
3 seconds of the interaction that issued it.

`views.open` answers, as Slack does: `invalid_trigger_id` for a trigger it never issued,
`exchanged_trigger_id` for one already used, `expired_trigger_id` after `TRIGGER_SECONDS`;
`invalid_arguments` for a view Slack refuses (not a modal, a title or button text over 24
characters, a callback_id over 255, private_metadata over 3,000, an input over 3,000
characters or without a label). Opened views are kept in `views` by id.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from tests.fakes.slack_blocks import SlackError

TRIGGER_SECONDS = 3.0
VIEW_TEXT_LIMIT = 24  # a modal's title, submit and close texts
METADATA_LIMIT = 3000
INPUT_LIMIT = 3000


@dataclass
class OpenedView:
    id: str
    view: dict[str, Any]
    user: str
    submitted: int = 0


@dataclass
class Delivery:
    """What the app answered one delivery with."""

    status: int
    body: str
    payload: dict[str, Any] = field(default_factory=dict)


class SlackInteractions:
    """Mixed into FakeSlack: it has `url`, `team_id`, `bot_user_id`, `response_url()` and
    its stored posts."""

    team_id: str
    bot_user_id: str

    def _init_interactions(self) -> None:
        self.app_url: str | None = None
        self.signing_secret = ""
        self.views: dict[str, OpenedView] = {}
        self._triggers: dict[str, tuple[float, str, bool]] = {}  # issued at, user, used
        self._serial = iter(range(1, 1_000_000))
        self._interaction_lock = threading.Lock()

    def response_url(self, token: str) -> str:  # FakeSlack's
        raise NotImplementedError

    # -- what Slack sends to the app

    def tap(self, post: Any, action_id: str, *, user: str, trigger_age: float = 0.0) -> Delivery:
        """A tap by `user` on the button `action_id` of a message the fake holds (`Post`)."""
        element = next(
            (
                (block, e)
                for block in post.blocks or []
                if block.get("type") == "actions"
                for e in block.get("elements", [])
                if e.get("action_id") == action_id
            ),
            None,
        )
        if element is None:
            raise ValueError(f"no button {action_id} on message {post.ts}")
        block, button = element
        container = {
            "type": "message",
            "message_ts": post.ts,
            "channel_id": post.channel,
            "is_ephemeral": False,
        }
        message: dict[str, Any] = {"type": "message", "ts": post.ts, "user": self.bot_user_id}
        message.update(text=post.text or "", blocks=post.blocks)
        if post.thread_ts:
            container["thread_ts"] = message["thread_ts"] = post.thread_ts
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "api_app_id": "A0APP",
            "token": "deprecated-verification-token",
            "container": container,
            "trigger_id": self.issue_trigger(user, age=trigger_age),
            "team": {"id": self.team_id, "domain": "fake"},
            "channel": {"id": post.channel, "name": _channel_name(post.channel)},
            "message": message,
            "response_url": self.response_url(f"tap-{next(self._serial)}"),
            "actions": [
                {
                    **{k: button[k] for k in ("type", "action_id", "text", "value") if k in button},
                    "block_id": block.get("block_id", ""),
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return self.deliver_interaction(payload)

    def submit(self, view_id: str, question: str, *, user: str | None = None) -> Delivery:
        """The user submits an opened modal with `question` typed in its (first) input."""
        opened = self.views[view_id]
        values: dict[str, Any] = {}
        for block in opened.view.get("blocks", []):
            if block.get("type") == "input":
                element = block["element"]
                values[block["block_id"]] = {
                    element["action_id"]: {"type": element["type"], "value": question}
                }
        opened.submitted += 1
        view = {
            **opened.view,
            "id": opened.id,
            "team_id": self.team_id,
            "state": {"values": values},
            "hash": f"{int(time.time())}.hash",
            "root_view_id": opened.id,
            "previous_view_id": None,
            "app_id": "A0APP",
            "bot_id": "B0BOT",
        }
        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": "fake"},
            "user": {"id": user or opened.user, "username": (user or opened.user).lower()},
            "api_app_id": "A0APP",
            "token": "deprecated-verification-token",
            "trigger_id": self.issue_trigger(user or opened.user),
            "view": view,
            "response_urls": [],
            "is_enterprise_install": False,
        }
        return self.deliver_interaction(payload)

    def mention(
        self, channel: str, user: str, text: str, *, thread_ts: str | None = None
    ) -> Delivery:
        """`@arxiv-digest <text>` in `channel` (in the thread of `thread_ts`, if given)."""
        ts = f"1700001000.{next(self._serial):06d}"
        event: dict[str, Any] = {
            "type": "app_mention",
            "user": user,
            "text": f"<@{self.bot_user_id}> {text}",
            "ts": ts,
            "channel": channel,
            "event_ts": ts,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        envelope = {
            "token": "deprecated-verification-token",
            "team_id": self.team_id,
            "api_app_id": "A0APP",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{time.monotonic_ns()}",
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": self.team_id, "user_id": self.bot_user_id, "is_bot": True}
            ],
        }
        return self.send(json.dumps(envelope), "application/json", envelope)

    def deliver_interaction(
        self, payload: dict[str, Any], *, secret: str | None = None
    ) -> Delivery:
        body = urlencode({"payload": json.dumps(payload)})
        return self.send(body, "application/x-www-form-urlencoded", payload, secret=secret)

    def send(
        self,
        body: str,
        content_type: str,
        payload: dict[str, Any] | None = None,
        *,
        secret: str | None = None,
        timestamp: int | None = None,
    ) -> Delivery:
        """One signed POST to the app (`secret` other than the app's: a forgery)."""
        if self.app_url is None:
            raise RuntimeError("set fake.app_url (and signing_secret) first")
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        verifier = SignatureVerifier(self.signing_secret if secret is None else secret)
        request = urllib.request.Request(
            self.app_url,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Delivery(response.status, response.read().decode(), payload or {})
        except urllib.error.HTTPError as error:
            return Delivery(error.code, error.read().decode(), payload or {})

    # -- views.open

    def issue_trigger(self, user: str, *, age: float = 0.0) -> str:
        """A trigger id as an interaction carries one; `age` seconds old already."""
        trigger = f"{next(self._serial)}.{int(time.time())}.{time.monotonic_ns():x}"
        with self._interaction_lock:
            self._triggers[trigger] = (time.monotonic() - age, user, False)
        return trigger

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        view = args.get("view")
        if isinstance(view, str):
            try:
                view = json.loads(view)
            except ValueError:
                raise SlackError("invalid_arguments", "view is not valid JSON") from None
        trigger = str(args.get("trigger_id") or "")
        with self._interaction_lock:
            issued = self._triggers.get(trigger)
            if issued is None:
                raise SlackError("invalid_trigger_id")
            at, user, used = issued
            if used:
                raise SlackError("exchanged_trigger_id")
            if time.monotonic() - at > TRIGGER_SECONDS:
                raise SlackError("expired_trigger_id")
            problem = _view_problem(view)
            if problem:
                raise SlackError("invalid_arguments", problem)
            self._triggers[trigger] = (at, user, True)
            view_id = f"V{next(self._serial):08d}"
            assert isinstance(view, dict)
            self.views[view_id] = OpenedView(view_id, view, user)
        return {"view": {**view, "id": view_id, "state": {"values": {}}}}


def _channel_name(channel: str) -> str:
    return "directmessage" if channel.startswith("D") else "team"


def _view_problem(view: object) -> str | None:
    if not isinstance(view, dict) or view.get("type") != "modal":
        return "view must be a modal"
    for name in ("title", "submit", "close"):
        text = view.get(name)
        if text is None and name == "title":
            return "a modal needs a title"
        if text is not None and (
            text.get("type") != "plain_text" or not 0 < len(text.get("text", "")) <= VIEW_TEXT_LIMIT
        ):
            return f"{name} must be plain text of 1 to {VIEW_TEXT_LIMIT} characters"
    if len(str(view.get("callback_id") or "")) > 255:
        return "callback_id is over 255 characters"
    if len(str(view.get("private_metadata") or "")) > METADATA_LIMIT:
        return f"private_metadata is over {METADATA_LIMIT} characters"
    inputs = [b for b in view.get("blocks") or [] if b.get("type") == "input"]
    if inputs and view.get("submit") is None:
        return "a modal with inputs needs a submit button"
    for block in inputs:
        element = block.get("element") or {}
        if not (block.get("label") or {}).get("text"):
            return "an input needs a label"
        if int(element.get("max_length") or 0) > INPUT_LIMIT:
            return f"max_length must be at most {INPUT_LIMIT}"
    return None
