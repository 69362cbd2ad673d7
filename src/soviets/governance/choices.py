"""What a ballot says: a choice (yes/no questions) or a ranking (Schulze), in one form.

Every ballot is held as a ranking: groups of equally ranked options, best
first. A yes/no ballot is the one-group ranking of its choice. The canonical
text of a ranking (``A>C=B``) lists equal options in the proposal's option
order, so two rankings are the same ballot exactly when their texts are equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from soviets.governance.counting import parse_ranking
from soviets.governance.errors import InputError

Ranking = tuple[tuple[str, ...], ...]
Choice = str | Sequence[str | Sequence[str]]
"""A ballot as given: ``"yes"``, ``"A>C=B"`` or ``[["A"], ["C", "B"]]``."""

FIXED_OPTIONS = {
    "majority": ("yes", "no", "abstain"),
    "two-thirds": ("yes", "no", "abstain"),
    "consent": ("yes", "object", "abstain"),
}
"""The options of the yes/no methods, in ballot order (consent: ``object`` blocks)."""

MAX_LABEL = 100


class Labelled(Protocol):
    """An option: its label."""

    @property
    def label(self) -> str: ...


class Ballotable(Protocol):
    """What a ballot is checked against: a proposal (or the fast path's facts about one)."""

    @property
    def method(self) -> str: ...

    @property
    def options(self) -> Sequence[Labelled]: ...


def check_label(label: str) -> str:
    """An option label for a ranked vote: trimmed, non-empty, without ``>`` or ``=``."""
    text = str(label).strip()
    if not text or len(text) > MAX_LABEL or ">" in text or "=" in text:
        raise InputError(
            f"option '{text}' must be 1 to {MAX_LABEL} characters without '>' or '='",
            field="options",
        )
    return text


def labels(proposal: Ballotable) -> list[str]:
    """The proposal's option labels in ballot order."""
    return [o.label for o in proposal.options]


def parse_choice(proposal: Ballotable, choice: Choice) -> Ranking:
    """Check a ballot against the proposal's method and options; the ranking it means."""
    known = labels(proposal)
    if proposal.method != "schulze":
        if not isinstance(choice, str):
            raise InputError(f"choose one of {', '.join(known)}", field="choice")
        text = choice.strip().lower()
        if proposal.method == "consent" and text == "no":
            text = "object"
        if text not in known:
            raise InputError(
                f"unknown choice '{choice}' (expected one of: {', '.join(known)})", field="choice"
            )
        return ((text,),)
    if isinstance(choice, str):
        ranking = parse_ranking(choice)
    else:
        groups = [(g,) if isinstance(g, str) else tuple(g) for g in choice]
        ranking = parse_ranking(">".join("=".join(str(n) for n in g) for g in groups))
    for group in ranking:
        for name in group:
            if name not in known:
                raise InputError(
                    f"unknown option '{name}' (options: {', '.join(known)})", field="ranking"
                )
    return ranking


def canonical(proposal: Ballotable, ranking: Ranking) -> str:
    """The ranking's canonical text, equal options in the proposal's option order."""
    order = {label: i for i, label in enumerate(labels(proposal))}
    return ">".join("=".join(sorted(g, key=lambda n: order.get(n, len(order)))) for g in ranking)


def from_marks(marks: Sequence[tuple[str, int]]) -> Ranking:
    """A ranking from (label, rank) marks (rank 1 best; equal ranks tie)."""
    by_rank: dict[int, list[str]] = {}
    for label, rank in marks:
        by_rank.setdefault(rank, []).append(label)
    return tuple(tuple(by_rank[r]) for r in sorted(by_rank))
