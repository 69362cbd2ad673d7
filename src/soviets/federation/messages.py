"""The messages councils exchange, and their wire format.

Every message is one row of one kind of the columns below (one column per
field, typed and versioned). Councils never hand each other objects: what a
council sends in a round is encoded to bytes (msgpack) and decoded by the
receiving side, and the runtime counts messages, segments and bytes as they
cross.

Wire format (``SCHEMA_VERSION`` 4). A *segment* carries everything one sender
says in one round to the councils of one shard::

    {"v": 4, "from": sender council id, "round": k,
     "offer":      {"to": i32[], "offer": i32[], "price": f64[], "available": f64[]},
     "order":      {"to": i32[], "offer": i32[], "quantity": f64[]},
     "allocation": {"to": i32[], "offer": i32[], "quantity": f64[], "ordered": f64[]},
     "agreement":  {"to": i32[], "offer": i32[], "quantity": f64[], "ordered": f64[]},
     "report":     {"to": i32[], "hours": f64[], "need_value": f64[], "rent": f64[],
                    "theta": f64[], "change": f64[], "short": f64[], "asked": f64[]},
     "commitment": {"to": i32[], "process": i32[], "activity": f64[]},
     "usage":      {"to": i32[], "offer": i32[], "quantity": f64[], "capacity": f64[]},
     "capacity_price": {"to": i32[], "offer": i32[], "price": f64[], "epoch": i32[]},
     "stop":       {"to": i32[], "epoch": i32[], "weight": f64[]},
     "silent":     {"to": i32[], "council": i32[]}}

Offers, orders, allocations, reports, usage and capacity prices may also
carry ``"stream": i32[]``: during a warm start's first phase every council
re-evaluates each proposal of last period's mix as its own stream of
messages (0: the main market). The column is sent only when some row is not
in stream 0; a segment without it is all stream 0.

Offers are *published*: their ``"to"`` is ``PUBLISHED`` (-1), and the post
carries one copy to each shard where a council deals in the good (and to the
clerk), whose host puts it on the board every council of the shard reads; a
council reads the offers of the goods it deals in and passes over the rest.
A published offer is one message, however many boards it reaches.

Columns are little-endian numpy arrays stored as msgpack ``bin``. Council and
offer ids index the public directory (names of councils and goods, and which
council sells which good under which offer id); one row is one message.
Only fields named here ever cross; a council's recipes, labour per unit,
members and hours stay with it.
"""

from __future__ import annotations

from typing import Any

import msgpack
import numpy as np

SCHEMA_VERSION = 4  # 2: agreements say what was ordered; the clerk's "silent"; 3: "stream";
# 4: offers are published (module docstring)
PUBLISHED = -1  # the "to" of a published row: every board that lists its offer


# Column layout of each message kind on the wire (besides "to").
COLUMNS: dict[str, tuple[str, ...]] = {
    "offer": ("offer", "price", "available"),
    "order": ("offer", "quantity"),
    "allocation": ("offer", "quantity", "ordered"),
    "agreement": ("offer", "quantity", "ordered"),
    "report": ("hours", "need_value", "rent", "theta", "change", "short", "asked"),
    "commitment": ("process", "activity"),
    "usage": ("offer", "quantity", "capacity"),
    "capacity_price": ("offer", "price", "epoch"),
    "stop": ("epoch", "weight"),
    "silent": ("council",),
}
INT_COLUMNS = frozenset({"to", "offer", "process", "epoch", "council", "stream"})
KINDS = tuple(COLUMNS)
# kinds that may carry the optional "stream" column (module docstring)
STREAMED = frozenset({"offer", "order", "allocation", "report", "usage", "capacity_price"})

Columns = dict[str, np.ndarray]


def encode(sender: int, round_no: int, batch: dict[str, Columns]) -> bytes:
    """Encode what ``sender`` says in round ``round_no`` (kind -> columns) to bytes."""
    body: dict[str, Any] = {"v": SCHEMA_VERSION, "from": int(sender), "round": int(round_no)}
    for kind, cols in batch.items():
        if kind not in COLUMNS:
            raise ValueError(f"unknown message kind {kind!r}")
        if len(cols["to"]) == 0:
            continue
        names = ("to", *COLUMNS[kind])
        stream = cols.get("stream")
        if kind in STREAMED and stream is not None and np.any(stream != 0):
            names = (*names, "stream")
        body[kind] = {
            name: np.ascontiguousarray(
                cols[name], dtype="<i4" if name in INT_COLUMNS else "<f8"
            ).tobytes()
            for name in names
        }
    return msgpack.packb(body, use_bin_type=True)


def decode(data: bytes) -> tuple[int, int, dict[str, Columns]]:
    """Decode a segment: (sender id, round, kind -> columns). Rejects other versions.
    A streamed kind always comes with its ``stream`` column (zeros when absent)."""
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
            if kind in STREAMED and "stream" not in batch[kind]:
                batch[kind]["stream"] = np.zeros(len(batch[kind]["to"]), dtype="<i4")
    return int(body["from"]), int(body["round"]), batch


def count(batch: dict[str, Columns]) -> int:
    """Number of messages (rows) in a batch."""
    return sum(len(cols["to"]) for cols in batch.values())


def field_names() -> set[str]:
    """Every field name a segment can carry on the wire."""
    names = {"v", "from", "round", "to", "stream", *KINDS}
    for cols in COLUMNS.values():
        names.update(cols)
    return names
