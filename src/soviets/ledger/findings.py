"""What :func:`soviets.ledger.chain.verify` reports: problems in plain words."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Problem:
    """One thing found wrong: the chain position (if any), a kind and a sentence."""

    seq: int | None
    kind: str  # edited | broken-link | missing | duplicate | head | kept-head | balance |
    #            replay | unrecorded | differs | deleted
    message: str


@dataclass
class VerifyReport:
    """The result of a verification: chain entries checked, the head and the problems found."""

    events: int  # inventory events
    head_seq: int
    head_hash: str
    records: int = 0  # records of tracked rows (the rest of the chain)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "records": self.records,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "problems": [p.__dict__ for p in self.problems],
        }
