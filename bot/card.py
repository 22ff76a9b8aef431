"""What a chat shows of a paper and of a day's report, before any platform's markup.

Every content decision is made here, once for both platforms: which fields in which order, how
many authors, the analysis or else the abstract, which links, who is mentioned, what the day's
parent message lists. All text is plain (not escaped) and put on one line where a field shows it
on one; each platform's renderer adds its markup, its length limits and its splitting.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.platform import Mention as Tagged
from bot.rendering import PARAGRAPHS
from domain.messages import text
from domain.models import Paper, PaperAnalysis
from domain.statuses import AnalysisSource, Mention, ReportStatus
from pipeline.gist import gist
from pipeline.markdown import capped_note, inline, matched_count
from pipeline.report import DailyReport, PaperEntry

AUTHORS_SHOWN = 10


@dataclass(frozen=True, slots=True)
class Link:
    """A web address; without a label the address itself is shown."""

    url: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class PaperLink:
    """A paper's title, linking to its arXiv page."""

    url: str
    title: str  # may be empty
    versioned_id: str

    @property
    def name(self) -> str:
        """What stands for the paper where it must be named: its title, else its id."""
        return self.title or self.versioned_id


@dataclass(frozen=True, slots=True)
class Tag:
    """A member to notify, and which of their keywords matched (empty when none are known)."""

    user_id: str
    keywords: str


@dataclass(frozen=True, slots=True)
class TextField:
    key: str  # which field this is, for a renderer's length budgets
    label: str
    text: str


@dataclass(frozen=True, slots=True)
class LinksField:
    label: str
    links: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class MentionsField:
    label: str
    tags: tuple[Tag, ...]


Field = TextField | LinksField | MentionsField


@dataclass(frozen=True, slots=True)
class Section:
    """A labelled block of text: paragraphs apart by a blank line, list items one a line."""

    label: str
    body: str


@dataclass(frozen=True, slots=True)
class PaperCard:
    link: PaperLink
    fields: tuple[Field, ...]  # one line each, after the title
    notes: tuple[str, ...]  # e.g. why the full text could not be read
    source: str | None  # what the analysis was made from; None when that is not said
    sections: tuple[Section, ...]  # the analysis, else the abstract, else nothing
    continued: str  # opens a later message of the paper: format with page and pages


@dataclass(frozen=True, slots=True)
class UpdatedPaper:
    link: PaperLink
    text: str  # follows the link: the paper's id and what changed


@dataclass(frozen=True, slots=True)
class ListedPaper:
    """A paper in a compact list: its title (linking to its reply in the day's thread where
    the platform can, else to arXiv), why it is there and what it is about, in a line."""

    number: int
    link: PaperLink
    keywords: str  # the matched keywords, or "Suggested: <reason>"; may be empty
    gist: str  # may be empty (its analysis has not landed yet)
    suggested: bool = False


@dataclass(frozen=True, slots=True)
class ParentCard:
    """The day's parent message: the day at a glance, every paper in rank order on one line,
    then the papers ranked below the cap (listed, never analysed)."""

    heading: str
    papers: str  # how many papers matched of how many announced
    fields: tuple[TextField, ...]
    note: str | None
    updated_label: str
    updated: tuple[UpdatedPaper, ...]
    more_updated: str  # ends a cut list of updated papers: format with count
    listed: tuple[ListedPaper, ...]
    capped_label: str
    capped: tuple[ListedPaper, ...]  # by title (to arXiv) and keywords only
    capped_note: str  # how many were capped and the tokens saved; empty without any
    more_listed: str  # ends a cut list of papers: format with count
    continued: str  # opens a later message of a long reply: format with page and pages


def paper_card(entry: PaperEntry, mentions: Sequence[Tagged], language: str) -> PaperCard:
    paper = entry.paper
    source = None
    if entry.analysis is not None and has_content(entry.analysis):
        if entry.source == AnalysisSource.FULL_TEXT:
            source = text("label.analysis_full", language)
        elif entry.source == AnalysisSource.ABSTRACT:
            source = text("label.analysis_abstract", language)
        sections = analysis_sections(entry.analysis, language)
    elif paper.abstract.strip():
        sections = (Section(text("label.abstract", language), inline(paper.abstract)),)
    else:
        sections = ()
    return PaperCard(
        link=_paper_link(paper),
        fields=_paper_fields(entry, mentions, language),
        notes=tuple(inline(note) for note in entry.notes if note.strip()),
        source=source,
        sections=sections,
        continued=text("card.continued", language),
    )


def parent_card(report: DailyReport, replies: Mapping[str, str] | None = None) -> ParentCard:
    """`replies` maps a paper's arXiv id to the address of its reply in the day's thread; a
    paper without one links to arXiv."""
    language = report.language
    counts = {"matched": matched_count(report), "announced": report.announced_count}
    papers = text("label.papers_value", language, **counts)
    model = f"{report.model} ({language})" if report.model else text("label.no_model", language)
    fields = [
        _text_field("date", language, report.report_date.isoformat()),
        _text_field("categories", language, inline(", ".join(report.categories)) or "—"),
        _text_field("keywords", language, inline(", ".join(report.keywords)) or "—"),
        _text_field("papers", language, papers),
        _text_field("model", language, inline(model)),
    ]
    if report.status != ReportStatus.COMPLETE:
        status = text(f"status.{report.status.value}", language)
        fields.append(TextField("status", text("card.status", language), status))
    updated = tuple(
        UpdatedPaper(
            _paper_link(paper),
            f"({paper.arxiv_id}): " + text("label.updated_line", language, version=paper.version),
        )
        for paper in report.updated
    )
    links = replies or {}
    return ParentCard(
        heading=f"{text('label.title', language)} — {report.report_date.isoformat()}",
        papers=papers,
        fields=tuple(fields),
        note=inline(report.note) if report.note and report.note.strip() else None,
        updated_label=text("label.updated", language),
        updated=updated,
        more_updated=text("card.more_updated", language),
        listed=tuple(
            _listed(number, entry, report, links.get(entry.paper.arxiv_id))
            for number, entry in enumerate(report.entries, 1)
        ),
        capped_label=text("label.capped", language),
        capped=tuple(
            ListedPaper(n, _paper_link(e.paper), inline(", ".join(e.matched_keywords)), "")
            for n, e in enumerate(report.capped, len(report.entries) + 1)
        ),
        capped_note=capped_note(report),
        more_listed=text("card.more_listed", language),
        continued=text("card.continued", language),
    )


def has_content(analysis: PaperAnalysis) -> bool:
    texts = [analysis.summary, analysis.motivation, analysis.method, analysis.experiments]
    return any(part.strip() for part in [*texts, *analysis.contributions])


def analysis_sections(analysis: PaperAnalysis, language: str) -> tuple[Section, ...]:
    """The five sections in order; empty ones are left out."""
    contributions = "\n".join(
        f"• {inline(item)}" for item in analysis.contributions if item.strip()
    )
    sections = [
        Section(text("label.summary", language), prose(analysis.summary)),
        Section(text("label.motivation", language), prose(analysis.motivation)),
        Section(text("label.contributions", language), contributions),
        Section(text("label.method", language), prose(analysis.method)),
        Section(text("label.experiments", language), prose(analysis.experiments)),
    ]
    return tuple(section for section in sections if section.body)


def prose(text: str) -> str:
    """LLM text keeps its paragraphs and line breaks; other whitespace is collapsed."""
    paragraphs = (p for p in PARAGRAPHS.split(text.strip()) if p.strip())
    return "\n\n".join(
        "\n".join(inline(line) for line in p.splitlines() if line.strip()) for p in paragraphs
    )


def _paper_fields(
    entry: PaperEntry, mentions: Sequence[Tagged], language: str
) -> tuple[Field, ...]:
    paper = entry.paper
    fields: list[Field] = []
    if entry.kind is Mention.SUGGESTED:  # at the top: the reader did not ask for this one
        fields.append(_text_field("suggested", language, inline(entry.reason or "")))
    fields += [
        _text_field("authors", language, _authors(paper.authors, language)),
        _text_field("arxiv", language, paper.versioned_id),
        _text_field("categories", language, ", ".join(paper.categories) or "—"),
    ]
    if paper.announce_type is not None:
        fields.append(_text_field("announce_type", language, paper.announce_type.value))
    if entry.matched_keywords:
        fields.append(_text_field("matched", language, inline(", ".join(entry.matched_keywords))))
    if mentions:
        tags = tuple(Tag(m.user_id, inline(", ".join(m.keywords))) for m in mentions)
        fields.append(MentionsField(text("card.mentions", language), tags))
    if entry.code_links:
        links = tuple(Link(url) for url in entry.code_links)
        fields.append(LinksField(text("label.code", language), links))
    return tuple(fields)


def _text_field(key: str, language: str, value: str) -> TextField:
    """A field whose label is the catalogue's `label.<key>`."""
    return TextField(key, text(f"label.{key}", language), value)


def _authors(authors: Sequence[str], language: str) -> str:
    """The first AUTHORS_SHOWN authors, then how many more there are."""
    named = [inline(author) for author in authors if author.strip()]
    shown = ", ".join(named[:AUTHORS_SHOWN]) or "—"
    if len(named) > AUTHORS_SHOWN:
        shown += " " + text("card.more_authors", language, count=len(named) - AUTHORS_SHOWN)
    return shown


def _paper_link(paper: Paper) -> PaperLink:
    return PaperLink(paper.abs_url, inline(paper.title), paper.versioned_id)


def _listed(number: int, entry: PaperEntry, report: DailyReport, reply: str | None) -> ListedPaper:
    """A paper's line: linked to its reply when there is one; its gist once it is analysed
    (or from its abstract, when no analysis is on its way)."""
    link = _paper_link(entry.paper)
    if reply:
        link = dataclasses.replace(link, url=reply)
    suggested = entry.kind is Mention.SUGGESTED
    if suggested:
        keywords = _suggested(entry, report.language)
    else:
        keywords = inline(", ".join(entry.matched_keywords))
    waiting = entry.analysis is None and report.status is ReportStatus.ANALYSING
    return ListedPaper(number, link, keywords, "" if waiting else gist(entry), suggested)


def _suggested(entry: PaperEntry, language: str) -> str:
    """ "Suggested", and why when the report knows."""
    label = text("label.suggested", language)
    reason = inline(entry.reason or "")
    return f"{label}: {reason}" if reason else label
