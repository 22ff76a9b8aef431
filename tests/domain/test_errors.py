from __future__ import annotations

import pickle

from bot.platform import PlatformError
from bot.slack.settings import SlackConfigError
from domain.errors import (
    ArxivDigestError,
    CommandError,
    DigestError,
    InvalidKeyword,
    KeywordCapReached,
    PdfUnreadable,
)


def test_an_error_is_english_as_a_string_and_in_any_language_as_a_message() -> None:
    error = CommandError("errors.command.unknown", name="frobnicate")

    assert str(error) == "Unknown command 'frobnicate'. Try 'help'."
    assert error.message("zh") == "未知命令“frobnicate”。试试 “help”。"
    assert error.message("fr") == str(error)
    assert (error.key, error.values) == ("errors.command.unknown", {"name": "frobnicate"})


def test_a_technical_detail_stays_english_after_a_translated_lead() -> None:
    error = PdfUnreadable("the PDF is encrypted")

    assert str(error) == "the PDF is encrypted"
    assert error.message("zh") == "无法读取 PDF：the PDF is encrypted"


def test_errors_survive_pickling_with_their_key_values_and_attributes() -> None:
    for error in (
        PdfUnreadable("the file is empty"),
        InvalidKeyword("!!"),
        KeywordCapReached(for_chat=True, cap=2, held=2, room=0),
    ):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error)
        assert copy.__dict__ == error.__dict__


def test_the_platforms_errors_are_of_the_tree_but_not_for_chat_users() -> None:
    error = SlackConfigError("SLACK_BOT_TOKEN is not set")

    assert isinstance(error, PlatformError) and isinstance(error, ArxivDigestError)
    assert isinstance(error, ValueError) and not isinstance(error, DigestError)
    assert str(error) == "SLACK_BOT_TOKEN is not set"
