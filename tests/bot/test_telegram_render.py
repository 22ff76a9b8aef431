from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta

import pytest
from telegram import Bot, LinkPreviewOptions, ReplyParameters, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from bot.platform import Mention, PaperReply, ReportReply, TextReply
from bot.telegram.html_split import MAX_MESSAGE, visible_length
from bot.telegram.render import escape, render_paper, render_parent, render_reply
from domain.models import PaperAnalysis
from domain.statuses import AnalysisSource, ReportStatus
from pipeline.report import DailyReport
from tests.fakes.telegram_server import FakeTelegram, TelegramHTMLError, parse_html, utf16_length
from tests.samples import sample_analysis, sample_entry, sample_paper, sample_report

NASTY = '<script>alert(1)</script> & </b> <b> <a href="https://evil.example">x</a> &amp; &lt;'
OUR_TAGS = re.compile(r'</?(?:b|i)>|<a href="(?:https?|tg)://[^"<>]*">|</a>')
CONTINUED = re.compile(r"^[^\n]*\((?:continued, |续，)\d+/\d+\)\n\n")


def _long_english() -> str:
    """About 20,000 characters: sentences, escapable text, a paragraph without any full stop."""
    sentence = "Method {i} beats A&B on <task-{i}> by 3.{i} points at 61.2% accuracy. "
    paragraphs = ["".join(sentence.format(i=i) for i in range(k, k + 60)).strip() for k in (0, 60)]
    paragraphs.append(" ".join(f"token{i}&<x>" for i in range(400)))
    paragraphs.append("".join(sentence.format(i=i) for i in range(120, 170)).strip())
    paragraphs.append("Short closing paragraph.")
    text = "\n\n".join(paragraphs)
    return (text + "\n\n" + text)[:20000].rsplit(" ", 1)[0]


def _plain(message: str) -> str:
    """What the reader sees, by the fake's parser (independent of the renderer's own)."""
    return parse_html(message)


def _assert_sendable(message: str) -> None:
    """Telegram would take it: valid HTML, at most 4,096 UTF-16 units, only our own markup."""
    plain = _plain(message)
    assert plain.strip()
    assert utf16_length(plain) <= MAX_MESSAGE
    assert visible_length(message) == utf16_length(plain)
    stripped = OUR_TAGS.sub("", message)
    assert "<" not in stripped and ">" not in stripped, stripped[:200]
    assert not re.search(r"&(?!amp;|lt;|gt;|quot;)", stripped)


def _body(message: str) -> str:
    """A message's text without the "continued" line that opens a paper's later messages."""
    return CONTINUED.sub("", _plain(message), count=1)


def _words(text: str) -> str:
    return " ".join(text.split())


# -- escaping and counting


def test_escape_turns_markup_into_text_and_leaves_quotes() -> None:
    assert escape('a & <b> "q" &amp;') == 'a &amp; &lt;b&gt; "q" &amp;amp;'


def test_hostile_text_is_escaped_everywhere() -> None:
    paper = sample_paper(
        title=f"Title {NASTY}", authors=[NASTY], abstract=NASTY, categories=[NASTY]
    )
    entry = sample_entry(
        paper,
        matched_keywords=[NASTY],
        notes=[f"Note {NASTY}"],
        code_links=[NASTY, 'https://example.com/?q="x"&y=<z>'],
        analysis=sample_analysis(summary=NASTY, contributions=[NASTY], method=NASTY),
    )
    mentions = [Mention("42", (NASTY,))]
    messages = render_paper(entry, mentions, names={"42": NASTY})
    messages += render_reply(ReportReply(sample_report([entry], keywords=[NASTY], note=NASTY)))
    messages.append(render_parent(sample_report([entry], note=NASTY, updated=[paper], model=NASTY)))
    messages += render_reply(TextReply((NASTY,), is_error=True))
    for message in messages:
        _assert_sendable(message)
        assert "<script" not in message
        assert not any("evil.example" in tag for tag in OUR_TAGS.findall(message))
        assert NASTY in _plain(message)
    assert 'href="https://example.com/?q=&quot;x&quot;&amp;y=&lt;z&gt;"' in messages[0]
    assert f'<a href="tg://user?id=42">{escape(NASTY)}</a> ({escape(NASTY)})' in messages[0]


# -- papers


def test_a_paper_is_one_message_with_its_parts_in_order() -> None:
    entry = sample_entry(notes=["Analysed from the abstract only: the PDF could not be read."])
    [message] = render_paper(entry, [])
    _assert_sendable(message)
    assert message.startswith(
        '<b><a href="https://arxiv.org/abs/2602.00780">'
        "EcoVLA: Adaptive Pruning for Vision-Language-Action Models</a></b>\n"
    )
    assert "<b>Summary</b>\nEcoVLA prunes channels adaptively." in message
    text = _plain(message)
    expected = [
        "Authors: Yuting Huang, Leilei Ding",
        "arXiv: 2602.00780v2",
        "Categories: cs.AI, cs.RO",
        "Announce type: new",
        "Matched keywords: VLA",
        "Code: https://github.com/OpenGVLab/EcoVLA",
        "ℹ️ Analysed from the abstract only: the PDF could not be read.",
        "Analysis (from the full text)",
        "Summary\nEcoVLA prunes channels adaptively.",
        "Motivation\nStatic pruning",
        "Contributions\n• A training-free pruning framework.\n• An inference scheduler.",
        "Method\nEAP predicts",
        "Experiments\nUp to 1.60x",
    ]
    positions = [text.index(part) for part in expected]
    assert positions == sorted(positions)
    assert "Abstract" not in text
    assert '<a href="https://github.com/OpenGVLab/EcoVLA">' in message


@pytest.mark.parametrize(
    "analysis",
    [None, PaperAnalysis(summary=" ", motivation="", contributions=[], method="", experiments="")],
)
def test_without_an_analysis_the_abstract_is_shown(analysis: PaperAnalysis | None) -> None:
    entry = sample_entry(
        analysis=analysis, source=AnalysisSource.NONE, notes=["No LLM configured."]
    )
    [message] = render_paper(entry, [])
    text = _plain(message)
    assert "Abstract\nWhile VLA models hold promise, their latency hinders real-time control." in (
        text
    )
    assert "ℹ️ No LLM configured." in text
    assert "Summary" not in text and "Analysis" not in text


def test_an_analysis_of_the_abstract_says_so() -> None:
    [message] = render_paper(sample_entry(source=AnalysisSource.ABSTRACT), [])
    assert "<i>Analysis (from the abstract only)</i>" in message


def test_mentions_link_members_with_the_keywords_that_matched_them() -> None:
    mentions = [Mention("111", ("VLA",)), Mention("222", ("pruning", "robots")), Mention("333", ())]
    [message] = render_paper(sample_entry(), mentions, names={"111": "Alice <3"})
    assert (
        '<b>For</b>: <a href="tg://user?id=111">Alice &lt;3</a> (VLA), '
        '<a href="tg://user?id=222">222</a> (pruning, robots), '
        '<a href="tg://user?id=333">333</a>'
    ) in message


def test_a_member_id_that_is_not_a_number_is_text_not_a_link() -> None:
    [message] = render_paper(sample_entry(), [Mention('1" onclick="x', ("VLA",))])
    _assert_sendable(message)
    assert "tg://" not in message
    assert 'For: 1" onclick="x (VLA)' in _plain(message)


def test_three_hundred_authors_show_the_first_ten_and_a_count() -> None:
    paper = sample_paper(authors=[f"Author Number{i}" for i in range(300)])
    [message] = render_paper(sample_entry(paper), [])
    text = _plain(message)
    assert "Author Number8, Author Number9 and 290 more\n" in text
    assert "Author Number10" not in text


def test_a_twenty_thousand_character_analysis_is_split_between_words() -> None:
    body = _long_english()
    messages = render_paper(
        sample_entry(analysis=sample_analysis(summary=body)), [Mention("7", ("VLA",))]
    )
    assert len(messages) >= 5
    for page, message in enumerate(messages, start=1):
        _assert_sendable(message)
        if page > 1:
            assert _plain(message).startswith(
                f"EcoVLA: Adaptive Pruning for Vision-Language-Action Models "
                f"(continued, {page}/{len(messages)})\n\n"
            )
    joined = _words(" ".join(_body(m) for m in messages))
    assert _words(body) in joined  # every word whole, none lost, none repeated
    assert joined.startswith("EcoVLA: Adaptive Pruning") and joined.endswith(
        "0.4% drop in success rate."
    )


def test_splitting_prefers_paragraphs_then_sentences() -> None:
    body = _long_english()
    messages = render_paper(sample_entry(analysis=sample_analysis(summary=body)), [])
    for message in messages[:-1]:
        last = _plain(message).rstrip()
        assert last.endswith((".", ">")), last[-40:]  # a sentence or the stop-less paragraph's end


def test_chinese_is_split_at_sentence_ends() -> None:
    body = "".join(f"第{i}句讨论稀疏注意力的效率！这是否可行？实验表明可行。" for i in range(800))
    messages = render_paper(sample_entry(analysis=sample_analysis(method=body)), [], language="zh")
    assert len(messages) >= 6
    for message in messages:
        _assert_sendable(message)
    for message in messages[:-1]:
        assert _plain(message)[-1] in "。！？"
    assert "续，2/" in _plain(messages[1])
    assert body in "".join(_body(m) for m in messages)
    assert "<b>方法</b>" in messages[0] and "作者" in _plain(messages[0])


def test_emoji_count_twice_so_a_message_of_them_splits_earlier() -> None:
    run = "😀" * 3000  # 3,000 characters, 6,000 UTF-16 units
    messages = render_paper(sample_entry(analysis=sample_analysis(summary=run)), [])
    assert len(messages) == 2
    for message in messages:
        _assert_sendable(message)
    assert "".join(_body(m) for m in messages).count("😀") == 3000


# -- the parent message


def test_parent_says_what_the_day_brought() -> None:
    message = render_parent(sample_report([sample_entry(), sample_entry()]))
    _assert_sendable(message)
    assert message.startswith("<b>arXiv digest — 2026-02-04</b>\n")
    text = _plain(message)
    for part in (
        "Date: 2026-02-04",
        "Categories: cs.AI, cs.RO",
        "Keywords: VLA, vision language action",
        "Papers: 2 matching of 812 announced",
        "Analysis: gpt-test (en)",
    ):
        assert part in text
    assert "Status" not in text


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (ReportStatus.PARTIAL, "Status: partial"),
        (ReportStatus.STALE, "Status: stale"),
        (ReportStatus.EMPTY, "Status: no matching papers"),
    ],
)
def test_parent_shows_a_status_that_is_not_complete(status: ReportStatus, shown: str) -> None:
    message = render_parent(
        sample_report(status=status, note="arXiv announced no papers & rested.")
    )
    text = _plain(message)
    assert shown in text
    assert "ℹ️ arXiv announced no papers & rested." in text
    assert "arXiv announced no papers &amp; rested." in message


def test_parent_lists_updated_papers_and_counts_what_does_not_fit() -> None:
    updated = [
        sample_paper(arxiv_id=f"2601.{n:05d}", version=3, title="T " * 100) for n in range(500)
    ]
    message = render_parent(
        sample_report(
            updated=updated,
            keywords=[f"kw{i}" for i in range(2000)],
            categories=[f"cs.X{i}" for i in range(500)],
            note="Note " * 2000,
            model="m" * 5000,
        )
    )
    _assert_sendable(message)
    text = _plain(message)
    assert "Updated papers\n• T T" in text
    assert '<a href="https://arxiv.org/abs/2601.00000">T T' in message
    assert "(2601.00000): new version v3 of a paper in an earlier report" in text
    shown = text.count("new version v3")
    assert 0 < shown < 500
    assert f"new version v3 of a paper in an earlier report\n… and {500 - shown} more" in text
    assert "Keywords: kw0, kw1," in text and "kw1999" not in text


def test_parent_in_chinese() -> None:
    message = render_parent(sample_report(language="zh", status=ReportStatus.PARTIAL))
    text = _plain(message)
    assert text.startswith("arXiv 论文日报 — 2026-02-04\n")
    assert "论文数: 当日公告 812 篇，匹配 1 篇" in text
    assert "状态: 部分完成" in text


# -- replies to commands


def test_text_reply_escapes_its_lines_and_marks_errors() -> None:
    assert render_reply(TextReply(("Keywords: a & b", "<b>bold?</b>"))) == [
        "Keywords: a &amp; b\n&lt;b&gt;bold?&lt;/b&gt;"
    ]
    assert render_reply(TextReply(("Unknown command.",), is_error=True)) == ["⚠️ Unknown command."]


def test_a_long_text_reply_is_split_between_lines() -> None:
    lines = tuple(f"keyword number {i} & more" for i in range(2000))
    messages = render_reply(TextReply(lines))
    assert len(messages) > 1
    for message in messages:
        _assert_sendable(message)
    assert "\n".join(_plain(m) for m in messages).split("\n") == list(lines)


def test_paper_reply_is_the_paper_without_mentions() -> None:
    entry = sample_entry()
    assert render_reply(PaperReply(entry, "zh")) == render_paper(entry, [], "zh")
    assert "<b>作者</b>" in render_reply(PaperReply(entry, "zh"))[0]


def test_report_reply_is_the_parent_then_a_compact_paper_list() -> None:
    entries = [
        sample_entry(sample_paper(arxiv_id=f"2602.{n:05d}", title=f"Paper {n} on pruning"))
        for n in range(200)
    ]
    entries[0].analysis = sample_analysis(
        summary="First sentence " + "more words " * 100 + ". Next."
    )
    messages = render_reply(ReportReply(sample_report(entries)))
    assert len(messages) > 1
    for message in messages:
        _assert_sendable(message)
    text = "\n\n".join(_plain(m) for m in messages)
    assert text.startswith("arXiv digest — 2026-02-04\n")
    assert "Papers: 200 matching of 812 announced" in text
    for n in range(200):
        assert text.count(f"{n + 1}. Paper {n} on pruning — VLA\n") == 1
    assert (
        '1. <b><a href="https://arxiv.org/abs/2602.00000">Paper 0 on pruning</a></b>'
        in (messages[0])
    )
    first_gist = text.split("1. Paper 0 on pruning — VLA\n", 1)[1].split("\n", 1)[0]
    assert first_gist.startswith("First sentence more words")  # its first sentence, clipped
    assert first_gist.endswith("words…") and len(first_gist) <= 140 and "Next" not in first_gist
    assert "2. Paper 1 on pruning — VLA\nEcoVLA prunes channels adaptively.\n" in text


# -- against the fake Telegram, through python-telegram-bot


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bot(telegram: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(telegram.token, base_url=telegram.base_url) as client:
        yield client


def _hostile_report() -> DailyReport:
    many = [
        sample_entry(sample_paper(arxiv_id=f"2602.{n:05d}", title="T " * 150)) for n in range(150)
    ]
    return sample_report(many, updated=[p.paper for p in many], note=NASTY * 30)


def _mentions() -> list[Mention]:
    return [Mention(str(1000 + n), ("VLA", NASTY)) for n in range(60)]


def _huge_analysis() -> list[str]:
    body = _long_english()
    huge = sample_analysis(summary=body, motivation=body, method=body, experiments=body)
    return render_paper(sample_entry(analysis=huge), _mentions())


def _hostile_paper() -> list[str]:
    hostile = sample_entry(
        sample_paper(title=f"{NASTY} " * 8, authors=[NASTY] * 300, abstract=NASTY * 80),
        matched_keywords=[NASTY] * 30,
        notes=[NASTY] * 20,
        analysis=None,
    )
    return render_paper(hostile, _mentions())


def _chinese_and_emoji() -> list[str]:
    zh = sample_analysis(summary="中文句子，含表情😀。" * 3000, contributions=["贡献一。"] * 200)
    return render_paper(sample_entry(analysis=zh), [], "zh")


SCENARIOS: dict[str, tuple[Callable[[], str], Callable[[], list[str]]]] = {
    "plain": (lambda: render_parent(sample_report()), lambda: render_paper(sample_entry(), [])),
    "huge analysis": (lambda: render_parent(sample_report()), _huge_analysis),
    "hostile": (lambda: render_parent(_hostile_report()), _hostile_paper),
    "chinese and emoji": (lambda: render_parent(sample_report(language="zh")), _chinese_and_emoji),
    "report reply": (
        lambda: render_parent(_hostile_report()),
        lambda: render_reply(ReportReply(_hostile_report())),
    ),
    "text reply": (
        lambda: render_parent(sample_report([])),
        lambda: render_reply(TextReply(tuple([NASTY] * 900), is_error=True)),
    ),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_telegram_accepts_every_rendered_message(
    telegram: FakeTelegram, bot: Bot, name: str
) -> None:
    parent, replies = SCENARIOS[name][0](), SCENARIOS[name][1]()
    no_preview = LinkPreviewOptions(is_disabled=True)
    head = await bot.send_message(
        -100123, parent, parse_mode="HTML", link_preview_options=no_preview
    )
    for reply in replies:
        _assert_sendable(reply)
        await bot.send_message(
            -100123,
            reply,
            parse_mode="HTML",
            link_preview_options=no_preview,
            reply_parameters=ReplyParameters(message_id=head.message_id),
        )

    sent = telegram.sent(-100123)
    assert [m.text for m in sent] == [parent, *replies]
    assert [m.reply_to for m in sent] == [None] + [head.message_id] * len(replies)
    assert all(
        m.parse_mode == "HTML" and m.link_preview_options == {"is_disabled": True} for m in sent
    )
    assert [m.plain for m in sent] == [_plain(m) for m in [parent, *replies]]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<script>alert(1)</script>", 'unsupported start tag "script"'),
        ("<b>bold", 'can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("x</b>", "unexpected end tag"),
        ("<a>no address</a>", 'tag "a" must have attribute "href"'),
        ("a < b", "unsupported start tag"),
        ('<a href="https://a"><a href="https://b">x</a></a>', "can't be nested"),
        ("<code><b>x</b></code>", "can't be nested"),
        ("<br/>line", "unsupported start tag"),
    ],
)
async def test_the_fake_rejects_html_telegram_cannot_parse(
    telegram: FakeTelegram, bot: Bot, text: str, problem: str
) -> None:
    with pytest.raises(BadRequest) as raised:
        await bot.send_message(1, text, parse_mode="HTML")
    assert raised.value.message.startswith("Can't parse entities: ")
    assert problem in raised.value.message.lower()
    assert telegram.all_sent == []
    with pytest.raises(TelegramHTMLError):
        parse_html(text)


@pytest.mark.parametrize(
    "text",
    [
        "x" * 4096,
        "&amp;" * 4096,
        "<b>" + "x" * 4096 + "</b>",
        '<a href="https://arxiv.org">' + "😀" * 2048 + "</a>",
        '<pre><code class="language-python">' + "y" * 4000 + "</code></pre>",
        "<blockquote expandable><tg-spoiler>a & b > c</tg-spoiler></blockquote>",
    ],
)
async def test_the_fake_takes_text_up_to_the_limit(
    telegram: FakeTelegram, bot: Bot, text: str
) -> None:
    await bot.send_message(1, text, parse_mode="HTML")
    assert telegram.sent(1)[0].text == text


@pytest.mark.parametrize(
    "text", ["x" * 4097, "&lt;" * 4097, "😀" * 2049, "<i>" + "中" * 4097 + "</i>"]
)
async def test_the_fake_refuses_text_over_the_limit(
    telegram: FakeTelegram, bot: Bot, text: str
) -> None:
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(1, text, parse_mode="HTML")
    assert telegram.all_sent == []


async def test_the_fake_refuses_a_text_that_parses_to_nothing(
    telegram: FakeTelegram, bot: Bot
) -> None:
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(1, " <b> </b> ", parse_mode="HTML")
    assert telegram.all_sent == []


async def test_a_429_surfaces_as_retry_after(
    telegram: FakeTelegram, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # retry_after as a timedelta, without a warning
    telegram.rate_limit_next(2, retry_after=7)
    for _ in range(2):
        with pytest.raises(RetryAfter) as raised:
            await bot.send_message(1, "hello")
        assert raised.value.retry_after == timedelta(seconds=7)
    await bot.send_message(1, "hello")
    assert [m.text for m in telegram.sent(1)] == ["hello"]
    assert len(telegram.requests_to(f"/bot{telegram.token}/sendMessage")) == 3


async def test_the_fake_checks_token_chat_and_user(telegram: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("123456789:WRONG", base_url=telegram.base_url):
            pass
    telegram.chats = {1, -100123}
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(2, "x")
    telegram.blocked_users = {1}
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(1, "x")
    await bot.send_message(-100123, "to the group")
    assert [(m.chat_id, m.text) for m in telegram.all_sent] == [(-100123, "to the group")]


async def test_the_fake_keeps_threads_and_forum_topics(telegram: FakeTelegram, bot: Bot) -> None:
    forum, group = -1001, -1002
    telegram.add_chat(forum, "supergroup", is_forum=True)
    telegram.add_chat(group, "supergroup")
    topic = await bot.create_forum_topic(forum, "arXiv 2026-02-04")
    head = await bot.send_message(forum, "parent", message_thread_id=topic.message_thread_id)
    reply = await bot.send_message(
        forum, "paper", reply_parameters=ReplyParameters(message_id=head.message_id)
    )
    assert reply.reply_to_message.text == "parent"
    assert reply.message_thread_id == topic.message_thread_id  # a reply stays in its topic
    assert head.message_id > topic.message_thread_id and reply.message_id > head.message_id
    assert [(m.text, m.reply_to, m.message_thread_id) for m in telegram.sent(forum)] == [
        ("parent", None, topic.message_thread_id),
        ("paper", head.message_id, topic.message_thread_id),
    ]
    assert telegram.topics[forum] == {topic.message_thread_id: "arXiv 2026-02-04"}

    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(forum, "x", reply_parameters=ReplyParameters(message_id=999))
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(forum, "x", message_thread_id=999)
    with pytest.raises(BadRequest, match="The chat is not a forum"):
        await bot.create_forum_topic(group, "topic")
    telegram.can_manage_topics[forum] = False
    with pytest.raises(BadRequest, match="Not enough rights to create a topic"):
        await bot.create_forum_topic(forum, "topic")
    member = await bot.get_chat_member(forum, telegram.bot_id)
    assert member.status == "administrator" and member.can_manage_topics is False


async def test_the_fake_answers_about_chats_members_and_commands(
    telegram: FakeTelegram, bot: Bot
) -> None:
    telegram.add_chat(-100123, "supergroup", title="Reading group", is_forum=True)
    telegram.owners[-100123] = 1
    telegram.admins[-100123] = {2}
    chat = await bot.get_chat(-100123)
    assert (chat.type, chat.title, chat.is_forum) == ("supergroup", "Reading group", True)
    statuses = {m.user.id: m.status for m in await bot.get_chat_administrators(-100123)}
    assert statuses == {1: "creator", 2: "administrator"}
    assert (await bot.get_chat_member(-100123, 2)).status == "administrator"
    assert (await bot.get_chat_member(-100123, 3)).status == "member"
    with pytest.raises(BadRequest, match="There are no administrators in the private chat"):
        await bot.get_chat_administrators(5)

    await bot.set_my_commands([("summarize", "Analyse a paper"), ("keywords", "Show keywords")])
    await bot.set_my_commands([("today", "今天")], language_code="zh")
    assert telegram.commands["default"] == [
        {"command": "summarize", "description": "Analyse a paper"},
        {"command": "keywords", "description": "Show keywords"},
    ]
    assert [c.command for c in await bot.get_my_commands(language_code="zh")] == ["today"]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([("Summarize-Now", "bad name")])


async def test_get_updates_serves_queued_commands_and_honours_offset(
    telegram: FakeTelegram, bot: Bot
) -> None:
    telegram.add_command(-100123, 7, "/summarize@ArxivDigestBot 2602.00780", chat_type="group")
    telegram.add_command(42, 42, "/keywords", username="alice")
    telegram.add_message(42, 42, "just chatting")
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first] == ["/summarize@ArxivDigestBot 2602.00780", "/keywords"]
    entity = first[0].message.entities[0]
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, 25)
    assert first[0].message.chat.type == "group" and first[1].message.from_user.username == "alice"
    rest = await bot.get_updates(offset=first[-1].update_id + 1, timeout=30)
    assert [u.message.text for u in rest] == ["just chatting"]
    assert rest[0].message.entities == ()
    assert await bot.get_updates(offset=rest[-1].update_id + 1, timeout=30) == ()
    assert telegram.pending_updates == []


async def test_a_long_poll_answers_as_soon_as_an_update_arrives(
    telegram: FakeTelegram, bot: Bot
) -> None:
    telegram.long_poll_wait = 20  # without the wake-up the poll would answer empty
    polling = asyncio.create_task(bot.get_updates(timeout=20))
    assert await asyncio.to_thread(telegram.wait_for_long_poll)
    telegram.add_command(42, 42, "/today")
    updates = await polling
    assert [u.message.text for u in updates] == ["/today"]


async def test_ptb_polling_dispatches_commands_addressed_to_this_bot(
    telegram: FakeTelegram,
) -> None:
    seen: list[tuple[int, int, list[str]]] = []
    done = asyncio.Event()

    async def summarize(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat and update.effective_user
        seen.append((update.effective_chat.id, update.effective_user.id, list(context.args or [])))
        if len(seen) == 2:
            done.set()

    app = (
        ApplicationBuilder()
        .token(telegram.token)
        .base_url(telegram.base_url)
        .job_queue(None)
        .build()
    )
    app.add_handler(CommandHandler("summarize", summarize))
    telegram.add_command(-100123, 7, "/summarize@OtherBot 1111.11111", chat_type="supergroup")
    telegram.add_command(-100123, 7, "/summarize@ArxivDigestBot 2602.00780", chat_type="supergroup")
    telegram.add_command(42, 42, "/summarize 2602.00781")
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0)
        await asyncio.wait_for(done.wait(), 30)
        await app.updater.stop()
        await app.stop()
    assert seen == [(-100123, 7, ["2602.00780"]), (42, 42, ["2602.00781"])]
    assert app.bot.username == "ArxivDigestBot"
    assert telegram.requests_to(f"/bot{telegram.token}/deleteWebhook")
    assert telegram.pending_updates == []  # the last offset confirmed them all
