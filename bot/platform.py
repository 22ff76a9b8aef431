"""What the chat core needs from a chat platform, and the neutral values they exchange.

Each adapter package (bot/slack, bot/telegram) provides one `Platform`, which the composition
root lists once; behind it a `ThreadPoster` posts a day's thread, and its renderer turns `Reply`
values into the platform's messages. The core never sees a platform SDK.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from domain.errors import ArxivDigestError
from pipeline.qa.answers import ArchiveAnswer, PaperAnswer
from pipeline.report import DailyReport, PaperEntry

if TYPE_CHECKING:
    from bot.core import ChatCore
    from bot.daily import ChatRun
    from bot.stopping import StopSignal
    from bot.weekly import WeekRun
    from pipeline.archive.weekly import IsoWeek


class PlatformError(ArxivDigestError):
    """A platform's settings cannot work, or it cannot be reached: the detail says which
    setting to change or what failed, in English, for the operator. Each adapter's
    configuration and connection errors derive from it, so the command line reports them in
    one line."""

    key = "errors.platform"

    def __init__(self, detail: str) -> None:
        super().__init__(type(self).key, detail=detail)
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sent a command, and where."""

    platform: str  # "slack" or "telegram"
    chat_id: str  # channel or chat; for a direct message, the DM's own id
    user_id: str
    is_admin: bool = False  # may change the chat's keywords and digest settings
    is_private: bool = False  # a direct message with the bot


@dataclass(frozen=True, slots=True)
class CommandEvent:
    """A command typed in a chat, as the core reads it: "summarize 2602.00780"."""

    caller: Caller
    text: str


@dataclass(frozen=True, slots=True)
class VoteEvent:
    """A 👍 (+1) or 👎 (-1) tapped on a paper's message. `arxiv_id` is what the button carried,
    unchecked: the core refuses a value or an id that is not one (a forged or foreign button)."""

    caller: Caller
    arxiv_id: str
    value: int


@dataclass(frozen=True, slots=True)
class ReactionEvent:
    """A 👍 (+1) or 👎 (-1) emoji reaction added to, or `removed` from, a message. It names the
    message, not a paper: the core finds the paper in the delivery ledger and ignores any other
    message. `value` is None for an emoji that is not a vote (ignored too)."""

    caller: Caller
    message_id: str
    value: int | None
    removed: bool = False


@dataclass(frozen=True, slots=True)
class QuestionEvent:
    """A question about a paper or across the archive: a Telegram reply to the bot's message,
    a Slack modal or mention, a command. The paper is `arxiv_id` when the platform knows it (a
    button's value, an id in the text), else the paper of the message `replied_to` (a paper's
    message, or an earlier answer, which the question then follows, about its paper or across
    the archive); with neither, the question is asked across the archive. `request_key` names
    this asking on the platform (a Slack view, a Telegram message), so a second delivery is
    answered once. `follows` is the stored question a Slack "Ask a follow-up" names (checked
    by the core)."""

    caller: Caller
    question: str
    arxiv_id: str | None = None
    replied_to: str | None = None
    request_key: str | None = None
    follows: int | None = None


# What an adapter hands the core (`ChatCore.on_event`), translated from its platform's events.
# Buttons (Slack block_actions, Telegram callback_query) are `VoteEvent`s, emoji reactions
# (Slack reaction_added/removed, Telegram message_reaction) `ReactionEvent`s, questions
# (Telegram replies, Slack modals and mentions) `QuestionEvent`s; the adapters translate them
# and the core dispatches on the type, so neither `Platform` nor `ThreadPoster` gains a method.
ChatEvent = CommandEvent | VoteEvent | ReactionEvent | QuestionEvent

VOTE_PREFIX = "vote"
_VOTE_WORDS = {1: "up", -1: "down"}


@dataclass(frozen=True, slots=True)
class VoteButton:
    """One of the two buttons on a paper's first message (a neutral notion; each renderer
    draws it). `data` comes back with the tap and names the paper itself, so a button from
    before a restart still works without any lookup."""

    value: int  # +1 or -1
    label: str  # "👍", "👎"
    data: str  # "vote:up:2602.00780": ≤ 64 bytes (Telegram's callback_data limit)


def vote_buttons(arxiv_id: str) -> tuple[VoteButton, VoteButton]:
    """👍 and 👎 for a paper, in that order."""
    return (
        VoteButton(1, "👍", f"{VOTE_PREFIX}:{_VOTE_WORDS[1]}:{arxiv_id}"),
        VoteButton(-1, "👎", f"{VOTE_PREFIX}:{_VOTE_WORDS[-1]}:{arxiv_id}"),
    )


def vote_from(caller: Caller, data: str) -> VoteEvent:
    """The vote a tapped button's `data` stands for; data that is not a vote becomes a vote of
    0, which the core refuses in one line."""
    prefix, _, rest = data.partition(":")
    word, _, arxiv_id = rest.partition(":")
    values = {w: v for v, w in _VOTE_WORDS.items()}
    value = values.get(word, 0) if prefix == VOTE_PREFIX else 0
    return VoteEvent(caller, arxiv_id, value)


@dataclass(frozen=True, slots=True)
class Mention:
    """A member whose personal keywords matched a paper, and which ones."""

    user_id: str
    keywords: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ThreadHead:
    """The posted parent message of a day's thread (and its forum topic, where there is one)."""

    message_id: str
    topic_id: str | None = None
    language: str = "en"  # the day's report language: its papers are labelled alike


@dataclass(frozen=True, slots=True)
class TextReply:
    """Plain text (renderers escape it); `lines` are shown one per line."""

    lines: tuple[str, ...]
    is_error: bool = False


@dataclass(frozen=True, slots=True)
class PaperReply:
    entry: PaperEntry
    language: str = "en"  # of the analysis, for the renderer's labels


@dataclass(frozen=True, slots=True)
class ReportReply:
    report: DailyReport


@dataclass(frozen=True, slots=True)
class AnswerReply:
    """An answer to a question about a paper or across the archive, in the chat's `language`;
    `asker` is the user who asked (Slack's answer opens with their mention)."""

    answer: PaperAnswer | ArchiveAnswer
    language: str
    asker: str


@dataclass(frozen=True, slots=True)
class ListedPaper:
    """One line of a search's answer or a list of papers: the short title linking to arXiv,
    when the archive first saw it (`seen`, already in the chat's language; "" if unknown), its
    one-line gist and how many 👍 it has in this chat."""

    arxiv_id: str
    title: str
    url: str
    seen: str
    gist: str
    likes: int


@dataclass(frozen=True, slots=True)
class SearchReply:
    """Papers one per line under a heading, with short notes after them ("only the first
    words were searched"). For the asker: Slack shows it to them alone."""

    heading: str
    papers: tuple[ListedPaper, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FileReply:
    """A file for the asker alone: each adapter sends it privately (Slack: the DM with the
    asker; Telegram: their private chat with the bot), then tells the chat `lines`. `caption`
    goes with the file."""

    filename: str
    content: bytes
    caption: str
    lines: tuple[str, ...]
    language: str = "en"


Reply = TextReply | PaperReply | ReportReply | AnswerReply | SearchReply | FileReply


def day_key(report: DailyReport) -> str:
    """The tag a day's parent message carries, so a restart can find it on the platform."""
    return f"day:{report.report_date.isoformat()}"


def paper_key(entry: PaperEntry) -> str:
    """The tag a paper's (first) message carries."""
    return f"paper:{entry.paper.arxiv_id}"


class ThreadPoster(Protocol):
    """Posting a day's thread on one platform; the delivery ledger decides what to post.

    Messages carry their `day_key`/`paper_key` where the platform can store such a tag; a
    poster that can read them back also implements `PostFinder`.
    """

    platform: str  # the chats' platform in the ledger: "slack", "telegram"

    async def post_parent(self, chat_id: str, report: DailyReport) -> ThreadHead: ...

    async def post_paper(
        self, chat_id: str, head: ThreadHead, entry: PaperEntry, mentions: Sequence[Mention]
    ) -> str:
        """Post one paper in the thread; returns the message id."""
        ...

    async def update_paper(
        self,
        chat_id: str,
        head: ThreadHead,
        message_id: str,
        entry: PaperEntry,
        mentions: Sequence[Mention],
    ) -> bool:
        """Edit a posted paper's message in place, so an analysis that came later (its PDF or
        the model had failed) reaches the chat without posting the paper again. Parts beyond
        the first go out as new replies. False when the platform refuses the edit (the message
        is gone or too old): that is logged, and the paper is never posted again."""
        ...

    async def update_parent(
        self,
        chat_id: str,
        head: ThreadHead,
        report: DailyReport,
        replies: Mapping[str, str] | None = None,
    ) -> bool:
        """Edit the thread's parent message to show the finished report (it was posted while
        the papers were still being analysed), each paper's title linking to its reply where
        the platform has links to messages. `replies` maps arXiv ids to the message ids of
        their (first) replies. False when the platform refuses the edit."""
        ...


@runtime_checkable
class PostFinder(Protocol):
    """A poster that can read its own messages back (Slack, through their metadata), so the
    ledger can tell, after a crash between posting and recording, that one went out. Where a
    platform cannot (Telegram bots see no history), such a message is posted again."""

    async def find_posted(self, chat_id: str, head: ThreadHead | None, key: str) -> str | None:
        """The id of a message this bot posted with `key`: in the channel when `head` is None,
        else in that thread. None when there is none (or the platform refused to look)."""
        ...


class Platform(Protocol):
    """One chat platform as the composition root sees it: serve its chat, post the day's
    threads and the week's messages, check its connection.

    `serve` hands every incoming event to the core's one entry point (`ChatCore.on_event`) as a
    neutral `ChatEvent`: commands, vote buttons, vote reactions and questions about papers
    (see `ChatEvent`); a new kind comes the same way, so this interface stays as it is.
    """

    name: str  # "Slack", "Telegram": in the logs, the health report and the command's output

    async def serve(self, core: ChatCore) -> None:
        """Answer the chat's commands until cancelled; a setting that cannot work, or a
        platform refusing to start, raises a `PlatformError`."""
        ...

    async def deliver(
        self, core: ChatCore, requested: date | None = None, stop: StopSignal | None = None
    ) -> list[ChatRun]:
        """The day's thread in every configured chat (and the DM digests); a chat that fails is
        reported in its `ChatRun` and left for the next run, which completes the same thread."""
        ...

    async def deliver_week(
        self, core: ChatCore, week: IsoWeek, stop: StopSignal | None = None
    ) -> list[WeekRun]:
        """The week's one message in every chat the daily thread goes to (`bot.weekly`); a
        chat that fails is reported in its `WeekRun` and left for the next run."""
        ...

    async def check_connection(self) -> str:
        """Log in and say as whom ("@arxiv_bot"); raises when the platform refuses or is down."""
        ...
