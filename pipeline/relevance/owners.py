"""What an owner's votes say of each paper they voted on (see `domain.models.TasteOwner`)."""

from __future__ import annotations

from collections.abc import Iterable

from storage.records import Vote


def verdicts(votes: Iterable[Vote]) -> dict[str, int]:
    """Each voted paper's +1 or -1 for the owner: in a chat the members' votes add up (a tie
    teaches nothing); a person's last vote on a paper, in whichever chat, is theirs."""
    totals: dict[str, int] = {}
    for vote in votes:  # oldest change first: a person's later vote replaces an earlier one
        totals[vote.arxiv_id] = totals.get(vote.arxiv_id, 0) + vote.value
    return {paper: 1 if total > 0 else -1 for paper, total in totals.items() if total}


def person_verdicts(votes: Iterable[Vote]) -> dict[str, int]:
    latest: dict[str, int] = {}
    for vote in votes:
        latest[vote.arxiv_id] = vote.value
    return latest
