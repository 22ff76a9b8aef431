"""Notes to the reader: why a paper has no full text or no analysis, why a day has no papers.

A note is written in the report's language where it is made, and stored as written (a failed
analysis keeps its note in the analysis's own language). Technical details (an HTTP status, an
endpoint's words, a PDF's fault) are values, never translated.
"""

from __future__ import annotations

from domain.messages.types import Texts

TEXTS: Texts = {
    # A day without papers to show.
    "note.none_announced": {
        "en": "arXiv announced no papers in {categories} on this day.",
        "zh": "arXiv 当天在 {categories} 分类下没有公告论文。",
    },
    "note.no_keywords_configured": {
        "en": "No keywords are configured (DIGEST_KEYWORDS or --keywords): no paper can match.",
        "zh": "未配置关键词（DIGEST_KEYWORDS 或 --keywords）：没有论文能匹配。",
    },
    "note.no_keywords_here": {
        "en": "No keywords are set here: no paper can match.",
        "zh": "这里还没有设置关键词：没有论文能匹配。",
    },
    "note.nothing_matched": {
        "en": "No paper of the day matched the keywords.",
        "zh": "当天没有论文匹配关键词。",
    },
    # Why a paper no keyword matched is in the report.
    "note.suggested_chat": {
        "en": "Suggested: close to “{title}”, which this chat liked.",
        "zh": "推荐：与本群赞过的《{title}》相近。",
    },
    "note.suggested_person": {
        "en": "Suggested: close to “{title}”, which you liked.",
        "zh": "推荐：与你赞过的《{title}》相近。",
    },
    "note.all_seen": {
        "en": "Nothing new here today: every matching paper was posted in an earlier thread.",
        "zh": "今天这里没有新内容：匹配的论文都已在之前的话题中发过。",
    },
    "note.stale": {
        "en": "arXiv's feed still serves {day}, older than {latest} which is already reported: "
        "nothing new yet.",
        "zh": "arXiv 订阅源仍是 {day} 的内容，早于已报告的 {latest}：暂无新内容。",
    },
    # A paper without its full text or its analysis.
    "note.pdf_unreadable": {"en": "the PDF could not be read", "zh": "PDF 无法读取"},
    "note.full_text_unavailable": {
        "en": "Full text unavailable: {reason}.",
        "zh": "无法获取全文：{reason}。",
    },
    "note.full_text_unavailable_analysed": {
        "en": "Full text unavailable: {reason}; analysed from the abstract only.",
        "zh": "无法获取全文：{reason}；仅基于摘要分析。",
    },
    "note.no_llm": {
        "en": "No analysis: no LLM is configured "
        "(set LLM_MODEL and OPENAI_BASE_URL or OPENAI_API_KEY).",
        "zh": "未分析：没有配置 LLM（请设置 LLM_MODEL，以及 OPENAI_BASE_URL 或 OPENAI_API_KEY）。",
    },
    "note.analysis_failed": {
        "en": "The analysis failed; showing the abstract only.",
        "zh": "分析失败；仅显示摘要。",
    },
    "note.over_budget": {
        "en": "Not analysed: the daily token budget for analyses is used up "
        "(LLM_DAILY_TOKEN_CAP); showing the abstract. The next run after midnight (UTC) "
        "analyses it.",
        "zh": "未分析：当日分析的 token 预算已用完（LLM_DAILY_TOKEN_CAP），仅显示摘要。"
        "UTC 零点后的下一次运行会分析它。",
    },
    # Why the model gave no analysis: `note.model.fallback` wraps each of the others.
    "note.model.fallback": {
        "en": "{problem}; showing the abstract only.",
        "zh": "{problem}；仅显示摘要。",
    },
    "note.model.refused": {
        "en": "The model declined to analyse this paper",
        "zh": "模型拒绝分析这篇论文",
    },
    "note.model.filtered": {
        "en": "The model endpoint's content filter blocked the answer",
        "zh": "模型服务的内容过滤拦截了回答",
    },
    "note.model.not_a_completion": {
        "en": "The model endpoint's reply is not a chat completion",
        "zh": "模型服务的回复不是对话补全（chat completion）",
    },
    "note.model.length": {
        "en": "The model's answer was cut off {times}",
        "zh": "模型的回答被截断（{times}）",
    },
    "note.model.invalid": {
        "en": "The model's answer was not a valid analysis {times}",
        "zh": "模型的回答不是有效的分析（{times}）",
    },
    "note.model.context": {
        "en": "The paper does not fit in the model's context window, even shortened",
        "zh": "论文即使缩短后仍超出模型的上下文窗口",
    },
    "note.model.attempts": {
        "en": "The model gave no complete, valid analysis in {count} attempts ({details})",
        "zh": "模型在 {count} 次尝试中都没有给出完整有效的分析（{details}）",
    },
    "note.model.each.length": {"en": "cut off {times}", "zh": "截断 {times}"},
    "note.model.each.invalid": {"en": "invalid {times}", "zh": "无效 {times}"},
    "note.model.each.context": {
        "en": "too long for the model {times}",
        "zh": "超出上下文 {times}",
    },
    "note.model.each.separator": {"en": ", ", "zh": "，"},
    # What the run's summary lists as failed; a paper's line quotes its note.
    "failure.pdf": {"en": "PDF of {paper}: {note}", "zh": "{paper} 的 PDF：{note}"},
    "failure.incomplete_feed": {
        "en": "incomplete feed items left as they are: {error}",
        "zh": "订阅源中不完整的条目保持原样：{error}",
    },
    "note.times.1": {"en": "once", "zh": "1 次"},
    "note.times.2": {"en": "twice", "zh": "2 次"},
    "note.times.3": {"en": "three times", "zh": "3 次"},
    "note.times.n": {"en": "{count} times", "zh": "{count} 次"},
    # Why the model endpoint gave no answer.
    "note.model.timeout": {
        "en": "The model endpoint did not answer in time",
        "zh": "模型服务没有及时回答",
    },
    "note.model.timeout_after": {
        "en": "The model endpoint did not answer in time (timeout after {seconds} s)",
        "zh": "模型服务没有及时回答（{seconds} 秒后超时）",
    },
    "note.model.still_arriving": {
        "en": "The model endpoint's answer was still arriving after {seconds} s",
        "zh": "模型服务的回答在 {seconds} 秒后仍未传完",
    },
    "note.model.unreachable": {
        "en": "The model endpoint could not be reached (connection failed)",
        "zh": "无法连接模型服务（连接失败）",
    },
    "note.model.rate_limited": {
        "en": "The model endpoint was still rate-limiting requests (HTTP 429) after retries",
        "zh": "重试后模型服务仍在限流（HTTP 429）",
    },
    "note.model.server_error": {
        "en": "The model endpoint failed (HTTP {status}) after retries",
        "zh": "重试后模型服务仍然出错（HTTP {status}）",
    },
    "note.model.request_refused": {
        "en": "The model endpoint refused the request (HTTP {status}: {detail})",
        "zh": "模型服务拒绝了请求（HTTP {status}：{detail}）",
    },
    "note.model.unreadable": {
        "en": "The model endpoint's reply could not be read",
        "zh": "无法读取模型服务的回复",
    },
}
