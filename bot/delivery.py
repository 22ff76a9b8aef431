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

from bot.platform import ChatPoster, Mention, ThreadHead, day_key, paper_key
from bot.subscriptions import chat_scope
from pipeline.daybuild import DayBuild
from pipeline.models import Paper
from pipeline.report import AnalysisSource, DailyReport, PaperEntry, ReportStatus
from storage.db import Database
from storage.repositories import DeliveryRepository

ALL_SEEN_NOTE = "Nothing new here today: every matching paper was posted in an earlier thread."


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
    poster: ChatPoster,
    chat_id: str,
    report: DailyReport | DayBuild,
    mentions: Mapping[str, Sequence[Mention]],
    *,
    post_empty_days: bool = True,
    scope: str | None = None,
) -> DeliveryOutcome:
    """Post the day's thread in a chat, or complete it if an earlier call was interrupted.

    Given a `DayBuild` still analysing, the parent goes out at once and each paper as soon as
    it lands, in the report's order; the parent is edited at the end to show the finished
    report. Papers this chat got on earlier days are left out; those that are new versions get
    a line in the parent instead. A day without papers is one short note (none if
    `post_empty_days` is False). A poster error propagates; calling again picks up where it
    stopped.
    """
    build = report if isinstance(report, DayBuild) else DayBuild.of(report)
    platform = poster.platform
    outcome = DeliveryOutcome(chat_id, build.report.report_date)
    if build.report.status is ReportStatus.STALE:
        return outcome
    async with db.session() as session:
        earlier = await DeliveryRepository(session).delivered_to_chat_before(
            platform,
            chat_id,
            [e.paper.arxiv_id for e in build.report.entries],
            build.report.report_date,
        )
    shown = _without_earlier(build.report, earlier)
    outcome.sent_before = [
        e.paper.arxiv_id for e in build.report.entries if e.paper.arxiv_id in earlier
    ]
    if not shown.entries and not shown.updated:
        if not post_empty_days:
            return outcome
        shown.note = shown.note or ALL_SEEN_NOTE

    async with db.session() as session:
        thread = await DeliveryRepository(session).get_or_create_thread(
            platform, chat_id, shown.report_date, scope or chat_scope(platform, chat_id)
        )
    outcome.thread_id = thread.id
    parent_status = thread.parent_status
    if thread.parent_message_id is None:
        # Posted before a crash kept us from recording it? Then it is the parent.
        found = await poster.find_posted(chat_id, None, day_key(shown))
        if found is not None:
            head, parent_status = ThreadHead(found, None, shown.language), None
        else:
            head = await poster.post_parent(chat_id, shown)
            parent_status = shown.status.value
            outcome.parent_posted = True
        async with db.session() as session:
            await DeliveryRepository(session).set_parent(
                thread.id, head.message_id, head.topic_id, parent_status
            )
    else:
        head = ThreadHead(thread.parent_message_id, thread.topic_id, shown.language)
    outcome.parent_message_id = head.message_id

    async with db.session() as session:
        deliveries = DeliveryRepository(session)
        sent = await deliveries.sent_messages(thread.id)
        pending = await deliveries.pending_ids(thread.id)
    for listed in shown.entries:
        paper = listed.paper
        entry = await build.landed(paper.arxiv_id)
        if paper.arxiv_id in sent:
            outcome.already_sent.append(paper.arxiv_id)
            message_id, shown_source = sent[paper.arxiv_id]
            if message_id and _gains_full_text(entry, shown_source):
                edited = await poster.update_paper(
                    chat_id, head, message_id, entry, tuple(mentions.get(paper.arxiv_id, ()))
                )
                if edited:
                    outcome.updated.append(paper.arxiv_id)
                # Recorded even when refused: the paper is settled, never tried (or posted) again.
                async with db.session() as session:
                    await DeliveryRepository(session).record_shown(
                        thread.id, paper.arxiv_id, AnalysisSource.FULL_TEXT.value
                    )
            continue
        # Pending: a crash came between posting and recording, or before posting; ask.
        found = None
        if paper.arxiv_id in pending:
            found = await poster.find_posted(chat_id, head, paper_key(entry))
        if found is not None:
            message_id = found
            outcome.already_sent.append(paper.arxiv_id)
        else:
            async with db.session() as session:
                await DeliveryRepository(session).record_pending(
                    thread.id, paper.arxiv_id, paper.version
                )
            message_id = await poster.post_paper(
                chat_id, head, entry, tuple(mentions.get(paper.arxiv_id, ()))
            )
            outcome.posted.append(paper.arxiv_id)
        async with db.session() as session:
            await DeliveryRepository(session).record_sent(
                thread.id, paper.arxiv_id, paper.version, message_id, _shown_source(entry)
            )

    finished = _without_earlier(await build.settled(), earlier)
    finished.note = shown.note
    if parent_status != finished.status.value:
        # The parent said "analysing", or "partial" before a later run filled the gaps.
        outcome.parent_updated = await poster.update_parent(chat_id, head, finished)
        async with db.session() as session:  # settled even when refused, as a paper's edit
            await DeliveryRepository(session).record_parent_status(thread.id, finished.status.value)
    async with db.session() as session:
        await DeliveryRepository(session).complete(thread.id)
    return outcome


def _shown_source(entry: PaperEntry) -> str | None:
    """What a paper's message shows: the analysis's source, or None without an analysis."""
    if entry.analysis is None or entry.source is AnalysisSource.NONE:
        return None
    return entry.source.value


def _gains_full_text(entry: PaperEntry, shown_source: str | None) -> bool:
    """A sent message lacks the full-text analysis the report now has."""
    return (
        entry.analysis is not None
        and entry.source is AnalysisSource.FULL_TEXT
        and shown_source != AnalysisSource.FULL_TEXT.value
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
