"""The answer to a question about a paper or across the archive, whichever way it was asked:
`ask [<id>] <question>`, a Telegram reply to a paper's message or to an answer, a Slack modal,
button or mention.

The paper is the one named, else the one of the message replied to: a stored answer (the
question then follows it as it was asked, about its paper or across the archive, and the
engine remembers the earlier turns) or a paper's message in a daily thread, a digest or a
`summarize` answer. A question that names no paper and replies to nothing is asked across the
archive. The daily cap counts only answers that needed the LLM (not "the archive holds nothing
on it"); the per-minute rate counts every question, as for `summarize`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.platform import AnswerReply, Caller, QuestionEvent, Reply, TextReply
from bot.replies import refusal
from domain.errors import DigestError, LlmNotAllowed
from domain.messages import ENGLISH
from pipeline.ids import parse_arxiv_id
from pipeline.qa.answers import ArchiveAnswer, Asker, PaperAnswer, Question
from pipeline.qa.asking import check_question
from storage.answers import AnswerRepository
from storage.deliveries import DeliveryRepository
from storage.papers import PaperRepository
from storage.questions import QuestionRepository

if TYPE_CHECKING:
    from bot.core import ChatCore

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Asked:
    """What a question is about: the paper named, or the stored question it follows (about a
    paper or across the archive), or neither: the archive."""

    paper: str | None = None
    follows: int | None = None


async def answer_question(core: ChatCore, event: QuestionEvent) -> Reply | None:
    """The answer, or a one-line refusal; None when this asking was answered already (a
    platform delivering it twice): nothing is posted again."""
    caller = event.caller
    language = ENGLISH
    try:
        language = await core.language_of(caller, remember=True)
        return await ask(core, event, language)
    except DigestError as exc:  # CommandError, a paper arXiv does not have, …
        return TextReply((exc.message(language),), is_error=True)
    except Exception:
        log.exception("question from %s:%s failed", caller.platform, caller.user_id)
        return refusal(language, "chat.failed")


async def ask(core: ChatCore, event: QuestionEvent, language: str) -> Reply | None:
    """Checks the question before anything is counted or looked up; raises `DigestError`s."""
    caller, question = event.caller, event.question.strip()
    check_question(question)  # the engine's own check, before anything is counted
    asked = await _asked(core, event)
    if asked is None:
        return refusal(language, "asking.not_a_paper")
    if refused := await core.limits.refusal(caller, "ask", language):
        return TextReply((refused,), is_error=True)
    allowed = await core.limits.may_ask(caller)
    asking = Question(
        question,
        Asker(caller.platform, caller.chat_id, caller.user_id),
        language,
        follows=asked.follows,
        request_key=event.request_key,
    )
    try:
        answer = await _answer(core, asked, asking, allowed)
    except LlmNotAllowed:
        return refusal(language, "asking.cap", cap=core.limits.ask_per_day)
    if answer.duplicate:
        log.info("question %s from %s:%s answered already", event.request_key, *_who(caller))
        return None
    if _used_the_model(answer):
        await core.limits.asked(caller)
    return AnswerReply(answer, language, caller.user_id)


async def _answer(
    core: ChatCore, asked: _Asked, question: Question, allowed: bool
) -> PaperAnswer | ArchiveAnswer:
    """A named paper is asked; a follow-up goes as the question it follows went (its paper,
    or the archive); anything else is asked across the archive."""
    if asked.paper is not None:
        return await core.digest.ask(asked.paper, question, llm_allowed=allowed)
    if asked.follows is not None:
        return await core.digest.follow_up(question, llm_allowed=allowed)
    return await core.digest.ask_archive(question, llm_allowed=allowed)


def _used_the_model(answer: PaperAnswer | ArchiveAnswer) -> bool:
    """What the daily cap counts: neither answers from the store, failures nor "the archive
    holds nothing on it" (no model is asked for that)."""
    if answer.from_store or answer.error is not None:
        return False
    return not (isinstance(answer, ArchiveAnswer) and answer.nothing_found)


async def _asked(core: ChatCore, event: QuestionEvent) -> _Asked | None:
    """The paper named, else what the message replied to is about (an answer first: a
    follow-up), else the stored archive question a follow-up button names, else the archive.
    None for a reply to a message that is neither a paper's nor an answer's."""
    caller, message_id = event.caller, event.replied_to
    # The ledger keeps a DM digest under the person's id; Slack names the DM's own channel.
    chats = (caller.chat_id, caller.user_id) if caller.is_private else (caller.chat_id,)
    if event.arxiv_id:
        return _Asked(event.arxiv_id, await _follows(core, event, chats))
    if not message_id:
        return _Asked(follows=await _follows(core, event, chats))
    async with core.db.session() as session:
        earlier = await QuestionRepository(session).at(caller.platform, chats, message_id)
        if earlier is not None:
            return _Asked(follows=earlier.id)
        paper = await DeliveryRepository(session).paper_at(
            caller.platform, chats, message_id
        ) or await AnswerRepository(session).paper_at(caller.platform, chats, message_id)
    return _Asked(paper) if paper is not None else None


async def _follows(core: ChatCore, event: QuestionEvent, chats: tuple[str, ...]) -> int | None:
    """The question a follow-up names, if it was asked on this platform and in this chat (and,
    where the event names a paper too, about that paper); one that names another (forged, or
    foreign) starts afresh."""
    if event.follows is None:
        return None
    async with core.db.session() as session:
        earlier = await QuestionRepository(session).get(event.follows)
    if earlier is None or earlier.platform != event.caller.platform:
        return None
    if earlier.chat_id not in chats:
        return None
    if event.arxiv_id and parse_arxiv_id(event.arxiv_id).base != earlier.arxiv_id:
        return None
    return earlier.id


async def remember_question(core: ChatCore, message_id: str, reply: AnswerReply) -> None:
    """The posted answer's message, so a reply to it (or a mention in its thread) follows
    on. A failure is logged: the answer is out."""
    if not message_id:
        return
    try:
        async with core.db.session() as session:
            await QuestionRepository(session).set_message(reply.answer.question_id, message_id)
    except Exception:
        log.exception("could not remember the message of answer %s", reply.answer.question_id)


def _who(caller: Caller) -> tuple[str, str]:
    return caller.platform, caller.user_id


async def paper_title(core: ChatCore, arxiv_id: str) -> str:
    """The paper's title as stored, for a question box's label; its id when unknown."""
    try:
        base = parse_arxiv_id(arxiv_id).base
        async with core.db.session() as session:
            paper = await PaperRepository(session).get(base)
    except Exception:
        log.exception("no title for %r", arxiv_id)
        return arxiv_id
    return paper.title if paper is not None and paper.title.strip() else base
