"""What the fake Slack keeps of file uploads, done as Slack's external upload has them:

1. `files.getUploadURLExternal` (`filename`, `length` in bytes) answers an `upload_url` on the
   fake (`/upload/v1/<file id>`) and a `file_id`; `invalid_arguments` without a filename,
   `missing_argument` for a length that is not a positive integer, `file_upload_size_restricted`
   over 1 GB (Slack's limit for one file);
2. a POST of the bytes to that URL, raw or as a multipart form (answered 200 `OK - <length>`);
   404 for a URL never issued or used already; 400 when the bytes are not the length declared
   in step 1 (the fake's own strictness: nothing else would then match what was asked for);
3. `files.completeUploadExternal` (`files`: a JSON array of `{"id", "title"}`, `channel_id`)
   shares them; `invalid_arguments` for `files` missing or unreadable, `file_not_found` for an
   id never issued or whose bytes never came, `channel_not_found` for a channel Slack does not
   know. Without `channel_id` (or `channels`) the file stays private, as on Slack.

Recorded: `file_calls` (each step's name, in order), `shared_files` (what step 3 shared).
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from tests.fakes.base import Request, Response
from tests.fakes.slack_blocks import SlackError

MAX_FILE_BYTES = 1024**3  # 1 GB
UPLOAD_PATH = "/upload/v1/"


@dataclass
class SharedFile:
    file_id: str
    filename: str
    title: str | None
    content: bytes
    channel: str | None  # None: uploaded but kept private
    initial_comment: str | None


@dataclass
class _Upload:
    filename: str
    length: int
    content: bytes | None = None


class SlackFiles:
    """Mixed into FakeSlack: it has `url` and `_channel(args)`, which checks a channel."""

    url: str

    def _init_files(self) -> None:
        self.file_calls: list[str] = []
        self.shared_files: list[SharedFile] = []
        self._uploads: dict[str, _Upload] = {}
        self._file_ids = itertools.count(1)
        self._files_lock = threading.Lock()

    def _channel(self, args: dict[str, Any]) -> str:
        raise NotImplementedError

    def _file_methods(self) -> dict[str, Any]:
        return {
            "files.getUploadURLExternal": self._get_upload_url,
            "files.completeUploadExternal": self._complete_upload,
        }

    def _get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        filename = str(args.get("filename") or "")
        if not filename:
            raise SlackError("invalid_arguments")
        try:
            length = int(str(args.get("length")))
        except ValueError:
            raise SlackError("missing_argument") from None
        if length <= 0:
            raise SlackError("missing_argument")
        if length > MAX_FILE_BYTES:
            raise SlackError("file_upload_size_restricted")
        with self._files_lock:
            file_id = f"F{next(self._file_ids):08d}"
            self._uploads[file_id] = _Upload(filename, length)
            self.file_calls.append("files.getUploadURLExternal")
        return {"upload_url": f"{self.url}{UPLOAD_PATH}{file_id}", "file_id": file_id}

    def _receive_upload(self, request: Request) -> Response:
        file_id = request.path.removeprefix(UPLOAD_PATH)
        content = _uploaded_bytes(request)
        with self._files_lock:
            upload = self._uploads.get(file_id)
            if upload is None or upload.content is not None or request.method != "POST":
                return Response(404, b"not found", {"Content-Type": "text/plain"})
            if len(content) != upload.length:
                return Response(400, b"length mismatch", {"Content-Type": "text/plain"})
            upload.content = content
            self.file_calls.append("upload")
        return Response(200, f"OK - {len(content)}".encode(), {"Content-Type": "text/plain"})

    def _complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        try:
            files = json.loads(str(args.get("files") or ""))
        except ValueError:
            raise SlackError("invalid_arguments") from None
        if not isinstance(files, list) or not files:
            raise SlackError("invalid_arguments")
        channel = self._channel({"channel": args["channel_id"]}) if args.get("channel_id") else None
        shared = []
        with self._files_lock:
            for item in files:
                upload = self._uploads.get(str(item.get("id"))) if isinstance(item, dict) else None
                if upload is None or upload.content is None:
                    raise SlackError("file_not_found")
            for item in files:
                upload = self._uploads.pop(item["id"])
                assert upload.content is not None
                shared.append(
                    SharedFile(
                        item["id"],
                        upload.filename,
                        item.get("title"),
                        upload.content,
                        channel,
                        args.get("initial_comment") or None,
                    )
                )
            self.shared_files += shared
            self.file_calls.append("files.completeUploadExternal")
        return {
            "files": [
                {"id": f.file_id, "name": f.filename, "title": f.title, "size": len(f.content)}
                for f in shared
            ]
        }


def _uploaded_bytes(request: Request) -> bytes:
    """The raw body, or the file part of a multipart form."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        return request.body
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.body)
    for part in message.iter_parts():
        if part.get_filename() is not None:
            payload = part.get_payload(decode=True)
            return payload if isinstance(payload, bytes) else b""
    return b""
