"""Property tests: whatever text a paper or the LLM brings, both renderers produce messages the
platforms accept, and every character a reader should see is there.

Visible text is compared without whitespace: titles are put on one line, analyses keep their
paragraphs, and a long paper is split across messages at whitespace. Slack's text is read back
from its sections (our links shown as their labels, its three escapes decoded), Telegram's by the
fake Bot API's own HTML parser; the "continued" line that opens a later message is left out.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.platform import ReportReply
from bot.slack import render as slack
from bot.telegram import render as telegram
from domain.statuses import AnalysisSource
from pipeline.report import PaperEntry
from tests.fakes.slack_blocks import content as _content
from tests.fakes.telegram_server import MAX_MESSAGE, parse_html, utf16_length
from tests.samples import sample_analysis, sample_entry, sample_paper, sample_report

MARKUP = st.sampled_from(
    [
        "<", ">", "&", "&amp;", "&lt;", "&#x1F600;", "&#0;", "<b>", "</b>", "</a>", "<i",
        '<a href="https://x.y">', "<!channel>", "<@U123|bob>", "<https://evil.example|click>",
        "*", "_", "`", "```", "~", "|", '"', "'", ":warning:", "\n", "\n\n", "\t", "\r\n",
        "\x00", "\x1b", "\x0b", "\u2028", "\u202e", "\u200b", "\u200d", "\ufe0f", "\u0301",
        "é", "👩\u200d👩\u200d👧", "🧪", "🏽", "强化学习的方法。", "한국어", "مرحبا", ".", "? ",
    ]
)  # fmt: skip
_CHARS = st.characters(exclude_categories=("Cs",))
RICH = st.lists(st.one_of(st.text(_CHARS, max_size=60), MARKUP), max_size=12).map("".join)
LONG = st.tuples(st.one_of(st.text(_CHARS, min_size=1, max_size=30), MARKUP), st.integers(50, 1500))
TEXT = st.one_of(RICH, RICH, LONG.map(lambda unit_times: unit_times[0] * unit_times[1]))
TITLE = st.one_of(RICH, LONG.map(lambda unit_times: unit_times[0] * unit_times[1])).map(
    lambda text: text[:190]  # Slack shows at most 1,000 characters of a link's label
)

_OUR_LINK = re.compile(r"<(https?://[^<>|]*)(?:\|([^<>]*))?>")


def squash(text: str) -> str:
    return "".join(text.split())


def slack_visible(entry: PaperEntry) -> str:
    """The sections of every message, as Slack shows them; each message passes the fake."""
    shown = []
    for message in slack.render_paper(entry, ()):
        _content({"text": message.text, "blocks": message.blocks})  # raises as Slack would
        for block in message.blocks:
            if block["type"] != "section":
                continue
            text = block["text"]["text"]
            assert "<" not in _OUR_LINK.sub("", text), text  # user text never makes a tag
            shown.append(_decode(_OUR_LINK.sub(lambda m: m.group(2) or m.group(1), text)))
    return "\n".join(shown)


def _decode(mrkdwn: str) -> str:
    return mrkdwn.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def telegram_visible(entry: PaperEntry) -> str:
    """Every message as Telegram shows it (each within its limit), without continuation lines."""
    shown = []
    messages = telegram.render_paper(entry, ())
    event(f"Telegram messages: {min(len(messages), 3)}")  # splitting is exercised too
    for number, message in enumerate(messages):
        plain = parse_html(message)  # raises as Telegram's "can't parse entities" would
        assert plain.strip() and utf16_length(plain) <= MAX_MESSAGE
        shown.append(plain if number == 0 else plain.partition("\n\n")[2])
    return "\n".join(shown)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=TITLE,
    abstract=TEXT,
    sections=st.lists(TEXT, min_size=5, max_size=5),
    contribution=TEXT,
    analysed=st.booleans(),
)
def test_any_paper_renders_valid_and_whole_on_both_platforms(
    title: str, abstract: str, sections: list[str], contribution: str, analysed: bool
) -> None:
    summary, motivation, method, experiments, _ = sections
    analysis = sample_analysis(
        summary=summary,
        motivation=motivation,
        contributions=[contribution],
        method=method,
        experiments=experiments,
    )
    paper = sample_paper(title=title, abstract=abstract, authors=[title[:40]])
    entry = sample_entry(
        paper,
        analysis=analysis if analysed else None,
        source=AnalysisSource.FULL_TEXT if analysed else AnalysisSource.NONE,
        matched_keywords=[abstract[:30]],
    )
    expected = [title]
    shows_analysis = analysed and any(
        t.strip() for t in (summary, motivation, method, experiments, contribution)
    )
    if shows_analysis:
        expected += [summary, motivation, contribution, method, experiments]
    else:
        expected.append(abstract)

    on_slack, on_telegram = squash(slack_visible(entry)), squash(telegram_visible(entry))

    for text in expected:
        assert squash(text) in on_slack
        assert squash(text) in on_telegram


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(titles=st.lists(TITLE, min_size=1, max_size=4), note=TEXT, keyword=RICH)
def test_any_report_renders_valid_on_both_platforms(
    titles: list[str], note: str, keyword: str
) -> None:
    entries = [
        sample_entry(
            sample_paper(arxiv_id=f"2602.0078{n}", title=title), matched_keywords=[keyword]
        )
        for n, title in enumerate(titles)
    ]
    report = sample_report(
        entries, note=note, keywords=[keyword], updated=[e.paper for e in entries]
    )

    parent = slack.render_parent(report)
    _content({"text": parent.text, "blocks": parent.blocks})
    for message in slack.render_reply(ReportReply(report)):
        _content({"text": message.text, "blocks": message.blocks})
    assert utf16_length(parse_html(telegram.render_parent(report))) <= MAX_MESSAGE
    for message in telegram.render_reply(ReportReply(report)):
        assert utf16_length(parse_html(message)) <= MAX_MESSAGE
