"""Replaying the chain: what a history must obey, and what the tables must now hold.

A history can be reordered and every hash recomputed; the links then hold,
but the story no longer does. :class:`Replay` walks the chain in order and
keeps the state the entries describe: each stock's quantity, each resource's
holder and kind, the bookings and memberships. It reports (in plain words,
naming the entry) a stock driven below zero, a transfer or other change by a
council that did not hold the stock at that point, an event on a stock the
chain did not record yet, a booking that overlaps another one or was made by
someone who was not a member of the holding council. :meth:`Replay.compare`
then checks the tables against the replayed state: a quantity, holder, kind,
closed outcome, booking or membership changed, added or deleted without a
chained record.
"""

from __future__ import annotations

import json
import math
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.ledger.chain import SIGN
from soviets.ledger.findings import Problem
from soviets.ledger.models.inventory import LedgerEvent, LedgerRecord, Resource
from soviets.ledger.records import TRACKED, current_states

EPS = 1e-9
NOUN = {"resources": "resource", "proposals": "proposal", "bookings": "booking",
        "memberships": "membership", "minutes": "minutes"}  # fmt: skip


class Replay:
    """The state the chain describes, built entry by entry; problems go to ``problems``."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.quantity: dict[int, float] = {}
        self.rows: dict[str, dict[int, dict[str, Any]]] = {name: {} for name in TRACKED}
        self.last_seq: dict[tuple[str, int], int] = {}
        self.first_change: dict[tuple[str, int], str] = {}
        self.unseen: list[tuple[int, int]] = []  # (seq, resource id) used before any record

    def _say(self, seq: int | None, kind: str, message: str) -> None:
        self.problems.append(Problem(seq, kind, message))

    def apply(self, entry: LedgerEvent | LedgerRecord) -> None:
        """Take one entry into the state, reporting what the history may not do."""
        if isinstance(entry, LedgerRecord):
            self._record(entry)
        else:
            self._event(entry)

    # -- inventory events -------------------------------------------------------------

    def _holder(self, seq: int, resource_id: int) -> int | None:
        state = self.rows["resources"].get(resource_id)
        if state is None:
            self.unseen.append((seq, resource_id))
            return None
        return int(state["holder_council_id"])

    def _event(self, ev: LedgerEvent) -> None:
        holder = self._holder(ev.seq, ev.resource_id)
        council = ev.to_council_id if SIGN.get(ev.action, -1) > 0 else ev.from_council_id
        if holder is not None and council != holder:
            self._say(
                ev.seq, "replay",
                f"entry {ev.seq} ({ev.action}) is booked to council {council}, but resource "
                f"{ev.resource_id} was held by council {holder} at that point",
            )  # fmt: skip
        if ev.action in SIGN:
            self._move(ev, ev.resource_id, SIGN[ev.action] * ev.quantity)
        elif ev.action == "transfer":
            self._move(ev, ev.resource_id, -ev.quantity)
            if ev.to_resource_id is not None:
                target = self._holder(ev.seq, ev.to_resource_id)
                if target is not None and target != ev.to_council_id:
                    self._say(
                        ev.seq, "replay",
                        f"entry {ev.seq} transfers to resource {ev.to_resource_id} of council "
                        f"{target}, not of the receiving council {ev.to_council_id}",
                    )  # fmt: skip
                self._move(ev, ev.to_resource_id, ev.quantity)

    def _move(self, ev: LedgerEvent, resource_id: int, delta: float) -> None:
        before = self.quantity.get(resource_id, 0.0)
        after = before + delta
        self.quantity[resource_id] = after
        if after < -EPS:
            self._say(
                ev.seq, "replay",
                f"entry {ev.seq} ({ev.action}) takes {-delta:g} from resource {resource_id}, "
                f"which held only {before:g} at that point: the history is out of order",
            )  # fmt: skip

    # -- records ------------------------------------------------------------------

    def _record(self, rec: LedgerRecord) -> None:
        key = (rec.table_name, rec.row_id)
        rows = self.rows.get(rec.table_name)
        if rows is None:
            self._say(rec.seq, "replay", f"entry {rec.seq} records unknown table {rec.table_name}")
            return
        self.first_change.setdefault(key, rec.change)
        self.last_seq[key] = rec.seq
        if rec.state is None:
            rows.pop(rec.row_id, None)
            return
        state = json.loads(rec.state)
        if rec.table_name == "bookings" and state["cancelled_at"] is None:
            self._check_booking(rec.seq, rec.row_id, state)
        rows[rec.row_id] = state

    def _check_booking(self, seq: int, row_id: int, b: dict[str, Any]) -> None:
        resource = self.rows["resources"].get(b["resource_id"])
        if resource is not None and resource["holder_council_id"] != b["council_id"]:
            self._say(
                seq, "replay",
                f"booking {row_id} (entry {seq}) is made in council {b['council_id']}, but "
                f"resource {b['resource_id']} was held by council {resource['holder_council_id']}",
            )  # fmt: skip
        member = any(  # "then" is this point of the chain: joined before, not yet left
            m["person_id"] == b["person_id"]
            and m["council_id"] == b["council_id"]
            and m["left_at"] is None
            for m in self.rows["memberships"].values()
        )
        if not member:
            self._say(
                seq, "replay",
                f"booking {row_id} (entry {seq}) is made by person {b['person_id']}, who was not "
                f"a member of council {b['council_id']} at that point",
            )  # fmt: skip
        for other_id, o in self.rows["bookings"].items():
            if (
                other_id != row_id
                and o["resource_id"] == b["resource_id"]
                and o["cancelled_at"] is None
                and o["starts_at"] < b["ends_at"]
                and b["starts_at"] < o["ends_at"]
            ):
                self._say(
                    seq, "replay",
                    f"booking {row_id} (entry {seq}) overlaps booking {other_id} of "
                    f"resource {b['resource_id']}",
                )  # fmt: skip

    def finish(self) -> None:
        """Report events on stocks that the chain recorded only later (never for adopted ones)."""
        for seq, rid in self.unseen:
            if self.first_change.get(("resources", rid)) not in ("adopt", None):
                self._say(
                    seq, "replay",
                    f"entry {seq} uses resource {rid} before the chain records that it exists",
                )  # fmt: skip
            elif ("resources", rid) not in self.first_change:
                self._say(seq, "replay", f"entry {seq} uses resource {rid}, never recorded")

    # -- the tables against the replayed state -------------------------------------------

    def compare(self, session: Session) -> None:
        """Report each row that differs from the chain, or is missing from it or from the table."""
        stocks = session.execute(select(Resource.id, Resource.name, Resource.quantity))
        for rid, name, qty in stocks:
            expected = self.quantity.get(rid, 0.0)
            if not math.isclose(qty, expected, rel_tol=1e-9, abs_tol=1e-9):
                self._say(
                    None, "balance",
                    f"resource {rid} '{name}' holds {qty:g}; its events add up to {expected:g}",
                )  # fmt: skip
        for name, tracked in TRACKED.items():
            now = current_states(session, tracked)
            chained = self.rows[name]
            noun = NOUN[name]
            for row_id in sorted(now.keys() - chained.keys()):
                self._say(
                    None, "unrecorded",
                    f"{noun} {row_id} (table {name}) is not in the chain: it was added or "
                    "changed outside the ledger",
                )  # fmt: skip
            for row_id in sorted(chained.keys() - now.keys()):
                self._say(
                    self.last_seq[(name, row_id)], "deleted",
                    f"{noun} {row_id} (table {name}) is recorded in the chain but is missing or "
                    "no longer matches it in the table",
                )  # fmt: skip
            for row_id in sorted(now.keys() & chained.keys()):
                diffs = [  # a column added after the row was recorded is not compared
                    f"{col} is {now[row_id].get(col)!r}, the chain says {chained[row_id][col]!r}"
                    for col in tracked.columns
                    if col in chained[row_id] and now[row_id].get(col) != chained[row_id][col]
                ]
                if diffs:
                    seq = self.last_seq[(name, row_id)]
                    self._say(
                        seq, "differs",
                        f"{noun} {row_id} (table {name}) was changed outside the ledger "
                        f"(last recorded at entry {seq}): {'; '.join(diffs)}",
                    )  # fmt: skip
