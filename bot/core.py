"""The chat core: answers a command from any platform with a neutral `Reply`.

Adapters turn a platform's slash command into `(Caller, text)`, acknowledge at once with
`ChatCore.ack`, then post what `ChatCore.on_event` returns. A user's mistake is a one-line
`TextReply(is_error=True)`, never an exception. Every answer is in the chat's language; a
direct message answers in the language of the user's last group chat.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import date, datetime
from typing import overload

from bot.acks import ack_text
from bot.ask_answers import answer_question, ask, remember_question
from bot.commands import (
    Ask,
    Command,
    DigestDm,
    DigestHere,
    DigestOff,
    DigestSettings,
    Export,
    Help,
    Interests,
    InterestsAdd,
    InterestsReset,
    KeywordsAdd,
    KeywordsList,
    KeywordsRemove,
    Report,
    Saved,
    Search,
    Summarize,
    Why,
    parse_command,
)
from bot.digest_answers import set_dm, settings, switch
from bot.interests_answers import add_interests, reset_interests, show_interests
from bot.keyword_answers import change_keywords, list_keywords
from bot.limits import Action, UserLimits
from bot.memory_answers import export, saved, search
from bot.platform import (
    AnswerReply,
    Caller,
    ChatEvent,
    CommandEvent,
    PaperReply,
    QuestionEvent,
    ReactionEvent,
    Reply,
    ReportReply,
    TextReply,
    VoteEvent,
)
from bot.replies import listed, refusal
from bot.subscriptions import chat_options, chat_scope, dm_scope, summary_options
from bot.vote_answers import record_reaction, record_vote, remember_answer
from bot.why_answers import explain_paper
from domain.errors import DigestError, LlmNotAllowed
from domain.messages import ENGLISH, text
from pipeline.admission import ArrivalLine
from pipeline.archive.search import ArchiveSearch
from pipeline.budget import utc_today
from pipeline.digest import Digest
from pipeline.feedcache import FeedCache
from pipeline.options import DigestOptions
from storage.db import Database
from storage.models import utcnow
from storage.repositories import (
    DEFAULT_SCOPE,
    ChatRepository,
    LastChatRepository,
    ReportRepository,
)

log = logging.getLogger(__name__)

# Commands with a per-user rate limit, and the limit they count against.
_RATE_LIMITED: dict[type, Action] = {
    Summarize: "summarize",
    KeywordsAdd: "keywords",
    KeywordsRemove: "keywords",
    InterestsAdd: "interests",
    InterestsReset: "interests",
}


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
        ask_per_user_per_day: int = 0,
        archive: ArchiveSearch | None = None,
        export_max_papers: int = 0,
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
        self.archive = archive or ArchiveSearch(db)  # full text alone unless given vectors
        self.export_cap = export_max_papers  # papers in one export; 0: no cap
        self._today = today
        self.limits = UserLimits(
            db,
            summarize_per_minute=summarize_per_user_per_minute,
            keyword_changes_per_minute=keyword_changes_per_user_per_minute,
            summarize_per_day=summarize_per_user_per_day,
            ask_per_day=ask_per_user_per_day,
            now=now,
            today=today,
        )

    def is_admin(self, caller: Caller) -> bool:
        return caller.is_admin or caller.user_id in self.admins

    async def options_for(self, caller: Caller) -> DigestOptions:
        """The digest options of the caller's chat (its categories, language, keywords)."""
        return await chat_options(self.db, self.digest.options, caller.platform, caller.chat_id)

    async def language_of(self, caller: Caller, *, remember: bool = False) -> str:
        """The language to answer in: the chat's (its setting, else the configured one); in a
        DM, that of the user's last group chat, else English. `remember` records this group
        chat as the user's last one."""
        async with self.db.session() as session:
            last = LastChatRepository(session)
            chat_id: str | None = caller.chat_id
            if caller.is_private:
                chat_id = await last.get(caller.platform, caller.user_id)
            elif remember:
                await last.record(caller.platform, caller.user_id, caller.chat_id)
            if chat_id is None:
                return ENGLISH
            chosen = await ChatRepository(session).get(caller.platform, chat_id)
        return chosen.language if chosen and chosen.language else self.digest.options.language

    async def ack(self, caller: Caller, typed: str) -> str:
        """`ack_text` in the caller's language; English if that cannot be looked up now."""
        try:
            language = await self.language_of(caller)
        except Exception:
            log.exception("no language for %s:%s; acknowledging in English", *_who(caller))
            language = ENGLISH
        return ack_text(typed, language)

    async def failure(self, caller: Caller | None) -> str:
        """What an adapter says when answering failed on its side, in the caller's language
        where it can still be looked up."""
        if caller is not None:
            try:
                return text("chat.failed", await self.language_of(caller))
            except Exception:
                log.exception("no language for %s:%s", *_who(caller))
        return text("chat.failed")

    async def posted(self, caller: Caller, message_id: str, reply: Reply) -> None:
        """An adapter posted `reply` as `message_id`: a paper's answer is remembered, so a
        reaction on it votes for that paper; an answer to a question, so a reply to it
        follows on."""
        if isinstance(reply, AnswerReply):
            await remember_question(self, message_id, reply)
            return
        await remember_answer(self, caller, message_id, reply)

    @overload
    async def on_event(self, event: CommandEvent | VoteEvent) -> Reply: ...
    @overload
    async def on_event(self, event: ReactionEvent) -> None: ...
    @overload
    async def on_event(self, event: QuestionEvent) -> Reply | None: ...

    async def on_event(self, event: ChatEvent) -> Reply | None:
        """The one entry point for what happens in a chat, as the adapters translate it; a new
        kind of event is one more case here, not one more method on every platform. A reaction
        is not a command: it gets no reply, and neither does a question delivered twice."""
        match event:
            case CommandEvent(caller=caller, text=typed):
                return await self.handle(caller, typed)
            case VoteEvent():
                return await record_vote(self, event)
            case ReactionEvent():
                await record_reaction(self, event)
                return None
            case QuestionEvent():
                with self._line.ticket():  # as a command: its place in line as it arrives
                    return await answer_question(self, event)

    async def handle(self, caller: Caller, typed: str) -> Reply:
        language = ENGLISH
        try:
            with self._line.ticket():  # its place in line for the LLM, taken as it arrives
                language = await self.language_of(caller, remember=True)
                return await self._run(caller, parse_command(typed), language)
        except DigestError as exc:  # CommandError included: a message for the user
            return TextReply((exc.message(language),), is_error=True)
        except Exception:
            log.exception("command %r from %s:%s failed", typed, *_who(caller))
            return refusal(language, "chat.failed")

    async def _run(self, caller: Caller, command: Command, language: str) -> Reply:
        action = _RATE_LIMITED.get(type(command))
        if action is not None and (refused := await self.limits.refusal(caller, action, language)):
            return TextReply((refused,), is_error=True)
        match command:
            case Help():
                return TextReply(tuple(text("chat.help", language).split("\n")))
            case Summarize(paper):
                return await self._summarize(caller, str(paper), language)
            case KeywordsAdd() | KeywordsRemove():
                return await change_keywords(self, caller, command, language)
            case KeywordsList():
                return await list_keywords(self, caller, language)
            case Report(day):
                return await self._report(caller, day, language)
            case DigestHere() | DigestOff():
                return await switch(self, caller, language, on=isinstance(command, DigestHere))
            case DigestSettings():
                return await settings(self, caller, command, language)
            case DigestDm(on):
                return await set_dm(self, caller, language, on=on)
            case Why(paper):
                return await explain_paper(self, caller, paper, language)
            case Interests():
                return await show_interests(self, caller, language)
            case InterestsReset():
                return await reset_interests(self, caller, language)
            case InterestsAdd():
                return await add_interests(self, caller, command, language)
            case Ask(paper, question):
                asked = QuestionEvent(caller, question, arxiv_id=str(paper) if paper else None)
                answered = await ask(self, asked, language)
                # Without a request key nothing is a second delivery: there is always a reply.
                return answered if answered is not None else TextReply(())
            case Search(request):
                return await search(self, caller, request, language)
            case Saved():
                return await saved(self, caller, language)
            case Export(request):
                return await export(self, caller, request, language)
        raise AssertionError(f"unhandled command {command!r}")

    async def _summarize(self, caller: Caller, paper: str, language: str) -> Reply:
        """Over the daily cap a caller still gets stored analyses; only LLM requests count."""
        options = await summary_options(
            self.db, self.digest.options, caller.platform, caller.chat_id
        )
        allowed = await self.limits.may_use_llm(caller)
        try:
            result = await self.digest.summarize(paper, options, llm_allowed=allowed)
        except LlmNotAllowed:
            return refusal(language, "chat.summarize_cap", cap=self.summarize_cap)
        if result.llm_asked:
            await self.limits.used_llm(caller)
        return PaperReply(result.entry, options.language)

    async def _report(self, caller: Caller, day: date | None, language: str) -> Reply:
        """The chat's own report of the day, else the default one (DIGEST_KEYWORDS)."""
        options = await self.options_for(caller)
        scope = self.scope(caller)
        for candidate in (scope, DEFAULT_SCOPE):
            found = await self.digest.stored_report(day, candidate, language=options.language)
            if found is not None:
                return ReportReply(found)
        async with self.db.session() as session:
            reports = ReportRepository(session)
            known = await reports.dates(scope) or await reports.dates(DEFAULT_SCOPE)
        days = listed([d.isoformat() for d in known[-5:]])
        days = days or text("chat.report.none_yet", language)
        if day is None:
            return refusal(language, "chat.report.missing_any", listed=days)
        return refusal(language, "chat.report.missing_day", day=day, listed=days)

    def scope(self, caller: Caller) -> str:
        """Where the caller's reports are stored: the chat's, or the user's DM digest."""
        if caller.is_private:
            return dm_scope(caller.platform, caller.user_id)
        return chat_scope(caller.platform, caller.chat_id)


def _who(caller: Caller) -> tuple[str, str]:
    return caller.platform, caller.user_id
