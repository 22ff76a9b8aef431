"""Renders the neutral report model as Slack Block Kit messages that Slack accepts.

Slack rejects a message that breaks a limit (`invalid_blocks`, `msg_blocks_too_long`), so every
message stays inside them: at most 50 blocks and `MESSAGE_TEXT_BUDGET` characters of text, 3,000
a section, 150 a header, 10 elements a context block. Long text is split at paragraph, then
sentence, then word boundaries, never inside a link or an escape sequence; a paper that does not
fit one message continues in the next. Paper, user and LLM text is escaped (`&`, `<`, `>`) before
our own links and bold are added, and mrkdwn is sent `verbatim`, so no title can ping anyone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.platform import Mention, PaperReply, Reply, ReportReply, TextReply
from bot.rendering import BOUNDARIES, WORDS, analysis_sections, chat_labels, has_content
from pipeline.markdown import inline
from pipeline.models import PaperAnalysis
from pipeline.report import AnalysisSource, DailyReport, PaperEntry, ReportStatus

MESSAGE_BLOCKS_LIMIT = 50
SECTION_TEXT_LIMIT = 3000
HEADER_TEXT_LIMIT = 150
CONTEXT_ELEMENTS_LIMIT = 10
FALLBACK_TEXT_LIMIT = 3000
# Slack also refuses a message whose blocks carry too much text in all (`msg_blocks_too_long`,
# undocumented; reported from about 11,300 characters): stay well below it.
MESSAGE_TEXT_BUDGET = 9000
AUTHORS_SHOWN = 10
LINK_LABEL_LIMIT = 1000  # keeps every link far shorter than a section, so it is never split
UPDATED_TEXT_BUDGET = 2500  # the parent lists updated papers up to this, then counts the rest
ONE_LINE_SUMMARY_LIMIT = 300

_ATOM = re.compile(r"<[^<>]*>|&(?:amp|lt|gt);")  # our links and mentions, and escapes
_USER_ID = re.compile(r"[UW][A-Z0-9]+")


@dataclass(frozen=True, slots=True)
class SlackMessage:
    text: str  # the notification/fallback text, always present, ≤ 3,000 chars
    blocks: list[dict]  # ≤ 50 blocks


def escape_mrkdwn(text: str) -> str:
    """Slack's rule: only `&`, `<` and `>` are control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_parent(report: DailyReport) -> SlackMessage:
    labels = chat_labels(report.language)
    return SlackMessage(_parent_fallback(report, labels), _parent_blocks(report, labels))


def render_paper(
    entry: PaperEntry, mentions: Sequence[Mention], *, language: str = "en"
) -> list[SlackMessage]:
    labels = chat_labels(language)
    title = escape_mrkdwn(inline(entry.paper.title))
    tags = " ".join(_mention(m) for m in mentions)
    fallback = _clip(f"{title} {tags}".strip(), FALLBACK_TEXT_LIMIT)
    return _paginate(_paper_blocks(entry, mentions, labels), fallback, title, labels)


def render_reply(reply: Reply) -> list[SlackMessage]:
    """A command's answer; a paper or a report carries the language of its labels."""
    if isinstance(reply, PaperReply):
        return render_paper(reply.entry, (), language=reply.language)
    if isinstance(reply, ReportReply):
        report = reply.report
        labels = chat_labels(report.language)
        blocks = _parent_blocks(report, labels)
        if report.entries:
            blocks += [DividerBlock().to_dict(), *_sections(_paper_list(report, labels))]
        heading = _heading(report, labels)
        return _paginate(blocks, _parent_fallback(report, labels), heading, labels)
    return _text_messages(reply)


def split_mrkdwn(text: str, limit: int = SECTION_TEXT_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut at the largest boundary found in the latter half
    of each window (paragraph, line, sentence, word), never inside a `<…>` or an `&…;`."""
    pieces = []
    rest = text.strip()
    while len(rest) > limit:
        cut, resume = _cut_point(rest, limit, BOUNDARIES)
        if piece := rest[:cut].rstrip():
            pieces.append(piece)
        rest = rest[resume:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def clip_mrkdwn(text: str, limit: int) -> str:
    """`text`, or as many whole words of it as fit before a "…"."""
    if len(text) <= limit:
        return text
    cut, _ = _cut_point(text, limit - 1, (WORDS,))
    return text[:cut].rstrip() + "…"


_clip = clip_mrkdwn


def _cut_point(text: str, limit: int, boundaries: Sequence[re.Pattern[str]]) -> tuple[int, int]:
    """Where a piece of at most `limit` characters ends, and where the rest starts."""
    inside = set()
    for atom in _ATOM.finditer(text):
        if atom.start() >= limit:
            break
        inside.update(range(atom.start() + 1, atom.end()))
    earlier = None
    for boundary in boundaries:
        last = None
        for match in boundary.finditer(text, 0, limit + 1):
            if 0 < match.start() <= limit and match.start() not in inside:
                last = (match.start(), match.end())
        if last is not None and last[0] >= limit // 2:
            return last
        earlier = earlier or last
    if earlier is not None:
        return earlier
    cut = limit  # one unbroken run (e.g. Chinese without punctuation): cut between characters
    while cut in inside:
        cut -= 1
    cut = cut or limit  # an atom longer than a whole piece: only possible with absurd input
    return cut, cut


def _link(url: str, label: str | None = None) -> str:
    """`<url|label>` for http(s) addresses; `label` is escaped mrkdwn already."""
    if not re.match(r"https?://", url, re.IGNORECASE):
        return label or escape_mrkdwn(url)
    target = escape_mrkdwn(re.sub(r"\s", "%20", url).replace("|", "%7C"))
    return f"<{target}|{_clip(label, LINK_LABEL_LIMIT)}>" if label else f"<{target}>"


def _mention(mention: Mention) -> str:
    if _USER_ID.fullmatch(mention.user_id):
        return f"<@{mention.user_id}>"
    return escape_mrkdwn(mention.user_id)


def _section(text: str) -> dict:
    return SectionBlock(text=MarkdownTextObject(text=text, verbatim=True)).to_dict()


def _sections(text: str) -> list[dict]:
    return [_section(piece) for piece in split_mrkdwn(text, SECTION_TEXT_LIMIT)]


def _header(text: str) -> dict:
    return HeaderBlock(text=PlainTextObject(text=_clip(text, HEADER_TEXT_LIMIT))).to_dict()


def _context(*texts: str) -> dict:
    elements = [MarkdownTextObject(text=_clip(t, SECTION_TEXT_LIMIT), verbatim=True) for t in texts]
    return ContextBlock(elements=elements[:CONTEXT_ELEMENTS_LIMIT]).to_dict()


def _heading(report: DailyReport, labels: dict[str, str]) -> str:
    return f"{labels['title']} — {report.report_date.isoformat()}"


def _parent_fallback(report: DailyReport, labels: dict[str, str]) -> str:
    papers = labels["papers_value"].format(
        matched=len(report.entries), announced=report.announced_count
    )
    return _clip(escape_mrkdwn(f"{_heading(report, labels)}: {papers}"), FALLBACK_TEXT_LIMIT)


def _parent_blocks(report: DailyReport, labels: dict[str, str]) -> list[dict]:
    papers = labels["papers_value"].format(
        matched=len(report.entries), announced=report.announced_count
    )
    model = f"{report.model} ({report.language})" if report.model else labels["no_model"]
    lines = [
        f"*{labels['date']}*: {report.report_date.isoformat()}",
        f"*{labels['categories']}*: {_clip(escape_mrkdwn(', '.join(report.categories)), 500)}",
        f"*{labels['keywords']}*: {_clip(escape_mrkdwn(', '.join(report.keywords)), 1000) or '—'}",
        f"*{labels['papers']}*: {papers}",
        f"*{labels['model']}*: {_clip(escape_mrkdwn(model), 300)}",
    ]
    if report.status != ReportStatus.COMPLETE:
        lines.append(f"*{labels['status']}*: {labels[report.status]}")
    blocks = [_header(escape_mrkdwn(_heading(report, labels))), *_sections("\n".join(lines))]
    if report.note:
        note = _clip(escape_mrkdwn(inline(report.note)), 1000)
        blocks += _sections(f":information_source: {note}")
    if report.updated:
        lines = [f"*{labels['updated']}*"]
        used = 0
        for shown, paper in enumerate(report.updated):
            title = _link(paper.abs_url, escape_mrkdwn(inline(paper.title)))
            what = labels["updated_line"].format(version=paper.version)
            line = f"• {title} ({escape_mrkdwn(paper.arxiv_id)}): {what}"
            if shown and used + len(line) > UPDATED_TEXT_BUDGET:
                lines.append(labels["more_updated"].format(count=len(report.updated) - shown))
                break
            lines.append(line)
            used += len(line)
        blocks += _sections("\n".join(lines))
    return blocks


def _paper_blocks(
    entry: PaperEntry, mentions: Sequence[Mention], labels: dict[str, str]
) -> list[dict]:
    paper = entry.paper
    title = escape_mrkdwn(inline(paper.title))
    authors = [escape_mrkdwn(inline(a)) for a in paper.authors]
    shown = ", ".join(authors[:AUTHORS_SHOWN]) or "—"
    if len(authors) > AUTHORS_SHOWN:
        shown += " " + labels["more_authors"].format(count=len(authors) - AUTHORS_SHOWN)
    lines = [
        f"*{_link(paper.abs_url, title)}*",
        f"*{labels['authors']}*: {shown}",
        f"*{labels['arxiv']}*: {escape_mrkdwn(paper.versioned_id)}",
        f"*{labels['categories']}*: {escape_mrkdwn(', '.join(paper.categories))}",
    ]
    if paper.announce_type is not None:
        lines.append(f"*{labels['announce_type']}*: {paper.announce_type.value}")
    if entry.matched_keywords:
        keywords = escape_mrkdwn(", ".join(entry.matched_keywords))
        lines.append(f"*{labels['matched']}*: {keywords}")
    if mentions:
        tagged = ", ".join(
            f"{_mention(m)} ({escape_mrkdwn(', '.join(m.keywords))})" if m.keywords else _mention(m)
            for m in mentions
        )
        lines.append(f"*{labels['mentions']}*: {tagged}")
    if entry.code_links:
        lines.append(f"*{labels['code']}*: " + ", ".join(_link(u) for u in entry.code_links))
    blocks = [_header(title or escape_mrkdwn(paper.versioned_id)), *_sections("\n".join(lines))]
    notes = [f":information_source: {escape_mrkdwn(inline(n))}" for n in entry.notes if n.strip()]
    if notes:
        blocks += _sections("\n".join(notes))
    blocks.append(DividerBlock().to_dict())
    if entry.analysis is not None and has_content(entry.analysis):
        if entry.source != AnalysisSource.NONE:
            source = (
                "analysis_full" if entry.source == AnalysisSource.FULL_TEXT else "analysis_abstract"
            )
            blocks.append(_context(labels[source]))
        blocks += _analysis_blocks(entry.analysis, labels)
    elif paper.abstract.strip():
        abstract = escape_mrkdwn(inline(paper.abstract))
        blocks += _sections(f"*{labels['abstract']}*\n{abstract}")
    return blocks


def _analysis_blocks(analysis: PaperAnalysis, labels: dict[str, str]) -> list[dict]:
    blocks: list[dict] = []
    for key, body in analysis_sections(analysis, escape_mrkdwn):
        blocks += _sections(f"*{labels[key]}*\n{body}")
    return blocks


def _paper_list(report: DailyReport, labels: dict[str, str]) -> str:
    """One short paragraph a paper: linked title, matched keywords, a one-line summary."""
    items = []
    for number, entry in enumerate(report.entries, start=1):
        title = _link(entry.paper.abs_url, escape_mrkdwn(inline(entry.paper.title)))
        item = f"{number}. *{title}*"
        if entry.matched_keywords:
            item += " — " + _clip(escape_mrkdwn(", ".join(entry.matched_keywords)), 200)
        analysis = entry.analysis
        gist = analysis.summary if analysis and analysis.summary.strip() else entry.paper.abstract
        if gist.strip():
            item += "\n" + _clip(escape_mrkdwn(inline(gist)), ONE_LINE_SUMMARY_LIMIT)
        items.append(item)
    return "\n\n".join(items)


def _text_messages(reply: TextReply) -> list[SlackMessage]:
    text = "\n".join(escape_mrkdwn(line) for line in reply.lines).strip() or "—"
    if reply.is_error:
        text = f":warning: {text}"
    pages = _pack(_sections(text), reserve_blocks=0, reserve_text=0)
    return [SlackMessage(_clip(_page_text(page), FALLBACK_TEXT_LIMIT), page) for page in pages]


def _paginate(
    blocks: list[dict], fallback: str, title: str, labels: dict[str, str]
) -> list[SlackMessage]:
    """Blocks in as many messages as they need; later ones open with a "continued" line."""
    pages = _pack(blocks, reserve_blocks=1, reserve_text=400)
    messages = [SlackMessage(fallback, pages[0])]
    for number, page in enumerate(pages[1:], start=2):
        continued = labels["continued"].format(page=number, pages=len(pages))
        line = f"{_clip(title, 200)} ({continued})"
        messages.append(SlackMessage(line, [_context(line), *page]))
    return messages


def _pack(blocks: list[dict], *, reserve_blocks: int, reserve_text: int) -> list[list[dict]]:
    pages: list[list[dict]] = [[]]
    used = 0
    for block in blocks:
        size = _text_length(block)
        page = pages[-1]
        full = len(page) >= MESSAGE_BLOCKS_LIMIT - reserve_blocks
        if page and (full or used + size > MESSAGE_TEXT_BUDGET - reserve_text):
            pages.append([])
            used = 0
        if block["type"] == "divider" and not pages[-1]:
            continue  # a page never opens with a divider
        pages[-1].append(block)
        used += size
    for page in pages:
        while page and page[-1]["type"] == "divider":
            page.pop()  # nor closes with one
    return [page for page in pages if page] or [[]]


def _text_length(value: Any) -> int:
    if isinstance(value, dict):
        return sum(
            len(v) if k == "text" and isinstance(v, str) else _text_length(v)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return sum(_text_length(v) for v in value)
    return 0


def _page_text(page: list[dict]) -> str:
    return "\n".join(b["text"]["text"] for b in page if b["type"] == "section")
