"""What the chat says of the ranking: `why` a paper sits where it does, and `interests`."""

from __future__ import annotations

from domain.messages.types import Texts

TEXTS: Texts = {
    # ---- why ----
    "chat.why.usage": {
        "en": "Usage: why <arXiv id or URL>, e.g. why 2602.00780",
        "zh": "用法：why <arXiv 编号或链接>，例如 why 2602.00780",
    },
    "chat.why.one_paper": {
        "en": "One paper at a time: why <arXiv id or URL>",
        "zh": "一次只能问一篇论文：why <arXiv 编号或链接>",
    },
    "chat.why.never_seen": {
        "en": "{paper} was not announced on any day this bot fetched, so it has no rank to "
        "explain; summarize {paper} still analyses it.",
        "zh": "{paper} 不在本机器人获取过的任何一天的发布中，所以没有排名可解释；"
        "summarize {paper} 仍可分析它。",
    },
    "chat.why.title": {
        "en": "Why {paper} “{title}”, announced on {day}:",
        "zh": "为什么是 {paper}《{title}》（{day} 发布）：",
    },
    "chat.why.keywords": {
        "en": "Keywords here it matches: {keywords}.",
        "zh": "它匹配的本群关键词：{keywords}。",
    },
    "chat.why.no_keywords": {
        "en": "It matches none of the keywords here.",
        "zh": "它不匹配这里的任何关键词。",
    },
    "chat.why.other_categories": {
        "en": "It is in none of the categories here ({categories}); ranked as if it were.",
        "zh": "它不属于这里的分类（{categories}）；按属于来排名。",
    },
    "chat.why.you.learnt": {
        "en": "For you: #{rank} of the day's {of}, score {score} (your model, from {votes} votes).",
        "zh": "对你：当天 {of} 篇中第 {rank}，得分 {score}（你的模型，来自 {votes} 票）。",
    },
    "chat.why.you.keywords": {
        "en": "For you: #{rank} of the day's {of}, by keyword matches: you have no votes yet "
        "(👍 papers, or interests add <arXiv id>).",
        "zh": "对你：当天 {of} 篇中第 {rank}，按关键词匹配数排序：你还没有投票"
        "（给论文点 👍，或用 interests add <arXiv 编号>）。",
    },
    "chat.why.chat.learnt": {
        "en": "In this chat: #{rank} of {of}, score {score} (from {votes} votes here).",
        "zh": "在本群：{of} 篇中第 {rank}，得分 {score}（来自本群 {votes} 票）。",
    },
    "chat.why.chat.keywords": {
        "en": "In this chat: #{rank} of {of}, by keyword matches: no votes here yet.",
        "zh": "在本群：{of} 篇中第 {rank}，按关键词匹配数排序：本群还没有投票。",
    },
    "chat.why.by_keywords": {
        "en": "By keyword matches: #{rank} of the day's {of}.",
        "zh": "按关键词匹配数：当天 {of} 篇中第 {rank}。",
    },
    "chat.why.nearest.you": {
        "en": "Closest to papers you liked: {papers}.",
        "zh": "与你赞过的这些论文最接近：{papers}。",
    },
    "chat.why.nearest.chat": {
        "en": "Closest to papers liked here: {papers}.",
        "zh": "与本群赞过的这些论文最接近：{papers}。",
    },
    "chat.why.nearest.item": {
        "en": "“{title}” ({similarity})",
        "zh": "《{title}》（{similarity}）",
    },
    "chat.why.listed.full": {
        "en": "The report of {day} here analysed it in full.",
        "zh": "这里 {day} 的报告完整分析了它。",
    },
    "chat.why.listed.suggested": {
        "en": "The report of {day} here suggested it: no keyword matched, the votes put it high.",
        "zh": "这里 {day} 的报告推荐了它：没有关键词匹配，但投票让它排名靠前。",
    },
    "chat.why.listed.capped": {
        "en": "The report of {day} here only listed it: it ranked below the day's cap.",
        "zh": "这里 {day} 的报告只列出了它：它排在当天上限之后。",
    },
    "chat.why.listed.updated": {
        "en": "The report of {day} here listed it as a new version of a paper reported before.",
        "zh": "这里 {day} 的报告把它列为以前报告过的论文的新版本。",
    },
    "chat.why.listed.absent": {
        "en": "It is not in a report of {day} here.",
        "zh": "这里 {day} 的报告中没有它。",
    },
    # ---- interests ----
    "chat.interests.unknown": {
        "en": "Unknown interests subcommand '{sub}': use add or reset, or nothing to see them",
        "zh": "未知的 interests 子命令“{sub}”：请用 add 或 reset，或不带参数查看",
    },
    "chat.interests.add_usage": {
        "en": "Usage: interests add <arXiv id> …, e.g. interests add 2602.00780 2602.00781",
        "zh": "用法：interests add <arXiv 编号> …，例如 interests add 2602.00780 2602.00781",
    },
    "chat.interests.too_many": {
        "en": "At most {most} papers at once.",
        "zh": "一次最多 {most} 篇论文。",
    },
    "chat.interests.off": {
        "en": "Ranking by votes is off here (EMBEDDINGS=off): days keep their keyword order.",
        "zh": "这里没有启用按投票排序（EMBEDDINGS=off）：每天按关键词顺序排列。",
    },
    "chat.interests.empty": {
        "en": "You have no votes yet: 👍 a paper of the digest, or start with "
        "interests add <arXiv id> … for papers you know you want.",
        "zh": "你还没有投票：给摘要里的论文点 👍，或用 interests add <arXiv 编号> … "
        "添加你确定想看的论文。",
    },
    "chat.interests.votes": {
        "en": "Your votes: {ups} 👍 and {downs} 👎 (your last on each paper, in every chat).",
        "zh": "你的投票：{ups} 个 👍，{downs} 个 👎（每篇论文取你最后一次，所有群合计）。",
    },
    "chat.interests.nothing_learnt": {
        "en": "Nothing learnt from them yet: that takes a 👍 on a paper the bot has seen.",
        "zh": "还没有从中学到什么：需要给本机器人见过的论文点 👍。",
    },
    "chat.interests.papers": {
        "en": "The liked papers that weigh most:",
        "zh": "影响最大的赞过的论文：",
    },
    "chat.interests.terms": {
        "en": "The terms that weigh most: {terms}.",
        "zh": "影响最大的词：{terms}。",
    },
    "chat.interests.reset": {
        "en": "Forgot your {count} votes: neither your ranking nor any chat's counts them now.",
        "zh": "已忘记你的 {count} 票：你的排序和各群的排序都不再计入它们。",
    },
    "chat.interests.reset_none": {
        "en": "You had no votes to forget.",
        "zh": "你没有可忘记的投票。",
    },
    "chat.interests.added": {
        "en": "👍 for you here: {papers}. Your ranking counts them from now on.",
        "zh": "已在这里为你点 👍：{papers}。你的排序从现在起计入它们。",
    },
    "chat.interests.added_in_chat": {
        "en": "👍 for you here: {papers}. Your ranking and this chat's count them from now on.",
        "zh": "已在这里为你点 👍：{papers}。你的排序和本群的排序从现在起计入它们。",
    },
    "chat.interests.not_added": {
        "en": "Not added: {reason}",
        "zh": "未添加：{reason}",
    },
}
