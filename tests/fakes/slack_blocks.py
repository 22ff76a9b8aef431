"""Slack's message validation, as the fake Slack applies it to every message it is sent.

- `no_text` without text and blocks; `msg_too_long` for text over 40,000 characters;
- `invalid_blocks` for blocks that are not a JSON list of objects, more than 50 blocks, a section
  text over 3,000 characters, a header that is not plain text or over 150, a context block without
  elements or with more than 10, an actions block without elements or with more than 25, a
  button whose text is not plain text of 1 to 75 characters, whose `action_id` is missing or over
  255 characters or whose `value` is over 2,000 (a `block_id` over 255 too);
  `msg_blocks_too_long` when the blocks carry more than `BLOCKS_TEXT_LIMIT` characters of text.
"""

from __future__ import annotations

import json
from typing import Any

MAX_BLOCKS = 50
SECTION_TEXT_LIMIT = 3000
HEADER_TEXT_LIMIT = 150
CONTEXT_ELEMENTS_LIMIT = 10
ACTIONS_ELEMENTS_LIMIT = 25
BUTTON_TEXT_LIMIT = 75
ACTION_ID_LIMIT = 255
BLOCK_ID_LIMIT = 255
BUTTON_VALUE_LIMIT = 2000
BLOCKS_TEXT_LIMIT = 12000  # Slack's undocumented total, as its maintainers state it
TEXT_LIMIT = 40000


class SlackError(Exception):
    def __init__(self, error: str, detail: str | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.detail = detail


def content(args: dict[str, Any]) -> tuple[str | None, list[dict] | None]:
    """The message's text and blocks, validated as Slack does."""
    text = args.get("text")
    blocks = args.get("blocks")
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError:
            raise SlackError("invalid_blocks", "blocks are not valid JSON") from None
    if blocks is not None:
        validate_blocks(blocks)
    if not (text and str(text).strip()) and not blocks:
        raise SlackError("no_text")
    if text is not None and len(str(text)) > TEXT_LIMIT:
        raise SlackError("msg_too_long")
    return (str(text) if text is not None else None), blocks


def validate_blocks(blocks: object) -> None:
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        raise SlackError("invalid_blocks", "blocks must be a list of objects")
    if len(blocks) > MAX_BLOCKS:
        raise SlackError("invalid_blocks", f"no more than {MAX_BLOCKS} items allowed")
    for index, block in enumerate(blocks):
        problem = _block_problem(block)
        if problem:
            raise SlackError("invalid_blocks", f"{problem} [json-pointer:/blocks/{index}]")
    if _text_length(blocks) > BLOCKS_TEXT_LIMIT:
        raise SlackError("msg_blocks_too_long")


def _block_problem(block: dict[str, Any]) -> str | None:
    kind = block.get("type")
    if kind == "section":
        text = block.get("text")
        if text is None and not block.get("fields"):
            return "must provide text or fields"
        if text is not None and not _text_object_ok(text, SECTION_TEXT_LIMIT):
            return f"section text must be a text object of 1 to {SECTION_TEXT_LIMIT} characters"
        if len(block.get("fields") or []) > 10:
            return "no more than 10 fields allowed"
    elif kind == "header":
        text = block.get("text")
        if not _text_object_ok(text, HEADER_TEXT_LIMIT) or text.get("type") != "plain_text":
            return f"header text must be plain_text of 1 to {HEADER_TEXT_LIMIT} characters"
    elif kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= CONTEXT_ELEMENTS_LIMIT:
            return f"context needs 1 to {CONTEXT_ELEMENTS_LIMIT} elements"
        if not all(_element_ok(e) for e in elements):
            return "context elements must be text or image objects"
    elif kind == "actions":
        return _actions_problem(block)
    elif kind not in ("divider", "image", "rich_text", "markdown", "input", "file"):
        return f"unknown block type {kind!r}"
    if len(str(block.get("block_id") or "")) > BLOCK_ID_LIMIT:
        return f"block_id must be at most {BLOCK_ID_LIMIT} characters"
    return None


def _actions_problem(block: dict[str, Any]) -> str | None:
    elements = block.get("elements")
    if not isinstance(elements, list) or not 1 <= len(elements) <= ACTIONS_ELEMENTS_LIMIT:
        return f"actions needs 1 to {ACTIONS_ELEMENTS_LIMIT} elements"
    if len(str(block.get("block_id") or "")) > BLOCK_ID_LIMIT:
        return f"block_id must be at most {BLOCK_ID_LIMIT} characters"
    for element in elements:
        if not isinstance(element, dict) or element.get("type") != "button":
            continue  # other interactive elements: not used here, accepted as they are
        text = element.get("text")
        if not _text_object_ok(text, BUTTON_TEXT_LIMIT) or text.get("type") != "plain_text":
            return f"button text must be plain_text of 1 to {BUTTON_TEXT_LIMIT} characters"
        action_id = element.get("action_id")
        if not isinstance(action_id, str) or not 1 <= len(action_id) <= ACTION_ID_LIMIT:
            return f"button action_id must be 1 to {ACTION_ID_LIMIT} characters"
        if len(str(element.get("value") or "")) > BUTTON_VALUE_LIMIT:
            return f"button value must be at most {BUTTON_VALUE_LIMIT} characters"
    return None


def _element_ok(element: object) -> bool:
    is_image = isinstance(element, dict) and element.get("type") == "image"
    return is_image or _text_object_ok(element, SECTION_TEXT_LIMIT)


def _text_object_ok(text: object, limit: int) -> bool:
    return (
        isinstance(text, dict)
        and text.get("type") in ("plain_text", "mrkdwn")
        and isinstance(text.get("text"), str)
        and 1 <= len(text["text"]) <= limit
    )


def _text_length(value: object) -> int:
    if isinstance(value, dict):
        return sum(
            len(v) if k == "text" and isinstance(v, str) else _text_length(v)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return sum(_text_length(v) for v in value)
    return 0
