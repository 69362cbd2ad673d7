"""The recorder of a federated plan's messages: every segment the post carries.

Pass a :class:`MessageLog` to :func:`soviets.federation.plan_federated`
(``message_log=``): the post hands it each encoded segment as it is sent (what a
lossy or slow network later loses or delays included), the councils' and the
clerk's alike. A labour-budget plan runs the protocol once per trial; each run is
one *trial* of the log, its rounds numbered on from the trials before it, as the
plan's ``protocol.rounds`` sums them. The parallel trials of a warm start run in
the same rounds (:meth:`MessageLog.alongside`): each starts at the phase's first
round, and the trials after the phase at its last round, as the plan counts the
phase's rounds as its longest trial's. Without a log the post records nothing.

:meth:`MessageLog.dump` writes the log in the plain format of
:mod:`soviets.planning.message_log` (one row per message: a published offer that
reached several boards is one row, as the post counts it); :meth:`MessageLog.audit`
reads it back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import msgpack
import numpy as np

from soviets.economy import Economy
from soviets.federation.directory import Directory
from soviets.federation.messages import Columns, decode
from soviets.planning.message_log import LOG_VERSION, AuditLog, column


@dataclass
class _Trial:
    """One run of the protocol: its names, first round and the segments it sent."""

    names: int
    offset: int
    alongside: bool = False  # run in the same rounds as the trial before it, if that one was
    rounds: int = 0
    segments: list[bytes] = field(default_factory=list)
    n_bytes: int = 0


class MessageLog:
    """Every segment of every run of the protocol it was passed to (module docstring)."""

    def __init__(self) -> None:
        self._names: list[dict[str, Any]] = []
        self._trials: list[_Trial] = []
        self._alongside = False
        self.labour_unit = "hours"

    @property
    def rounds(self) -> int:
        """The rounds of every trial so far (parallel trials count once, as their longest)."""
        return max((t.offset + t.rounds for t in self._trials), default=0)

    @contextmanager
    def alongside(self) -> Iterator[None]:
        """A run of the protocol begun inside runs in the same rounds as the run begun
        just before it, where that one was begun inside too (a phase of parallel trials)."""
        self._alongside = True
        try:
            yield
        finally:
            self._alongside = False

    def begin(self, directory: Directory, economy: Economy) -> None:
        """Open a trial: the protocol starts on ``directory`` (``economy``'s units)."""
        names = _names(directory, economy)
        if not self._names or self._names[-1] != names:
            self._names.append(names)
        last = self._trials[-1] if self._trials else None
        same = self._alongside and last is not None and last.alongside
        offset = last.offset if same and last is not None else self.rounds
        self._trials.append(
            _Trial(names=len(self._names) - 1, offset=offset, alongside=self._alongside)
        )
        self.labour_unit = economy.labour_unit

    def keep(self, data: bytes) -> None:
        """Record one segment as sent (the open trial's)."""
        trial = self._trials[-1]
        trial.segments.append(data)
        trial.n_bytes += len(data)

    def end(self, rounds: int) -> None:
        """Close the open trial after ``rounds`` rounds."""
        self._trials[-1].rounds = rounds

    def dump(self) -> bytes:
        """The log in the plain format of :mod:`soviets.planning.message_log`."""
        kinds: dict[str, list[Columns]] = {}
        trials = []
        for t, trial in enumerate(self._trials):
            rows = _rows(t, trial)
            for kind, cols in rows.items():
                kinds.setdefault(kind, []).append(cols)
            trials.append(
                {
                    "names": trial.names,
                    "offset": trial.offset,
                    "rounds": trial.rounds,
                    "messages": sum(len(c["to"]) for c in rows.values()),
                    "bytes": trial.n_bytes,
                }
            )
        body = {
            "v": LOG_VERSION,
            "labour_unit": self.labour_unit,
            "names": self._names,
            "trials": trials,
            "kinds": {
                kind: {n: column(np.concatenate([c[n] for c in parts])) for n in parts[0]}
                for kind, parts in kinds.items()
            },
        }
        return msgpack.packb(body, use_bin_type=True)

    def audit(self) -> AuditLog:
        """The log read back (:class:`~soviets.planning.message_log.AuditLog`)."""
        return AuditLog.load(self.dump())


def _names(d: Directory, economy: Economy) -> dict[str, Any]:
    """The public names a log needs to tell its rows (as stored)."""
    units = dict(zip(economy.good_names, economy.good_units, strict=True))
    return {
        "councils": list(d.council_names),
        "goods": list(d.good_names),
        "units": [units.get(g, "") for g in d.good_names],
        "processes": list(d.process_names),
        "offer_council": column(d.offer_council.astype(np.int32)),
        "offer_good": column(d.offer_good.astype(np.int32)),
        "subscribers": [column(s.astype(np.int32)) for s in d.subscribers],
    }


def _rows(t: int, trial: _Trial) -> dict[str, Columns]:
    """The trial's messages per kind: the wire's columns and trial, round (counted on
    from ``trial.offset``) and sender; a published offer once, however many boards."""
    parts: dict[str, list[Columns]] = {}
    for data in trial.segments:
        sender, round_no, batch = decode(data)
        for kind, cols in batch.items():
            n = len(cols["to"])
            parts.setdefault(kind, []).append(
                {
                    "trial": np.full(n, t, dtype=np.int32),
                    "round": np.full(n, trial.offset + round_no, dtype=np.int32),
                    "from": np.full(n, sender, dtype=np.int32),
                    **cols,
                }
            )
    rows = {
        kind: {n: np.concatenate([c[n] for c in chunks]) for n in chunks[0]}
        for kind, chunks in parts.items()
    }
    if "offer" in rows:
        rows["offer"] = _once(rows["offer"])
    return rows


def _once(offers: Columns) -> Columns:
    """Published offers once each: a sender's offer of one stream in one round reached
    one board per shard (and the clerk); keep its first copy."""
    key = np.stack(
        [offers["round"], offers["from"], offers["offer"], offers["stream"]], axis=1
    ).astype(np.int64)
    _, first = np.unique(key, axis=0, return_index=True)
    keep = np.sort(first)
    return {n: v[keep] for n, v in offers.items()}
