"""Files for one person: what the fakes refuse as Slack and Telegram do, through the real
clients, and what an asker Telegram will not let the bot write to is told."""

from __future__ import annotations

from pathlib import Path

import pytest
from slack_sdk.errors import SlackApiError
from telegram import InputFile
from telegram.error import BadRequest, NetworkError

from arxiv_digest.settings import Settings
from bot.slack.client import make_client
from bot.telegram.client import make_bot
from storage.db import Database
from storage.repositories import PaperRepository
from storage.votes import UP, VoteRepository
from tests.bot import telegramapp
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack
from tests.fakes.telegram_files import MAX_DOCUMENT_BYTES
from tests.fakes.telegram_server import FakeTelegram
from tests.processes import GROUP
from tests.samples import sample_paper

USER = 4242


async def test_sending_a_document_checks_its_size_caption_and_form() -> None:
    with FakeTelegram() as telegram:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, telegram_bot_token=telegram.token, telegram_api_url=telegram.base_url
        ).telegram()
        async with make_bot(settings) as bot:
            sent = await bot.send_document(USER, InputFile(b"@misc{a,}", filename="a.bib"))
            with pytest.raises(NetworkError, match="Request Entity Too Large"):
                big = InputFile(b"x" * (MAX_DOCUMENT_BYTES + 1), filename="big.bib")
                await bot.send_document(USER, big)
            with pytest.raises(BadRequest, match="caption is too long"):
                await bot.send_document(USER, InputFile(b"x", filename="b.bib"), caption="c" * 1025)
            with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
                await bot.send_document(USER, "not-a-file-id")
            with pytest.raises(BadRequest, match="must be non-empty"):
                await bot.send_document(USER, InputFile(b"", filename="empty.bib"))

    assert sent.document is not None and sent.document.file_name == "a.bib"
    assert [(d.chat_id, d.filename, d.content) for d in telegram.documents] == [
        (USER, "a.bib", b"@misc{a,}")
    ]
    first = telegram.requests_to(f"/bot{telegram.token}/sendDocument")[0]
    assert first.headers["content-type"].startswith("multipart/form-data")


async def test_slack_uploads_are_checked_at_every_step(slack: FakeSlack) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, slack_bot_token=slack.token, slack_api_url=slack.api_url
    ).slack()
    client = make_client(settings)
    slack.channels = {"C0KNOWN"}

    done = await client.files_upload_v2(channel="C0KNOWN", content=b"@misc{a,}", filename="a.bib")
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client.files_upload_v2(channel="C0GONE", content=b"x", filename="b.bib")
    with pytest.raises(SlackApiError, match="file_not_found"):
        await client.files_completeUploadExternal(files=[{"id": "F0NEVER"}], channel_id="C0KNOWN")
    with pytest.raises(SlackApiError, match="missing_argument"):
        await client.files_getUploadURLExternal(filename="c.bib", length=0)
    issued = await client.files_getUploadURLExternal(filename="d.bib", length=3)
    with pytest.raises(SlackApiError, match="file_not_found"):  # its bytes never came
        await client.files_completeUploadExternal(files=[{"id": issued["file_id"]}])

    assert done["file"]["name"] == "a.bib"
    assert [(f.channel, f.filename, f.content) for f in slack.shared_files] == [
        ("C0KNOWN", "a.bib", b"@misc{a,}")
    ]


async def test_an_export_for_someone_telegram_will_not_let_the_bot_write_to_says_how(
    arxiv: FakeArxiv, database_url: str, database: Database, tmp_path: Path
) -> None:
    async with database.session() as session:
        await PaperRepository(session).upsert([sample_paper()])
        await VoteRepository(session).record(
            "telegram", str(GROUP), str(telegramapp.ALICE), "2602.00780", UP
        )
    with telegramapp.telegram_group() as telegram, FakeOpenAI() as llm:
        telegram.blocked_users.add(telegramapp.ALICE)
        async with telegramapp.running_bot(telegram, arxiv, llm, database_url, tmp_path) as bot:
            refused = await telegramapp.ask(bot, GROUP, "/export bibtex")
            telegram.blocked_users.clear()  # they pressed Start
            sent = await telegramapp.ask(bot, GROUP, "/export bibtex")

    assert "Open a private chat with @ArxivDigestBot and press Start first." in refused.plain
    assert "Sent you 1 papers" in sent.plain
    assert [d.chat_id for d in telegram.documents] == [telegramapp.ALICE]
