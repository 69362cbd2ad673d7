"""The economy model: goods, councils, processes, needs and stocks.

The model is stored column-wise (numpy arrays and one sparse matrix) so that
an economy of a million goods fits in memory linear in its number of flows.
Small economies are built from plain records with :meth:`Economy.from_records`.

Sign convention for flows: the net-output matrix ``N`` (goods x processes)
holds ``+q`` for q units of a good made per unit of activity and ``-q`` for
q units used. Primary inputs (land, a mineral, an emission allowance) are
goods of kind ``primary``: they are only used, never made, and each may have
a ``limit`` per period. Labour is not a good: every process has its own
``labour`` hours per unit of activity.

Example
-------
>>> eco = Economy.from_records(
...     goods=[Good("grain", "t"), Good("bread", "t")],
...     councils=[Council("farm", "workplace"), Council("bakery", "workplace"),
...               Council("village", "territorial", members=100)],
...     processes=[Process("grow", "farm", labour=2.0, flows={"grain": 1.0}),
...                Process("bake", "bakery", labour=1.0,
...                        flows={"bread": 1.0, "grain": -0.5})],
...     needs=[Need("village", "bread", 10.0)],
... )
>>> eco.n_goods, eco.n_processes
(2, 2)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np
import scipy.sparse as sp

from soviets.errors import InputError

GoodKind = Literal["produced", "primary"]
CouncilKind = Literal["workplace", "territorial", "federation"]
Priority = Literal["essential", "normal"]

GOOD_KINDS: tuple[str, ...] = ("produced", "primary")
COUNCIL_KINDS: tuple[str, ...] = ("workplace", "territorial", "federation")
PRIORITIES: tuple[str, ...] = ("essential", "normal")


@dataclass(frozen=True, slots=True)
class Good:
    """A good with its unit; ``primary`` goods are not produced and may be limited."""

    name: str
    unit: str = ""
    kind: GoodKind = "produced"
    limit: float | None = None


@dataclass(frozen=True, slots=True)
class Council:
    """A soviet: a workplace, a territorial council or a federation of councils."""

    name: str
    kind: CouncilKind
    parent: str | None = None
    members: int | None = None
    hours_available: float | None = None


@dataclass(frozen=True, slots=True)
class Process:
    """One technology, run by one workplace council.

    ``flows`` maps a good to its quantity per unit of activity: positive for
    an output, negative for an input. ``capacity`` is the most activity per
    period (None: no limit).
    """

    name: str
    council: str
    labour: float
    flows: Mapping[str, float]
    capacity: float | None = None


@dataclass(frozen=True, slots=True)
class Need:
    """A quantity of a good asked for by a territorial council in the period."""

    council: str
    good: str
    quantity: float
    priority: Priority = "essential"


@dataclass(eq=False)
class Economy:
    """An economy for one planning period, stored column-wise.

    Attributes hold one entry per good, process, council or need, in a fixed
    order; names are looked up through the ``*_index`` dictionaries.
    ``capacity`` and ``good_limit`` use ``inf`` for "no limit";
    ``council_hours`` uses ``nan`` for "not given".
    """

    good_names: list[str]
    good_units: list[str]
    good_primary: np.ndarray  # bool, per good
    good_limit: np.ndarray  # float, per good (inf: no limit; only primary goods)
    councils: list[Council]
    process_names: list[str]
    process_council: np.ndarray  # int index into councils, per process
    labour: np.ndarray  # hours per unit of activity, per process
    capacity: np.ndarray  # max activity, per process (inf: none)
    net_output: sp.csc_matrix  # goods x processes, + output / - input
    need_council: np.ndarray  # int index into councils, per need
    need_good: np.ndarray  # int index into goods, per need
    need_quantity: np.ndarray  # float, per need
    need_essential: np.ndarray  # bool, per need
    stocks: np.ndarray  # float, per good (0 when none)
    name: str = ""
    notes: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ sizes
    @property
    def n_goods(self) -> int:
        return len(self.good_names)

    @property
    def n_processes(self) -> int:
        return len(self.process_names)

    @property
    def n_needs(self) -> int:
        return int(self.need_quantity.shape[0])

    # ---------------------------------------------------------------- lookups
    @cached_property
    def good_index(self) -> dict[str, int]:
        return {g: i for i, g in enumerate(self.good_names)}

    @cached_property
    def process_index(self) -> dict[str, int]:
        return {p: i for i, p in enumerate(self.process_names)}

    @cached_property
    def council_index(self) -> dict[str, int]:
        return {c.name: i for i, c in enumerate(self.councils)}

    @cached_property
    def council_hours(self) -> np.ndarray:
        """Hours available per council (nan where not given)."""
        return np.array(
            [np.nan if c.hours_available is None else c.hours_available for c in self.councils],
            dtype=float,
        )

    @cached_property
    def council_members(self) -> np.ndarray:
        """Members per council (0 where not given)."""
        return np.array([c.members or 0 for c in self.councils], dtype=np.int64)

    # ---------------------------------------------------------- matrix views
    @cached_property
    def inputs(self) -> sp.csc_matrix:
        """Inputs per unit of activity, as non-negative numbers (goods x processes)."""
        m = (-self.net_output).tocsc()
        m.data = np.maximum(m.data, 0.0)
        m.eliminate_zeros()
        return m

    @cached_property
    def outputs(self) -> sp.csc_matrix:
        """Outputs per unit of activity (goods x processes)."""
        m = self.net_output.tocsc(copy=True)
        m.data = np.maximum(m.data, 0.0)
        m.eliminate_zeros()
        return m

    @cached_property
    def demand(self) -> np.ndarray:
        """Total quantity needed of each good (all councils, all priorities)."""
        return np.bincount(self.need_good, weights=self.need_quantity, minlength=self.n_goods)

    @cached_property
    def essential_demand(self) -> np.ndarray:
        """Total quantity of each good needed with essential priority."""
        w = np.where(self.need_essential, self.need_quantity, 0.0)
        return np.bincount(self.need_good, weights=w, minlength=self.n_goods)

    @cached_property
    def single_output(self) -> bool:
        """True when every process makes exactly one good (no joint production)."""
        counts = np.diff(self.outputs.indptr)
        return bool(np.all(counts == 1))

    @cached_property
    def main_output(self) -> np.ndarray:
        """Index of the good each process makes (its largest output; -1 if none)."""
        out = self.outputs
        result = np.full(self.n_processes, -1, dtype=np.int64)
        counts = np.diff(out.indptr)
        has = counts > 0
        if np.any(has):
            col = np.repeat(np.arange(self.n_processes), counts)
            order = np.lexsort((-out.data, col))  # columns stay in their blocks
            result[has] = out.indices[order[out.indptr[:-1][has]]]
        return result

    def total_members(self) -> int:
        """Members of territorial councils (where given)."""
        return int(sum(c.members or 0 for c in self.councils if c.kind == "territorial"))

    # ----------------------------------------------------------- construction
    @classmethod
    def from_records(
        cls,
        *,
        goods: Iterable[Good],
        councils: Iterable[Council],
        processes: Iterable[Process],
        needs: Iterable[Need] = (),
        stocks: Mapping[str, float] | None = None,
        name: str = "",
        notes: Sequence[str] = (),
    ) -> Economy:
        """Build an economy from records, checking names and signs.

        Raises :class:`InputError` naming the table (``goods``, ``councils``,
        ``processes``, ``flows``, ``needs``, ``stocks``), the row (from 1) and
        the field of the first problem found.
        """
        goods = list(goods)
        councils = list(councils)
        processes = list(processes)
        needs = list(needs)
        stocks = dict(stocks or {})

        good_index: dict[str, int] = {}
        for row, g in enumerate(goods, 1):
            if not g.name:
                raise InputError("empty good name", file="goods", row=row, field="good")
            if g.name in good_index:
                raise InputError(f"duplicate good '{g.name}'", file="goods", row=row, field="good")
            if g.kind not in GOOD_KINDS:
                raise InputError(
                    f"kind must be one of {', '.join(GOOD_KINDS)}, got '{g.kind}'",
                    file="goods",
                    row=row,
                    field="kind",
                )
            if g.limit is not None:
                if g.kind != "primary":
                    raise InputError(
                        "only primary goods may have a limit", file="goods", row=row, field="limit"
                    )
                _check_number(g.limit, "goods", row, "limit", nonnegative=True)
            good_index[g.name] = row - 1

        council_index: dict[str, int] = {}
        for row, c in enumerate(councils, 1):
            if not c.name:
                raise InputError("empty council name", file="councils", row=row, field="council")
            if c.name in council_index:
                raise InputError(
                    f"duplicate council '{c.name}'", file="councils", row=row, field="council"
                )
            if c.kind not in COUNCIL_KINDS:
                raise InputError(
                    f"kind must be one of {', '.join(COUNCIL_KINDS)}, got '{c.kind}'",
                    file="councils",
                    row=row,
                    field="kind",
                )
            if c.members is not None and c.members < 0:
                raise InputError("members must be >= 0", file="councils", row=row, field="members")
            if c.hours_available is not None:
                _check_number(c.hours_available, "councils", row, "hours_available", True)
            council_index[c.name] = row - 1
        for row, c in enumerate(councils, 1):
            if c.parent is not None and c.parent not in council_index:
                raise InputError(
                    f"unknown parent council '{c.parent}'", file="councils", row=row, field="parent"
                )
            if c.parent == c.name:
                raise InputError(
                    "a council cannot be its own parent", file="councils", row=row, field="parent"
                )

        process_index: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        proc_council = np.empty(len(processes), dtype=np.int64)
        labour = np.empty(len(processes), dtype=float)
        capacity = np.empty(len(processes), dtype=float)
        flow_row = 0
        for row, p in enumerate(processes, 1):
            if not p.name:
                raise InputError("empty process name", file="processes", row=row, field="process")
            if p.name in process_index:
                raise InputError(
                    f"duplicate process '{p.name}'", file="processes", row=row, field="process"
                )
            if p.council not in council_index:
                raise InputError(
                    f"unknown council '{p.council}'", file="processes", row=row, field="council"
                )
            if councils[council_index[p.council]].kind != "workplace":
                raise InputError(
                    f"council '{p.council}' is not a workplace council",
                    file="processes",
                    row=row,
                    field="council",
                )
            _check_number(p.labour, "processes", row, "labour", nonnegative=True)
            if p.capacity is not None:
                _check_number(p.capacity, "processes", row, "capacity", nonnegative=True)
            j = row - 1
            process_index[p.name] = j
            proc_council[j] = council_index[p.council]
            labour[j] = p.labour
            capacity[j] = np.inf if p.capacity is None else p.capacity
            if not any(q > 0 for q in p.flows.values()):
                raise InputError(
                    f"process '{p.name}' makes nothing (no positive flow)",
                    file="flows",
                    field="quantity",
                )
            for good_name, q in p.flows.items():
                flow_row += 1
                if good_name not in good_index:
                    raise InputError(
                        f"unknown good '{good_name}' in process '{p.name}'",
                        file="flows",
                        field="good",
                    )
                _check_number(q, "flows", None, "quantity")
                gi = good_index[good_name]
                if q > 0 and goods[gi].kind == "primary":
                    raise InputError(
                        f"process '{p.name}' makes primary input '{good_name}'",
                        file="flows",
                        field="quantity",
                    )
                if q != 0:
                    rows.append(gi)
                    cols.append(j)
                    vals.append(float(q))

        n_goods = len(goods)
        net = sp.csc_matrix(
            (
                np.asarray(vals, dtype=float),
                (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)),
            ),
            shape=(n_goods, len(processes)),
        )
        net.sum_duplicates()

        need_council = np.empty(len(needs), dtype=np.int64)
        need_good = np.empty(len(needs), dtype=np.int64)
        need_qty = np.empty(len(needs), dtype=float)
        need_ess = np.empty(len(needs), dtype=bool)
        for row, n in enumerate(needs, 1):
            if n.council not in council_index:
                raise InputError(
                    f"unknown council '{n.council}'", file="needs", row=row, field="council"
                )
            if councils[council_index[n.council]].kind != "territorial":
                raise InputError(
                    f"council '{n.council}' is not a territorial council",
                    file="needs",
                    row=row,
                    field="council",
                )
            if n.good not in good_index:
                raise InputError(f"unknown good '{n.good}'", file="needs", row=row, field="good")
            if goods[good_index[n.good]].kind == "primary":
                raise InputError(
                    f"'{n.good}' is a primary input and cannot be needed",
                    file="needs",
                    row=row,
                    field="good",
                )
            _check_number(n.quantity, "needs", row, "quantity", nonnegative=True)
            if n.priority not in PRIORITIES:
                raise InputError(
                    f"priority must be one of {', '.join(PRIORITIES)}, got '{n.priority}'",
                    file="needs",
                    row=row,
                    field="priority",
                )
            need_council[row - 1] = council_index[n.council]
            need_good[row - 1] = good_index[n.good]
            need_qty[row - 1] = n.quantity
            need_ess[row - 1] = n.priority == "essential"

        stock_vec = np.zeros(n_goods, dtype=float)
        for row, (good_name, q) in enumerate(stocks.items(), 1):
            if good_name not in good_index:
                raise InputError(
                    f"unknown good '{good_name}'", file="stocks", row=row, field="good"
                )
            _check_number(q, "stocks", row, "quantity", nonnegative=True)
            stock_vec[good_index[good_name]] = q

        return cls(
            good_names=[g.name for g in goods],
            good_units=[g.unit for g in goods],
            good_primary=np.array([g.kind == "primary" for g in goods], dtype=bool),
            good_limit=np.array(
                [np.inf if g.limit is None else g.limit for g in goods], dtype=float
            ),
            councils=councils,
            process_names=[p.name for p in processes],
            process_council=proc_council,
            labour=labour,
            capacity=capacity,
            net_output=net,
            need_council=need_council,
            need_good=need_good,
            need_quantity=need_qty,
            need_essential=need_ess,
            stocks=stock_vec,
            name=name,
            notes=list(notes),
        )

    # ------------------------------------------------------------- records
    def goods_records(self) -> list[Good]:
        """The goods as records (for writing files)."""
        return [
            Good(
                name=n,
                unit=u,
                kind="primary" if p else "produced",
                limit=None if not np.isfinite(lim) else float(lim),
            )
            for n, u, p, lim in zip(
                self.good_names, self.good_units, self.good_primary, self.good_limit, strict=True
            )
        ]

    def process_records(self) -> list[Process]:
        """The processes as records with their flows (for writing files)."""
        net = self.net_output.tocsc()
        result = []
        for j, pname in enumerate(self.process_names):
            lo, hi = net.indptr[j], net.indptr[j + 1]
            flows = {
                self.good_names[i]: float(q)
                for i, q in zip(net.indices[lo:hi], net.data[lo:hi], strict=True)
            }
            cap = self.capacity[j]
            result.append(
                Process(
                    name=pname,
                    council=self.councils[self.process_council[j]].name,
                    labour=float(self.labour[j]),
                    flows=flows,
                    capacity=None if not np.isfinite(cap) else float(cap),
                )
            )
        return result

    def need_records(self) -> list[Need]:
        """The needs as records (for writing files)."""
        return [
            Need(
                council=self.councils[c].name,
                good=self.good_names[g],
                quantity=float(q),
                priority="essential" if e else "normal",
            )
            for c, g, q, e in zip(
                self.need_council,
                self.need_good,
                self.need_quantity,
                self.need_essential,
                strict=True,
            )
        ]


def _check_number(
    value: float, file: str, row: int | None, fieldname: str, nonnegative: bool = False
) -> None:
    if not isinstance(value, (int, float, np.floating, np.integer)) or not np.isfinite(value):
        raise InputError(f"not a finite number: {value!r}", file=file, row=row, field=fieldname)
    if nonnegative and value < 0:
        raise InputError(f"must be >= 0, got {value}", file=file, row=row, field=fieldname)
