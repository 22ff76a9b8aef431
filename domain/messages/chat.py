"""What the chat core answers: replies to commands, refusals, help, acknowledgements."""

from __future__ import annotations

from domain.messages.types import Texts

_HELP_EN = "\n".join(
    (
        "Commands:",
        "summarize <arXiv id or URL>: the full analysis of one paper",
        "ask <arXiv id or URL> <question>: an answer from the paper's full text, with section "
        "and page; or reply to a paper's message with a question (Slack: its Ask button)",
        "ask <question>: an answer across every paper stored, citing their arXiv ids (with "
        "section and page where it quotes one), or a line that the archive holds nothing on it",
        "keywords add [--channel] <kw1, kw2, …>: your keywords here (--channel: this chat's, "
        "admins)",
        "keywords remove [--channel] <kw1, kw2, …>: stop following keywords",
        'keywords add -survey, author:"Chelsea Finn": leave out what matches survey; follow an '
        "author",
        "keywords list: your keywords and this chat's, with matches on the latest day",
        "report [YYYY-MM-DD | latest]: a stored daily report",
        "digest here | digest off: post the daily digest in this chat, or stop (admins)",
        "digest settings [categories=cs.AI,cs.RO] [language=en|zh]: show or change them (admins)",
        "digest dm on | digest dm off: your own keywords' digest by direct message",
        "why <arXiv id or URL>: why a paper ranks where it does, for you and in this chat",
        "interests: what your 👍/👎 taught your ranking (votes, papers and terms that weigh most)",
        "interests add <arXiv id> …: 👍 papers you know you want, here: in a group they count "
        "for this chat's ranking as well as yours",
        "interests reset: forget all your votes on this platform, which takes them out of the "
        "chats' rankings too",
        'search <words> [since:YYYY-MM-DD] [until:…] [cat:cs.RO] [author:"…"] [liked] [chat]: '
        "the ten best matches among every stored paper",
        "saved: the papers you gave a 👍, newest first",
        "export bibtex [since:…] [until:…] [liked|chat]: a .bib file of your 👍 papers (or this "
        "chat's), sent to you privately",
        "help: this list",
    )
)
_HELP_ZH = "\n".join(
    (
        "命令：",
        "summarize <arXiv 编号或链接>：一篇论文的完整分析",
        "ask <arXiv 编号或链接> <问题>：根据论文全文回答，并注明章节和页码；"
        "也可以直接回复论文消息提问（Slack：点论文下的 Ask 按钮）",
        "ask <问题>：在所有已保存的论文中回答，注明引用论文的 arXiv 编号"
        "（引用原文时还注明章节和页码），或说明存档中没有相关内容",
        "keywords add [--channel] <词1, 词2, …>：添加你在这里的关键词"
        "（--channel：本群的，仅管理员）",
        "keywords remove [--channel] <词1, 词2, …>：不再关注这些关键词",
        'keywords add -survey, author:"Chelsea Finn"：排除匹配 survey 的论文；关注某位作者',
        "keywords list：你的和本群的关键词，以及在最近一天的匹配数",
        "report [YYYY-MM-DD | latest]：查看已保存的每日报告",
        "digest here | digest off：在本群发布每日摘要，或停止发布（仅管理员）",
        "digest settings [categories=cs.AI,cs.RO] [language=en|zh]：查看或修改设置（仅管理员）",
        "digest dm on | digest dm off：通过私信接收你自己关键词的摘要",
        "why <arXiv 编号或链接>：一篇论文为什么排在这里，对你和在本群",
        "interests：你的 👍/👎 教给排序的内容（票数、影响最大的论文和词）",
        "interests add <arXiv 编号> …：给你确定想看的论文点 👍；在群里也计入本群的排序",
        "interests reset：忘记你在本平台的所有投票，也会把它们从各群的排序中去掉",
        'search <词> [since:YYYY-MM-DD] [until:…] [cat:cs.RO] [author:"…"] [liked] [chat]：'
        "在所有已保存的论文中找出最匹配的十篇",
        "saved：你点过 👍 的论文，最新的在前",
        "export bibtex [since:…] [until:…] [liked|chat]：把你点赞的（或本群的）论文导出为 .bib "
        "文件，私信发给你",
        "help：显示本列表",
    )
)

TEXTS: Texts = {
    "chat.help": {"en": _HELP_EN, "zh": _HELP_ZH},
    "chat.failed": {
        "en": "Sorry, that failed on our side; it has been logged.",
        "zh": "抱歉，我们这边出错了，已记录下来。",
    },
    "chat.not_admin.keywords": {
        "en": "Only an admin of this chat can change its keywords.",
        "zh": "只有本群管理员可以修改本群的关键词。",
    },
    "chat.not_admin.where": {
        "en": "Only an admin of this chat can change where the digest is posted.",
        "zh": "只有本群管理员可以修改摘要的发布位置。",
    },
    "chat.not_admin.settings": {
        "en": "Only an admin of this chat can change the digest settings.",
        "zh": "只有本群管理员可以修改摘要设置。",
    },
    "chat.no_chat_here.keywords": {
        "en": "This is a direct message: there is no chat to set keywords for.",
        "zh": "这是私信：这里没有可以设置关键词的群。",
    },
    "chat.no_chat_here.settings": {
        "en": "This is a direct message: there is no chat to set digest settings for.",
        "zh": "这是私信：这里没有可以设置摘要的群。",
    },
    "chat.summarize_cap": {
        "en": "You have used your {cap} new summaries for today (SUMMARIZE_PER_USER_PER_DAY); "
        "papers already analysed still work, new ones again from 00:00 UTC.",
        "zh": "你今天的 {cap} 次新总结已用完（SUMMARIZE_PER_USER_PER_DAY）；"
        "已分析过的论文仍可查看，新论文请在 UTC 00:00 之后再试。",
    },
    "chat.too_fast.summarize": {
        "en": "Too many summarize requests: at most {limit} a minute "
        "(SUMMARIZE_PER_USER_PER_MINUTE). Try again in {wait} s ({at}).",
        "zh": "总结请求太频繁：每分钟最多 {limit} 次（SUMMARIZE_PER_USER_PER_MINUTE）。"
        "请 {wait} 秒后再试（{at}）。",
    },
    "chat.too_fast.keywords": {
        "en": "Too many keyword changes: at most {limit} a minute "
        "(KEYWORD_CHANGES_PER_USER_PER_MINUTE). Try again in {wait} s ({at}).",
        "zh": "关键词修改太频繁：每分钟最多 {limit} 次（KEYWORD_CHANGES_PER_USER_PER_MINUTE）。"
        "请 {wait} 秒后再试（{at}）。",
    },
    "chat.too_fast.interests": {
        "en": "Too many interests changes: at most {limit} a minute, as for summarize "
        "(SUMMARIZE_PER_USER_PER_MINUTE). Try again in {wait} s ({at}).",
        "zh": "兴趣修改太频繁：与总结相同，每分钟最多 {limit} 次（SUMMARIZE_PER_USER_PER_MINUTE）。"
        "请 {wait} 秒后再试（{at}）。",
    },
    # ---- acknowledgements, before the answer ----
    "chat.vote.up": {
        "en": "👍 Noted: {paper} is relevant to you. Only you see this.",
        "zh": "👍 已记录：{paper} 对你有用。仅你可见。",
    },
    "chat.vote.down": {
        "en": "👎 Noted: {paper} is not relevant to you. Only you see this.",
        "zh": "👎 已记录：{paper} 对你无用。仅你可见。",
    },
    "chat.vote.invalid": {
        "en": "That button is not a vote on a paper; nothing was recorded.",
        "zh": "这个按钮不是对论文的投票，未记录任何内容。",
    },
    "chat.ack.moment": {"en": "One moment…", "zh": "请稍候…"},
    "chat.ack.summarize": {"en": "Working on {paper}…", "zh": "正在处理 {paper}…"},
    "chat.ack.latest_report": {
        "en": "Looking up the latest report…",
        "zh": "正在查找最新报告…",
    },
    "chat.ack.report": {
        "en": "Looking up the report for {day}…",
        "zh": "正在查找 {day} 的报告…",
    },
    "chat.ack.why": {"en": "Looking into {paper}…", "zh": "正在查看 {paper}…"},
    "chat.ack.interests": {"en": "Looking up your interests…", "zh": "正在查找你的兴趣…"},
    "chat.ack.interests_change": {
        "en": "Updating your interests…",
        "zh": "正在更新你的兴趣…",
    },
    "chat.ack.search": {"en": "Searching the archive…", "zh": "正在搜索存档…"},
    "chat.ack.saved": {"en": "Looking up your saved papers…", "zh": "正在查找你收藏的论文…"},
    "chat.ack.export": {"en": "Preparing your BibTeX file…", "zh": "正在准备你的 BibTeX 文件…"},
    "chat.ack.keywords_list": {"en": "Looking up the keywords…", "zh": "正在查找关键词…"},
    "chat.ack.keywords_change": {"en": "Updating the keywords…", "zh": "正在更新关键词…"},
    "chat.ack.settings_show": {
        "en": "Looking up the digest settings…",
        "zh": "正在查找摘要设置…",
    },
    "chat.ack.settings_change": {
        "en": "Updating the digest settings…",
        "zh": "正在更新摘要设置…",
    },
    # ---- keywords ----
    "chat.keywords.added.chat": {
        "en": "This chat's keywords: added {keywords}.",
        "zh": "本群关键词：已添加 {keywords}。",
    },
    "chat.keywords.added.member": {
        "en": "Your keywords here: added {keywords}.",
        "zh": "你在这里的关键词：已添加 {keywords}。",
    },
    "chat.keywords.removed.chat": {
        "en": "This chat's keywords: removed {keywords}.",
        "zh": "本群关键词：已删除 {keywords}。",
    },
    "chat.keywords.removed.member": {
        "en": "Your keywords here: removed {keywords}.",
        "zh": "你在这里的关键词：已删除 {keywords}。",
    },
    "chat.keywords.not_included.chat": {
        "en": "This chat's keywords do not include: {keywords}.",
        "zh": "本群关键词中没有：{keywords}。",
    },
    "chat.keywords.not_included.member": {
        "en": "Your keywords here do not include: {keywords}.",
        "zh": "你在这里的关键词中没有：{keywords}。",
    },
    "chat.keywords.not_there": {
        "en": "Not there anyway: {keywords}.",
        "zh": "本来就没有：{keywords}。",
    },
    "chat.keywords.already": {"en": "Already there: {keywords}.", "zh": "已经有了：{keywords}。"},
    "chat.keywords.matches": {
        "en": "Matches among the {count} papers announced on {day}:",
        "zh": "{day} 发布的 {count} 篇论文中的匹配：",
    },
    "chat.keywords.no_day": {
        "en": "No day has been reported yet, so there are no matches to count.",
        "zh": "还没有任何一天的报告，所以没有匹配可统计。",
    },
    "chat.keywords.yours": {"en": "Your keywords here:", "zh": "你在这里的关键词："},
    "chat.keywords.none_yours": {
        "en": "You have no keywords here.",
        "zh": "你在这里还没有关键词。",
    },
    "chat.keywords.chats": {"en": "This chat's keywords:", "zh": "本群关键词："},
    "chat.keywords.defaults": {
        "en": "This chat has no keywords of its own; it uses the defaults: {keywords}.",
        "zh": "本群没有自己的关键词，使用默认关键词：{keywords}。",
    },
    "chat.keywords.no_defaults": {
        "en": "This chat has no keywords of its own; it uses the defaults: none.",
        "zh": "本群没有自己的关键词，也没有默认关键词。",
    },
    "chat.keywords.negative": {"en": "{keyword} (leaves out)", "zh": "{keyword}（排除）"},
    "chat.keywords.papers.one": {"en": "{count} paper", "zh": "{count} 篇论文"},
    "chat.keywords.papers.many": {"en": "{count} papers", "zh": "{count} 篇论文"},
    # ---- reports ----
    "chat.report.missing_any": {
        "en": "There is no report for any day (latest: {listed}).",
        "zh": "还没有任何报告（最近：{listed}）。",
    },
    "chat.report.missing_day": {
        "en": "There is no report for {day} (latest: {listed}).",
        "zh": "没有 {day} 的报告（最近：{listed}）。",
    },
    "chat.report.none_yet": {"en": "none yet", "zh": "暂无"},
    # ---- digest settings ----
    "chat.digest.on": {
        "en": "The daily digest will be posted in this chat from the next run.",
        "zh": "从下一次运行起，每日摘要将发布在本群。",
    },
    "chat.digest.off": {
        "en": "The daily digest will no longer be posted in this chat.",
        "zh": "每日摘要将不再发布在本群。",
    },
    "chat.settings.saved": {"en": "Settings saved.", "zh": "设置已保存。"},
    "chat.settings.title": {"en": "Digest settings of this chat:", "zh": "本群的摘要设置："},
    "chat.settings.posted": {
        "en": "Daily digest here: {state}",
        "zh": "在本群发布每日摘要：{state}",
    },
    "chat.settings.categories": {"en": "Categories: {categories}", "zh": "分类：{categories}"},
    "chat.settings.language": {"en": "Language: {language}", "zh": "语言：{language}"},
    "chat.settings.dm": {"en": "Your DM digest: {state}", "zh": "你的私信摘要：{state}"},
    "chat.settings.default": {"en": " (default)", "zh": "（默认）"},
    "chat.state.configured": {"en": "as configured", "zh": "按配置"},
    "chat.state.on": {"en": "on", "zh": "开启"},
    "chat.state.off": {"en": "off", "zh": "关闭"},
    "chat.dm.on": {
        "en": "You will get a daily digest of your own keywords by direct message.",
        "zh": "你将通过私信收到自己关键词的每日摘要。",
    },
    "chat.dm.already_on": {"en": "Your DM digest is already on.", "zh": "你的私信摘要已经开启。"},
    "chat.dm.off": {"en": "Your DM digest is off.", "zh": "你的私信摘要已关闭。"},
    "chat.dm.already_off": {
        "en": "Your DM digest was already off.",
        "zh": "你的私信摘要本来就是关闭的。",
    },
    # ---- Telegram ----
    "chat.telegram.dm_confirmation": {
        "en": "This is where your daily arXiv digest will arrive.",
        "zh": "你的每日 arXiv 摘要将发送到这里。",
    },
    "chat.telegram.start_first": {
        "en": "Open a private chat with @{bot} and press Start first.",
        "zh": "请先打开与 @{bot} 的私聊并点击“开始”。",
    },
    "chat.menu.summarize": {
        "en": "The full analysis of a paper: /summarize 2602.00780",
        "zh": "一篇论文的完整分析：/summarize 2602.00780",
    },
    "chat.menu.keywords": {
        "en": "Your keywords and this chat's: add, remove, list",
        "zh": "你的和本群的关键词：add、remove、list",
    },
    "chat.menu.report": {
        "en": "A stored daily report: /report 2026-02-04, or latest",
        "zh": "已保存的每日报告：/report 2026-02-04 或 latest",
    },
    "chat.menu.digest": {
        "en": "The daily digest here: here, off, settings, dm on|off",
        "zh": "本群的每日摘要：here、off、settings、dm on|off",
    },
    "chat.menu.why": {
        "en": "Why a paper ranks where it does: /why 2602.00780",
        "zh": "一篇论文为什么排在这里：/why 2602.00780",
    },
    "chat.menu.interests": {
        "en": "What your votes taught the ranking: add <ids>, reset",
        "zh": "你的投票教给排序的内容：add <编号>、reset",
    },
    "chat.menu.search": {
        "en": "Search every stored paper: /search KV-cache since:2026-01-01",
        "zh": "搜索所有已保存的论文：/search KV-cache since:2026-01-01",
    },
    "chat.menu.saved": {"en": "The papers you gave a 👍", "zh": "你点过 👍 的论文"},
    "chat.menu.export": {
        "en": "Your 👍 papers as a BibTeX file: /export bibtex",
        "zh": "把你点赞的论文导出为 BibTeX 文件：/export bibtex",
    },
    "chat.menu.help": {"en": "What the bot can do", "zh": "机器人能做什么"},
}
