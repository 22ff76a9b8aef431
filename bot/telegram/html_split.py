"""Splits Telegram HTML into messages Telegram accepts, and measures it as Telegram does.

Telegram refuses a message whose text is longer than 4,096 characters once its entities are
parsed (tags removed, `&amp;` and the like decoded), counted in UTF-16 code units. A text that
would be too long is split at paragraph, then line, sentence and word boundaries, never inside a
tag or an entity; each piece closes the tags it leaves open and the next reopens them, so every
piece is valid HTML on its own.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.rendering import BOUNDARIES, SENTENCES, WORDS

MAX_MESSAGE = 4096

_MARKUP = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*>"
    r"|&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));"
)
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_EMPTY_ELEMENT = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?></\1>")


def visible_length(source: str) -> int:
    """How long Telegram finds `source`: its text after entity parsing, in UTF-16 code units.

    The count `_tokenize` would give, without making a token of every character: every message
    is measured before it is sent.
    """
    length, position = 0, 0
    for match in _MARKUP.finditer(source):
        length += utf16_units(source[position : match.start()])
        if not match.group(2):  # an entity: the character it stands for, or itself as typed
            char = _decode(match)
            length += utf16_units(match.group(0) if char is None else char)
        position = match.end()
    return length + utf16_units(source[position:])


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
        units.append(units[-1] + utf16_units(char))
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


def utf16_units(text: str) -> int:
    """UTF-16 code units: two for a character beyond the Basic Multilingual Plane."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


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
