"""The one check of an economy's records, used by every way an economy is made.

:meth:`Economy.from_records <soviets.economy.Economy.from_records>`, the
economy files (a CSV folder, a TOML file) and the ledger's economy all come
through :func:`validate_records`, so a record refused by one is refused by all,
with the same message. Each problem raises :class:`~soviets.errors.InputError`
for the first bad record found, in table order (goods, councils, processes,
flows, needs, stocks); :func:`validate_periods` checks the tables of a
multi-period economy the same way. ``error_at`` says where a record came from: by default
the table's name and the record's number (from 1), for files the file, its data
row and the column.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Container, Sequence
from numbers import Real
from typing import TYPE_CHECKING

import numpy as np

from soviets.economy.records import (
    COUNCIL_KINDS,
    GOOD_KINDS,
    PRIORITIES,
    Council,
    Flow,
    Good,
    Need,
    Process,
)
from soviets.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from soviets.economy.model import Economy
    from soviets.economy.multiyear import Capital, Period, PeriodHours, PeriodNeed

#: Largest number accepted in economy files and input-output tables. HiGHS and the
#: fast solvers work in double precision with tolerances near 1e-9; a quantity
#: beyond this (a need of 1e15 beside flows of 1) leaves them without a plan.
MAX_MAGNITUDE = 1e12


def too_large(value: float) -> str:
    """The message for a number beyond :data:`MAX_MAGNITUDE`."""
    return (
        f"{value:g} is too large for the planner (limit {MAX_MAGNITUDE:g} in absolute value): "
        "state it in a larger unit"
    )


ErrorAt = Callable[[str, int, str, str], InputError]
"""``error_at(table, index, field, message)``: the error for a table's record ``index`` (from 0)."""


def at_record(table: str, index: int, field: str, message: str) -> InputError:
    """The default :data:`ErrorAt`: the table's name as file, the record's number as row."""
    return InputError(message, file=table, row=index + 1, field=field)


def validate_records(
    goods: Sequence[Good],
    councils: Sequence[Council],
    processes: Sequence[Process],
    flows: Sequence[Flow],
    needs: Sequence[Need] = (),
    stocks: Sequence[tuple[str, float]] = (),
    *,
    error_at: ErrorAt = at_record,
) -> None:
    """Check the records of an economy, one table after another (see the module docstring).

    ``flows`` is the flows table (a process's own ``flows`` mapping is not
    read here); ``stocks`` holds ``(good, quantity)`` rows.
    """
    _Check(error_at).run(goods, councils, processes, flows, needs, stocks)


def validate_periods(
    economy: Economy,
    periods: Sequence[Period],
    capital: Sequence[Capital],
    needs: Sequence[PeriodNeed],
    hours: Sequence[PeriodHours],
    storage_loss: Mapping[str, float],
    *,
    error_at: ErrorAt = at_record,
) -> None:
    """Check the tables of a multi-period economy built on ``economy``.

    Tables in order: ``periods``, ``capital``, ``needs`` (each need checked as
    in :func:`validate_records`; the same need may recur in other periods),
    ``labour`` (hours per council and period) and ``storage`` (loss shares).
    """
    check = _Check(error_at)
    period_names = check.periods(periods)
    check.capital(capital, economy)
    council_kind = {c.name: c.kind for c in economy.councils}
    good_kind = {g.name: g.kind for g in economy.goods_records()}
    for i, n in enumerate(needs):
        check.need(i, n, council_kind, good_kind)
        if n.period is not None and n.period not in period_names:
            raise check.fail("needs", i, "period", f"unknown period '{n.period}'")
    for i, h in enumerate(hours):
        if h.period not in period_names:
            raise check.fail("labour", i, "period", f"unknown period '{h.period}'")
        if h.council not in council_kind:
            raise check.fail("labour", i, "council", f"unknown council '{h.council}'")
        check.number("labour", i, "hours_available", h.hours)
    for i, (good, loss) in enumerate(storage_loss.items()):
        if good not in good_kind:
            raise check.fail("storage", i, "good", f"unknown good '{good}'")
        check.share("storage", i, "loss", loss)


def flows_of(processes: Sequence[Process]) -> list[Flow]:
    """The flows table of processes that carry their flows, in process order."""
    return [Flow(p.name, good, q) for p in processes for good, q in p.flows.items()]


class _Check:
    """One pass over the tables; ``fail`` builds the error for a record's field."""

    def __init__(self, error_at: ErrorAt) -> None:
        self.error_at = error_at

    def fail(self, table: str, index: int, field: str, message: str) -> InputError:
        return self.error_at(table, index, field, message)

    def run(
        self,
        goods: Sequence[Good],
        councils: Sequence[Council],
        processes: Sequence[Process],
        flows: Sequence[Flow],
        needs: Sequence[Need],
        stocks: Sequence[tuple[str, float]],
    ) -> None:
        good_kind = self.goods(goods)
        council_kind = self.councils(councils)
        process_names = self.processes(processes, council_kind)
        self.flows(flows, process_names, good_kind)
        self.needs(needs, council_kind, good_kind)
        self.stocks(stocks, good_kind)

    # ------------------------------------------------------------ fields
    def name(self, table: str, i: int, field: str, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(table, i, field, f"expected a name, got {value!r}")
        return value

    def new_name(self, table: str, i: int, field: str, value: object, seen: Container[str]) -> str:
        """A name not among ``seen`` (the table's names so far)."""
        name = self.name(table, i, field, value)
        if name in seen:
            raise self.fail(table, i, field, f"duplicate {field} '{name}'")
        return name

    def choice(self, table: str, i: int, field: str, value: object, allowed: Sequence[str]) -> None:
        if value not in allowed:
            options = ", ".join(f"'{a}'" for a in allowed[:-1]) + f" or '{allowed[-1]}'"
            raise self.fail(table, i, field, f"must be {options}, got {value!r}")

    def number(
        self, table: str, i: int, field: str, value: object, *, nonnegative: bool = True
    ) -> None:
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
            raise self.fail(table, i, field, f"not a finite number: {value!r}")
        if nonnegative and value < 0:
            raise self.fail(table, i, field, f"must be >= 0, got {float(value):g}")
        if abs(float(value)) > MAX_MAGNITUDE:
            raise self.fail(table, i, field, too_large(float(value)))

    def share(self, table: str, i: int, field: str, value: float) -> None:
        self.number(table, i, field, value)
        if value > 1:
            raise self.fail(table, i, field, f"must be between 0 and 1, got {float(value):g}")

    # ------------------------------------------------------------ tables
    def goods(self, goods: Sequence[Good]) -> dict[str, str]:
        kind: dict[str, str] = {}
        for i, g in enumerate(goods):
            name = self.new_name("goods", i, "good", g.name, kind)
            self.choice("goods", i, "kind", g.kind, GOOD_KINDS)
            if g.limit is not None:
                if g.kind != "primary":
                    raise self.fail("goods", i, "limit", "only primary goods may have a limit")
                self.number("goods", i, "limit", g.limit)
            kind[name] = g.kind
        return kind

    def councils(self, councils: Sequence[Council]) -> dict[str, str]:
        kind: dict[str, str] = {}
        parent: dict[str, str | None] = {}
        for i, c in enumerate(councils):
            name = self.new_name("councils", i, "council", c.name, kind)
            self.choice("councils", i, "kind", c.kind, COUNCIL_KINDS)
            if c.members is not None:
                if isinstance(c.members, bool) or not isinstance(c.members, int | np.integer):
                    raise self.fail("councils", i, "members", f"not a whole number: {c.members!r}")
                self.number("councils", i, "members", c.members)
            if c.hours_available is not None:
                self.number("councils", i, "hours_available", c.hours_available)
            kind[name] = c.kind
            parent[name] = c.parent or None
        for i, c in enumerate(councils):
            if c.parent is not None and c.parent not in kind:
                raise self.fail("councils", i, "parent", f"unknown parent council '{c.parent}'")
        for i, c in enumerate(councils):  # the first council that is its own ancestor
            chain, up = [c.name], parent[c.name]
            while up is not None and up not in chain:
                chain.append(up)
                up = parent[up]
            if up == c.name:
                cycle = " -> ".join([*chain, up])
                raise self.fail("councils", i, "parent", f"councils' parents form a cycle: {cycle}")
        return kind

    def processes(self, processes: Sequence[Process], council_kind: dict[str, str]) -> list[str]:
        names: dict[str, int] = {}
        for i, p in enumerate(processes):
            name = self.new_name("processes", i, "process", p.name, names)
            if p.council not in council_kind:
                raise self.fail("processes", i, "council", f"unknown council '{p.council}'")
            if council_kind[p.council] != "workplace":
                raise self.fail(
                    "processes", i, "council", f"council '{p.council}' is not a workplace council"
                )
            self.number("processes", i, "labour", p.labour)
            if p.capacity is not None:
                self.number("processes", i, "capacity", p.capacity)
            names[name] = i
        return list(names)

    def flows(
        self, flows: Sequence[Flow], process_names: list[str], good_kind: dict[str, str]
    ) -> None:
        made: dict[str, set[str]] = {p: set() for p in process_names}
        makes: set[str] = set()
        for i, f in enumerate(flows):
            if f.process not in made:
                raise self.fail("flows", i, "process", f"unknown process '{f.process}'")
            if f.good not in good_kind:
                raise self.fail("flows", i, "good", f"unknown good '{f.good}'")
            if f.good in made[f.process]:
                raise self.fail(
                    "flows", i, "good", f"process '{f.process}' already has a flow of '{f.good}'"
                )
            self.number("flows", i, "quantity", f.quantity, nonnegative=False)
            if f.quantity > 0 and good_kind[f.good] == "primary":
                raise self.fail(
                    "flows",
                    i,
                    "quantity",
                    f"process '{f.process}' makes primary input '{f.good}' "
                    "(primary inputs are only used)",
                )
            made[f.process].add(f.good)
            if f.quantity > 0:
                makes.add(f.process)
        for i, p in enumerate(process_names):
            if p not in makes:
                raise self.fail(
                    "processes", i, "process", f"process '{p}' makes nothing (no positive flow)"
                )

    def needs(
        self, needs: Sequence[Need], council_kind: dict[str, str], good_kind: dict[str, str]
    ) -> None:
        seen: set[tuple[str, str, str]] = set()
        for i, n in enumerate(needs):
            self.need(i, n, council_kind, good_kind)
            key = (n.council, n.good, n.priority)
            if key in seen:
                raise self.fail(
                    "needs",
                    i,
                    "good",
                    f"duplicate {n.priority} need of '{n.good}' for '{n.council}'",
                )
            seen.add(key)

    def need(
        self, i: int, n: Need | PeriodNeed, council_kind: dict[str, str], good_kind: dict[str, str]
    ) -> None:
        if n.council not in council_kind:
            raise self.fail("needs", i, "council", f"unknown council '{n.council}'")
        if council_kind[n.council] != "territorial":
            raise self.fail(
                "needs", i, "council", f"council '{n.council}' is not a territorial council"
            )
        if n.good not in good_kind:
            raise self.fail("needs", i, "good", f"unknown good '{n.good}'")
        if good_kind[n.good] == "primary":
            raise self.fail(
                "needs", i, "good", f"'{n.good}' is a primary input and cannot be needed"
            )
        self.number("needs", i, "quantity", n.quantity)
        self.choice("needs", i, "priority", n.priority, PRIORITIES)

    def periods(self, periods: Sequence[Period]) -> set[str]:
        if not periods:
            raise InputError("no periods", file="periods")
        names: set[str] = set()
        for i, p in enumerate(periods):
            if not p.name:
                raise self.fail("periods", i, "period", "empty period name")
            if p.name in names:
                raise self.fail("periods", i, "period", f"duplicate period '{p.name}'")
            if p.hours_available is not None:
                self.number("periods", i, "hours_available", p.hours_available)
            if p.members is not None:
                self.number("periods", i, "members", p.members)
            names.add(p.name)
        return names

    def capital(self, capital: Sequence[Capital], economy: Economy) -> None:
        pairs: set[tuple[str, str]] = set()
        for i, c in enumerate(capital):
            if c.process not in economy.process_index:
                raise self.fail("capital", i, "process", f"unknown process '{c.process}'")
            if c.good not in economy.good_index:
                raise self.fail("capital", i, "good", f"unknown good '{c.good}'")
            if economy.good_primary[economy.good_index[c.good]]:
                raise self.fail(
                    "capital",
                    i,
                    "good",
                    f"'{c.good}' is a primary input and cannot be capital (it is never produced)",
                )
            if (c.process, c.good) in pairs:
                raise self.fail(
                    "capital", i, "good", f"duplicate capital '{c.good}' of process '{c.process}'"
                )
            pairs.add((c.process, c.good))
            self.number("capital", i, "quantity", c.quantity)
            self.number("capital", i, "stock", c.stock)
            self.share("capital", i, "depreciation", c.depreciation)
            if not isinstance(c.build_time, int | np.integer) or c.build_time < 1:
                raise self.fail(
                    "capital",
                    i,
                    "build_time",
                    f"must be a whole number of periods >= 1, got {c.build_time!r}",
                )

    def stocks(self, stocks: Sequence[tuple[str, float]], good_kind: dict[str, str]) -> None:
        seen: set[str] = set()
        for i, (good, quantity) in enumerate(stocks):
            if good not in good_kind:
                raise self.fail("stocks", i, "good", f"unknown good '{good}'")
            if good in seen:
                raise self.fail("stocks", i, "good", f"duplicate stock of '{good}'")
            self.number("stocks", i, "quantity", quantity)
            seen.add(good)


def free_production(economy: Economy) -> list[str]:
    """Processes that together make goods out of nothing, in process order (empty if none).

    Candidates are processes with zero labour, no primary input and a
    capacity above zero. They make something from nothing if some activity
    ``y >= 0`` of them has net output ``N y >= 0`` with at least one good
    strictly positive; a small linear program (HiGHS via SciPy) finds one:
    maximise ``sum(N y)`` subject to ``N y >= 0``, ``0 <= y <= 1``.
    A closed loop that only passes goods around (net output 0) is harmless.
    """
    inputs_primary = (
        np.asarray(economy.inputs[np.flatnonzero(economy.good_primary)].sum(axis=0)).ravel()
        if economy.good_primary.any()
        else np.zeros(economy.n_processes)
    )
    cand = np.flatnonzero((economy.labour == 0) & (inputs_primary == 0) & (economy.capacity > 0))
    if cand.size == 0:
        return []
    import scipy.optimize as opt  # here, not at the top: it is slow to import

    net = economy.net_output[:, cand].toarray()
    res = opt.linprog(
        c=-net.sum(axis=0),
        A_ub=-net,
        b_ub=np.zeros(net.shape[0]),
        bounds=(0.0, 1.0),
        method="highs",
    )
    if res.status != 0 or -res.fun <= 1e-9:
        return []
    return [economy.process_names[j] for j, y in zip(cand, res.x, strict=True) if y > 1e-9]


def refuse_free_production(economy: Economy, error_at: ErrorAt = at_record) -> None:
    """Refuse an economy whose processes make goods from nothing (:func:`free_production`)."""
    free = free_production(economy)
    if free:
        raise error_at(
            "processes",
            economy.process_index[free[0]],
            "labour",
            "these processes make goods from nothing (no labour, no primary input): "
            + ", ".join(free)
            + "; give them labour or a primary input",
        )
