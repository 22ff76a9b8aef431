"""`sendDocument` for the fake Telegram, and the multipart bodies files come in.

A bot uploads a file as `multipart/form-data` (python-telegram-bot does so whenever an
argument is an `InputFile`); other arguments are the form's plain fields, objects as JSON
strings. Validated as Telegram does:
- 403 "Forbidden: bot can't initiate conversation with a user" for a user who never started
  the bot (`fake.blocked_users`), 400 "chat not found" as for sendMessage;
- 400 "there is no document in the request" without one; 400 "wrong file identifier/HTTP URL
  specified" for a document given as text (a file id or URL: the fake stores no files);
- 400 "file must be non-empty"; 413 "Request Entity Too Large" over 50 MB, a bot's limit;
- 400 "message caption is too long" over 1,024 characters.
Accepted documents are kept in `documents`, and the message answered is a document message.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
MAX_CAPTION = 1024


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart body."""

    filename: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class SentDocument:
    chat_id: int | str
    message_id: int
    filename: str
    content: bytes
    caption: str | None


class DocumentError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def multipart_arguments(content_type: str, body: bytes) -> dict[str, Any]:
    """The form's fields: text for plain ones, an `UploadedFile` for files."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise DocumentError(400, "Bad Request: can't parse multipart/form-data body")
    args: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            args[name] = UploadedFile(filename, content, part.get_content_type())
        else:
            args[name] = content.decode(part.get_content_charset() or "utf-8")
    return args


def checked_document(args: dict[str, Any]) -> tuple[UploadedFile, str | None]:
    """The document and its caption, or the DocumentError Telegram would answer."""
    document = args.get("document")
    if document is None or document == "":
        raise DocumentError(400, "Bad Request: there is no document in the request")
    if not isinstance(document, UploadedFile):
        raise DocumentError(400, "Bad Request: wrong file identifier/HTTP URL specified")
    if not document.content:
        raise DocumentError(400, "Bad Request: file must be non-empty")
    if len(document.content) > MAX_DOCUMENT_BYTES:
        raise DocumentError(413, "Request Entity Too Large")
    caption = args.get("caption")
    if caption is not None and len(str(caption)) > MAX_CAPTION:
        raise DocumentError(400, "Bad Request: message caption is too long")
    return document, None if caption in (None, "") else str(caption)


def document_object(document: UploadedFile) -> dict[str, Any]:
    """The `document` field of the message Telegram answers with."""
    digest = hashlib.sha256(document.content).hexdigest()
    return {
        "file_name": document.filename,
        "mime_type": document.content_type,
        "file_id": f"BQAC{digest[:40]}",
        "file_unique_id": f"AgAD{digest[:12]}",
        "file_size": len(document.content),
    }
