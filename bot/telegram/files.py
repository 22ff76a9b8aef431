"""A file for one person: a document in their private chat with the bot (sendDocument, up to
50 MB). Telegram lets a bot write there only once they have started it; until then the chat
they asked in is told how, as for `digest dm on`."""

from __future__ import annotations

import logging

from telegram import Bot, InputFile
from telegram.error import Forbidden

from bot.platform import FileReply, TextReply
from domain.messages import text

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024  # characters of a document's caption


async def send_privately(bot: Bot, user_id: int, reply: FileReply) -> TextReply:
    """Sends the document; what to tell the person where they asked (their lines, how to
    start the bot, or one line saying it failed, which is logged)."""
    try:
        await bot.send_document(
            chat_id=user_id,
            document=InputFile(reply.content, filename=reply.filename),
            caption=reply.caption[:CAPTION_LIMIT],
        )
    except Forbidden:
        started = text("chat.telegram.start_first", reply.language, bot=bot.username)
        return TextReply((started,), is_error=True)
    except Exception:
        log.exception("could not send %s to Telegram user %s", reply.filename, user_id)
        return TextReply((text("archive.export.failed", reply.language),), is_error=True)
    log.info("sent %s (%d bytes) to Telegram user %s", reply.filename, len(reply.content), user_id)
    return TextReply(reply.lines)
