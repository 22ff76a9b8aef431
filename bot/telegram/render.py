"""Renders the neutral report model as Telegram messages in HTML parse mode.

Telegram refuses a message whose text is longer than 4,096 characters once its entities are
parsed (tags removed, `&amp;` and the like decoded), counted in UTF-16 code units, and any tag
outside its short list (b, i, u, s, a, code, pre, blockquote, tg-spoiler and their synonyms).
Paper, user and LLM text is escaped before our own tags are added. A message that would be too
long is split at paragraph, then sentence, then word boundaries, never inside a tag or an entity;
each piece closes the tags it leaves open and the next reopens them, so every message is valid
HTML on its own.
"""

from __future__ import annotations

import bisect
import html
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.platform import Mention, PaperReply, Reply, ReportReply
from bot.rendering import (
    BOUNDARIES,
    SENTENCES,
    WORDS,
    analysis_sections,
    chat_labels,
    has_content,
)
from pipeline.markdown import inline
from pipeline.models import Paper, PaperAnalysis
from pipeline.report import AnalysisSource, DailyReport, PaperEntry, ReportStatus

MAX_MESSAGE = 4096
AUTHORS_SHOWN = 10
CONTINUED_RESERVE = 200  # room for the line that opens a paper's later messages
CONTINUED_TITLE_LIMIT = 120
ONE_LINE_SUMMARY_LIMIT = 300
LIST_TITLE_LIMIT = 400
LIST_KEYWORDS_LIMIT = 200
# The parent is always one message: each part that grows with the input has a budget, and the
# budgets with the fixed lines stay far below MAX_MESSAGE.
CATEGORIES_BUDGET = 300
KEYWORDS_BUDGET = 700
MODEL_BUDGET = 200
NOTE_BUDGET = 600
UPDATED_TITLE_LIMIT = 300
UPDATED_BUDGET = 1200

_MARKUP = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*>"
    r"|&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));"
)
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_EMPTY_ELEMENT = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?></\1>")
_USER_ID = re.compile(r"[1-9][0-9]{0,19}")
_HTTP_URL = re.compile(r"https?://", re.IGNORECASE)


def escape(text: str) -> str:
    """Paper, user and LLM text as HTML text: `&`, `<` and `>` escaped, quotes left alone."""
    return html.escape(text, quote=False)


def visible_length(source: str) -> int:
    """How long Telegram finds `source`: its text after entity parsing, in UTF-16 code units.

    The count `_tokenize` would give, without making a token of every character: every message
    is measured before it is sent.
    """
    length, position = 0, 0
    for match in _MARKUP.finditer(source):
        length += _units(source[position : match.start()])
        if not match.group(2):  # an entity: the character it stands for, or itself as typed
            char = _decode(match)
            length += _units(match.group(0) if char is None else char)
        position = match.end()
    return length + _units(source[position:])


def render_parent(report: DailyReport) -> str:
    """The day's parent message: always one message, each growing part within its budget."""
    return _parent_html(report, chat_labels(report.language))


def render_paper(
    entry: PaperEntry,
    mentions: Sequence[Mention],
    language: str = "en",
    *,
    names: Mapping[str, str] | None = None,
) -> list[str]:
    """One paper, usually one message; `names` maps member ids to the names their mentions show."""
    labels = chat_labels(language)
    body = _paper_html(entry, mentions, labels, names or {})
    if visible_length(body) <= MAX_MESSAGE:
        return [body]
    pieces = split_html(body, MAX_MESSAGE - CONTINUED_RESERVE)
    title = _clip(inline(entry.paper.title) or entry.paper.versioned_id, CONTINUED_TITLE_LIMIT)
    messages = [pieces[0]]
    for page, piece in enumerate(pieces[1:], start=2):
        continued = labels["continued"].format(page=page, pages=len(pieces))
        messages.append(f"<i>{escape(title)} ({continued})</i>\n\n{piece}")
    return messages


def render_reply(reply: Reply) -> list[str]:
    """A command's answer, in as many messages as it needs (in the reply's language)."""
    if isinstance(reply, PaperReply):
        return render_paper(reply.entry, (), reply.language)
    if isinstance(reply, ReportReply):
        report = reply.report
        labels = chat_labels(report.language)
        body = _parent_html(report, labels)
        if report.entries:
            body += "\n\n" + _paper_list(report, labels)
        return split_html(body)
    text = "\n".join(escape(line) for line in reply.lines).strip() or "—"
    return split_html(f"⚠️ {text}" if reply.is_error else text)


def split_html(source: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Telegram HTML in pieces of at most `limit` visible UTF-16 units, each valid on its own.

    Each piece ends at the largest boundary found in the latter half of its window (paragraph,
    line, sentence, word; outside link texts when possible), else at an earlier boundary, unless
    what follows is an unbroken run too long for any piece: that is cut between two characters
    (never inside an emoji sequence). Whitespace at a cut is dropped; tags open at a cut are
    closed and reopened.
    """
    tokens = _tokenize(source)
    visible = "".join(token.text for token in tokens)
    if not visible.strip():
        return []
    at = [index for index, token in enumerate(tokens) if token.text]  # token of each character
    units = [0]
    for char in visible:
        units.append(units[-1] + _units(char))
    stacks = _open_tags(tokens)
    linked = _inside_links(tokens, len(visible))

    def reach(position: int) -> int:
        return bisect.bisect_right(units, units[position] + limit) - 1

    pieces = []
    first_token = 0
    start = _skip_space(visible, 0)
    while True:
        end = reach(start)
        if end >= len(visible):
            pieces.append(_piece(tokens, stacks, first_token, len(tokens)))
            break
        cut, resume = _cut_point(visible, start, max(end, start + 1), linked, reach)
        cut = start + len(visible[start:cut].rstrip())
        resume = _skip_space(visible, resume)
        if resume >= len(visible):
            pieces.append(_piece(tokens, stacks, first_token, len(tokens)))
            break
        # Between the last character kept and the next one lie only tags and whitespace: the
        # closing tags stay with this piece, everything from the first opening tag on moves on.
        last_token = at[cut - 1] + 1
        while last_token < at[resume] and (
            tokens[last_token].closing or tokens[last_token].text.isspace()
        ):
            last_token += 1
        pieces.append(_piece(tokens, stacks, first_token, last_token))
        first_token, start = last_token, resume
    return pieces


# -- the report's content


def _heading(report: DailyReport, labels: dict[str, str]) -> str:
    return f"{labels['title']} — {report.report_date.isoformat()}"


def _parent_html(report: DailyReport, labels: dict[str, str]) -> str:
    papers = labels["papers_value"].format(
        matched=len(report.entries), announced=report.announced_count
    )
    model = f"{report.model} ({report.language})" if report.model else labels["no_model"]
    lines = [
        f"<b>{escape(_heading(report, labels))}</b>",
        f"<b>{labels['date']}</b>: {report.report_date.isoformat()}",
        f"<b>{labels['categories']}</b>: "
        + (_text(", ".join(report.categories), CATEGORIES_BUDGET) or "—"),
        f"<b>{labels['keywords']}</b>: "
        + (_text(", ".join(report.keywords), KEYWORDS_BUDGET) or "—"),
        f"<b>{labels['papers']}</b>: {papers}",
        f"<b>{labels['model']}</b>: {_text(model, MODEL_BUDGET)}",
    ]
    if report.status != ReportStatus.COMPLETE:
        lines.append(f"<b>{labels['status']}</b>: {labels[report.status]}")
    parts = ["\n".join(lines)]
    if report.note and report.note.strip():
        parts.append(f"ℹ️ {_text(report.note, NOTE_BUDGET)}")
    if report.updated:
        parts.append(_updated_html(report.updated, labels))
    return "\n\n".join(parts)


def _updated_html(updated: Sequence[Paper], labels: dict[str, str]) -> str:
    """One line an updated paper, up to UPDATED_BUDGET, then how many more there are."""
    lines = [f"<b>{labels['updated']}</b>"]
    used = 0
    for shown, paper in enumerate(updated):
        label = _text(paper.title, UPDATED_TITLE_LIMIT) or escape(paper.versioned_id)
        what = labels["updated_line"].format(version=paper.version)
        line = f"• {_link(paper.abs_url, label)} ({escape(paper.arxiv_id)}): {what}"
        size = visible_length(line)
        if shown and used + size > UPDATED_BUDGET:
            lines.append(labels["more_updated"].format(count=len(updated) - shown))
            break
        lines.append(line)
        used += size
    return "\n".join(lines)


def _paper_html(
    entry: PaperEntry, mentions: Sequence[Mention], labels: dict[str, str], names: Mapping[str, str]
) -> str:
    paper = entry.paper
    title = _link(paper.abs_url, escape(inline(paper.title)) or escape(paper.versioned_id))
    authors = [escape(inline(author)) for author in paper.authors if author.strip()]
    shown = ", ".join(authors[:AUTHORS_SHOWN]) or "—"
    if len(authors) > AUTHORS_SHOWN:
        shown += " " + labels["more_authors"].format(count=len(authors) - AUTHORS_SHOWN)
    lines = [
        f"<b>{title}</b>",
        f"<b>{labels['authors']}</b>: {shown}",
        f"<b>{labels['arxiv']}</b>: {escape(paper.versioned_id)}",
        f"<b>{labels['categories']}</b>: {escape(', '.join(paper.categories)) or '—'}",
    ]
    if paper.announce_type is not None:
        lines.append(f"<b>{labels['announce_type']}</b>: {paper.announce_type.value}")
    if entry.matched_keywords:
        keywords = escape(inline(", ".join(entry.matched_keywords)))
        lines.append(f"<b>{labels['matched']}</b>: {keywords}")
    if mentions:
        tagged = ", ".join(_tagged(mention, names) for mention in mentions)
        lines.append(f"<b>{labels['mentions']}</b>: {tagged}")
    if entry.code_links:
        lines.append(f"<b>{labels['code']}</b>: " + ", ".join(_link(u) for u in entry.code_links))
    parts = ["\n".join(lines)]
    notes = [f"ℹ️ {escape(inline(note))}" for note in entry.notes if note.strip()]
    if notes:
        parts.append("\n".join(notes))
    if entry.analysis is not None and has_content(entry.analysis):
        if entry.source != AnalysisSource.NONE:
            source = (
                "analysis_full" if entry.source == AnalysisSource.FULL_TEXT else "analysis_abstract"
            )
            parts.append(f"<i>{labels[source]}</i>")
        parts += _analysis_parts(entry.analysis, labels)
    elif paper.abstract.strip():
        parts.append(f"<b>{labels['abstract']}</b>\n{escape(inline(paper.abstract))}")
    return "\n\n".join(parts)


def _analysis_parts(analysis: PaperAnalysis, labels: dict[str, str]) -> list[str]:
    return [f"<b>{labels[key]}</b>\n{body}" for key, body in analysis_sections(analysis, escape)]


def _paper_list(report: DailyReport, labels: dict[str, str]) -> str:
    """One short paragraph a paper: linked title, matched keywords, a one-line summary."""
    items = []
    for number, entry in enumerate(report.entries, start=1):
        paper = entry.paper
        label = _text(paper.title, LIST_TITLE_LIMIT) or escape(paper.versioned_id)
        item = f"{number}. <b>{_link(paper.abs_url, label)}</b>"
        if entry.matched_keywords:
            item += " — " + _text(", ".join(entry.matched_keywords), LIST_KEYWORDS_LIMIT)
        analysis = entry.analysis
        gist = analysis.summary if analysis and analysis.summary.strip() else paper.abstract
        if gist.strip():
            item += "\n" + _text(gist, ONE_LINE_SUMMARY_LIMIT)
        items.append(item)
    return "\n\n".join(items)


def _tagged(mention: Mention, names: Mapping[str, str]) -> str:
    """A member's mention (a link Telegram notifies them through) and the keywords that matched."""
    name = inline(names.get(mention.user_id, ""))
    label = escape(name or mention.user_id)
    if _USER_ID.fullmatch(mention.user_id):
        label = f'<a href="tg://user?id={mention.user_id}">{label}</a>'
    keywords = escape(inline(", ".join(mention.keywords)))
    return f"{label} ({keywords})" if keywords else label


def _link(url: str, label: str | None = None) -> str:
    """`<a href>` for http(s) addresses; `label` is HTML already (the escaped url by default)."""
    label = label or escape(url)
    if not _HTTP_URL.match(url):
        return label
    target = html.escape(re.sub(r"\s", "%20", url), quote=True)
    return f'<a href="{target}">{label}</a>'


def _text(plain: str, limit: int) -> str:
    """Plain text on one line, clipped to `limit` visible units at a word, then escaped."""
    return escape(_clip(inline(plain), limit))


def _clip(text: str, limit: int) -> str:
    """`text`, or as many whole words of it as fit before a "…"."""
    if _units(text) <= limit:
        return text
    cut, used = 0, 0
    while cut < len(text) and used + _units(text[cut]) <= limit - 1:
        used += _units(text[cut])
        cut += 1
    space = text.rfind(" ", 0, cut + 1)
    if space > cut // 2:
        cut = space
    return text[:cut].rstrip() + "…"


def _units(text: str) -> int:
    """UTF-16 code units: two for a character beyond the Basic Multilingual Plane."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# -- splitting HTML


@dataclass(frozen=True, slots=True)
class _Token:
    raw: str
    text: str = ""  # what the reader sees: one character, or nothing for a tag
    tag: str | None = None
    closing: bool = False


def _tokenize(source: str) -> list[_Token]:
    """Tags, entities (one character each) and single characters of text."""
    tokens: list[_Token] = []
    position = 0
    for match in _MARKUP.finditer(source):
        tokens += [_Token(char, char) for char in source[position : match.start()]]
        raw = match.group(0)
        if match.group(2):
            tokens.append(_Token(raw, tag=match.group(2).lower(), closing=bool(match.group(1))))
        elif (char := _decode(match)) is not None:
            tokens.append(_Token(raw, char))
        else:  # a number that is no character: Telegram shows it as it is
            tokens += [_Token(c, c) for c in raw]
        position = match.end()
    tokens += [_Token(char, char) for char in source[position:]]
    return tokens


def _decode(entity: re.Match[str]) -> str | None:
    decimal, hexadecimal, name = entity.group(3, 4, 5)
    if name:
        return _NAMED_ENTITIES[name]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
        return chr(code)
    return None


def _open_tags(tokens: Sequence[_Token]) -> list[tuple[_Token, ...]]:
    """For each token index (and the end), the opening tags still open before it."""
    stacks: list[tuple[_Token, ...]] = []
    current: tuple[_Token, ...] = ()
    for token in tokens:
        stacks.append(current)
        if token.tag and not token.closing:
            current = (*current, token)
        elif token.tag:
            names = [open_tag.tag for open_tag in current]
            if token.tag in names:
                current = current[: len(names) - 1 - names[::-1].index(token.tag)]
    stacks.append(current)
    return stacks


def _inside_links(tokens: Sequence[_Token], length: int) -> list[bool]:
    """For each position between characters: whether a cut there would split a link's text."""
    in_link = []
    depth = 0
    for token in tokens:
        if token.tag == "a":
            depth = max(depth - 1, 0) if token.closing else depth + 1
        elif token.text:
            in_link.append(depth > 0)
    return [0 < p < length and in_link[p - 1] and in_link[p] for p in range(length + 1)]


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _cut_point(
    text: str, start: int, end: int, linked: Sequence[bool], reach: Callable[[int], int]
) -> tuple[int, int]:
    """Where a piece starting at `start` and ending by `end` ends, and where the rest starts.

    `reach(p)` is the furthest end of a piece starting at `p`.
    """
    for across_links in (False, True):
        found = [_last_boundary(b, text, start, end, linked, across_links) for b in BOUNDARIES]
        for last in found:
            if last is not None and last[0] >= start + (end - start) // 2:
                return last
        earlier = next((last for last in found if last is not None), None)
        # A boundary early in the window only helps if what follows the window's last boundary
        # fits a piece of its own; a longer unbroken run is cut between characters anyway.
        if earlier is not None:
            rest = max(last[1] for last in found if last is not None)
            if reach(rest) >= len(text) or _has_boundary(text, rest, reach(rest)):
                return earlier
    cut = end  # one unbroken run (Chinese without punctuation, say): cut between characters
    while cut > start + 1 and _joined(text, cut):
        cut -= 1
    return cut, cut


def _last_boundary(
    boundary: re.Pattern[str],
    text: str,
    start: int,
    end: int,
    linked: Sequence[bool],
    across_links: bool,
) -> tuple[int, int] | None:
    last = None
    for match in boundary.finditer(text, start, end + 1):
        if start < match.start() <= end and (across_links or not linked[match.start()]):
            last = (match.start(), match.end())
    return last


def _has_boundary(text: str, start: int, end: int) -> bool:
    return any(
        start < match.start() <= end
        for boundary in (WORDS, SENTENCES)
        for match in boundary.finditer(text, start, end + 1)
    )


def _joined(text: str, position: int) -> bool:
    """Whether the characters around `position` belong to one symbol (an emoji sequence, an
    accented letter)."""
    after = text[position]
    return (
        text[position - 1] == "\u200d"
        or after == "\u200d"
        or 0xFE00 <= ord(after) <= 0xFE0F
        or 0x1F3FB <= ord(after) <= 0x1F3FF
        or unicodedata.combining(after) != 0
    )


def _piece(
    tokens: Sequence[_Token], stacks: Sequence[tuple[_Token, ...]], first: int, last: int
) -> str:
    """Tokens `first` to `last` with the tags open around them reopened and closed, and the
    whitespace at either edge left out."""
    body = tokens[first:last]
    solid = [i for i, token in enumerate(body) if token.text and not token.text.isspace()]
    kept = [
        token.raw
        for i, token in enumerate(body)
        if not token.text.isspace() or solid[0] <= i <= solid[-1]
    ]
    opened = "".join(token.raw for token in stacks[first])
    closed = "".join(f"</{token.tag}>" for token in reversed(stacks[last]))
    piece = opened + "".join(kept) + closed
    while (shorter := _EMPTY_ELEMENT.sub("", piece)) != piece:
        piece = shorter
    return piece
