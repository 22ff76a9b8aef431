"""What the model is told: one system prompt per language and the user message for a paper.

Any change here changes the answers, so bump `pipeline.analyse.PROMPT_VERSION` with it.
"""

from __future__ import annotations

from domain.models import Paper, PaperAnalysis

LANGUAGES = {"en": "English", "zh": "Simplified Chinese"}

FULL_TEXT_START = "=== FULL TEXT (may be shortened) ==="
FULL_TEXT_END = "=== END OF FULL TEXT ==="
_MAX_AUTHORS = 20

_LANGUAGE_RULES = {
    "en": "Write every field in English.",
    "zh": (
        "Write every field in Simplified Chinese (简体中文). Keep technical terms, model names, "
        "dataset names, metric names and formulas in their original form "
        "(for example Transformer, LoRA, ImageNet, BLEU)."
    ),
}


def _field_list() -> str:
    lines = []
    for name, info in PaperAnalysis.model_fields.items():
        kind = "array of strings" if info.annotation == list[str] else "string"
        lines.append(f'- "{name}" ({kind}): {info.description}')
    return "\n".join(lines)


def system_prompt(language: str) -> str:
    """The instructions, with the answer's JSON shape spelled out.

    The shape is written out even when a json_schema is sent: endpoints that only honour
    `{"type": "json_object"}` need it, and it must mention JSON for them to accept the request.
    """
    return f"""\
You are a research analyst who reads computer-science papers and explains them to busy researchers.
Analyse the paper the user sends. Answer with one JSON object and nothing else, with exactly \
these fields:
{_field_list()}

Rules:
- {_LANGUAGE_RULES[language]}
- Start each field directly with its content: no preamble ("Sure", "Here is"), no closing remarks, \
no mention of yourself.
- Write complete sentences in plain text. No markdown headings, bold text or tables inside fields.
- "contributions" is a list of short items, one contribution per item, usually three to five.
- "experiments" names the datasets, baselines and metrics and gives the concrete numbers the text \
reports. Never invent numbers; if the text reports none, say so.
- Cite section names (for example "Section 4.2" or "the ablation study") when that helps a reader \
find the details.
- Use only what the paper says. When only the abstract is given, keep each field short and do not \
guess at details the abstract does not state."""


def _authors(authors: list[str]) -> str:
    if len(authors) <= _MAX_AUTHORS:
        return ", ".join(authors)
    shown = ", ".join(authors[:_MAX_AUTHORS])
    return f"{shown}, et al. ({len(authors)} authors)"


def user_message(paper: Paper, body: str | None) -> str:
    """The paper's metadata and abstract, then its full text (when there is one) between markers."""
    parts = [
        f"Title: {paper.title}",
        f"Authors: {_authors(paper.authors)}",
        f"Categories: {', '.join(paper.categories)}",
        f"arXiv: {paper.versioned_id}",
    ]
    if paper.comments:
        parts.append(f"Comments: {paper.comments}")
    parts += ["", "Abstract:", paper.abstract.strip(), ""]
    if body:
        parts += [FULL_TEXT_START, body.strip(), FULL_TEXT_END]
    else:
        parts.append("Only the abstract is available: base the analysis on it alone.")
    return "\n".join(parts)
