"""PDF downloads failing: each paper is still posted, once, with an abstract-only note; the run's
stats name the paper and the reason; the next run reads the PDF, analyses the full text and
edits the posted messages in place, posting nothing again. A short 429 is waited out
within the run."""

from __future__ import annotations

import logging

import pytest

from arxiv_digest.logs import log_run_summary
from tests.fakes.base import Response
from tests.faults.world import (
    DAY,
    FAULTS,
    MATCHING,
    World,
    closed_port_url,
    fault_response,
    fully_analysed,
    posted,
    updated,
)

# arXiv answers a crawler it dislikes with a web page where the PDF should be.
WEB_PAGE = Response(200, b"<!DOCTYPE html><html><body>Are you a robot?</body></html>")
REASONS = {
    "timeout": "did not send the PDF",
    "refused": "could not download the PDF",
    "dropped": "could not download the PDF",
    "server_error": "HTTP 500",
    "malformed": "a web page instead of the PDF",
    "endless": "still arriving after",
}
IDS = {p.arxiv_id for p in MATCHING}


@pytest.mark.parametrize("kind", [k for k in FAULTS if k != "rate_limited"])
async def test_a_pdf_fault_posts_the_abstract_once_and_the_next_run_analyses_the_full_text(
    world: World, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    overrides: dict[str, object] = {}
    if kind == "refused":
        overrides["arxiv_pdf_url"] = closed_port_url("/pdf/")
    else:
        world.arxiv.fail_always(fault_response(kind, WEB_PAGE), path="/pdf/")

    day = await world.run(**overrides)

    assert day.ok  # the day was delivered; its papers were analysed from their abstracts
    assert posted(day) == {"Slack": 3, "Telegram": 3}
    world.assert_each_paper_once(abstract_only=IDS)
    failures = day.outcome.stats.failures
    for each in MATCHING:
        named = [f for f in failures if f.startswith(f"PDF of {each.versioned_id}:")]
        assert named and REASONS[kind] in named[0], failures
    with caplog.at_level(logging.INFO, logger="arxiv_digest.run"):
        log_run_summary(
            day.outcome.stats, report_date=DAY, posted=posted(day), wall_seconds=1.0, ok=day.ok
        )
    (summary,) = [r for r in caplog.records if r.name == "arxiv_digest.run"]
    assert summary.failures == failures and f"PDF of {MATCHING[0].versioned_id}" in summary.message

    world.arxiv.heal()
    again = await world.run()
    assert again.ok
    assert posted(again) == {"Slack": 0, "Telegram": 0}  # nothing twice
    world.assert_each_paper_once()  # the same messages, now with the analysis
    world.assert_edited_in_place(IDS)
    order = [e.paper.arxiv_id for e in again.outcome.report.entries]  # most keywords first
    assert set(order) == {p.arxiv_id for p in MATCHING}
    assert updated(again) == {"Slack": order, "Telegram": order}
    assert fully_analysed(again.outcome.report)
    assert fully_analysed(await world.stored_report())
    assert again.outcome.stats.failures == []


async def test_a_short_429_on_a_pdf_is_waited_out_within_the_run(world: World) -> None:
    world.arxiv.fail_next(fault_response("rate_limited", WEB_PAGE), path="/pdf/")

    day = await world.run()

    assert len(world.arxiv.requests_to("/pdf/")) == len(MATCHING) + 1  # one asked twice
    assert day.ok and posted(day) == {"Slack": 3, "Telegram": 3}
    world.assert_each_paper_once()
    assert fully_analysed(day.outcome.report) and day.outcome.stats.failures == []


async def test_a_file_that_is_no_pdf_at_all_is_never_downloaded_again(world: World) -> None:
    world.arxiv.fail_always(Response(200, b"\x00\x01 not a pdf"), path="/pdf/")

    day = await world.run()
    asked = len(world.arxiv.requests_to("/pdf/"))
    world.arxiv.heal()
    again = await world.run()

    world.assert_each_paper_once(abstract_only=IDS)
    assert any("not a PDF" in f for f in day.outcome.stats.failures)
    assert len(world.arxiv.requests_to("/pdf/")) == asked  # unreadable files are final
    assert posted(again) == {"Slack": 0, "Telegram": 0}
    assert updated(again) == {"Slack": [], "Telegram": []}  # no full text: nothing to edit
    world.assert_edited_in_place(set())
