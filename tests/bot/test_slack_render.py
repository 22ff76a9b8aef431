from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.platform import Mention, PaperReply, ReportReply, TextReply
from bot.slack.render import (
    MESSAGE_TEXT_BUDGET,
    SlackMessage,
    escape_mrkdwn,
    render_paper,
    render_parent,
    render_reply,
    split_mrkdwn,
)
from domain.models import PaperAnalysis
from domain.statuses import AnalysisSource, ReportStatus
from tests.fakes.slack_server import FakeSlack
from tests.samples import sample_analysis, sample_entry, sample_paper, sample_report

NASTY = "<script>alert(1)</script> & <@U123> <!channel> <!here> <https://evil.example|click>"
OUR_MARKUP = re.compile(r"<(?:https?://[^\s|<>]+(?:\|[^<>]*)?|@[UW][A-Z0-9]+)>")


def _texts(message: SlackMessage) -> list[str]:
    """Every text Slack would parse: the fallback and each text object in the blocks."""
    found = [message.text]

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "text" and isinstance(item, str):
                    found.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(message.blocks)
    return found


def _sections(messages: list[SlackMessage]) -> list[str]:
    return [b["text"]["text"] for m in messages for b in m.blocks if b["type"] == "section"]


def _assert_within_limits(message: SlackMessage) -> None:
    assert message.text.strip() and len(message.text) <= 3000
    assert 1 <= len(message.blocks) <= 50
    for block in message.blocks:
        if block["type"] == "section":
            assert 1 <= len(block["text"]["text"]) <= 3000
        elif block["type"] == "header":
            assert block["text"]["type"] == "plain_text"
            assert 1 <= len(block["text"]["text"]) <= 150
        elif block["type"] == "context":
            assert 1 <= len(block["elements"]) <= 10
    assert sum(len(t) for t in _texts(message)[1:]) <= MESSAGE_TEXT_BUDGET


def _assert_only_our_markup(message: SlackMessage) -> None:
    for text in _texts(message):
        stripped = OUR_MARKUP.sub("", text)
        assert "<" not in stripped and ">" not in stripped, text
        assert not re.search(r"&(?!amp;|lt;|gt;)", stripped), text


def _assert_whole_pieces(pieces: list[str], original: str) -> None:
    """The pieces are the original in order, each ending at a space or a sentence's end."""
    position = 0
    for piece in pieces:
        while original[position].isspace():
            position += 1
        assert original.startswith(piece, position), piece[:80]
        position += len(piece)
        at_end = position == len(original)
        assert at_end or original[position].isspace() or original[position - 1] in "。！？"
    assert not original[position:].strip()


def _pieces_of(sections: list[str], label: str, next_label: str) -> list[str]:
    start = next(i for i, s in enumerate(sections) if s.startswith(f"*{label}*\n"))
    end = next(i for i, s in enumerate(sections) if s.startswith(f"*{next_label}*\n"))
    return sections[start:end]


def _long_english() -> str:
    """About 20,000 characters: sentences, a paragraph without any full stop, escapable text."""
    sentence = "Method {i} beats A&B on <task-{i}> by 3.{i} points at 61.2% accuracy. "
    paragraphs = ["".join(sentence.format(i=i) for i in range(k, k + 60)).strip() for k in (0, 60)]
    paragraphs.append(" ".join(f"token{i}&<x>" for i in range(400)))
    paragraphs += ["".join(sentence.format(i=i) for i in range(k, k + 50)).strip() for k in (120,)]
    paragraphs.append("Short closing paragraph.")
    text = "\n\n".join(paragraphs)
    return (text + "\n\n" + text)[:20000].rsplit(" ", 1)[0]


# -- escaping


def test_escape_mrkdwn_escapes_only_ampersand_and_angle_brackets() -> None:
    assert escape_mrkdwn("a & b < c > d *e* _f_ ~g~ `h`") == (
        "a &amp; b &lt; c &gt; d *e* _f_ ~g~ `h`"
    )
    assert escape_mrkdwn("&amp;") == "&amp;amp;"  # literal text stays literal


def test_hostile_paper_text_is_escaped_everywhere_and_never_pings() -> None:
    paper = sample_paper(
        title=f"Title {NASTY}", authors=[NASTY], abstract=NASTY, categories=["cs.AI"]
    )
    entry = sample_entry(
        paper,
        matched_keywords=[NASTY],
        notes=[f"Note {NASTY}"],
        analysis=sample_analysis(summary=NASTY, contributions=[NASTY], method=NASTY),
    )
    messages = render_paper(entry, [Mention("U9", (NASTY,))])
    messages += render_reply(ReportReply(sample_report([entry], keywords=[NASTY], note=NASTY)))
    messages.append(render_parent(sample_report([entry], note=NASTY, updated=[paper])))
    for message in messages:
        _assert_only_our_markup(message)
        joined = "\n".join(_texts(message))
        for ping in ("<@U123>", "<!channel>", "<!here>", "<script>", "<https://evil"):
            assert ping not in joined
    sections = "\n".join(_sections(messages))
    assert escape_mrkdwn(NASTY) in sections
    assert "<@U9> (" + escape_mrkdwn(NASTY) + ")" in sections


def test_mrkdwn_is_sent_verbatim_so_bare_mentions_are_not_parsed() -> None:
    for message in render_paper(
        sample_entry(sample_paper(title="Ask @channel about #general")), []
    ):
        for block in message.blocks:
            if block["type"] == "section":
                assert block["text"]["verbatim"] is True


# -- papers


def test_a_paper_is_one_message_with_its_parts_in_order() -> None:
    entry = sample_entry(notes=["Analysed from the abstract only: the PDF could not be read."])
    [message] = render_paper(entry, [])
    _assert_within_limits(message)
    assert message.blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": entry.paper.title},
    }
    assert entry.paper.title in message.text
    text = "\n".join(_sections([message]))
    expected = [
        f"*<https://arxiv.org/abs/2602.00780|{entry.paper.title}>*",
        "*Authors*: Yuting Huang, Leilei Ding",
        "*Categories*: cs.AI, cs.RO",
        "*Announce type*: new",
        "*Matched keywords*: VLA",
        "*Code*: <https://github.com/OpenGVLab/EcoVLA>",
        ":information_source: Analysed from the abstract only: the PDF could not be read.",
        "*Summary*\nEcoVLA prunes channels adaptively.",
        "*Motivation*\n",
        "*Contributions*\n• A training-free pruning framework.\n• An inference scheduler.",
        "*Method*\n",
        "*Experiments*\n",
    ]
    positions = [text.index(part) for part in expected]
    assert positions == sorted(positions)
    assert "*Abstract*" not in text


@pytest.mark.parametrize(
    "analysis",
    [None, PaperAnalysis(summary=" ", motivation="", contributions=[], method="", experiments="")],
)
def test_without_an_analysis_the_abstract_is_shown(analysis: PaperAnalysis | None) -> None:
    entry = sample_entry(
        analysis=analysis, source=AnalysisSource.NONE, notes=["No LLM configured."]
    )
    [message] = render_paper(entry, [])
    text = "\n".join(_sections([message]))
    assert (
        "*Abstract*\nWhile VLA models hold promise, their latency hinders real-time control."
        in (text)
    )
    assert ":information_source: No LLM configured." in text
    assert "*Summary*" not in text


def test_mentions_carry_the_keywords_that_matched_each_member() -> None:
    mentions = [Mention("U01", ("VLA",)), Mention("U02", ("pruning", "robots")), Mention("U03", ())]
    [message] = render_paper(sample_entry(), mentions)
    text = "\n".join(_sections([message]))
    assert "*For*: <@U01> (VLA), <@U02> (pruning, robots), <@U03>" in text
    assert "<@U01>" in message.text  # the notification names them too


def test_a_malformed_member_id_is_shown_as_text_not_markup() -> None:
    [message] = render_paper(sample_entry(), [Mention("U1>|<!channel", ("x",))])
    _assert_only_our_markup(message)
    assert "U1&gt;|&lt;!channel (x)" in "\n".join(_sections([message]))


def test_three_hundred_authors_show_the_first_ten_and_a_count() -> None:
    paper = sample_paper(authors=[f"Author Number{i}" for i in range(300)])
    [message] = render_paper(sample_entry(paper), [])
    text = "\n".join(_sections([message]))
    assert "Author Number9 and 290 more" in text
    assert "Author Number10" not in text


def test_a_long_title_is_cut_at_a_word_in_the_header_but_whole_in_a_section() -> None:
    title = " ".join(f"Word{i} & <b>" for i in range(40))  # about 500 characters escaped
    [message] = render_paper(sample_entry(sample_paper(title=title)), [])
    _assert_within_limits(message)
    header = message.blocks[0]["text"]["text"]
    escaped = escape_mrkdwn(title)
    assert header.endswith("…")
    kept = header.removesuffix("…")
    assert escaped.startswith(kept) and escaped[len(kept)] == " "
    assert not re.search(r"&(?!amp;|lt;|gt;)", kept)  # no escape sequence cut in half
    assert f"|{escaped}>*" in message.blocks[1]["text"]["text"]


def test_a_long_chinese_title_fits_the_header() -> None:
    title = "基于稀疏注意力的长文本建模方法研究" * 20
    [message] = render_paper(sample_entry(sample_paper(title=title)), [], language="zh")
    _assert_within_limits(message)
    assert title.startswith(message.blocks[0]["text"]["text"].removesuffix("…"))
    assert "*作者*" in message.blocks[1]["text"]["text"]


def test_a_twenty_thousand_character_analysis_is_split_between_words() -> None:
    body = _long_english()
    messages = render_paper(sample_entry(analysis=sample_analysis(summary=body)), [])
    for message in messages:
        _assert_within_limits(message)
        _assert_only_our_markup(message)
    pieces = _pieces_of(_sections(messages), "Summary", "Motivation")
    assert len(pieces) >= 7
    _assert_whole_pieces(pieces, "*Summary*\n" + escape_mrkdwn(body))


def test_a_chinese_analysis_is_split_at_sentence_ends() -> None:
    body = "".join(f"第{i}句讨论稀疏注意力的效率！这是否可行？实验表明可行。" for i in range(800))
    messages = render_paper(sample_entry(analysis=sample_analysis(method=body)), [], language="zh")
    for message in messages:
        _assert_within_limits(message)
    pieces = _pieces_of(_sections(messages), "方法", "实验")
    assert len(pieces) >= 8
    _assert_whole_pieces(pieces, "*方法*\n" + body)
    assert all(piece[-1] in "。！？" for piece in pieces)


def test_a_paper_too_big_for_one_message_continues_in_the_next() -> None:
    body = _long_english()
    analysis = sample_analysis(summary=body, motivation=body, method=body, experiments=body)
    messages = render_paper(sample_entry(analysis=analysis), [Mention("U01", ("VLA",))])
    assert len(messages) > 1
    for number, message in enumerate(messages[1:], start=2):
        _assert_within_limits(message)
        assert f"(continued, {number}/{len(messages)})" in message.text
        assert message.blocks[0]["type"] == "context"
    sections = _sections(messages)
    labels = ["*Summary*", "*Motivation*", "*Contributions*", "*Method*", "*Experiments*"]
    starts = [next(i for i, s in enumerate(sections) if s.startswith(lab)) for lab in labels]
    assert starts == sorted(starts)
    method = "*Method*\n" + escape_mrkdwn(body)
    _assert_whole_pieces(_pieces_of(sections, "Method", "Experiments"), method)


def test_splitting_never_breaks_a_link_or_an_escape_sequence() -> None:
    link = "<https://arxiv.org/abs/2602.{n:05d}|A title. With sentences! And &amp; spaces>"
    text = " ".join(link.format(n=n) + " &lt;x&gt; &amp;" for n in range(300))
    pieces = split_mrkdwn(text, 500)
    assert all(len(p) <= 500 for p in pieces)
    assert " ".join(pieces) == text
    for piece in pieces:
        assert piece.count("<") == piece.count(">") == len(OUR_MARKUP.findall(piece))
        assert not re.search(r"&(?!amp;|lt;|gt;)", piece)


def test_an_unbroken_run_is_cut_between_characters_within_the_limit() -> None:
    text = "长" * 7000
    pieces = split_mrkdwn(text, 3000)
    assert [len(p) for p in pieces] == [3000, 3000, 1000]


def test_an_unbroken_run_is_never_cut_inside_an_escape_sequence() -> None:
    text = escape_mrkdwn("长长长长长长长长&" * 700)  # 3,000 falls inside an "&amp;"
    pieces = split_mrkdwn(text, 3000)
    assert "".join(pieces) == text
    for piece in pieces:
        assert len(piece) <= 3000
        assert not re.search(r"&(?!amp;|lt;|gt;)", piece)
        assert not re.match(r"(amp|mp|p)?;", piece)


# -- the parent message


def test_parent_says_what_the_day_brought() -> None:
    message = render_parent(sample_report([sample_entry(), sample_entry()]))
    _assert_within_limits(message)
    assert message.blocks[0]["text"]["text"] == "arXiv digest — 2026-02-04"
    text = "\n".join(_sections([message]))
    for part in (
        "*Categories*: cs.AI, cs.RO",
        "*Keywords*: VLA, vision language action",
        "*Papers*: 2 matching of 812 announced",
    ):
        assert part in text
    assert "*Status*" not in text
    assert "2 matching of 812 announced" in message.text


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (ReportStatus.PARTIAL, "*Status*: partial"),
        (ReportStatus.STALE, "*Status*: stale"),
        (ReportStatus.EMPTY, "*Status*: no matching papers"),
    ],
)
def test_parent_shows_a_status_that_is_not_complete(status: ReportStatus, shown: str) -> None:
    message = render_parent(
        sample_report(status=status, note="arXiv announced no papers & rested.")
    )
    text = "\n".join(_sections([message]))
    assert shown in text
    assert "arXiv announced no papers &amp; rested." in text


def test_parent_lists_updated_papers_and_counts_what_does_not_fit() -> None:
    updated = [
        sample_paper(arxiv_id=f"2601.{n:05d}", version=3, title="T " * 100) for n in range(500)
    ]
    message = render_parent(
        sample_report(updated=updated, keywords=[f"kw{i}" for i in range(2000)])
    )
    _assert_within_limits(message)
    text = "\n".join(_sections([message]))
    assert "*Updated papers*" in text
    assert "<https://arxiv.org/abs/2601.00000|T T" in text
    assert "(2601.00000): new version v3 of a paper in an earlier report" in text
    shown = text.count("new version v3")
    assert 0 < shown < 500
    assert f"… and {500 - shown} more" in text


def test_parent_in_chinese() -> None:
    message = render_parent(sample_report(language="zh", status=ReportStatus.PARTIAL))
    text = "\n".join(_sections([message]))
    assert message.blocks[0]["text"]["text"] == "arXiv 论文日报 — 2026-02-04"
    assert "*论文数*: 当日公告 812 篇，匹配 1 篇" in text
    assert "*状态*: 部分完成" in text


# -- replies to commands


def test_text_reply_escapes_its_lines_and_marks_errors() -> None:
    [plain] = render_reply(TextReply(("Keywords: a & b", "<@U1> <!channel>")))
    assert _sections([plain]) == ["Keywords: a &amp; b\n&lt;@U1&gt; &lt;!channel&gt;"]
    [error] = render_reply(TextReply(("Unknown command.",), is_error=True))
    assert _sections([error]) == [":warning: Unknown command."]
    assert error.text == ":warning: Unknown command."


def test_a_long_text_reply_spans_messages_within_limits() -> None:
    lines = tuple(f"keyword number {i} & more" for i in range(2000))
    messages = render_reply(TextReply(lines))
    assert len(messages) > 1
    for message in messages:
        _assert_within_limits(message)
    assert "\n".join(_sections(messages)).split("\n") == [escape_mrkdwn(line) for line in lines]


def test_paper_reply_is_the_paper_without_mentions() -> None:
    entry = sample_entry()
    assert render_reply(PaperReply(entry, "zh")) == render_paper(entry, [], language="zh")


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
        _assert_within_limits(message)
    text = "\n".join(_sections(messages))
    assert "*Papers*: 200 matching of 812 announced" in text
    for n in range(200):
        assert text.count(f"|Paper {n} on pruning>*") == 1
    assert "1. *<https://arxiv.org/abs/2602.00000|Paper 0 on pruning>* — VLA\nFirst sentence" in (
        text
    )
    first_gist = text.split("— VLA\n", 1)[1].split("\n", 1)[0]  # its first sentence, clipped
    assert first_gist.endswith("words…") and len(first_gist) <= 140 and "Next" not in first_gist


# -- against the fake Slack, through the real client


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def _client(fake: FakeSlack, **kwargs: object) -> AsyncWebClient:
    return AsyncWebClient(token=fake.token, base_url=fake.api_url, **kwargs)  # type: ignore[arg-type]


def _scenarios() -> dict[str, tuple[SlackMessage, list[SlackMessage]]]:
    body = _long_english()
    huge = sample_analysis(summary=body, motivation=body, method=body, experiments=body)
    hostile = sample_entry(
        sample_paper(title=f"{NASTY} " * 8, authors=[NASTY] * 300, abstract=NASTY * 50),
        matched_keywords=[NASTY] * 30,
        notes=[NASTY] * 20,
        analysis=None,
    )
    zh = sample_analysis(summary="中文句子。" * 4000, contributions=["贡献一。"] * 200)
    many = [
        sample_entry(sample_paper(arxiv_id=f"2602.{n:05d}", title="T " * 150)) for n in range(150)
    ]
    report = sample_report(many, updated=[p.paper for p in many], note=NASTY * 30)
    mentions = [Mention(f"U{n:04d}", ("VLA", NASTY)) for n in range(60)]
    return {
        "plain": (render_parent(sample_report()), render_paper(sample_entry(), [])),
        "huge analysis": (
            render_parent(sample_report()),
            render_paper(sample_entry(analysis=huge), mentions),
        ),
        "hostile": (render_parent(report), render_paper(hostile, mentions)),
        "chinese": (
            render_parent(sample_report(language="zh")),
            render_paper(sample_entry(analysis=zh), [], language="zh"),
        ),
        "report reply": (render_parent(report), render_reply(ReportReply(report))),
        "text reply": (
            render_parent(sample_report([])),
            render_reply(TextReply(tuple([NASTY] * 900), is_error=True)),
        ),
    }


@pytest.mark.parametrize(
    "name", ["plain", "huge analysis", "hostile", "chinese", "report reply", "text reply"]
)
async def test_slack_accepts_every_rendered_message(slack: FakeSlack, name: str) -> None:
    parent, replies = _scenarios()[name]
    client = _client(slack)
    posted = await client.chat_postMessage(
        channel="C0DIGEST", text=parent.text, blocks=parent.blocks, unfurl_links=False
    )
    for reply in replies:
        _assert_within_limits(reply)
        await client.chat_postMessage(
            channel="C0DIGEST",
            text=reply.text,
            blocks=reply.blocks,
            thread_ts=posted["ts"],
            unfurl_links=False,
            unfurl_media=False,
        )

    thread = await client.conversations_replies(channel="C0DIGEST", ts=posted["ts"])
    assert [m["blocks"] for m in thread["messages"]] == [parent.blocks] + [
        r.blocks for r in replies
    ]
    assert [p.text for p in slack.thread("C0DIGEST", posted["ts"])] == [r.text for r in replies]
    assert slack.all_posts[-1].unfurl_links is False and slack.all_posts[-1].unfurl_media is False


def _section_block(length: int) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": "x" * length}}


def _header_block(length: int) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": "x" * length}}


async def test_the_fake_takes_a_message_at_every_limit(slack: FakeSlack) -> None:
    blocks = [_header_block(150), _section_block(3000), *[{"type": "divider"}] * 48]
    await _client(slack).chat_postMessage(channel="C1", text="at the limits", blocks=blocks)
    assert slack.messages("C1")[0].blocks == blocks


@pytest.mark.parametrize(
    ("blocks", "error"),
    [
        ([{"type": "divider"}] * 51, "invalid_blocks"),
        ([_section_block(3001)], "invalid_blocks"),
        ([_header_block(151)], "invalid_blocks"),
        ([{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}], "invalid_blocks"),
        (
            [{"type": "context", "elements": [{"type": "mrkdwn", "text": "x"}] * 11}],
            "invalid_blocks",
        ),
        ([_section_block(3000)] * 5, "msg_blocks_too_long"),
    ],
)
async def test_the_fake_rejects_blocks_over_a_limit(
    slack: FakeSlack, blocks: list[dict], error: str
) -> None:
    with pytest.raises(SlackApiError) as raised:
        await _client(slack).chat_postMessage(channel="C1", text="too much", blocks=blocks)
    assert raised.value.response["error"] == error
    assert slack.all_posts == []


async def test_the_fake_reads_blocks_from_a_form_body(slack: FakeSlack) -> None:
    client = _client(slack)
    blocks = [_section_block(10)]
    form = {"channel": "C1", "text": "form", "blocks": json.dumps(blocks), "unfurl_links": "0"}
    await client.api_call("chat.postMessage", data=form)
    assert slack.all_posts[0].blocks == blocks and slack.all_posts[0].unfurl_links is False
    for bad in ('{"type": "divider"}', "not json"):
        with pytest.raises(SlackApiError) as raised:
            await client.api_call("chat.postMessage", data={**form, "blocks": bad})
        assert raised.value.response["error"] == "invalid_blocks"


async def test_the_fake_checks_token_text_and_channel(slack: FakeSlack) -> None:
    cases = [
        (AsyncWebClient(token="xoxb-wrong", base_url=slack.api_url), {"text": "x"}, "invalid_auth"),
        (AsyncWebClient(base_url=slack.api_url), {"text": "x"}, "invalid_auth"),
        (_client(slack), {"text": " "}, "no_text"),
        (_client(slack), {"channel": "#general", "text": "x"}, "channel_not_found"),
    ]
    for client, args, error in cases:
        with pytest.raises(SlackApiError) as raised:
            await client.api_call("chat.postMessage", json={"channel": "C1", **args})
        assert raised.value.response["error"] == error
    slack.channels = {"C1"}
    with pytest.raises(SlackApiError) as raised:
        await _client(slack).chat_postMessage(channel="C2", text="x")
    assert raised.value.response["error"] == "channel_not_found"
    await _client(slack).chat_postMessage(channel="C1", text="x")
    assert [p.channel for p in slack.all_posts] == ["C1"]


async def test_rate_limited_then_posted_once_with_the_retry_handler(slack: FakeSlack) -> None:
    slack.rate_limit_next(1, retry_after=0)
    client = _client(slack, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)])
    response = await client.chat_postMessage(channel="C1", text="hello")
    assert response["ok"]
    assert len(slack.requests_to("/api/chat.postMessage")) == 2
    assert [p.text for p in slack.messages("C1")] == ["hello"]


async def test_rate_limited_without_a_retry_handler_is_an_error(slack: FakeSlack) -> None:
    slack.rate_limit_next(1, retry_after=7)
    with pytest.raises(SlackApiError) as raised:
        await _client(slack, retry_handlers=[]).chat_postMessage(channel="C1", text="hello")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"
    assert slack.all_posts == []


async def test_the_fake_keeps_conversations_as_slack_would(slack: FakeSlack) -> None:
    client = _client(slack)
    assert (await client.auth_test())["user_id"] == slack.bot_user_id
    dm = (await client.conversations_open(users="U0ALICE"))["channel"]["id"]
    await client.chat_postMessage(channel="U0ALICE", text="by user id")
    await client.chat_postMessage(channel=dm, text="by DM id")
    assert [p.text for p in slack.messages(dm)] == ["by user id", "by DM id"]

    first = await client.chat_postMessage(channel="C1", text="first")
    second = await client.chat_postMessage(channel="C1", text="second")
    assert float(second["ts"]) > float(first["ts"])
    await client.chat_postMessage(channel="C1", text="reply", thread_ts=first["ts"])
    await client.chat_update(channel="C1", ts=second["ts"], text="second, edited")
    history = await client.conversations_history(channel="C1")
    assert [(m["text"], m.get("reply_count")) for m in history["messages"]] == [
        ("second, edited", None),
        ("first", 1),
    ]
    ephemeral = await client.chat_postEphemeral(channel="C1", user="U0ALICE", text="only you")
    assert slack.ephemerals[0].user == "U0ALICE" and ephemeral["message_ts"]
    assert [p.text for p in slack.messages("C1")] == ["first", "second, edited"]


async def test_the_response_url_records_what_a_command_answers(slack: FakeSlack) -> None:
    [message] = render_reply(TextReply(("Subscribed.",)))
    webhook = AsyncWebhookClient(slack.response_url("cmd-1"))
    response = await webhook.send(
        text=message.text, blocks=message.blocks, response_type="ephemeral"
    )
    assert response.status_code == 200
    assert slack.responses_to("cmd-1") == [
        {"text": "Subscribed.", "blocks": message.blocks, "response_type": "ephemeral"}
    ]
    rejected = await webhook.send(text="x", blocks=[_section_block(3001)])
    assert rejected.status_code == 400 and rejected.body == "invalid_blocks"
    for _ in range(4):
        assert (await webhook.send(text="again")).status_code == 200
    assert (await webhook.send(text="a sixth answer")).status_code == 404
    assert len(slack.responses_to("cmd-1")) == 5
