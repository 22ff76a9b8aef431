"""A file for one person: uploaded into the bot's DM with them, as Slack's external upload
has it (conversations.open, files.getUploadURLExternal, the bytes POSTed to the upload URL,
files.completeUploadExternal with the DM's channel id); `files_upload_v2` makes the last three
calls. Needs the `files:write` and `im:write` scopes."""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.platform import FileReply, TextReply
from domain.messages import text
from storage.redaction import Redactor

log = logging.getLogger(__name__)


async def send_privately(
    client: AsyncWebClient, user_id: str, reply: FileReply, redact: Redactor
) -> TextReply:
    """Uploads the file to the person's DM; what to tell them where they asked (their lines,
    or one line saying it failed, which is logged)."""
    try:
        opened = await client.conversations_open(users=user_id)
        channel = str(opened["channel"]["id"])
        await client.files_upload_v2(
            channel=channel,
            content=reply.content,
            filename=reply.filename,
            title=reply.filename,
            initial_comment=redact(reply.caption),
        )
    except Exception:
        log.exception("could not send %s to Slack user %s", reply.filename, user_id)
        return TextReply((text("archive.export.failed", reply.language),), is_error=True)
    log.info("sent %s (%d bytes) to Slack user %s", reply.filename, len(reply.content), user_id)
    return TextReply(reply.lines)
