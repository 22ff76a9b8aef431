"""The chat core: answers a command from any platform with a neutral `Reply`.

Adapters turn a platform's slash command into `(Caller, text)`, acknowledge at once with
`ack_text(text)`, then post what `ChatCore.handle` returns. A user's mistake is a one-line
`TextReply(is_error=True)`, never an exception.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import date, datetime

from bot.commands import (
    HELP,
    Command,
    CommandError,
    DigestDm,
    DigestHere,
    DigestOff,
    DigestSettings,
    Help,
    KeywordsAdd,
    KeywordsList,
    KeywordsRemove,
    Report,
    Summarize,
    parse_command,
)
from bot.limits import Action, UserLimits
from bot.platform import (
    Caller,
    ChatEvent,
    CommandEvent,
    PaperReply,
    Reply,
    ReportReply,
    TextReply,
)
from bot.subscriptions import (
    chat_options,
    chat_scope,
    check_keyword_room,
    count_matches,
    dm_scope,
    latest_day,
    summary_options,
)
from pipeline.admission import ArrivalLine
from pipeline.budget import LlmNotAllowed, utc_today
from pipeline.digest import Digest
from pipeline.errors import DigestError
from pipeline.feedcache import FeedCache
from pipeline.matching import normalize_keyword
from pipeline.options import DigestOptions
from storage.db import Database
from storage.models import utcnow
from storage.repositories import (
    DEFAULT_SCOPE,
    KEEP,
    ChatRepository,
    ReportRepository,
    SubscriptionRepository,
)

log = logging.getLogger(__name__)

NOT_ADMIN = "Only an admin of this chat can change {what}."
NO_CHAT_HERE = "This is a direct message: there is no chat to set {what} for."
FAILED = "Sorry, that failed on our side; it has been logged."
SUMMARIZE_CAP = (
    "You have used your {cap} new summaries for today (SUMMARIZE_PER_USER_PER_DAY); papers "
    "already analysed still work, new ones again from 00:00 UTC."
)

# Commands with a per-user rate limit, and the limit they count against.
_RATE_LIMITED: dict[type, Action] = {
    Summarize: "summarize",
    KeywordsAdd: "keywords",
    KeywordsRemove: "keywords",
}


def ack_text(text: str) -> str:
    """What to answer at once (Slack wants an answer within 3 seconds), before `handle`."""
    try:
        command = parse_command(text)
    except CommandError:
        return "One moment…"
    match command:
        case Summarize(paper):
            return f"Working on {paper}…"
        case Report(None):
            return "Looking up the latest report…"
        case Report(day):
            return f"Looking up the report for {day}…"
        case KeywordsList():
            return "Looking up the keywords…"
        case KeywordsAdd() | KeywordsRemove():
            return "Updating the keywords…"
        case DigestSettings() if not command.changes:
            return "Looking up the digest settings…"
        case DigestHere() | DigestOff() | DigestSettings() | DigestDm():
            return "Updating the digest settings…"
        case _:
            return "One moment…"


def _error(message: str) -> TextReply:
    return TextReply((message,), is_error=True)


def _text(*lines: str) -> TextReply:
    return TextReply(tuple(lines))


class ChatCore:
    """One per process, shared by every platform adapter."""

    def __init__(
        self,
        *,
        db: Database,
        digest: Digest,
        feeds: FeedCache,
        line: ArrivalLine,
        admins: Collection[str] = (),
        post_empty_days: bool = True,
        summarize_per_user_per_day: int = 0,
        summarize_per_user_per_minute: int = 0,
        keyword_changes_per_user_per_minute: int = 0,
        keywords_per_user: int = 0,
        today: Callable[[], date] = utc_today,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.digest = digest
        self.feeds = feeds  # the digest's: a daily delivery shares one fetch of each feed
        self._line = line  # the digest's: a command's place in it is taken as the command arrives
        self.admins = frozenset(admins)
        self.post_empty_days = post_empty_days
        self.summarize_cap = summarize_per_user_per_day
        self.keywords_cap = keywords_per_user  # per member in a chat, and per chat; 0: no cap
        self._today = today
        self.limits = UserLimits(
            db,
            summarize_per_minute=summarize_per_user_per_minute,
            keyword_changes_per_minute=keyword_changes_per_user_per_minute,
            summarize_per_day=summarize_per_user_per_day,
            now=now,
            today=today,
        )

    def is_admin(self, caller: Caller) -> bool:
        return caller.is_admin or caller.user_id in self.admins

    async def options_for(self, caller: Caller) -> DigestOptions:
        """The digest options of the caller's chat (its categories, language, keywords)."""
        return await chat_options(self.db, self.digest.options, caller.platform, caller.chat_id)

    async def on_event(self, event: ChatEvent) -> Reply:
        """The one entry point for what happens in a chat, as the adapters translate it; a new
        kind of event is one more case here, not one more method on every platform."""
        match event:
            case CommandEvent(caller=caller, text=text):
                return await self.handle(caller, text)

    async def handle(self, caller: Caller, text: str) -> Reply:
        try:
            with self._line.ticket():  # its place in line for the LLM, taken as it arrives
                return await self._run(caller, parse_command(text))
        except DigestError as exc:  # CommandError included: a message for the user
            return _error(str(exc))
        except Exception:
            log.exception("command %r from %s:%s failed", text, caller.platform, caller.user_id)
            return _error(FAILED)

    async def _run(self, caller: Caller, command: Command) -> Reply:
        action = _RATE_LIMITED.get(type(command))
        if action is not None and (refused := await self.limits.refusal(caller, action)):
            return _error(refused)
        match command:
            case Help():
                return TextReply(HELP)
            case Summarize(paper):
                return await self._summarize(caller, str(paper))
            case KeywordsAdd() | KeywordsRemove():
                return await self._change_keywords(caller, command)
            case KeywordsList():
                return await self._list_keywords(caller)
            case Report(day):
                return await self._report(caller, day)
            case DigestHere() | DigestOff():
                return await self._switch(caller, on=isinstance(command, DigestHere))
            case DigestSettings():
                return await self._settings(caller, command)
            case DigestDm(on):
                return await self._dm(caller, on)
        raise AssertionError(f"unhandled command {command!r}")

    # ---- summarize ---------------------------------------------------------------------------

    async def _summarize(self, caller: Caller, paper: str) -> Reply:
        """Over the daily cap a caller still gets stored analyses; only LLM requests count."""
        options = await summary_options(
            self.db, self.digest.options, caller.platform, caller.chat_id
        )
        allowed = await self.limits.may_use_llm(caller)
        try:
            result = await self.digest.summarize(paper, options, llm_allowed=allowed)
        except LlmNotAllowed:
            return _error(SUMMARIZE_CAP.format(cap=self.summarize_cap))
        if result.llm_asked:
            await self.limits.used_llm(caller)
        return PaperReply(result.entry, options.language)

    # ---- keywords ----------------------------------------------------------------------------

    async def _change_keywords(
        self, caller: Caller, command: KeywordsAdd | KeywordsRemove
    ) -> Reply:
        if command.for_chat and caller.is_private:
            return _error(NO_CHAT_HERE.format(what="keywords"))
        if command.for_chat and not self.is_admin(caller):
            return _error(NOT_ADMIN.format(what="its keywords"))
        user = None if command.for_chat else caller.user_id
        whose = "This chat's keywords" if command.for_chat else "Your keywords here"
        shown = {k.key: k.display for k in command.keywords}
        if isinstance(command, KeywordsAdd):
            await check_keyword_room(
                self.db, caller.platform, caller.chat_id, user, list(shown), self.keywords_cap
            )
        async with self.db.session() as session:
            subscriptions = SubscriptionRepository(session)
            if isinstance(command, KeywordsAdd):
                pairs = [(k.display, k.key) for k in command.keywords]
                changed = await subscriptions.add(caller.platform, caller.chat_id, user, pairs)
            else:
                changed = await subscriptions.remove(
                    caller.platform, caller.chat_id, user, list(shown)
                )
        unchanged = [shown[key] for key in shown if key not in changed]
        if isinstance(command, KeywordsRemove):
            if not changed:
                return _error(f"{whose} do not include: {', '.join(unchanged)}.")
            lines = [f"{whose}: removed {', '.join(shown[k] for k in changed)}."]
            if unchanged:
                lines.append(f"Not there anyway: {', '.join(unchanged)}.")
            return _text(*lines)
        lines = [f"{whose}: added {', '.join(shown[k] for k in changed)}."] if changed else []
        if unchanged:
            lines.append(f"Already there: {', '.join(unchanged)}.")
        return _text(*lines)

    async def _list_keywords(self, caller: Caller) -> Reply:
        async with self.db.session() as session:
            subscriptions = SubscriptionRepository(session)
            mine = await subscriptions.list_for(caller.platform, caller.chat_id, caller.user_id)
            chats = (
                []
                if caller.is_private
                else await subscriptions.list_for(caller.platform, caller.chat_id, None)
            )
        options = await self.options_for(caller)
        day, papers = await latest_day(self.db, self._scope(caller), options.categories)
        counts = count_matches([s.keyword for s in [*mine, *chats]], papers)

        def listed(keywords: list[str]) -> list[str]:
            if day is None:
                return [f"• {k}" for k in keywords]
            return [f"• {k}: {_papers(counts[normalize_keyword(k)])}" for k in keywords]

        lines = [
            f"Matches among the {len(papers)} papers announced on {day}:"
            if day is not None
            else "No day has been reported yet, so there are no matches to count."
        ]
        lines.append("Your keywords here:" if mine else "You have no keywords here.")
        lines += listed([s.keyword for s in mine])
        if not caller.is_private and chats:
            lines.append("This chat's keywords:")
            lines += listed([s.keyword for s in chats])
        elif not caller.is_private:
            defaults = self.digest.options.keywords
            lines.append(
                "This chat has no keywords of its own; it uses the defaults: "
                + (", ".join(defaults) or "none")
                + "."
            )
        return _text(*lines)

    # ---- reports -----------------------------------------------------------------------------

    async def _report(self, caller: Caller, day: date | None) -> Reply:
        """The chat's own report of the day, else the default one (DIGEST_KEYWORDS)."""
        options = await self.options_for(caller)
        scope = self._scope(caller)
        for candidate in (scope, DEFAULT_SCOPE):
            found = await self.digest.stored_report(day, candidate, language=options.language)
            if found is not None:
                return ReportReply(found)
        async with self.db.session() as session:
            reports = ReportRepository(session)
            known = await reports.dates(scope) or await reports.dates(DEFAULT_SCOPE)
        listed = ", ".join(d.isoformat() for d in known[-5:]) or "none yet"
        wanted = "any day" if day is None else str(day)
        return _error(f"There is no report for {wanted} (latest: {listed}).")

    def _scope(self, caller: Caller) -> str:
        if caller.is_private:
            return dm_scope(caller.platform, caller.user_id)
        return chat_scope(caller.platform, caller.chat_id)

    # ---- digest settings ---------------------------------------------------------------------

    async def _switch(self, caller: Caller, *, on: bool) -> Reply:
        if caller.is_private:
            return await self._dm(caller, on)
        if not self.is_admin(caller):
            return _error(NOT_ADMIN.format(what="where the digest is posted"))
        async with self.db.session() as session:
            await ChatRepository(session).save(caller.platform, caller.chat_id, enabled=on)
        if on:
            return _text("The daily digest will be posted in this chat from the next run.")
        return _text("The daily digest will no longer be posted in this chat.")

    async def _settings(self, caller: Caller, command: DigestSettings) -> Reply:
        if command.changes and caller.is_private:
            return _error(NO_CHAT_HERE.format(what="digest settings"))
        if command.changes and not self.is_admin(caller):
            return _error(NOT_ADMIN.format(what="the digest settings"))
        if command.changes:
            async with self.db.session() as session:
                await ChatRepository(session).save(
                    caller.platform,
                    caller.chat_id,
                    categories=None
                    if "categories" in command.reset
                    else command.categories or KEEP,
                    language=None if "language" in command.reset else command.language or KEEP,
                )
        async with self.db.session() as session:
            chats = ChatRepository(session)
            settings = await chats.get(caller.platform, caller.chat_id)
            dm = await chats.wants_dm(caller.platform, caller.user_id)
        options = await self.options_for(caller)
        enabled = settings.enabled if settings else None
        posted = "as configured" if enabled is None else "on" if enabled else "off"
        own_categories = settings is not None and settings.categories is not None
        own_language = settings is not None and settings.language is not None
        return _text(
            "Settings saved." if command.changes else "Digest settings of this chat:",
            f"Daily digest here: {posted}",
            f"Categories: {', '.join(options.categories)}"
            + ("" if own_categories else " (default)"),
            f"Language: {options.language}" + ("" if own_language else " (default)"),
            f"Your DM digest: {'on' if dm else 'off'}",
        )

    async def _dm(self, caller: Caller, on: bool) -> Reply:
        async with self.db.session() as session:
            changed = await ChatRepository(session).set_dm(caller.platform, caller.user_id, on)
        if on:
            return _text(
                "You will get a daily digest of your own keywords by direct message."
                if changed
                else "Your DM digest is already on."
            )
        return _text("Your DM digest is off." if changed else "Your DM digest was already off.")


def _papers(count: int) -> str:
    return f"{count} paper" if count == 1 else f"{count} papers"
