"""What a person types after `export`, read into a format and filters; no I/O happens here.

`export bibtex since:2026-01-01 chat` exports the papers posted in this chat since then; without
`chat` the asker's own 👍 papers (`liked` says so explicitly). Anything else is refused in one
line, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.errors import CommandError

FORMATS = ("bibtex",)


@dataclass(frozen=True, slots=True)
class ExportRequest:
    format: str = "bibtex"
    since: date | None = None
    until: date | None = None
    in_chat: bool = False  # the papers posted in this chat, rather than the asker's 👍


def parse_export(rest: str) -> ExportRequest:
    """The request; CommandError (with its catalogue key) for anything it cannot read."""
    words = rest.split()
    if not words:
        raise CommandError("archive.export.usage")
    chosen = words[0].lower()
    if chosen not in FORMATS:
        raise CommandError("archive.export.format", value=words[0][:40])
    dates: dict[str, date] = {}
    flags: set[str] = set()
    for word in words[1:]:
        name, colon, value = word.partition(":")
        name = name.lower()
        if not colon and name in ("liked", "chat"):
            flags.add(name)
        elif colon and name in ("since", "until"):
            dates[name] = _date(name, value)
        else:
            raise CommandError("archive.export.usage")
    if len(flags) > 1:
        raise CommandError("archive.export.both")
    since, until = dates.get("since"), dates.get("until")
    if since and until and since > until:
        raise CommandError("archive.search_dates_reversed", since=since, until=until)
    return ExportRequest(chosen, since, until, in_chat="chat" in flags)


def _date(name: str, value: str) -> date:
    if not value:
        raise CommandError("archive.filter_empty", name=name)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError("archive.bad_date", name=name, value=value[:40]) from None
