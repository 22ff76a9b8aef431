"""Posting a day's report to one chat through the delivery ledger, so that nothing is posted twice.

The thread is recorded before anything is posted, its parent message right after it is posted,
and each paper as pending before and sent after its message. A rerun (or a restart after a
crash halfway) finds the same thread and posts only what is missing under the same parent. A
paper posted with its abstract alone (its PDF or the model failed) has its message edited in
place once a later run has the full-text analysis.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.platform import Mention, PostFinder, ThreadHead, ThreadPoster, day_key, paper_key
from bot.stopping import StopSignal
from bot.subscriptions import chat_scope
from domain.messages import text
from domain.models import Paper
from domain.statuses import AnalysisSource, ReportStatus, ThreadStatus
from pipeline.daybuild import DayBuild
from pipeline.report import DailyReport, PaperEntry
from storage.db import Database
from storage.repositories import DeliveryRepository, ThreadRecord


@dataclass(slots=True)
class DeliveryOutcome:
    chat_id: str
    report_date: date
    thread_id: int | None = None  # None: nothing to post (a stale feed, a muted empty day)
    parent_message_id: str | None = None
    parent_posted: bool = False  # False on a rerun: the thread already had its parent
    posted: list[str] = field(default_factory=list)  # arXiv ids posted by this call
    already_sent: list[str] = field(default_factory=list)  # in this thread before this call
    updated: list[str] = field(default_factory=list)  # sent earlier, edited now with the analysis
    parent_updated: bool = False  # the parent was edited to show the finished report
    sent_before: list[str] = field(default_factory=list)  # sent here on earlier days: left out

    @property
    def posted_count(self) -> int:
        return len(self.posted)


async def deliver_day(
    db: Database,
    poster: ThreadPoster,
    chat_id: str,
    report: DailyReport | DayBuild,
    mentions: Mapping[str, Sequence[Mention]],
    *,
    post_empty_days: bool = True,
    scope: str | None = None,
    stop: StopSignal | None = None,
) -> DeliveryOutcome:
    """Post the day's thread in a chat, or complete it if an earlier call was interrupted.

    Given a `DayBuild` still analysing, the parent goes out at once and each paper as soon as
    it lands, in the report's order; the parent is edited at the end to show the finished
    report. Papers this chat got on earlier days are left out; those that are new versions get
    a line in the parent instead. A day without papers is one short note (none if
    `post_empty_days` is False). A poster error propagates; calling again picks up where it
    stopped. A `stop` is let in only between messages.
    """
    build = report if isinstance(report, DayBuild) else DayBuild.of(report)
    ledger = DeliveryLedger(db, poster, chat_id, build, stop or StopSignal())
    return await ledger.deliver(mentions, post_empty_days=post_empty_days, scope=scope)


class DeliveryLedger:
    """One chat's thread for one day, each step recorded before or after the platform acts:
    the thread before anything is posted, the parent once posted, each paper as pending before
    and as sent after its message."""

    def __init__(
        self,
        db: Database,
        poster: ThreadPoster,
        chat_id: str,
        build: DayBuild,
        stop: StopSignal,
    ) -> None:
        self._db = db
        self._poster = poster
        self._chat_id = chat_id
        self._build = build
        self._stop = stop
        self.outcome = DeliveryOutcome(chat_id, build.report.report_date)

    async def deliver(
        self,
        mentions: Mapping[str, Sequence[Mention]],
        *,
        post_empty_days: bool,
        scope: str | None,
    ) -> DeliveryOutcome:
        if self._build.report.status is ReportStatus.STALE:
            return self.outcome
        earlier = await self._sent_on_earlier_days()
        shown = _without_earlier(self._build.report, earlier)
        if not shown.entries and not shown.updated:
            if not post_empty_days:
                return self.outcome
            shown.note = shown.note or text("note.all_seen", shown.language)
        thread = await self._open_thread(shown, scope)
        head, parent_status = await self._parent(thread, shown)
        async with self._db.session() as session:
            deliveries = DeliveryRepository(session)
            sent = await deliveries.sent_messages(thread.id)
            pending = await deliveries.pending_ids(thread.id)
        for listed in shown.entries:
            entry = await self._build.landed(listed.paper.arxiv_id)
            mentioned = tuple(mentions.get(entry.paper.arxiv_id, ()))
            if entry.paper.arxiv_id in sent:
                await self._amend(thread.id, head, entry, mentioned, sent[entry.paper.arxiv_id])
            else:
                await self._post(thread.id, head, entry, mentioned, entry.paper.arxiv_id in pending)
        await self._finish(thread, head, shown.note, parent_status, earlier)
        return self.outcome

    async def _sent_on_earlier_days(self) -> set[str]:
        report = self._build.report
        async with self._db.session() as session:
            earlier = await DeliveryRepository(session).delivered_to_chat_before(
                self._poster.platform,
                self._chat_id,
                [e.paper.arxiv_id for e in report.entries],
                report.report_date,
            )
        self.outcome.sent_before = [
            e.paper.arxiv_id for e in report.entries if e.paper.arxiv_id in earlier
        ]
        return earlier

    async def _open_thread(self, shown: DailyReport, scope: str | None) -> ThreadRecord:
        platform = self._poster.platform
        async with self._db.session() as session:
            thread = await DeliveryRepository(session).get_or_create_thread(
                platform,
                self._chat_id,
                shown.report_date,
                scope or chat_scope(platform, self._chat_id),
            )
        self.outcome.thread_id = thread.id
        return thread

    async def _parent(
        self, thread: ThreadRecord, shown: DailyReport
    ) -> tuple[ThreadHead, ReportStatus | None]:
        """The thread's parent message and the status it shows, posted first if it is not yet."""
        if thread.parent_message_id is not None:
            head = ThreadHead(thread.parent_message_id, thread.topic_id, shown.language)
            self.outcome.parent_message_id = head.message_id
            return head, thread.parent_status
        async with self._stop.message():
            # Posted before a crash kept us from recording it? Then it is the parent.
            found = await self._find_posted(None, day_key(shown))
            if found is not None:
                head, parent_status = ThreadHead(found, None, shown.language), None
            else:
                head = await self._poster.post_parent(self._chat_id, shown)
                parent_status = shown.status
                self.outcome.parent_posted = True
            async with self._db.session() as session:
                await DeliveryRepository(session).set_parent(
                    thread.id, head.message_id, head.topic_id, parent_status
                )
        self.outcome.parent_message_id = head.message_id
        return head, parent_status

    async def _amend(
        self,
        thread_id: int,
        head: ThreadHead,
        entry: PaperEntry,
        mentioned: tuple[Mention, ...],
        sent: tuple[str | None, AnalysisSource | None],
    ) -> None:
        """A paper posted before: edited in place once it gains its full-text analysis."""
        arxiv_id = entry.paper.arxiv_id
        self.outcome.already_sent.append(arxiv_id)
        message_id, shown_source = sent
        if not message_id or not _gains_full_text(entry, shown_source):
            return
        async with self._stop.message():
            edited = await self._poster.update_paper(
                self._chat_id, head, message_id, entry, mentioned
            )
            if edited:
                self.outcome.updated.append(arxiv_id)
            # Recorded even when refused: the paper is settled, never tried (or posted) again.
            async with self._db.session() as session:
                await DeliveryRepository(session).record_shown(
                    thread_id, arxiv_id, AnalysisSource.FULL_TEXT
                )

    async def _post(
        self,
        thread_id: int,
        head: ThreadHead,
        entry: PaperEntry,
        mentioned: tuple[Mention, ...],
        was_pending: bool,
    ) -> None:
        """A paper's message: pending before it goes out, sent once the platform took it."""
        paper = entry.paper
        async with self._stop.message():
            # Pending: a crash came between posting and recording, or before posting; ask.
            found = None
            if was_pending:
                found = await self._find_posted(head, paper_key(entry))
            if found is not None:
                message_id = found
                self.outcome.already_sent.append(paper.arxiv_id)
            else:
                async with self._db.session() as session:
                    await DeliveryRepository(session).record_pending(
                        thread_id, paper.arxiv_id, paper.version
                    )
                message_id = await self._poster.post_paper(self._chat_id, head, entry, mentioned)
                self.outcome.posted.append(paper.arxiv_id)
            async with self._db.session() as session:
                await DeliveryRepository(session).record_sent(
                    thread_id, paper.arxiv_id, paper.version, message_id, _shown_source(entry)
                )

    async def _find_posted(self, head: ThreadHead | None, key: str) -> str | None:
        """Our message tagged `key`, where the platform can look back; else None: posted again."""
        if not isinstance(self._poster, PostFinder):
            return None
        return await self._poster.find_posted(self._chat_id, head, key)

    async def _finish(
        self,
        thread: ThreadRecord,
        head: ThreadHead,
        note: str | None,
        parent_status: ReportStatus | None,
        earlier: set[str],
    ) -> None:
        """The parent edited to show the finished day, if it shows less, and (once, when the
        thread is first complete) to link each title to its reply; the thread complete."""
        finished = _without_earlier(await self._build.settled(), earlier)
        finished.note = note
        async with self._db.session() as session:
            sent = await DeliveryRepository(session).sent_messages(thread.id)
        replies = {
            e.paper.arxiv_id: message_id
            for e in finished.entries
            if (message_id := sent.get(e.paper.arxiv_id, (None, None))[0])
        }
        first_complete = thread.status is not ThreadStatus.COMPLETE and bool(replies)
        if parent_status is not finished.status or first_complete:
            # It said "analysing" (or "partial" before a later run filled the gaps), or it
            # went out before its replies and has no links to them yet.
            async with self._stop.message():
                self.outcome.parent_updated = await self._poster.update_parent(
                    self._chat_id, head, finished, replies
                )
                async with self._db.session() as session:  # settled even when refused
                    await DeliveryRepository(session).record_parent_status(
                        thread.id, finished.status
                    )
        async with self._db.session() as session:
            await DeliveryRepository(session).complete(thread.id)


def _shown_source(entry: PaperEntry) -> AnalysisSource | None:
    """What a paper's message shows: the analysis's source, or None without an analysis."""
    if entry.analysis is None or entry.source is AnalysisSource.NONE:
        return None
    return entry.source


def _gains_full_text(entry: PaperEntry, shown_source: AnalysisSource | None) -> bool:
    """A sent message lacks the full-text analysis the report now has."""
    return (
        entry.analysis is not None
        and entry.source is AnalysisSource.FULL_TEXT
        and shown_source is not AnalysisSource.FULL_TEXT
    )


def _without_earlier(report: DailyReport, earlier: set[str]) -> DailyReport:
    """A copy of the report for this chat: papers it already got are out, and a new version
    of one becomes a line among the updated papers."""
    if not earlier:
        return dataclasses.replace(report, entries=list(report.entries))
    entries, updated = [], list(report.updated)
    listed = {p.arxiv_id for p in updated}
    for entry in report.entries:
        paper = entry.paper
        if paper.arxiv_id not in earlier:
            entries.append(entry)
        elif _is_new_version(paper) and paper.arxiv_id not in listed:
            updated.append(paper)
            listed.add(paper.arxiv_id)
    return dataclasses.replace(report, entries=entries, updated=updated)


def _is_new_version(paper: Paper) -> bool:
    return paper.announce_type is not None and paper.announce_type.is_replacement
