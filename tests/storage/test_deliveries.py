from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from domain.statuses import AnalysisSource, ReportStatus, ThreadStatus
from storage.db import Database
from storage.deliveries import DeliveryRepository
from storage.models import DeliveryRow

MONDAY = date(2026, 2, 2)
TUESDAY = date(2026, 2, 3)


async def test_a_chat_has_one_thread_per_day(database: Database) -> None:
    async with database.session() as session:
        ledger = DeliveryRepository(session)
        thread = await ledger.get_or_create_thread("slack", "C1", TUESDAY, "default")
        again = await ledger.get_or_create_thread("slack", "C1", TUESDAY, "default")
        other_day = await ledger.get_or_create_thread("slack", "C1", MONDAY, "default")
        other_chat = await ledger.get_or_create_thread("telegram", "C1", TUESDAY, "default")
    assert again == thread
    assert (thread.status, thread.parent_message_id, thread.topic_id) == ("opening", None, None)
    assert len({thread.id, other_day.id, other_chat.id}) == 3


async def test_set_parent_opens_the_thread_and_complete_closes_it(database: Database) -> None:
    async with database.session() as session:
        ledger = DeliveryRepository(session)
        thread = await ledger.get_or_create_thread("telegram", "-100", TUESDAY, "default")
        await ledger.set_parent(thread.id, "42", topic_id="7")
        opened = await ledger.get_thread(thread.id)
        await ledger.complete(thread.id)
        completed = await ledger.get_or_create_thread("telegram", "-100", TUESDAY, "default")
        with pytest.raises(LookupError):
            await ledger.complete(thread.id + 1000)
    assert opened is not None
    assert (opened.status, opened.parent_message_id, opened.topic_id) == ("open", "42", "7")
    assert completed.status == "complete" and completed.parent_message_id == "42"
    assert opened.status is ThreadStatus.OPEN and completed.status is ThreadStatus.COMPLETE


async def test_record_sent_is_idempotent_and_pending_is_not_delivered(
    database: Database,
) -> None:
    async with database.session() as session:
        ledger = DeliveryRepository(session)
        thread = await ledger.get_or_create_thread("slack", "C1", TUESDAY, "default")
        await ledger.record_pending(thread.id, "2602.00001", 1)
        await ledger.record_pending(thread.id, "2602.00002", 1)
        assert set(await ledger.sent_messages(thread.id)) == set()
        await ledger.record_sent(thread.id, "2602.00001", 1, "1700000000.1")
        await ledger.record_sent(thread.id, "2602.00001", 1, "1700000000.9")
        await ledger.record_pending(thread.id, "2602.00001", 1)
        await ledger.record_sent(thread.id, "2602.00003", 2, "1700000001.0")
        assert set(await ledger.sent_messages(thread.id)) == {"2602.00001", "2602.00003"}
        rows = (
            await session.execute(
                select(DeliveryRow.arxiv_id, DeliveryRow.status, DeliveryRow.message_id).order_by(
                    DeliveryRow.arxiv_id
                )
            )
        ).all()
    assert rows == [
        ("2602.00001", "sent", "1700000000.1"),
        ("2602.00002", "pending", None),
        ("2602.00003", "sent", "1700000001.0"),
    ]


async def test_delivered_to_chat_before_is_strictly_before_and_per_chat(
    database: Database,
) -> None:
    async with database.session() as session:
        ledger = DeliveryRepository(session)
        monday = await ledger.get_or_create_thread("slack", "C1", MONDAY, "default")
        tuesday = await ledger.get_or_create_thread("slack", "C1", TUESDAY, "default")
        elsewhere = await ledger.get_or_create_thread("slack", "C2", MONDAY, "default")
        await ledger.record_sent(monday.id, "2602.00001", 1, "m1")
        await ledger.record_pending(monday.id, "2602.00002", 1)
        await ledger.record_sent(tuesday.id, "2602.00003", 1, "m3")
        await ledger.record_sent(elsewhere.id, "2602.00004", 1, "m4")
        ids = ["2602.00001", "2602.00002", "2602.00003", "2602.00004"]
        assert await ledger.delivered_to_chat_before("slack", "C1", ids, TUESDAY) == {"2602.00001"}
        assert await ledger.delivered_to_chat_before("slack", "C1", ids, MONDAY) == set()
        assert await ledger.delivered_to_chat_before("telegram", "C1", ids, date.max) == set()
        assert await ledger.delivered_to_chat_before("slack", "C2", ids, TUESDAY) == {"2602.00004"}


async def test_what_the_messages_show_comes_back_as_members(database: Database) -> None:
    async with database.session() as session:
        ledger = DeliveryRepository(session)
        thread = await ledger.get_or_create_thread("slack", "C1", TUESDAY, "default")
        await ledger.set_parent(thread.id, "42", parent_status=ReportStatus.ANALYSING)
        analysing = await ledger.get_thread(thread.id)
        await ledger.record_sent(thread.id, "2602.00001", 1, "m1", AnalysisSource.ABSTRACT)
        await ledger.record_sent(thread.id, "2602.00002", 1, "m2")
        abstract_first = await ledger.sent_messages(thread.id)
        await ledger.record_parent_status(thread.id, ReportStatus.COMPLETE)
        await ledger.record_shown(thread.id, "2602.00001", AnalysisSource.FULL_TEXT)
        settled = await ledger.get_thread(thread.id)
        edited = await ledger.sent_messages(thread.id)
    assert analysing is not None and analysing.parent_status is ReportStatus.ANALYSING
    assert settled is not None and settled.parent_status is ReportStatus.COMPLETE
    assert abstract_first == {"2602.00001": ("m1", "abstract"), "2602.00002": ("m2", None)}
    assert abstract_first["2602.00001"][1] is AnalysisSource.ABSTRACT
    assert edited["2602.00001"][1] is AnalysisSource.FULL_TEXT


async def test_a_sent_papers_message_names_its_paper_in_that_chat_only(
    database: Database,
) -> None:
    async with database.session() as session:
        ledger = DeliveryRepository(session)
        thread = await ledger.get_or_create_thread("slack", "C1", TUESDAY, "default")
        await ledger.set_parent(thread.id, "1700000000.0")
        await ledger.record_sent(thread.id, "2602.00001", 1, "1700000000.1")
        await ledger.record_pending(thread.id, "2602.00002", 1)
        found = await ledger.paper_at("slack", ["C1"], "1700000000.1")
        among = await ledger.paper_at("slack", ["D1", "C1"], "1700000000.1")
        elsewhere = await ledger.paper_at("slack", ["C2"], "1700000000.1")
        on_telegram = await ledger.paper_at("telegram", ["C1"], "1700000000.1")
        parent = await ledger.paper_at("slack", ["C1"], "1700000000.0")
    assert found == among == "2602.00001"
    assert elsewhere is None and on_telegram is None and parent is None
