"""The weekly digest: one message per chat and ISO week."""

from __future__ import annotations

from domain.messages.types import Texts

TEXTS: Texts = {
    "weekly.heading": {
        "en": "Week {week} ({first} – {last}): {papers} papers in this chat",
        "zh": "{week} 周报（{first} 至 {last}）：本聊天共收到 {papers} 篇论文",
    },
    "weekly.empty": {
        "en": "Week {week} ({first} – {last}): no papers reached this chat.",
        "zh": "{week} 周报（{first} 至 {last}）：本周本聊天没有收到论文。",
    },
    "weekly.quiet": {
        "en": "Nobody gave a 👍 or asked about a paper this week.",
        "zh": "本周没有人点 👍，也没有人提问。",
    },
    "weekly.liked": {"en": "Most liked", "zh": "最受欢迎"},
    "weekly.asked": {"en": "Most asked about", "zh": "提问最多"},
    "weekly.themes": {"en": "This week's themes", "zh": "本周主题"},
    "weekly.likes": {"en": "👍 {count}", "zh": "👍 {count}"},
    "weekly.questions": {"en": "❓ {count}", "zh": "❓ {count}"},
}
