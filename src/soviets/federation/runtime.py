"""Where the councils run: in this process, or as Ray actors.

A :class:`ShardHost` hosts a shard of councils (one or more regions). Each
round it receives the segments (bytes) addressed to its councils, decodes
them, hands every council only the rows addressed to it, steps the councils,
and encodes what they send into one segment per (sender, destination shard).
Nothing but bytes enters or leaves a shard.

* :class:`InProcessRuntime` keeps the shard hosts in this process and steps
  them one after the other (deterministic; the default).
* :class:`RayRuntime` runs one Ray actor per shard (a handful, never one per
  council), on a local cluster it starts on the loopback address or on the
  cluster given by ``address``.

Both give the same plan: inbound segments are put in a canonical order
(sender, round) before decoding, so the result does not depend on which
shard a council lives in or in which order segments arrive.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from soviets.federation.agents import make_agent
from soviets.federation.directory import Directory, Papers, Recall
from soviets.federation.messages import COLUMNS, STREAMED, Columns, count, decode, encode

# Ray reads this when it is imported: with it a local cluster binds 127.0.0.1
# only (DESIGN.md section 3). Set before any import of ray by this package.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")

Segment = tuple[int, bytes]  # (destination shard, -1 for the clerk; bytes)


class ShardHost:
    """Hosts the agents of one shard and is their post office (see module docstring)."""

    def __init__(
        self,
        shard: int,
        directory: Directory,
        papers: Sequence[Papers],
        patience: int = 3,
        refresh: int = 1,
        quotas: bool = True,
    ) -> None:
        self.shard = shard
        self._shard_of = directory.shard_of
        self._boards = boards(directory)
        self._agents = {
            p.council: make_agent(p, directory, patience, refresh, quotas) for p in papers
        }
        self._latest: dict[int, int] = {}

    def councils(self) -> list[int]:
        """Ids of the councils hosted here."""
        return sorted(self._agents)

    def memories(self) -> dict[int, dict[int, Recall]]:
        """Each hosted council's own memory for the next period (after the stop)."""
        return {c: a.memory() for c, a in self._agents.items()}

    def step(
        self, round_no: int, segments: Iterable[bytes], down: Sequence[int] = ()
    ) -> tuple[list[Segment], int]:
        """Deliver ``segments``, step every council not ``down``; return what they send
        (one segment per sender and destination shard) and the number of messages."""
        decoded = []
        for data in segments:
            sender, rnd, batch = decode(data)
            decoded.append((sender, rnd, batch))
        decoded.sort(key=lambda t: (t[0], t[1]))
        inboxes = self._sort_mail(decoded)
        outgoing: list[Segment] = []
        sent = 0
        stopped = set(down)
        for council in sorted(self._agents):
            if council in stopped:
                continue
            outbox = self._agents[council].step(round_no, inboxes.get(council, {}))
            sent += count(outbox)
            for dest, batch in _split_by_shard(outbox, self._shard_of, self._boards):
                outgoing.append((dest, encode(council, round_no, batch)))
        return outgoing, sent

    def _sort_mail(
        self, decoded: list[tuple[int, int, dict[str, Columns]]]
    ) -> dict[int, dict[str, Columns]]:
        """Rows per recipient and kind, keeping only the newest segment of a sender;
        published rows go to every council hosted here (the shard's board)."""
        parts: dict[str, list[Columns]] = {}
        for sender, rnd, batch in decoded:
            if rnd < self._latest.get(sender, -1):
                continue  # a delayed segment older than what we already have
            self._latest[sender] = rnd
            for kind, cols in batch.items():
                cols = dict(cols)
                cols["from"] = np.full(len(cols["to"]), sender, dtype=np.int32)
                parts.setdefault(kind, []).append(cols)
        inboxes: dict[int, dict[str, Columns]] = {}
        for kind, chunks in parts.items():
            names = ("to", "from", *COLUMNS[kind], *(("stream",) if kind in STREAMED else ()))
            if kind == "offer":  # published (messages.PUBLISHED): one board for all
                board = {n: np.concatenate([c[n] for c in chunks]) for n in names}
                for council in self._agents:
                    inboxes.setdefault(council, {})[kind] = board
                continue
            to = np.concatenate([c["to"] for c in chunks])
            order = np.argsort(to, kind="stable")
            # each column sorted by recipient once; a recipient's rows are then a slice
            merged = {n: np.concatenate([c[n] for c in chunks])[order] for n in names}
            who, starts = np.unique(merged["to"], return_index=True)
            ends = np.r_[starts[1:], order.size]
            for w, a, b in zip(who.tolist(), starts.tolist(), ends.tolist(), strict=True):
                if w in self._agents:
                    inboxes.setdefault(w, {})[kind] = {n: merged[n][a:b] for n in names}
        return inboxes


def boards(directory: Directory) -> np.ndarray:
    """Per offer and destination (shards 0 .. n - 1, then the clerk): whether a council
    that deals in the offer's good is there (the boards a published offer goes to)."""
    n = directory.n_shards
    per_good = np.zeros((len(directory.good_names), n + 1), dtype=bool)
    for g, subs in enumerate(directory.subscribers):
        per_good[g, directory.shard_of[subs] % (n + 1)] = True  # the clerk's -1 is n
    return per_good[directory.offer_good]


def _split_by_shard(
    outbox: dict[str, Columns], shard_of: np.ndarray, reach: np.ndarray
) -> list[tuple[int, dict[str, Columns]]]:
    """Split an agent's outbox into batches per destination shard (the clerk: -1);
    published offers go to every board that lists them (``reach``, see :func:`boards`)."""
    dests: dict[int, dict[str, Columns]] = {}
    for kind, cols in outbox.items():
        if len(cols["to"]) == 0:
            continue
        if kind == "offer":
            n = reach.shape[1] - 1
            on = reach[cols["offer"]]
            for col in np.flatnonzero(on.any(axis=0)):
                sel = on[:, col]
                dests.setdefault(-1 if col == n else int(col), {})[kind] = (
                    cols if sel.all() else {k: v[sel] for k, v in cols.items()}
                )
            continue
        shard = shard_of[cols["to"]]
        first = int(shard[0])
        if np.all(shard == first):
            dests.setdefault(first, {})[kind] = cols
            continue
        for dest in np.unique(shard):
            sel = shard == dest
            dests.setdefault(int(dest), {})[kind] = {n: v[sel] for n, v in cols.items()}
    return sorted(dests.items())


class InProcessRuntime:
    """All shards in this process, stepped in order (deterministic)."""

    name = "inprocess"

    def start(
        self,
        directory: Directory,
        shards: list[list[Papers]],
        patience: int,
        refresh: int,
        quotas: bool = True,
    ) -> None:
        self._hosts = [
            ShardHost(i, directory, p, patience, refresh, quotas) for i, p in enumerate(shards)
        ]

    def step(
        self, round_no: int, inbound: list[list[bytes]], down: Sequence[int]
    ) -> list[tuple[list[Segment], int]]:
        return [h.step(round_no, inbound[i], down) for i, h in enumerate(self._hosts)]

    def memories(self) -> dict[int, dict[int, Recall]]:
        return {c: m for h in self._hosts for c, m in h.memories().items()}

    def stop(self) -> None:
        self._hosts = []


class RayRuntime:
    """One Ray actor per shard, on a local loopback cluster or the one at ``address``.

    A local cluster is started with ``include_dashboard=False``, ``num_cpus``
    CPUs and node address 127.0.0.1 (this module sets
    ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` before anything imports ray, which
    keeps Ray on loopback), and shut down at the end. If
    Ray is already initialised in this process, that cluster is used and left
    running.
    """

    name = "ray"

    def __init__(self, address: str | None = None, num_cpus: int = 2) -> None:
        self.address = address
        self.num_cpus = num_cpus
        self._started = False

    def start(
        self,
        directory: Directory,
        shards: list[list[Papers]],
        patience: int,
        refresh: int,
        quotas: bool = True,
    ) -> None:
        import ray

        if not ray.is_initialized():
            if self.address:
                ray.init(address=self.address, include_dashboard=False, log_to_driver=False)
            else:
                ray.init(
                    num_cpus=self.num_cpus,
                    include_dashboard=False,
                    _node_ip_address="127.0.0.1",
                    log_to_driver=False,
                    configure_logging=False,
                )
            self._started = True
        actor: Any = ray.remote(num_cpus=0)(ShardHost)
        self._actors: list[Any] = [
            actor.remote(i, directory, p, patience, refresh, quotas) for i, p in enumerate(shards)
        ]
        ray.get([a.councils.remote() for a in self._actors])

    def step(
        self, round_no: int, inbound: list[list[bytes]], down: Sequence[int]
    ) -> list[tuple[list[Segment], int]]:
        import ray

        futures = [
            a.step.remote(round_no, inbound[i], list(down)) for i, a in enumerate(self._actors)
        ]
        return ray.get(futures)

    def memories(self) -> dict[int, dict[int, Recall]]:
        import ray

        parts = ray.get([a.memories.remote() for a in self._actors])
        return {c: m for part in parts for c, m in part.items()}

    def stop(self) -> None:
        import ray

        for a in getattr(self, "_actors", []):
            ray.kill(a)
        self._actors = []
        if self._started:
            ray.shutdown()
            self._started = False
