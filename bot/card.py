"""What a chat shows of a paper and of a day's report, before any platform's markup.

Every content decision is made here, once for both platforms: which fields in which order, how
many authors, the analysis or else the abstract, which links, who is mentioned, what the day's
parent message lists. All text is plain (not escaped) and put on one line where a field shows it
on one; each platform's renderer adds its markup, its length limits and its splitting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.labels import chat_labels
from bot.platform import Mention
from bot.rendering import PARAGRAPHS
from domain.models import Paper, PaperAnalysis
from domain.statuses import AnalysisSource, ReportStatus
from pipeline.markdown import inline
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
    """A paper in a report's compact list: what it matched and what it is about, in a line."""

    number: int
    link: PaperLink
    keywords: str  # may be empty
    gist: str  # may be empty


@dataclass(frozen=True, slots=True)
class ParentCard:
    """The day's parent message, and the paper list a report command adds after it."""

    heading: str
    papers: str  # how many papers matched of how many announced
    fields: tuple[TextField, ...]
    note: str | None
    updated_label: str
    updated: tuple[UpdatedPaper, ...]
    more_updated: str  # ends a cut list of updated papers: format with count
    listed: tuple[ListedPaper, ...]
    continued: str  # opens a later message of a long reply: format with page and pages


def paper_card(entry: PaperEntry, mentions: Sequence[Mention], language: str) -> PaperCard:
    labels = chat_labels(language)
    paper = entry.paper
    source = None
    if entry.analysis is not None and has_content(entry.analysis):
        if entry.source == AnalysisSource.FULL_TEXT:
            source = labels["analysis_full"]
        elif entry.source == AnalysisSource.ABSTRACT:
            source = labels["analysis_abstract"]
        sections = analysis_sections(entry.analysis, labels)
    elif paper.abstract.strip():
        sections = (Section(labels["abstract"], inline(paper.abstract)),)
    else:
        sections = ()
    return PaperCard(
        link=_paper_link(paper),
        fields=_paper_fields(entry, mentions, labels),
        notes=tuple(inline(note) for note in entry.notes if note.strip()),
        source=source,
        sections=sections,
        continued=labels["continued"],
    )


def parent_card(report: DailyReport) -> ParentCard:
    labels = chat_labels(report.language)
    papers = labels["papers_value"].format(
        matched=len(report.entries), announced=report.announced_count
    )
    model = f"{report.model} ({report.language})" if report.model else labels["no_model"]
    fields = [
        TextField("date", labels["date"], report.report_date.isoformat()),
        TextField("categories", labels["categories"], inline(", ".join(report.categories)) or "—"),
        TextField("keywords", labels["keywords"], inline(", ".join(report.keywords)) or "—"),
        TextField("papers", labels["papers"], papers),
        TextField("model", labels["model"], inline(model)),
    ]
    if report.status != ReportStatus.COMPLETE:
        fields.append(TextField("status", labels["status"], labels[report.status]))
    updated = tuple(
        UpdatedPaper(
            _paper_link(paper),
            f"({paper.arxiv_id}): " + labels["updated_line"].format(version=paper.version),
        )
        for paper in report.updated
    )
    return ParentCard(
        heading=f"{labels['title']} — {report.report_date.isoformat()}",
        papers=papers,
        fields=tuple(fields),
        note=inline(report.note) if report.note and report.note.strip() else None,
        updated_label=labels["updated"],
        updated=updated,
        more_updated=labels["more_updated"],
        listed=tuple(_listed(number, entry) for number, entry in enumerate(report.entries, 1)),
        continued=labels["continued"],
    )


def has_content(analysis: PaperAnalysis) -> bool:
    texts = [analysis.summary, analysis.motivation, analysis.method, analysis.experiments]
    return any(text.strip() for text in [*texts, *analysis.contributions])


def analysis_sections(analysis: PaperAnalysis, labels: dict[str, str]) -> tuple[Section, ...]:
    """The five sections in order; empty ones are left out."""
    contributions = "\n".join(
        f"• {inline(item)}" for item in analysis.contributions if item.strip()
    )
    sections = [
        Section(labels["summary"], prose(analysis.summary)),
        Section(labels["motivation"], prose(analysis.motivation)),
        Section(labels["contributions"], contributions),
        Section(labels["method"], prose(analysis.method)),
        Section(labels["experiments"], prose(analysis.experiments)),
    ]
    return tuple(section for section in sections if section.body)


def prose(text: str) -> str:
    """LLM text keeps its paragraphs and line breaks; other whitespace is collapsed."""
    paragraphs = (p for p in PARAGRAPHS.split(text.strip()) if p.strip())
    return "\n\n".join(
        "\n".join(inline(line) for line in p.splitlines() if line.strip()) for p in paragraphs
    )


def _paper_fields(
    entry: PaperEntry, mentions: Sequence[Mention], labels: dict[str, str]
) -> tuple[Field, ...]:
    paper = entry.paper
    fields: list[Field] = [
        TextField("authors", labels["authors"], _authors(paper.authors, labels)),
        TextField("arxiv", labels["arxiv"], paper.versioned_id),
        TextField("categories", labels["categories"], ", ".join(paper.categories) or "—"),
    ]
    if paper.announce_type is not None:
        fields.append(
            TextField("announce_type", labels["announce_type"], paper.announce_type.value)
        )
    if entry.matched_keywords:
        keywords = inline(", ".join(entry.matched_keywords))
        fields.append(TextField("matched", labels["matched"], keywords))
    if mentions:
        tags = tuple(Tag(m.user_id, inline(", ".join(m.keywords))) for m in mentions)
        fields.append(MentionsField(labels["mentions"], tags))
    if entry.code_links:
        fields.append(LinksField(labels["code"], tuple(Link(url) for url in entry.code_links)))
    return tuple(fields)


def _authors(authors: Sequence[str], labels: dict[str, str]) -> str:
    """The first AUTHORS_SHOWN authors, then how many more there are."""
    named = [inline(author) for author in authors if author.strip()]
    shown = ", ".join(named[:AUTHORS_SHOWN]) or "—"
    if len(named) > AUTHORS_SHOWN:
        shown += " " + labels["more_authors"].format(count=len(named) - AUTHORS_SHOWN)
    return shown


def _paper_link(paper: Paper) -> PaperLink:
    return PaperLink(paper.abs_url, inline(paper.title), paper.versioned_id)


def _listed(number: int, entry: PaperEntry) -> ListedPaper:
    analysis = entry.analysis
    gist = analysis.summary if analysis and analysis.summary.strip() else entry.paper.abstract
    keywords = inline(", ".join(entry.matched_keywords))
    return ListedPaper(number, _paper_link(entry.paper), keywords, inline(gist))
