"""The fake OpenAI endpoint's answers to questions about a paper (`pipeline.qa`).

A QA request is recognised by its json_schema's name (`PassageAnswer`) or, in json_object mode,
by its system prompt. The answer reads the request the way a model would: it cites the given
passage that shares most words with the question and quotes the sentence of it that shares
most, in Chinese framing when the system prompt asks for Simplified Chinese. A question across
the archive (its passages between <<<PAPERS>>> markers, each labelled with its paper) gets one
paragraph for each of the two papers whose best passage shares most words with the question,
naming the paper and quoting that passage.

Script steps of its own (`FakeOpenAI.script`): "qa_foreign_cites" cites only passage numbers it
was not given; "qa_not_found" answers found=false, citing the nearest passage. The generic
steps apply too ("chatty" opens the paragraph with a preamble, "wrong_schema" sends paragraphs
as a string, "empty_field" a blank paragraph; "length", "refusal", ... as for analyses).
"""

from __future__ import annotations

import json
import re
from typing import Any

QA_BEHAVIOURS = ("qa_foreign_cites", "qa_not_found")
SCHEMA_NAME = "PassageAnswer"
_SYSTEM_MARK = "using only numbered passages"
_PASSAGE = re.compile(
    r"^\[(\d+)\] \(([^\n]*)\)\n(.*?)(?=\n\n\[\d+\] \(|\n<<<END PAPERS?>>>)",
    re.MULTILINE | re.DOTALL,
)
_ARCHIVE_MARK = "<<<PAPERS>>>"
_QUESTION = re.compile(r"<<<QUESTION>>>\n(.*?)\n<<<END QUESTION>>>", re.DOTALL)
_WORD = re.compile(r"\w{3,}")
# A model reads past the words of asking.
_ASKING = frozenset(
    [
        "what",
        "which",
        "have",
        "has",
        "does",
        "did",
        "the",
        "and",
        "are",
        "was",
        "were",
        "seen",
        "how",
        "about",
    ]
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def is_qa_request(payload: dict[str, Any], system: str) -> bool:
    schema = (payload.get("response_format") or {}).get("json_schema") or {}
    return schema.get("name") == SCHEMA_NAME or _SYSTEM_MARK in system


def given_passages(user: str) -> dict[int, str]:
    """The numbered passages of a QA request's user message, by number."""
    return {int(m[1]): m[3] for m in _PASSAGE.finditer(user)}


def passage_papers(user: str) -> dict[int, str]:
    """The arXiv id each numbered passage of an archive question is labelled with."""
    return {int(m[1]): m[2].split(",")[0] for m in _PASSAGE.finditer(user)}


def asked_question(user: str) -> str:
    found = _QUESTION.search(user)
    return found[1] if found else ""


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)} - _ASKING


def _best(passages: dict[int, str], question: str) -> tuple[int | None, str]:
    """The passage sharing most words with the question, and its sentence sharing most."""
    if not passages:
        return None, ""
    wanted = _words(question)
    number = max(passages, key=lambda n: (len(wanted & _words(passages[n])), -n))
    sentences = [s for s in _SENTENCE_END.split(passages[number]) if s.strip()] or [""]
    sentence = max(sentences, key=lambda s: len(wanted & _words(s)))
    return number, " ".join(sentence.split())


def _archive_paragraphs(user: str, chinese: bool) -> list[dict[str, Any]]:
    """One paragraph for each of the two papers best on the question, quoting its best passage."""
    passages, papers = given_passages(user), passage_papers(user)
    wanted = _words(asked_question(user))
    best: dict[str, int] = {}
    for number in sorted(passages, key=lambda n: (-len(wanted & _words(passages[n])), n)):
        if len(best) < 2 and wanted & _words(passages[number]):
            best.setdefault(papers[number], number)
    paragraphs = []
    for paper, number in best.items():
        _, sentence = _best({number: passages[number]}, asked_question(user))
        said = f"{paper} 写道：“{sentence}”" if chinese else f'{paper} states: "{sentence}"'
        paragraphs.append({"text": said, "cites": [number]})
    return paragraphs


def qa_answer(user: str, step: str, *, chinese: bool) -> str:
    """The content of the fake's answer to a QA request for this script step."""
    passages = given_passages(user)
    number, sentence = _best(passages, asked_question(user))
    cites = [number] if number is not None else []
    found = number is not None and step != "qa_not_found"
    if chinese:
        said = f"论文写道：“{sentence}”" if sentence else "论文的段落中没有相关内容。"
    else:
        said = f'The paper states: "{sentence}"' if sentence else "The passages hold nothing on it."
    if step == "qa_foreign_cites":
        cites = [len(passages) + 5, len(passages) + 9]
    paragraphs: Any = [{"text": said, "cites": cites}]
    if _ARCHIVE_MARK in user and step not in ("qa_foreign_cites", "qa_not_found"):
        paragraphs = _archive_paragraphs(user, chinese) or paragraphs
    if step == "chatty":
        preamble = "好的，以下是回答：" if chinese else "Sure! Here is the answer: "
        paragraphs[0]["text"] = preamble + paragraphs[0]["text"]
        said = paragraphs[0]["text"]
    if step == "wrong_schema":
        paragraphs = said
    if step == "empty_field":
        paragraphs = [{"text": "   ", "cites": cites}]
    return json.dumps({"paragraphs": paragraphs, "found": found}, ensure_ascii=False)
