"""Links to a day's replies on Telegram, where the chat has them.

A message in a supergroup (its id `-100<n>`) is at `https://t.me/c/<n>/<message id>`, and in a
forum topic at `https://t.me/c/<n>/<topic id>/<message id>`; a member opens it in their app. A
basic group (a negative id without the `-100`) and a private chat have no links to messages:
their parent's titles link to arXiv instead.
"""

from __future__ import annotations

from collections.abc import Mapping

SUPERGROUP_PREFIX = "-100"


def message_links(chat_id: str, topic_id: str | None, replies: Mapping[str, str]) -> dict[str, str]:
    """Each reply's link by arXiv id; none in a chat without message links."""
    internal = chat_id.removeprefix(SUPERGROUP_PREFIX)
    if not chat_id.startswith(SUPERGROUP_PREFIX) or not internal.isdigit():
        return {}
    base = f"https://t.me/c/{internal}/" + (f"{topic_id}/" if topic_id else "")
    return {arxiv_id: base + message_id for arxiv_id, message_id in replies.items() if message_id}
