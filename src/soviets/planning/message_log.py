"""The audit log of a federated plan: every message the protocol's post carried, as
plain data that the service stores and reads without running the federation.

The federation's recorder (:class:`soviets.federation.log.MessageLog`) writes it;
:class:`AuditLog` reads it, filters it and tells each message in names and units.
A log is one msgpack map (``LOG_VERSION`` 1)::

    {"v": 1, "labour_unit": "hours",
     "names":  [{"councils": [str], "goods": [str], "units": [str], "processes": [str],
                 "offer_council": i32[], "offer_good": i32[], "subscribers": [i32[]]}],
     "trials": [{"names": i, "offset": r0, "rounds": n, "messages": m, "bytes": b}],
     "kinds":  {kind: {"trial": i32[], "round": i32[], "from": i32[], "to": i32[],
                       <the kind's wire columns>}}}

Each column is ``[dtype, bytes]`` (a little-endian numpy array). ``names`` is the
public directory of one or more trials (a labour-budget plan runs the protocol once
per trial; trials with the same directory share it). A message's ``round`` counts
on from the rounds of the trials before its own (``offset``); the clerk's prices of
a warm start, sent before a trial's first round, carry the round ``offset - 1``.
A row whose ``to`` is ``PUBLISHED`` is a published offer: it reaches the board of
every council that deals in its good, and is one message however many boards.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import msgpack
import numpy as np

from soviets.planning.jsonable import json_number

LOG_VERSION = 1
PUBLISHED = -1  # the "to" of a published offer
# the protocol's message kinds, in the order a round's rows are told
KINDS = (
    "offer",
    "order",
    "allocation",
    "agreement",
    "report",
    "commitment",
    "usage",
    "capacity_price",
    "stop",
    "silent",
)
# the column that is a quantity of the offer's good, in its unit (a usage's quantity
# and a capacity price are per unit of the seller's activity: they stay in the fields)
QUANTITY = {
    "offer": "available",
    "order": "quantity",
    "allocation": "quantity",
    "agreement": "quantity",
}
PRICE = {"offer": "price"}  # hours per unit of the good
ROW_COLUMNS = ("trial", "round", "from", "to")
Columns = dict[str, np.ndarray]


def column(values: np.ndarray) -> list[Any]:
    """One column as stored: its little-endian dtype and its bytes."""
    arr = np.ascontiguousarray(values)
    arr = arr.astype(arr.dtype.newbyteorder("<"), copy=False)
    return [arr.dtype.str, arr.tobytes()]


def read_column(stored: list[Any]) -> np.ndarray:
    """A stored column back as an array (read-only, no copy)."""
    return np.frombuffer(stored[1], dtype=np.dtype(stored[0]))


def digest(payload: bytes) -> str:
    """The sha256 of a log's bytes (hex)."""
    return hashlib.sha256(payload).hexdigest()


@dataclass(frozen=True)
class _Names:
    """One directory's names, ready to tell rows."""

    councils: list[str]
    goods: list[str]
    units: list[str]
    processes: list[str]
    offer_council: np.ndarray
    offer_good: np.ndarray
    subscribers: list[np.ndarray]

    @classmethod
    def of(cls, raw: dict[str, Any]) -> _Names:
        return cls(
            councils=list(raw["councils"]),
            goods=list(raw["goods"]),
            units=list(raw["units"]),
            processes=list(raw["processes"]),
            offer_council=read_column(raw["offer_council"]),
            offer_good=read_column(raw["offer_good"]),
            subscribers=[read_column(s) for s in raw["subscribers"]],
        )

    def council(self, i: int) -> str:
        return self.councils[i] if 0 <= i < len(self.councils) else f"#{i}"

    def deals_in(self, council: int) -> np.ndarray:
        """Per offer: whether ``council`` deals in its good (reads it on its board)."""
        goods = np.array([council in s for s in self.subscribers], dtype=bool)
        return goods[self.offer_good]


class AuditLog:
    """A stored message log, read: filter it (:meth:`select`) and tell rows (:meth:`rows`)."""

    def __init__(self, body: dict[str, Any]) -> None:
        if body.get("v") != LOG_VERSION:
            raise ValueError(f"unsupported message log version {body.get('v')!r}")
        self.labour_unit: str = body.get("labour_unit", "hours")
        self.names = [_Names.of(n) for n in body["names"]]
        self.trials: list[dict[str, Any]] = list(body["trials"])
        self.kinds = [k for k in KINDS if k in body["kinds"]]
        self.cols = {
            k: {n: read_column(c) for n, c in body["kinds"][k].items()} for k in self.kinds
        }
        self._order()

    @classmethod
    def load(cls, payload: bytes) -> AuditLog:
        """Read a log from its msgpack bytes."""
        return cls(msgpack.unpackb(payload, raw=False))

    def _order(self) -> None:
        """Every row of every kind in one order: trial, round, sender, kind."""
        parts = {n: [self.cols[k][n] for k in self.kinds] for n in ROW_COLUMNS}
        sizes = [len(self.cols[k]["to"]) for k in self.kinds]
        kind_no = np.repeat(np.arange(len(self.kinds)), sizes)
        within = np.concatenate([np.arange(n) for n in sizes]) if sizes else np.empty(0, int)
        cat = {n: np.concatenate(p) if p else np.empty(0, np.int32) for n, p in parts.items()}
        order = np.lexsort((within, kind_no, cat["from"], cat["round"], cat["trial"]))
        self.kind_no, self.within = kind_no[order], within[order]
        self.row = {n: v[order] for n, v in cat.items()}

    @property
    def messages(self) -> int:
        """How many messages the log holds."""
        return int(self.kind_no.size)

    def select(
        self, *, round_no: int | None = None, council: str | None = None, kind: str | None = None
    ) -> np.ndarray:
        """Positions of the rows of round ``round_no``, that ``council`` sent or received
        (a published offer: the councils that deal in its good) and of ``kind``."""
        keep = np.ones(self.messages, dtype=bool)
        if round_no is not None:
            keep &= self.row["round"] == round_no
        if kind is not None:
            keep &= self.kind_no == (self.kinds.index(kind) if kind in self.kinds else -1)
        if council is not None:
            keep &= self._concerns(council)
        return np.flatnonzero(keep)

    def _concerns(self, council: str) -> np.ndarray:
        """Per row: whether ``council`` sent it, was sent it, or reads it on its board."""
        found = np.zeros(self.messages, dtype=bool)
        trial = self.row["trial"]
        for t, info in enumerate(self.trials):
            names = self.names[int(info["names"])]
            if council not in names.councils:
                continue
            c = names.councils.index(council)
            mine = trial == t
            found |= mine & ((self.row["from"] == c) | (self.row["to"] == c))
            board = np.flatnonzero(mine & (self.row["to"] == PUBLISHED))
            if board.size:
                offers = self.cols["offer"]["offer"][self.within[board]]
                found[board[names.deals_in(c)[offers]]] = True
        return found

    def rows(self, positions: np.ndarray) -> list[dict[str, Any]]:
        """The rows at ``positions`` told in names and units (see :meth:`row_at`)."""
        return [self.row_at(int(p)) for p in positions]

    def row_at(self, p: int) -> dict[str, Any]:
        """One message: its number in the log (``seq``), trial, round, sender, receiver
        (``board`` for a published offer), kind, the offer's good and unit, its quantity
        (units of the good) and price (hours per unit) where it has them, and every
        field of its kind (``fields``; an offer's ``seller`` too)."""
        kind = self.kinds[int(self.kind_no[p])]
        i = int(self.within[p])
        trial = int(self.row["trial"][p])
        names = self.names[int(self.trials[trial]["names"])]
        cols = self.cols[kind]
        fields = {n: _field(names, n, v[i]) for n, v in cols.items() if n not in ROW_COLUMNS}
        to = int(self.row["to"][p])
        good = unit = None
        if "offer" in cols:
            offer = int(cols["offer"][i])
            g = int(names.offer_good[offer])
            good, unit = names.goods[g], names.units[g]
            fields["seller"] = names.council(int(names.offer_council[offer]))
        return {
            "seq": p,
            "trial": trial,
            "round": int(self.row["round"][p]),
            "sender": names.council(int(self.row["from"][p])),
            "receiver": "board" if to == PUBLISHED else names.council(to),
            "kind": kind,
            "good": good,
            "unit": unit,
            "quantity": json_number(float(cols[QUANTITY[kind]][i])) if kind in QUANTITY else None,
            "price": json_number(float(cols[PRICE[kind]][i])) if kind in PRICE else None,
            "fields": fields,
        }


def _field(names: _Names, name: str, value: Any) -> Any:
    """A field of a message as told: councils and processes by name, numbers as JSON
    numbers."""
    if name == "council":
        return names.council(int(value))
    if name == "process":
        i = int(value)
        return names.processes[i] if 0 <= i < len(names.processes) else None
    if np.issubdtype(np.asarray(value).dtype, np.integer):
        return int(value)
    return json_number(float(value))
