"""Asking a paper: what an answer opens with, the notes it may carry, and why a question was not
answered. A `{problem}` is one of the `note.model.*` texts (an endpoint's fault) or of the
`questions.model.*` ones here (what the model answered)."""

from __future__ import annotations

from domain.messages.types import Texts

TEXTS: Texts = {
    # An answer the paper's text does not hold begins with this line.
    "questions.not_said": {
        "en": "The paper does not say.",
        "zh": "论文中没有说明。",
    },
    # Notes shown with an answer.
    "questions.ungrounded": {
        "en": "This answer cites no passage of the paper: check it against the paper.",
        "zh": "这个回答没有引用论文的任何段落：请对照论文核实。",
    },
    "questions.abstract_only": {
        "en": "The paper's full text could not be read: answered from its abstract and "
        "analysis only.",
        "zh": "无法读取论文全文：仅根据摘要和分析回答。",
    },
    "questions.from_store": {
        "en": "Answered before: the same question about this paper.",
        "zh": "之前已回答过：同一篇论文的同一个问题。",
    },
    # A question that is not asked.
    "questions.empty": {
        "en": "The question is empty: write it after the paper (or as a reply to it).",
        "zh": "问题是空的：请在论文之后写下问题（或回复论文的消息）。",
    },
    "questions.too_long": {
        "en": "The question is {length} characters long; at most {limit} fit. Ask it shorter.",
        "zh": "问题长 {length} 个字符，最多只能 {limit} 个。请缩短后再问。",
    },
    "questions.unknown": {
        "en": "That conversation is no longer stored: ask the question again.",
        "zh": "找不到那段对话了：请重新提问。",
    },
    # A question that was asked and not answered.
    "questions.no_llm": {
        "en": "Not answered: no LLM is configured "
        "(set LLM_MODEL and OPENAI_BASE_URL or OPENAI_API_KEY).",
        "zh": "未回答：没有配置 LLM（请设置 LLM_MODEL，以及 OPENAI_BASE_URL 或 OPENAI_API_KEY）。",
    },
    "questions.over_budget": {
        "en": "Not answered: the daily token budget (LLM_DAILY_TOKEN_CAP) is used up. "
        "Ask again after midnight (UTC).",
        "zh": "未回答：当日的 token 预算（LLM_DAILY_TOKEN_CAP）已用完。请在 UTC 零点后再问。",
    },
    "questions.failed": {
        "en": "{problem}; the question was not answered.",
        "zh": "{problem}；未能回答这个问题。",
    },
    "questions.model.length": {
        "en": "The model's answer was cut off",
        "zh": "模型的回答被截断",
    },
    "questions.model.invalid": {
        "en": "The model's reply was not a valid answer",
        "zh": "模型的回复不是有效的回答",
    },
    "questions.model.refused": {
        "en": "The model declined to answer",
        "zh": "模型拒绝回答",
    },
    "questions.model.context": {
        "en": "The passages did not fit in the model's context window",
        "zh": "段落超出了模型的上下文窗口",
    },
    # Asking across the archive (no paper named).
    "questions.archive.nothing_found": {
        "en": "The archive holds nothing on it: no stored paper is about this.",
        "zh": "存档中没有相关内容：没有已保存的论文谈到这个问题。",
    },
    # An answer the found papers' passages do not hold begins with this line.
    "questions.archive.not_said": {
        "en": "The archive's papers do not say.",
        "zh": "存档中的论文没有说明。",
    },
    "questions.archive.ungrounded": {
        "en": "This answer cites none of the archive's papers: check it against them.",
        "zh": "这个回答没有引用存档中的任何论文：请对照论文核实。",
    },
    "questions.archive.from_store": {
        "en": "Answered earlier today: the same question across the archive.",
        "zh": "今天早些时候已回答过：对存档提出的同一个问题。",
    },
}
