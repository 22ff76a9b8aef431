"""A fake Slack Web API that the real `AsyncWebClient(token=fake.token, base_url=fake.api_url)`
talks to, validating messages the way Slack does.

Methods: `auth.test`, `chat.postMessage`, `chat.postEphemeral`, `chat.update`, `chat.getPermalink`,
`conversations.open`, `conversations.history`, `conversations.replies`, file uploads
(`files.getUploadURLExternal`, the upload URL, `files.completeUploadExternal`:
`tests.fakes.slack_files`), `views.open` (trigger ids
checked as Slack does: `tests.fakes.slack_interactions`, which also sends taps, modal
submissions and mentions to the app, signed), and the `response_url`
of slash commands (`POST /respond/<token>`, built by `fake.response_url(token)`; five answers a
token, then 404, as Slack allows no more). Arguments are read from the query string, a form body
(blocks as a JSON string) or a JSON body, as slack_sdk sends them.

Validation, answered with HTTP 200 and `{"ok": false, "error": ...}` as Slack does:
- `invalid_auth` unless `Authorization: Bearer <token>` (or a `token` argument) equals `fake.token`;
- `channel_not_found` for a channel outside `fake.channels` (None, the default: any id that looks
  like a Slack id, `C…`, `D…`, `G…` or `U…`; a `U…` id posts to that user's DM);
- `no_text` without text and blocks; `msg_too_long` for text over 40,000 characters;
- `invalid_blocks` and `msg_blocks_too_long` for blocks Slack refuses (`tests.fakes.slack_blocks`
  says which).

Switches: `rate_limit_next(n, retry_after=1)` answers the next n requests with HTTP 429 and
`Retry-After`; `fail_next(...)` (from FakeServer) serves raw responses (500s, slow answers).
Both apply to any path, the response_url included.

Recorded: `all_posts` (every chat.postMessage, in order), `messages(channel)` (top-level posts),
`thread(channel, ts)` (replies under a parent, in order), `ephemerals`, `responses`
(response_url bodies), and `requests` (everything, from FakeServer).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.base import FakeServer, Request, Response
from tests.fakes.slack_blocks import SlackError, content
from tests.fakes.slack_files import UPLOAD_PATH, SlackFiles
from tests.fakes.slack_interactions import SlackInteractions

RESPONSE_URL_USES = 5  # Slack takes five answers on one response_url (it documents no error body)
_SLACK_ID = re.compile(r"[CDGU][A-Z0-9]+")


@dataclass
class Post:
    """A message as the fake stores it (chat.postMessage, chat.update edit it in place)."""

    channel: str
    ts: str
    text: str | None
    blocks: list[dict] | None
    thread_ts: str | None = None
    unfurl_links: bool | None = None
    unfurl_media: bool | None = None
    user: str | None = None  # the recipient of an ephemeral message
    edited: bool = False
    args: dict[str, Any] = field(default_factory=dict)  # every argument as received

    @property
    def metadata(self) -> dict[str, Any] | None:
        value = self.args.get("metadata")
        if isinstance(value, str) and value:
            value = json.loads(value)
        return value if isinstance(value, dict) else None

    def message(
        self, bot_user_id: str, bot_id: str, *, with_metadata: bool = False
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": bot_user_id,
            "bot_id": bot_id,
            "ts": self.ts,
            "text": self.text or "",
        }
        if self.blocks is not None:
            message["blocks"] = self.blocks
        if self.thread_ts is not None:
            message["thread_ts"] = self.thread_ts
        if with_metadata and self.metadata is not None:
            message["metadata"] = self.metadata  # only with include_all_metadata, as Slack does
        return message


@dataclass
class ResponseUrlPost:
    token: str
    body: dict[str, Any]


class FakeSlack(FakeServer, SlackInteractions, SlackFiles):
    def __init__(
        self,
        token: str = "xoxb-test-token",
        *,
        team_id: str = "T0TEST",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
    ) -> None:
        super().__init__()
        self.token = token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.channels: set[str] | None = None
        self.history_allowed = True  # False: the app lacks the *:history scopes
        # The chat.postMessage calls (1 = the first) whose message is kept but answered with
        # `fatal_error`, Slack's "some of it may have happened": the sender never hears back.
        self.lose_answers_to: set[int] = set()
        self._post_calls = 0
        self.ephemerals: list[Post] = []
        self.responses: list[ResponseUrlPost] = []
        self._posts: list[Post] = []
        self._dms: dict[str, str] = {}
        self._ts = itertools.count(1)
        self._state = threading.RLock()
        self._init_interactions()
        self._init_files()

    @property
    def api_url(self) -> str:
        # slack_sdk joins base_url and method with urljoin: without the slash, "api" is replaced.
        return f"{self.url}/api/"

    workspace_url = "https://fake-workspace.slack.com/"

    def response_url(self, token: str) -> str:
        return f"{self.url}/respond/{token}"

    def rate_limit_next(self, n: int, retry_after: int = 1, *, method: str | None = None) -> None:
        """The next `n` calls (of `method` only, e.g. "chat.postMessage", if given) get a 429."""
        limited = Response.json(
            {"ok": False, "error": "ratelimited"}, 429, **{"Retry-After": str(retry_after)}
        )
        self.fail_next(*([limited] * n), path=None if method is None else f"/api/{method}")

    # -- what tests read back

    @property
    def all_posts(self) -> list[Post]:
        with self._state:
            return list(self._posts)

    def messages(self, channel: str) -> list[Post]:
        channel = self.dm_channel(channel) if channel.startswith("U") else channel
        return [p for p in self.all_posts if p.channel == channel and p.thread_ts is None]

    def thread(self, channel: str, ts: str) -> list[Post]:
        channel = self.dm_channel(channel) if channel.startswith("U") else channel
        return [p for p in self.all_posts if p.channel == channel and p.thread_ts == ts]

    def dm_channel(self, user: str) -> str:
        """The DM between the bot and `user` (what conversations.open returns)."""
        with self._state:
            return self._dms.setdefault(user, f"D{user[1:]}")

    def responses_to(self, token: str) -> list[dict[str, Any]]:
        return [r.body for r in self.responses if r.token == token]

    # -- serving

    def handle(self, request: Request) -> Response:
        if request.path.startswith("/respond/"):
            return self._respond(request)
        if request.path.startswith(UPLOAD_PATH):
            return self._receive_upload(request)
        if not request.path.startswith("/api/"):
            return Response(404, b"not found")
        method = request.path.removeprefix("/api/")
        handler = self._methods().get(method)
        if handler is None:
            return Response.json({"ok": False, "error": "unknown_method"})
        try:
            args = _arguments(request)
            self._authenticate(request, args)
            return Response.json({"ok": True, **handler(args)})
        except SlackError as error:
            payload: dict[str, Any] = {"ok": False, "error": error.error}
            if error.detail:
                payload["errors"] = [error.detail]
            return Response.json(payload)

    def _methods(self) -> dict[str, Any]:
        return {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update,
            "chat.getPermalink": self._permalink,
            "conversations.open": self._open,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
            "views.open": self._views_open,
            **self._file_methods(),
        }

    def _authenticate(self, request: Request, args: dict[str, Any]) -> None:
        header = request.headers.get("authorization", "")
        token = (
            header.removeprefix("Bearer ") if header.startswith("Bearer ") else args.get("token")
        )
        if token != self.token:
            raise SlackError("invalid_auth")

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.workspace_url,
            "team": "Fake workspace",
            "user": "arxiv-digest",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        text, blocks = content(args)
        with self._state:
            post = Post(
                channel=channel,
                ts=self._next_ts(),
                text=text,
                blocks=blocks,
                thread_ts=_str_or_none(args.get("thread_ts")),
                unfurl_links=_bool_or_none(args.get("unfurl_links")),
                unfurl_media=_bool_or_none(args.get("unfurl_media")),
                args=args,
            )
            self._posts.append(post)
            self._post_calls += 1
            if self._post_calls in self.lose_answers_to:
                raise SlackError("fatal_error")
        message = post.message(self.bot_user_id, self.bot_id)
        return {"channel": channel, "ts": post.ts, "message": message}

    def _post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if not args.get("user"):
            raise SlackError("user_not_found")
        text, blocks = content(args)
        with self._state:
            post = Post(channel, self._next_ts(), text, blocks, user=str(args["user"]), args=args)
            post.thread_ts = _str_or_none(args.get("thread_ts"))
            self.ephemerals.append(post)
        return {"message_ts": post.ts}

    def _update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        text, blocks = content(args)
        with self._state:
            post = next(
                (p for p in self._posts if p.channel == channel and p.ts == args.get("ts")), None
            )
            if post is None:
                raise SlackError("message_not_found")
            post.text, post.blocks, post.edited = text, blocks, True
        message = post.message(self.bot_user_id, self.bot_id)
        return {"channel": channel, "ts": post.ts, "text": text or "", "message": message}

    def _permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        """Slack's form: `…/archives/<channel>/p<ts without its dot>`, and for a reply in a
        thread `?thread_ts=<parent ts>&cid=<channel>` after it."""
        channel = self._channel(args)
        ts = args.get("message_ts")
        post = next((p for p in self.all_posts if p.channel == channel and p.ts == ts), None)
        if post is None:
            raise SlackError("message_not_found")
        permalink = f"{self.workspace_url}archives/{channel}/p{post.ts.replace('.', '')}"
        if post.thread_ts is not None:
            permalink += f"?thread_ts={post.thread_ts}&cid={channel}"
        return {"channel": channel, "permalink": permalink}

    def _open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if not users:
            raise SlackError("users_list_not_supplied")
        if any(not u.startswith(("U", "W")) for u in users):
            raise SlackError("user_not_found")
        if len(users) == 1:
            channel = self.dm_channel(users[0])
        else:
            channel = "G" + "".join(u[1:] for u in sorted(users))[:20]
        with self._state:
            if self.channels is not None:
                self.channels.add(channel)  # the new conversation exists from now on
        return {"channel": {"id": channel}}

    def _history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._reading(args)
        meta = _truthy(args.get("include_all_metadata"))
        posts = [self._with_replies(p, meta) for p in reversed(self.messages(channel))]
        return {"messages": posts, "has_more": False}  # newest first

    def _replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._reading(args)
        meta = _truthy(args.get("include_all_metadata"))
        ts = args.get("ts")
        parent = next((p for p in self.all_posts if p.channel == channel and p.ts == ts), None)
        if parent is None:
            raise SlackError("thread_not_found")
        replies = [
            p.message(self.bot_user_id, self.bot_id, with_metadata=meta)
            for p in self.thread(channel, ts)
        ]
        return {"messages": [self._with_replies(parent, meta), *replies], "has_more": False}

    def _reading(self, args: dict[str, Any]) -> str:
        """Reading a conversation needs the *:history scopes, which an app may not have."""
        if not self.history_allowed:
            raise SlackError("missing_scope")
        return self._channel(args)

    def _with_replies(self, post: Post, with_metadata: bool = False) -> dict[str, Any]:
        message = post.message(self.bot_user_id, self.bot_id, with_metadata=with_metadata)
        replies = self.thread(post.channel, post.ts)
        if replies:
            message.update(thread_ts=post.ts, reply_count=len(replies))
        return message

    def _respond(self, request: Request) -> Response:
        token = request.path.removeprefix("/respond/")
        try:
            body = json.loads(request.body)
            if not isinstance(body, dict):
                raise ValueError
        except ValueError:
            return Response(400, b"invalid_payload", {"Content-Type": "text/plain"})
        try:
            if not body.get("delete_original"):
                content(body)
        except SlackError as error:
            return Response(400, error.error.encode(), {"Content-Type": "text/plain"})
        with self._state:
            if len(self.responses_to(token)) >= RESPONSE_URL_USES:
                return Response(404, b"used_url", {"Content-Type": "text/plain"})
            self.responses.append(ResponseUrlPost(token, body))
        return Response.json({"ok": True})

    def _channel(self, args: dict[str, Any]) -> str:
        channel = str(args.get("channel") or "")
        if self.channels is not None:
            known = channel in self.channels
        else:
            known = _SLACK_ID.fullmatch(channel) is not None
        if not known:
            raise SlackError("channel_not_found")
        return self.dm_channel(channel) if channel.startswith("U") else channel

    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"


def _arguments(request: Request) -> dict[str, Any]:
    args: dict[str, Any] = {k: v[-1] for k, v in request.query.items()}
    content_type = request.headers.get("content-type", "")
    if request.body and content_type.startswith("application/json"):
        try:
            body = json.loads(request.body)
        except ValueError:
            raise SlackError("invalid_json") from None
        if not isinstance(body, dict):
            raise SlackError("invalid_json")
        args.update(body)
    elif request.body and content_type.startswith("application/x-www-form-urlencoded"):
        form = parse_qs(request.body.decode(), keep_blank_values=True)
        args.update({k: v[-1] for k, v in form.items()})
    return args


def _truthy(value: object) -> bool:
    return value in (True, "true", "1", 1)


def _str_or_none(value: object) -> str | None:
    return None if value in (None, "") else str(value)


def _bool_or_none(value: object) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true")
