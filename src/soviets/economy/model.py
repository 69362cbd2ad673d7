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

import numpy as np
import scipy.sparse as sp

from soviets.economy.records import Council, Good, Need, Process
from soviets.economy.validate import (
    ErrorAt,
    at_record,
    flows_of,
    refuse_free_production,
    validate_records,
)

__all__ = ["Economy"]


@dataclass(eq=False)
class Economy:
    """An economy for one planning period, stored column-wise.

    Attributes hold one entry per good, process, council or need, in a fixed
    order; names are looked up through the ``*_index`` dictionaries.
    ``capacity`` and ``good_limit`` use ``inf`` for "no limit";
    ``council_hours`` uses ``nan`` for "not given". ``labour_unit`` names
    what ``labour`` counts: hours, or the unit of the column an input-output
    table stands in for labour with (persons, a currency of compensation).
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
    labour_unit: str = "hours"

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
        error_at: ErrorAt = at_record,
    ) -> Economy:
        """Build an economy from records checked by :func:`.validate.validate_records`.

        A process carries its flows. Raises :class:`~soviets.errors.InputError`
        naming the table (``goods``, ``councils``, ``processes``, ``flows``,
        ``needs``, ``stocks``), the record's number (from 1; flows counted in
        process order) and the field of the first problem found, or naming the
        processes that together make goods from nothing; ``error_at`` may
        place the error in a file instead.
        """
        goods = list(goods)
        councils = list(councils)
        processes = list(processes)
        needs = list(needs)
        stock_rows = list((stocks or {}).items())
        validate_records(
            goods, councils, processes, flows_of(processes), needs, stock_rows, error_at=error_at
        )

        good_index = {g.name: i for i, g in enumerate(goods)}
        council_index = {c.name: i for i, c in enumerate(councils)}
        rows = [good_index[g] for p in processes for g in p.flows]
        cols = [j for j, p in enumerate(processes) for _ in p.flows]
        vals = [float(q) for p in processes for q in p.flows.values()]
        net = sp.csc_matrix(
            (
                np.asarray(vals, dtype=float),
                (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)),
            ),
            shape=(len(goods), len(processes)),
        )
        net.eliminate_zeros()

        stock_vec = np.zeros(len(goods), dtype=float)
        for good_name, q in stock_rows:
            stock_vec[good_index[good_name]] = q

        economy = cls(
            good_names=[g.name for g in goods],
            good_units=[g.unit for g in goods],
            good_primary=np.array([g.kind == "primary" for g in goods], dtype=bool),
            good_limit=np.array(
                [np.inf if g.limit is None else g.limit for g in goods], dtype=float
            ),
            councils=councils,
            process_names=[p.name for p in processes],
            process_council=np.array([council_index[p.council] for p in processes], dtype=np.int64),
            labour=np.array([p.labour for p in processes], dtype=float),
            capacity=np.array(
                [np.inf if p.capacity is None else p.capacity for p in processes], dtype=float
            ),
            net_output=net,
            need_council=np.array([council_index[n.council] for n in needs], dtype=np.int64),
            need_good=np.array([good_index[n.good] for n in needs], dtype=np.int64),
            need_quantity=np.array([n.quantity for n in needs], dtype=float),
            need_essential=np.array([n.priority == "essential" for n in needs], dtype=bool),
            stocks=stock_vec,
            name=name,
            notes=list(notes),
        )
        refuse_free_production(economy, error_at)
        return economy

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
