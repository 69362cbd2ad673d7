"""The messages councils exchange, and their wire format.

Every message is one of the typed, versioned records below. Councils never
hand each other objects: what a council sends in a round is encoded to bytes
(msgpack) and decoded by the receiving side, and the runtime counts messages,
segments and bytes as they cross.

Wire format (``SCHEMA_VERSION`` 1). A *segment* carries everything one sender
says in one round to the councils of one shard::

    {"v": 1, "from": sender council id, "round": k,
     "offer":      {"to": i32[], "offer": i32[], "price": f64[], "available": f64[]},
     "order":      {"to": i32[], "offer": i32[], "quantity": f64[]},
     "allocation": {"to": i32[], "offer": i32[], "quantity": f64[], "ordered": f64[]},
     "agreement":  {"to": i32[], "offer": i32[], "quantity": f64[]},
     "report":     {"to": i32[], "hours": f64[], "need_value": f64[], "rent": f64[],
                    "theta": f64[], "change": f64[], "short": f64[], "asked": f64[]},
     "commitment": {"to": i32[], "process": i32[], "activity": f64[]},
     "usage":      {"to": i32[], "offer": i32[], "quantity": f64[], "capacity": f64[]},
     "capacity_price": {"to": i32[], "offer": i32[], "price": f64[], "epoch": i32[]},
     "stop":       {"to": i32[], "epoch": i32[], "weight": f64[]}}

Columns are little-endian numpy arrays stored as msgpack ``bin``. Council and
offer ids index the public directory (names of councils and goods, and which
council sells which good under which offer id); one row is one message.
Only fields named here ever cross; a council's recipes, labour per unit,
members and hours stay with it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import msgpack
import numpy as np

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Offer:
    """A seller's offer: one unit of ``good`` costs ``price`` hours; ``available``
    more units can be supplied this period (``inf``: no limit)."""

    seller: str
    good: str
    offer: int
    price: float
    available: float
    schema_version: int = SCHEMA_VERSION


@dataclass(frozen=True, slots=True)
class Order:
    """A buyer asks ``quantity`` of the good of ``offer`` from ``seller``."""

    buyer: str
    seller: str
    good: str
    offer: int
    quantity: float
    schema_version: int = SCHEMA_VERSION


@dataclass(frozen=True, slots=True)
class Allocation:
    """The seller's answer to an order: it will deliver ``quantity`` of the
    ``ordered`` units (a rationed order gets less)."""

    seller: str
    buyer: str
    good: str
    offer: int
    quantity: float
    ordered: float
    schema_version: int = SCHEMA_VERSION


@dataclass(frozen=True, slots=True)
class Agreement:
    """The buyer's acceptance of the seller's last allocation: ``supplier``
    delivers ``quantity`` of ``good`` to ``receiver`` in the period."""

    supplier: str
    receiver: str
    good: str
    offer: int
    quantity: float
    schema_version: int = SCHEMA_VERSION


@dataclass(frozen=True, slots=True)
class Report:
    """What a council tells the federation's clerk each round (aggregates only):
    hours it works, the value of its needs at market prices, the rent of its
    scarce capacity, the largest scaling ``theta`` its margins allow, the largest
    relative change of its orders and prices, and needs short / asked."""

    council: str
    hours: float
    need_value: float
    rent: float
    theta: float
    change: float
    short: float
    asked: float
    schema_version: int = SCHEMA_VERSION


@dataclass(frozen=True, slots=True)
class Commitment:
    """A workplace council's public commitment to run ``process`` at ``activity``
    in the period (its part of the plan), sent to the clerk on stopping."""

    council: str
    process: str
    activity: float
    schema_version: int = SCHEMA_VERSION


@dataclass(frozen=True, slots=True)
class Usage:
    """A seller of a good whose every seller is limited tells the clerk how much
    of its ``capacity`` its orders use this round (``quantity``, activity units)."""

    seller: str
    offer: int
    quantity: float
    capacity: float
    schema_version: int = SCHEMA_VERSION


@dataclass(frozen=True, slots=True)
class CapacityPrice:
    """The clerk's price for using one unit of a limited seller's capacity, from the
    federation's weighing of the proposals so far (``epoch`` counts them)."""

    seller: str
    offer: int
    price: float
    epoch: int
    schema_version: int = SCHEMA_VERSION


@dataclass(frozen=True, slots=True)
class Stop:
    """The clerk's notice that the plan is settled: the agreed plan is the mix of
    the proposals of each ``epoch`` with these ``weight``s (one row per epoch)."""

    council: str
    epoch: int
    weight: float
    schema_version: int = SCHEMA_VERSION


# Column layout of each message kind on the wire (besides "to").
COLUMNS: dict[str, tuple[str, ...]] = {
    "offer": ("offer", "price", "available"),
    "order": ("offer", "quantity"),
    "allocation": ("offer", "quantity", "ordered"),
    "agreement": ("offer", "quantity"),
    "report": ("hours", "need_value", "rent", "theta", "change", "short", "asked"),
    "commitment": ("process", "activity"),
    "usage": ("offer", "quantity", "capacity"),
    "capacity_price": ("offer", "price", "epoch"),
    "stop": ("epoch", "weight"),
}
INT_COLUMNS = frozenset({"to", "offer", "process", "epoch"})
KINDS = tuple(COLUMNS)

Columns = dict[str, np.ndarray]


def empty(kind: str) -> Columns:
    """An empty column set of ``kind``."""
    cols = {"to": np.empty(0, dtype=np.int32)}
    for name in COLUMNS[kind]:
        cols[name] = np.empty(0, dtype=np.int32 if name in INT_COLUMNS else np.float64)
    return cols


def encode(sender: int, round_no: int, batch: dict[str, Columns]) -> bytes:
    """Encode what ``sender`` says in round ``round_no`` (kind -> columns) to bytes."""
    body: dict[str, Any] = {"v": SCHEMA_VERSION, "from": int(sender), "round": int(round_no)}
    for kind, cols in batch.items():
        if kind not in COLUMNS:
            raise ValueError(f"unknown message kind {kind!r}")
        if len(cols["to"]) == 0:
            continue
        body[kind] = {
            name: np.ascontiguousarray(
                cols[name], dtype="<i4" if name in INT_COLUMNS else "<f8"
            ).tobytes()
            for name in ("to", *COLUMNS[kind])
        }
    return msgpack.packb(body, use_bin_type=True)


def decode(data: bytes) -> tuple[int, int, dict[str, Columns]]:
    """Decode a segment: (sender id, round, kind -> columns). Rejects other versions."""
    body = msgpack.unpackb(data, raw=False)
    if body.get("v") != SCHEMA_VERSION:
        raise ValueError(f"unsupported message schema version {body.get('v')!r}")
    batch: dict[str, Columns] = {}
    for kind in KINDS:
        if kind in body:
            batch[kind] = {
                name: np.frombuffer(raw, dtype="<i4" if name in INT_COLUMNS else "<f8")
                for name, raw in body[kind].items()
            }
    return int(body["from"]), int(body["round"]), batch


def count(batch: dict[str, Columns]) -> int:
    """Number of messages (rows) in a batch."""
    return sum(len(cols["to"]) for cols in batch.values())


def records(data: bytes, directory: Any) -> list[Any]:
    """Decode a segment into typed message records (for people and tests).

    ``directory`` is the public :class:`~soviets.federation.directory.Directory`
    that names council and offer ids.
    """
    sender, _, batch = decode(data)
    who = directory.council_names
    out: list[Any] = []
    s = who[sender]
    for kind, cols in batch.items():
        for row in range(len(cols["to"])):
            to = who[int(cols["to"][row])]
            if kind == "stop":
                out.append(Stop(to, int(cols["epoch"][row]), float(cols["weight"][row])))
                continue
            if kind == "usage":
                o = int(cols["offer"][row])
                out.append(Usage(s, o, float(cols["quantity"][row]), float(cols["capacity"][row])))
                continue
            if kind == "capacity_price":
                o = int(cols["offer"][row])
                seller = who[directory.offer_council[o]]
                out.append(
                    CapacityPrice(seller, o, float(cols["price"][row]), int(cols["epoch"][row]))
                )
                continue
            if kind == "commitment":
                proc = directory.process_names[int(cols["process"][row])]
                out.append(Commitment(s, proc, float(cols["activity"][row])))
                continue
            if kind == "report":
                vals = {name: float(cols[name][row]) for name in COLUMNS["report"]}
                out.append(Report(council=s, **vals))
                continue
            o = int(cols["offer"][row])
            good = directory.good_names[directory.offer_good[o]]
            seller = who[directory.offer_council[o]]
            q = float(cols["quantity"][row]) if "quantity" in cols else 0.0
            if kind == "offer":
                out.append(
                    Offer(s, good, o, float(cols["price"][row]), float(cols["available"][row]))
                )
            elif kind == "order":
                out.append(Order(s, seller, good, o, q))
            elif kind == "allocation":
                out.append(Allocation(s, to, good, o, q, float(cols["ordered"][row])))
            else:
                out.append(Agreement(seller, s, good, o, q))
    return out


def field_names() -> set[str]:
    """Every field name any message record or wire column can carry."""
    names = {"v", "from", "round", "to", *KINDS}
    for cols in COLUMNS.values():
        names.update(cols)
    for cls in (
        Offer,
        Order,
        Allocation,
        Agreement,
        Report,
        Commitment,
        Usage,
        CapacityPrice,
        Stop,
    ):
        names.update(f.name for f in fields(cls))
    return names
