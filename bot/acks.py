"""What the bot answers at once to a command, before its answer: Slack wants an answer to a
slash command within 3 seconds, and a person likes to know they were heard."""

from __future__ import annotations

from bot.command_forms import (
    Ask,
    DigestDm,
    DigestHere,
    DigestOff,
    DigestSettings,
    Export,
    Interests,
    InterestsAdd,
    InterestsReset,
    KeywordsAdd,
    KeywordsList,
    KeywordsRemove,
    Report,
    Saved,
    Search,
    Summarize,
    Why,
)
from bot.commands import parse_command
from domain.errors import DigestError
from domain.messages import ENGLISH, text


def ack_text(typed: str, language: str = ENGLISH) -> str:
    """What to answer at once (Slack wants an answer within 3 seconds), before the answer."""
    try:
        command = parse_command(typed)
    except DigestError:
        return text("chat.ack.moment", language)
    match command:
        case Summarize(paper):
            return text("chat.ack.summarize", language, paper=paper)
        case Report(None):
            return text("chat.ack.latest_report", language)
        case Report(day):
            return text("chat.ack.report", language, day=day)
        case KeywordsList():
            return text("chat.ack.keywords_list", language)
        case KeywordsAdd() | KeywordsRemove():
            return text("chat.ack.keywords_change", language)
        case DigestSettings() if not command.changes:
            return text("chat.ack.settings_show", language)
        case DigestHere() | DigestOff() | DigestSettings() | DigestDm():
            return text("chat.ack.settings_change", language)
        case Why(paper):
            return text("chat.ack.why", language, paper=paper)
        case Interests():
            return text("chat.ack.interests", language)
        case InterestsAdd() | InterestsReset():
            return text("chat.ack.interests_change", language)
        case Ask(None):
            return text("chat.ack.ask_archive", language)
        case Ask(paper):
            return text("chat.ack.ask", language, paper=paper)
        case Search():
            return text("chat.ack.search", language)
        case Saved():
            return text("chat.ack.saved", language)
        case Export():
            return text("chat.ack.export", language)
        case _:
            return text("chat.ack.moment", language)
