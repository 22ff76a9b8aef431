"""A fake Telegram Bot API that the real python-telegram-bot talks to, validating messages the way
Telegram does.

Point PTB at it: `ApplicationBuilder().token(fake.token).base_url(fake.base_url)` or
`telegram.Bot(fake.token, base_url=fake.base_url)`; requests go to `/bot<TOKEN>/<method>`.
Arguments are read from the query string, a form body (objects as JSON strings, as PTB sends
them) or a JSON body. Answers are `{"ok": true, "result": ...}` or `{"ok": false, "error_code":
..., "description": ...}` with the same HTTP status; a wrong token gets 401 "Unauthorized", an
unknown method 404 "Not Found".

Methods: `getMe` (`fake.username`), `deleteWebhook`, `setWebhook`, `getWebhookInfo`,
`getUpdates`, `sendMessage`, `editMessageText`, `answerCallbackQuery`, `createForumTopic`,
`setMyCommands`, `getMyCommands`, `deleteMyCommands`, `getChat`, `getChatMember`,
`getChatAdministrators`, `sendChatAction` (recorded in `chat_actions`; an unknown action is
400 "wrong parameter action in request"), `sendDocument` (multipart uploads, validated and kept
in `documents` as `tests.fakes.telegram_files` says). Inline keyboards and callback queries are validated as
`tests.fakes.telegram_buttons` says.

Updates: tests queue them with `add_command(chat_id, user_id, "/summarize 2602.00780", ...)`
(a message with a `bot_command` entity at offset 0 covering "/summarize" or
"/summarize@BotName"), `add_message(...)` (`reply_to=` a message id of the chat), `add_callback_query(chat_id, user_id, message_id,
data)` (a tap on a button of the bot's message), `add_message_reaction(chat_id, user_id,
message_id, old, new)` (a person's emoji reactions on a message changed) or `add_update(...)`.
`getUpdates` drops the update types outside the `allowed_updates` last asked for (as Telegram
does: when none were asked for, message reactions are not sent either), honours `offset`
(earlier updates are confirmed and forgotten) and `limit`; with a `timeout` and nothing queued it
waits at most `long_poll_wait` seconds (an update queued meanwhile answers at once), so polling
bots stop promptly; `wait_for_long_poll()` blocks until such a call is waiting. It answers 409
while a webhook is set.

sendMessage validation, as Telegram answers:
- 400 "chat not found" for a chat outside `fake.chats` (None, the default: any chat);
- 403 "bot can't initiate conversation with a user" for a user in `fake.blocked_users`;
- 400 "message text is empty"; 400 "can't parse entities: ..." for HTML with a tag outside
  Telegram's list, an `a` without `href`, a bare `<`, a mismatched, missing or unopened end tag,
  or nesting Telegram does not allow (a link in a link, a blockquote in a blockquote, anything
  but `code` in `pre`, anything in `code`: Telegram drops some of these silently, a renderer
  producing them is wrong either way); 400 "message is too long" beyond 4,096 UTF-16 code
  units of text after entity parsing; 400 "message to be replied not found" for a
  `reply_parameters.message_id` unknown in the chat (unless `allow_sending_without_reply`);
  400 "message thread not found" for a `message_thread_id` that is not a topic of the chat.
editMessageText validates the text the same way and edits the stored message (its `SentMessage`
too, marked `edited`) in place; 400 "message to edit not found" for an id the bot did not send
in the chat, 400 "message is not modified" for the same text again.
Text without a parse mode is taken as it is; parse modes other than HTML are refused (the fake
does not parse them).

Chats: unknown numeric ids are private chats (positive), supergroups ("-100...") or groups
(other negatives); `add_chat(chat_id, chat_type, is_forum=...)` or the first `add_command` in a
chat declares one. `createForumTopic` needs a forum supergroup and answers 400 "not enough rights
to create a topic" when `fake.can_manage_topics[chat_id]` is False. The bot is an administrator
of the chats in `can_manage_topics` (with that right), a member elsewhere; `fake.admins[chat_id]`
(user ids) and `fake.owners[chat_id]` say who else administers a chat.

Switches: `rate_limit_next(n, retry_after=1)` answers the next n sendMessage calls with 429 and
`parameters.retry_after`; `fail_next(...)` (from FakeServer) serves raw responses to any request.

Recorded: `sent(chat_id)` and `all_sent` (accepted messages, in order, with their reply and
thread ids and keyboard), `callback_answers`, `allowed_updates`, `topics` (chat id → thread id → name), `commands` (scope key → list), `webhook`,
and `requests` (everything, from FakeServer).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.base import FakeServer, Request, Response
from tests.fakes.telegram_buttons import ANSWER_TEXT_LIMIT as CALLBACK_ANSWER_LIMIT
from tests.fakes.telegram_buttons import (
    CallbackAnswer,
    MarkupError,
    callback_query,
    checked_keyboard,
)
from tests.fakes.telegram_files import (
    DocumentError,
    SentDocument,
    checked_document,
    document_object,
    multipart_arguments,
)

MAX_MESSAGE = 4096
ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-spoiler",
        "span",
        "tg-emoji",
    }
)
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_PATH = re.compile(r"/bot([^/]+)/([A-Za-z]+)")


class BotAPIError(Exception):
    def __init__(self, status: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def response(self) -> Response:
        payload: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            payload["parameters"] = self.parameters
        return Response.json(payload, self.status)


class TelegramHTMLError(ValueError):
    """Why Telegram cannot parse a text's entities (the part after "can't parse entities: ")."""


# -- Telegram's HTML


def parse_html(text: str) -> str:
    """The text a reader sees, as Telegram parses `text` in HTML mode; raises TelegramHTMLError."""
    parser = _TelegramHTML(text)
    parser.feed(text)
    parser.close()
    if parser.open_tags:
        tag, _ = parser.open_tags[-1]
        raise TelegramHTMLError(f'Can\'t find end tag corresponding to start tag "{tag}"')
    return "".join(parser.text)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _TelegramHTML(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self.text: list[str] = []
        self.open_tags: list[tuple[str, dict[str, str | None]]] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        lines = self.source.split("\n")
        index = sum(len(part) + 1 for part in lines[: line - 1]) + column
        return len(self.source[:index].encode())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise TelegramHTMLError(
                f'Unsupported start tag "{tag}" at byte offset {self._offset()}'
            )
        attributes = dict(attrs)
        names = [name for name, _ in self.open_tags]
        if tag == "a" and not (attributes.get("href") or "").strip():
            raise TelegramHTMLError(
                f'Tag "a" must have attribute "href" at byte offset {self._offset()}'
            )
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            raise TelegramHTMLError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self._offset()}'
            )
        if tag == "tg-emoji" and not attributes.get("emoji-id"):
            raise TelegramHTMLError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {self._offset()}'
            )
        if tag in ("a", "blockquote") and tag in names:
            raise TelegramHTMLError(
                f'Entities "{tag}" can\'t be nested at byte offset {self._offset()}'
            )
        if "code" in names or ("pre" in names and not (tag == "code" and names[-1] == "pre")):
            raise TelegramHTMLError(
                f'Tag "{tag}" can\'t be nested in "{names[-1]}" at byte offset {self._offset()}'
            )
        self.open_tags.append((tag, attributes))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise TelegramHTMLError(f'Unsupported start tag "{tag}/" at byte offset {self._offset()}')

    def handle_endtag(self, tag: str) -> None:
        if not self.open_tags:
            raise TelegramHTMLError(f"Unexpected end tag at byte offset {self._offset()}")
        expected, _ = self.open_tags[-1]
        if tag != expected:
            raise TelegramHTMLError(
                f'Unmatched end tag at byte offset {self._offset()}, expected "</{expected}>", '
                f'found "</{tag}>"'
            )
        self.open_tags.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data:
            raise TelegramHTMLError(f'Unsupported start tag "" at byte offset {self._offset()}')
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        self.text.append(NAMED_ENTITIES.get(name, f"&{name};"))

    def handle_charref(self, name: str) -> None:
        try:
            code = int(name[1:], 16) if name[:1] in ("x", "X") else int(name)
            self.text.append(chr(code))
        except (ValueError, OverflowError):
            self.text.append(f"&#{name};")

    def _unsupported(self, data: str) -> None:
        raise TelegramHTMLError(f'Unsupported start tag "!" at byte offset {self._offset()}')

    handle_comment = handle_decl = handle_pi = unknown_decl = _unsupported


# -- the server


@dataclass
class SentMessage:
    """A message the fake accepted from the bot."""

    chat_id: int | str
    message_id: int
    text: str  # as sent, with its markup
    plain: str  # what the reader sees
    parse_mode: str | None
    reply_to: int | None
    message_thread_id: int | None
    link_preview_options: dict[str, Any] | None
    args: dict[str, Any] = field(default_factory=dict)  # every argument as received
    edited: bool = False  # editMessageText changed it in place
    reply_markup: dict[str, Any] | None = None  # its inline keyboard, as it is now


# What sendChatAction accepts (Bot API: "Type of action to broadcast").
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


@dataclass(frozen=True)
class ChatActionCall:
    """A sendChatAction the fake accepted ("typing…" shown for about 5 s)."""

    chat_id: int | str
    action: str
    message_thread_id: int | None
    at: float  # time.monotonic()


class FakeTelegram(FakeServer):
    def __init__(
        self,
        token: str = "123456789:TEST-token",
        *,
        username: str = "ArxivDigestBot",
        first_name: str = "arXiv digest",
    ) -> None:
        super().__init__()
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.username = username
        self.first_name = first_name
        self.chats: set[int | str] | None = None
        self.blocked_users: set[int] = set()
        self.can_manage_topics: dict[int | str, bool] = {}
        self.admins: dict[int | str, set[int]] = {}
        self.owners: dict[int | str, int] = {}
        self.long_poll_wait = 0.1
        self.webhook: dict[str, Any] | None = None
        self.topics: dict[int | str, dict[int, str]] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self._sent: list[SentMessage] = []
        self._chat_info: dict[int | str, dict[str, Any]] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._messages: dict[int | str, dict[int, dict[str, Any]]] = {}
        self._message_ids: dict[int | str, itertools.count[int]] = {}
        self._updates: list[dict[str, Any]] = []
        self.allowed_updates: list[str] | None = None  # as the last getUpdates/setWebhook asked
        self.callback_answers: list[CallbackAnswer] = []
        self.chat_actions: list[ChatActionCall] = []
        self.documents: list[SentDocument] = []
        self._open_queries: set[str] = set()
        self._update_ids = itertools.count(1)
        self._rate_limited: list[int] = []
        self._state = threading.RLock()
        self._arrived = threading.Condition(self._state)
        self._poll_started = threading.Condition(self._state)
        self._polls_waiting = 0

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    def rate_limit_next(self, n: int, retry_after: int = 1) -> None:
        with self._state:
            self._rate_limited += [retry_after] * n

    # -- what tests set up

    def add_chat(
        self,
        chat_id: int,
        chat_type: str = "supergroup",
        *,
        title: str | None = None,
        is_forum: bool = False,
        username: str | None = None,
    ) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = title or f"User {chat_id}"
        else:
            chat["title"] = title or f"Chat {chat_id}"
        if username:
            chat["username"] = username
        if is_forum:
            chat["is_forum"] = True
        with self._state:
            self._chat_info[chat_id] = chat
        return chat

    def add_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queues `update` (its `update_id` is assigned here) for getUpdates."""
        with self._arrived:
            update = {**update, "update_id": next(self._update_ids)}
            self._updates.append(update)
            self._arrived.notify_all()
        return update

    def add_message(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        *,
        chat_type: str | None = None,
        is_forum: bool = False,
        username: str | None = None,
        first_name: str | None = None,
        message_thread_id: int | None = None,
        entities: list[dict[str, Any]] | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """Queues a text message from a user; returns the update. `reply_to` names a message
        of the chat it replies to (the bot's or anyone's), sent as Telegram does: the whole
        message as `reply_to_message`, without its own. In a forum topic, a message that
        replies to nothing comes as a reply to the topic's first message, as Telegram sends
        it."""
        user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name or f"User {user_id}",
        }
        if username:
            user["username"] = username
        with self._state:
            self._users[user_id] = user
            chat = self._chat_info.get(chat_id)
            if chat is None:
                kind = chat_type or ("private" if chat_id > 0 else "supergroup")
                if kind == "private":
                    chat = self.add_chat(chat_id, kind, title=user["first_name"], username=username)
                else:
                    chat = self.add_chat(chat_id, kind, is_forum=is_forum)
            message: dict[str, Any] = {
                "message_id": self._next_message_id(chat_id),
                "from": user,
                "chat": chat,
                "date": int(time.time()),
                "text": text,
            }
            if entities:
                message["entities"] = entities
            if message_thread_id is not None:
                message["message_thread_id"] = message_thread_id
                if chat.get("is_forum"):
                    message["is_topic_message"] = True
                    self.topics.setdefault(chat_id, {}).setdefault(message_thread_id, "")
            known = self._messages.setdefault(chat_id, {})
            if reply_to is None and message.get("is_topic_message"):
                reply_to = message_thread_id if message_thread_id in known else None
            if reply_to is not None:
                if reply_to not in known:
                    raise ValueError(f"no message {reply_to} in chat {chat_id} to reply to")
                replied = known[reply_to]
                message["reply_to_message"] = {
                    k: v for k, v in replied.items() if k != "reply_to_message"
                }
            known[message["message_id"]] = message
        return self.add_update({"message": message})

    def add_callback_query(
        self, chat_id: int, user_id: int, message_id: int, data: str
    ) -> dict[str, Any]:
        """Queues a tap by `user_id` on a button (whatever its `data`) of the bot's message
        `message_id` in `chat_id`; returns the update. Its query id stays open for one answer.
        A message the fake never sent comes as Telegram sends an old one: inaccessible, date 0."""
        with self._state:
            user = self._users.setdefault(
                user_id, {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
            )
            message = self._messages.get(chat_id, {}).get(message_id)
            if message is None:  # from before the fake's time: Telegram sends what it still knows
                chat = self._chat_info.get(chat_id) or self.add_chat(chat_id)
                message = {"chat": chat, "message_id": message_id, "date": 0}
            query = callback_query(user, dict(message), data)
            self._open_queries.add(query["id"])
        return self.add_update({"callback_query": query})

    def add_message_reaction(
        self,
        chat_id: int,
        user_id: int,
        message_id: int,
        old: Sequence[str] = (),
        new: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Queues a change of `user_id`'s emoji reactions on message `message_id` (any message,
        as Telegram does not check that the bot sent it) from `old` to `new`; returns the
        update."""
        with self._state:
            user = self._users.setdefault(
                user_id, {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
            )
            chat = self._chat_info.get(chat_id) or self.add_chat(chat_id)
        reaction = {
            "chat": chat,
            "message_id": message_id,
            "user": user,
            "date": int(time.time()),
            "old_reaction": [{"type": "emoji", "emoji": e} for e in old],
            "new_reaction": [{"type": "emoji", "emoji": e} for e in new],
        }
        return self.add_update({"message_reaction": reaction})

    def add_command(self, chat_id: int, user_id: int, text: str, **options: Any) -> dict[str, Any]:
        """Queues a command ("/name args" or "/name@BotName args") with its `bot_command` entity."""
        if not text.startswith("/"):
            raise ValueError("a command starts with /")
        command = text.split(maxsplit=1)[0]
        entity = {"type": "bot_command", "offset": 0, "length": utf16_length(command)}
        return self.add_message(chat_id, user_id, text, entities=[entity], **options)

    # -- what tests read back

    @property
    def all_sent(self) -> list[SentMessage]:
        with self._state:
            return list(self._sent)

    def sent(self, chat_id: int | str) -> list[SentMessage]:
        chat_id = _chat_id(chat_id)
        return [m for m in self.all_sent if m.chat_id == chat_id]

    def wait_for_long_poll(self, timeout: float = 10.0) -> bool:
        """Blocks until a getUpdates call is waiting for updates (False after `timeout`)."""
        with self._state:
            return self._poll_started.wait_for(lambda: self._polls_waiting > 0, timeout)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        with self._state:
            return list(self._updates)

    # -- serving

    def handle(self, request: Request) -> Response:
        match = _PATH.fullmatch(request.path)
        if match is None:
            return BotAPIError(404, "Not Found").response()
        token, method = match.groups()
        if token != self.token:
            return BotAPIError(401, "Unauthorized").response()
        handler = self._methods().get(method.lower())
        if handler is None:
            return BotAPIError(404, "Not Found").response()
        try:
            return Response.json({"ok": True, "result": handler(_arguments(request))})
        except BotAPIError as error:
            return error.response()
        except DocumentError as error:
            return BotAPIError(error.status, error.description).response()

    def _methods(self) -> dict[str, Any]:
        return {
            "getme": self._get_me,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "getupdates": self._get_updates,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "answercallbackquery": self._answer_callback_query,
            "createforumtopic": self._create_forum_topic,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "getchat": self._get_chat,
            "getchatmember": self._get_chat_member,
            "getchatadministrators": self._get_chat_administrators,
            "sendchataction": self._send_chat_action,
            "senddocument": self._send_document,
        }

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def _get_me(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _delete_webhook(self, args: dict[str, Any]) -> bool:
        with self._state:
            self.webhook = None
            if _bool(args.get("drop_pending_updates")):
                self._updates.clear()
        return True

    def _set_webhook(self, args: dict[str, Any]) -> bool:
        url = str(args.get("url") or "")
        if not url:
            return self._delete_webhook(args)
        if not url.startswith("https://"):
            raise BotAPIError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        with self._state:
            self.webhook = {"url": url, "secret_token": args.get("secret_token")}
            self.allowed_updates = _list(args, "allowed_updates")
            if _bool(args.get("drop_pending_updates")):
                self._updates.clear()
        return True

    def _get_webhook_info(self, args: dict[str, Any]) -> dict[str, Any]:
        with self._state:
            url = self.webhook["url"] if self.webhook else ""
            return {
                "url": url,
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }

    def _get_updates(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        offset = _int(args, "offset") or 0
        limit = min(max(_int(args, "limit") or 100, 1), 100)
        timeout = _number(args, "timeout") or 0
        with self._arrived:
            if self.webhook:
                raise BotAPIError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            asked = _list(args, "allowed_updates")
            if asked is not None:
                self.allowed_updates = asked  # Telegram keeps it until asked differently
            self._updates = [
                u
                for u in self._updates
                if u["update_id"] >= offset and _is_allowed(u, self.allowed_updates)
            ]
            if not self._updates and timeout > 0:
                self._polls_waiting += 1
                self._poll_started.notify_all()
                self._arrived.wait(min(timeout, self.long_poll_wait))
                self._polls_waiting -= 1
            return list(self._updates[:limit])

    def _send_message(self, args: dict[str, Any]) -> dict[str, Any]:
        with self._state:
            if self._rate_limited:
                retry_after = self._rate_limited.pop(0)
                raise BotAPIError(
                    429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
                )
        chat = self._chat(args)
        chat_id = chat["id"]
        if chat_id in self.blocked_users:
            raise BotAPIError(403, "Forbidden: bot can't initiate conversation with a user")
        text, plain, parse_mode = _text(args)
        markup = _keyboard(args)
        reply = _object(args, "reply_parameters")
        reply_to = _int(reply, "message_id") if reply else _int(args, "reply_to_message_id")
        without_reply = _bool((reply or args).get("allow_sending_without_reply"))
        thread = _int(args, "message_thread_id")
        with self._state:
            known = self._messages.setdefault(chat_id, {})
            if thread is not None and thread not in self.topics.get(chat_id, {}):
                raise BotAPIError(400, "Bad Request: message thread not found")
            replied = known.get(reply_to) if reply_to is not None else None
            if reply_to is not None and replied is None:
                if not without_reply:
                    raise BotAPIError(400, "Bad Request: message to be replied not found")
                reply_to = None
            if thread is None and replied is not None:
                thread = replied.get("message_thread_id")  # a reply stays in its topic
            message: dict[str, Any] = {
                "message_id": self._next_message_id(chat_id),
                "from": self._bot_user(),
                "chat": chat,
                "date": int(time.time()),
                "text": plain,
            }
            if thread is not None:
                message["message_thread_id"] = thread
                message["is_topic_message"] = True
            if replied is not None:
                message["reply_to_message"] = {
                    k: v for k, v in replied.items() if k != "reply_to_message"
                }
            previews = _object(args, "link_preview_options")
            if previews is not None:
                message["link_preview_options"] = previews
            if markup is not None:
                message["reply_markup"] = markup
            known[message["message_id"]] = message
            self._sent.append(
                SentMessage(
                    chat_id=chat_id,
                    message_id=message["message_id"],
                    text=text,
                    plain=plain,
                    parse_mode=parse_mode,
                    reply_to=reply_to,
                    message_thread_id=thread,
                    link_preview_options=previews,
                    args=args,
                    reply_markup=markup,
                )
            )
        return message

    def _send_document(self, args: dict[str, Any]) -> dict[str, Any]:
        """A file for a chat: checked as Telegram does, kept in `documents`."""
        chat = self._chat(args)
        if chat["id"] in self.blocked_users:
            raise BotAPIError(403, "Forbidden: bot can't initiate conversation with a user")
        document, caption = checked_document(args)
        with self._state:
            message: dict[str, Any] = {
                "message_id": self._next_message_id(chat["id"]),
                "from": self._bot_user(),
                "chat": chat,
                "date": int(time.time()),
                "document": document_object(document),
            }
            if caption is not None:
                message["caption"] = caption
            self._messages.setdefault(chat["id"], {})[message["message_id"]] = message
            self.documents.append(
                SentDocument(
                    chat["id"], message["message_id"], document.filename, document.content, caption
                )
            )
        return message

    def _send_chat_action(self, args: dict[str, Any]) -> bool:
        """Recorded in `chat_actions`; an action Telegram does not know is refused."""
        chat_id = self._chat(args)["id"]
        action = str(args.get("action") or "")
        if action not in CHAT_ACTIONS:
            raise BotAPIError(400, "Bad Request: wrong parameter action in request")
        thread = _int(args, "message_thread_id")
        with self._state:
            if thread is not None and thread not in self.topics.get(chat_id, {}):
                raise BotAPIError(400, "Bad Request: message thread not found")
            self.chat_actions.append(ChatActionCall(chat_id, action, thread, time.monotonic()))
        return True

    def _edit_message_text(self, args: dict[str, Any]) -> dict[str, Any]:
        """Edits a message the bot sent, in place: its `SentMessage` shows the new text."""
        chat_id = self._chat(args)["id"]
        text, plain, parse_mode = _text(args)
        markup = _keyboard(args)  # none given: the message loses its keyboard, as on Telegram
        message_id = _int(args, "message_id")
        with self._state:
            message = self._messages.get(chat_id, {}).get(message_id)  # type: ignore[arg-type]
            sent = next(
                (m for m in self._sent if m.chat_id == chat_id and m.message_id == message_id),
                None,
            )
            if message is None or sent is None:
                raise BotAPIError(400, "Bad Request: message to edit not found")
            if sent.text == text and sent.parse_mode == parse_mode and sent.reply_markup == markup:
                raise BotAPIError(
                    400,
                    "Bad Request: message is not modified: specified new message content and "
                    "reply markup are exactly the same as a current content and reply markup "
                    "of the message",
                )
            previews = _object(args, "link_preview_options")
            message["text"], message["edit_date"] = plain, int(time.time())
            if previews is not None:
                message["link_preview_options"] = previews
            sent.text, sent.plain, sent.parse_mode = text, plain, parse_mode
            sent.link_preview_options, sent.edited = previews, True
            sent.reply_markup = markup
            message.pop("reply_markup", None)
            if markup is not None:
                message["reply_markup"] = markup
            return dict(message)

    def _answer_callback_query(self, args: dict[str, Any]) -> bool:
        query_id = str(args.get("callback_query_id") or "")
        text = args.get("text")
        with self._state:
            if query_id not in self._open_queries:
                raise BotAPIError(
                    400,
                    "Bad Request: query is too old and response timeout expired or query ID is "
                    "invalid",
                )
            if text is not None and len(str(text)) > CALLBACK_ANSWER_LIMIT:
                raise BotAPIError(400, "Bad Request: MESSAGE_TOO_LONG")
            self._open_queries.discard(query_id)
            shown = None if text is None else str(text)
            self.callback_answers.append(
                CallbackAnswer(query_id, shown, _bool(args.get("show_alert")))
            )
        return True

    def _create_forum_topic(self, args: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(args)
        name = str(args.get("name") or "")
        if not 1 <= len(name) <= 128:
            raise BotAPIError(
                400,
                "Bad Request: TOPIC_TITLE_EMPTY"
                if not name
                else "Bad Request: TOPIC_TITLE_TOO_LONG",
            )
        if chat["type"] != "supergroup" or not chat.get("is_forum"):
            raise BotAPIError(400, "Bad Request: the chat is not a forum")
        if self.can_manage_topics.get(chat["id"]) is False:
            raise BotAPIError(400, "Bad Request: not enough rights to create a topic")
        with self._state:
            thread = self._next_message_id(chat["id"])
            self.topics.setdefault(chat["id"], {})[thread] = name
            # The topic opens with a service message: its id is the topic's.
            self._messages.setdefault(chat["id"], {})[thread] = {
                "message_id": thread,
                "from": self._bot_user(),
                "chat": chat,
                "date": int(time.time()),
                "message_thread_id": thread,
                "is_topic_message": True,
                "forum_topic_created": {"name": name, "icon_color": 7322096},
            }
        return {
            "message_thread_id": thread,
            "name": name,
            "icon_color": _int(args, "icon_color") or 7322096,
        }

    def _set_my_commands(self, args: dict[str, Any]) -> bool:
        commands = args.get("commands")
        if isinstance(commands, str):
            try:
                commands = json.loads(commands)
            except ValueError:
                raise BotAPIError(400, "Bad Request: can't parse commands JSON object") from None
        if not isinstance(commands, list) or len(commands) > 100:
            raise BotAPIError(400, "Bad Request: commands must be an array of at most 100 items")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME.fullmatch(
                str(command.get("command"))
            ):
                raise BotAPIError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description") or "")) <= 256:
                raise BotAPIError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        with self._state:
            self.commands[_scope_key(args)] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        return True

    def _get_my_commands(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        with self._state:
            return list(self.commands.get(_scope_key(args), []))

    def _delete_my_commands(self, args: dict[str, Any]) -> bool:
        with self._state:
            self.commands.pop(_scope_key(args), None)
        return True

    def _get_chat(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            **self._chat(args),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _get_chat_member(self, args: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(args)
        user_id = _int(args, "user_id")
        if user_id is None:
            raise BotAPIError(400, "Bad Request: user_id is empty")
        return self._member(chat, user_id)

    def _get_chat_administrators(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        chat = self._chat(args)
        if chat["type"] == "private":
            raise BotAPIError(400, "Bad Request: there are no administrators in the private chat")
        chat_id = chat["id"]
        users = [self.owners[chat_id]] if chat_id in self.owners else []
        users += sorted(self.admins.get(chat_id, set()) - set(users))
        if chat_id in self.can_manage_topics:
            users.append(self.bot_id)
        return [self._member(chat, user) for user in users]

    def _member(self, chat: dict[str, Any], user_id: int) -> dict[str, Any]:
        chat_id = chat["id"]
        if user_id == self.bot_id:
            user = self._bot_user()
        else:
            user = self._users.get(user_id) or {
                "id": user_id,
                "is_bot": False,
                "first_name": f"User {user_id}",
            }
        if chat["type"] != "private" and self.owners.get(chat_id) == user_id:
            return {"status": "creator", "user": user, "is_anonymous": False}
        is_bot_admin = user_id == self.bot_id and chat_id in self.can_manage_topics
        if chat["type"] != "private" and (
            is_bot_admin or user_id in self.admins.get(chat_id, set())
        ):
            rights = dict.fromkeys(
                (
                    "can_manage_chat",
                    "can_delete_messages",
                    "can_manage_video_chats",
                    "can_restrict_members",
                    "can_change_info",
                    "can_invite_users",
                    "can_post_stories",
                    "can_edit_stories",
                    "can_delete_stories",
                    "can_pin_messages",
                ),
                True,
            )
            can_manage_topics = self.can_manage_topics.get(chat_id, True) if is_bot_admin else True
            return {
                "status": "administrator",
                "user": user,
                "can_be_edited": False,
                "is_anonymous": False,
                "can_promote_members": False,
                "can_manage_topics": can_manage_topics,
                **rights,
            }
        return {"status": "member", "user": user}

    def _chat(self, args: dict[str, Any]) -> dict[str, Any]:
        chat_id = _chat_id(args.get("chat_id"))
        if chat_id is None:
            raise BotAPIError(400, "Bad Request: chat_id is empty")
        with self._state:
            if self.chats is not None and chat_id not in self.chats:
                raise BotAPIError(400, "Bad Request: chat not found")
            chat = self._chat_info.get(chat_id)
        if chat is not None:
            return chat
        if isinstance(chat_id, str):
            raise BotAPIError(400, "Bad Request: chat not found")
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": f"Chat {chat_id}"}

    def _next_message_id(self, chat_id: int | str) -> int:
        with self._state:
            return next(self._message_ids.setdefault(chat_id, itertools.count(1)))


def _text(args: dict[str, Any]) -> tuple[str, str, str | None]:
    """A message's text as sent, as the reader sees it, and its parse mode; validated as
    Telegram does for sendMessage and editMessageText."""
    text = args.get("text")
    if text is None or not str(text).strip():
        raise BotAPIError(400, "Bad Request: message text is empty")
    text = str(text)
    parse_mode = args.get("parse_mode") or None
    if parse_mode is None:
        plain = text
    elif str(parse_mode).lower() == "html":
        try:
            plain = parse_html(text)
        except TelegramHTMLError as error:
            raise BotAPIError(400, f"Bad Request: can't parse entities: {error}") from None
    else:
        raise BotAPIError(
            400,
            f"Bad Request: unsupported parse_mode {parse_mode!r} (the fake parses only HTML)",
        )
    if not plain.strip():
        raise BotAPIError(400, "Bad Request: message text is empty")
    if utf16_length(plain) > MAX_MESSAGE:
        raise BotAPIError(400, "Bad Request: message is too long")
    return text, plain, parse_mode


def _arguments(request: Request) -> dict[str, Any]:
    args: dict[str, Any] = {k: v[-1] for k, v in request.query.items()}
    content_type = request.headers.get("content-type", "")
    if request.body and content_type.startswith("application/json"):
        try:
            body = json.loads(request.body)
        except ValueError:
            raise BotAPIError(400, "Bad Request: can't parse JSON encoded request body") from None
        if not isinstance(body, dict):
            raise BotAPIError(400, "Bad Request: the request body must be a JSON object")
        args.update(body)
    elif request.body and content_type.startswith("application/x-www-form-urlencoded"):
        form = parse_qs(request.body.decode(), keep_blank_values=True)
        args.update({k: v[-1] for k, v in form.items()})
    elif request.body and content_type.startswith("multipart/form-data"):
        args.update(multipart_arguments(content_type, request.body))
    return args


def _chat_id(value: object) -> int | str | None:
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        return str(value)


def _int(args: dict[str, Any], name: str) -> int | None:
    value = args.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BotAPIError(400, f"Bad Request: invalid {name} specified") from None


def _number(args: dict[str, Any], name: str) -> float | None:
    value = args.get(name)
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise BotAPIError(400, f"Bad Request: invalid {name} specified") from None


def _object(args: dict[str, Any], name: str) -> dict[str, Any] | None:
    value = args.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise BotAPIError(400, f"Bad Request: can't parse {name} JSON object") from None
    if not isinstance(value, dict):
        raise BotAPIError(400, f"Bad Request: {name} must be an object")
    return value


def _keyboard(args: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return checked_keyboard(_object(args, "reply_markup"))
    except MarkupError as error:
        raise BotAPIError(400, f"Bad Request: {error}") from None


def _list(args: dict[str, Any], name: str) -> list[str] | None:
    value = args.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise BotAPIError(400, f"Bad Request: can't parse {name} JSON array") from None
    if not isinstance(value, list):
        raise BotAPIError(400, f"Bad Request: {name} must be an array")
    return [str(v) for v in value]


# What Telegram leaves out when no `allowed_updates` were asked for.
_ONLY_WHEN_ASKED = ("chat_member", "message_reaction", "message_reaction_count")


def _is_allowed(update: dict[str, Any], allowed: list[str] | None) -> bool:
    """An empty or missing list means every type but those that must be asked for."""
    if not allowed:
        return not any(kind in update for kind in _ONLY_WHEN_ASKED)
    return any(kind in update for kind in allowed)


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true")


def _scope_key(args: dict[str, Any]) -> str:
    """The key of `commands`: the scope's type, its chat and user ids, and "/<language>" if any.

    For example "default", "all_group_chats", "chat:-100123", "chat_member:-100123:42/zh".
    """
    scope = _object(args, "scope") or {"type": "default"}
    parts = [str(scope.get("type"))]
    parts += [str(scope[k]) for k in ("chat_id", "user_id") if k in scope]
    language = str(args.get("language_code") or "")
    return ":".join(parts) + (f"/{language}" if language else "")
