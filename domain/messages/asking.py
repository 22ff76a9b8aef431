"""Asking a paper, or the archive, in the chat: how to ask, what is refused, and the notes an
answer carries."""

from __future__ import annotations

from domain.messages.types import Texts

TEXTS: Texts = {
    "asking.usage": {
        "en": "Usage: ask <arXiv id or URL> <question>, e.g. ask 2602.00780 what baseline do "
        "they beat? Or ask <question> across every paper stored, e.g. ask what have we seen "
        "on KV-cache compression? Or reply to a paper's message with your question.",
        "zh": "用法：ask <arXiv 编号或链接> <问题>，例如 ask 2602.00780 他们超过了哪个基线？"
        "或 ask <问题> 在所有已保存的论文中提问，例如 ask 我们看过哪些关于 KV-cache 压缩的论文？"
        "也可以直接回复论文的消息提问。",
    },
    "asking.how": {
        "en": "To ask: mention me with your question to ask across every paper stored; to ask "
        "about one paper, tap Ask under its message, mention me in its thread, or write its "
        "arXiv id before the question.",
        "zh": "提问方式：@我 并写下问题，即在所有已保存的论文中提问；要就某篇论文提问，"
        "请点论文消息下的“提问”按钮，在它的讨论串里 @我，或在问题前写上论文的 arXiv 编号。",
    },
    "asking.not_a_paper": {
        "en": "That message is not a paper's: reply to a paper's message or to an answer, "
        "ask with the paper's arXiv id, or ask across the archive: ask and your question.",
        "zh": "那条消息不是论文消息：请回复论文的消息或某个回答，或带上论文的 arXiv 编号提问，"
        "或用“ask 加你的问题”在存档中提问。",
    },
    "asking.cap": {
        "en": "You have asked your {cap} new questions for today (ASK_PER_USER_PER_DAY); "
        "questions answered before still work, new ones again from 00:00 UTC.",
        "zh": "你今天的 {cap} 个新问题已用完（ASK_PER_USER_PER_DAY）；"
        "已回答过的问题仍可查看，新问题请在 UTC 00:00 之后再问。",
    },
    "chat.too_fast.ask": {
        "en": "Too many questions: at most {limit} a minute, as for summarize "
        "(SUMMARIZE_PER_USER_PER_MINUTE). Try again in {wait} s ({at}).",
        "zh": "提问太频繁：与总结相同，每分钟最多 {limit} 次（SUMMARIZE_PER_USER_PER_MINUTE）。"
        "请 {wait} 秒后再试（{at}）。",
    },
    "chat.ack.ask": {
        "en": "Reading {paper} for your question…",
        "zh": "正在阅读 {paper} 以回答你的问题…",
    },
    "chat.ack.ask_archive": {
        "en": "Looking through the archive for your question…",
        "zh": "正在存档中查找你的问题…",
    },
    "chat.menu.ask": {
        "en": "Ask a paper or the archive: /ask [arXiv id] <question>",
        "zh": "就论文或存档提问：/ask [arXiv 编号] <问题>",
    },
    # ---- an answer ----
    "asking.asked": {"en": "{who} asked about {title}", "zh": "{who} 就 {title} 提问"},
    "asking.sources": {"en": "Sources: {labels}", "zh": "出处：{labels}"},
    # ---- an answer across the archive ----
    "asking.archive.title": {"en": "From the archive", "zh": "来自存档"},
    "asking.archive.asked": {"en": "{title}: {who} asked", "zh": "{title}：{who} 提问"},
    "asking.archive.sources": {"en": "Sources:", "zh": "出处："},
    # ---- Slack's question box ----
    "asking.button": {"en": "Ask", "zh": "提问"},
    "asking.button.follow_up": {"en": "Ask a follow-up", "zh": "继续追问"},
    "asking.modal.title": {"en": "Ask the paper", "zh": "向论文提问"},
    "asking.modal.submit": {"en": "Ask", "zh": "提问"},
    "asking.modal.close": {"en": "Cancel", "zh": "取消"},
    "asking.modal.label": {"en": "Your question about {title}", "zh": "你关于 {title} 的问题"},
    "asking.modal.follow_up": {
        "en": "Your follow-up about {title}",
        "zh": "你关于 {title} 的追问",
    },
    "asking.modal.archive_title": {"en": "Ask the archive", "zh": "向存档提问"},
    "asking.modal.archive_follow_up": {
        "en": "Your follow-up across the archive",
        "zh": "你对存档的追问",
    },
    "asking.modal.archive_hint": {
        "en": "The answer is posted in the thread, citing the papers it comes from.",
        "zh": "回答会发在讨论串里，并注明出处的论文。",
    },
    "asking.modal.hint": {
        "en": "The answer is posted in the paper's thread, with the sections and pages it "
        "comes from.",
        "zh": "回答会发在论文的讨论串里，并注明出处的章节和页码。",
    },
    "asking.trigger_expired": {
        "en": "Slack closed the question box before it could open: tap the button again.",
        "zh": "Slack 在提问框打开前就关闭了它：请再点一次按钮。",
    },
}
