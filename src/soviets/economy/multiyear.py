"""An economy planned over several periods (years): capital, depreciation, stocks carried.

A :class:`MultiYearEconomy` wraps a one-period :class:`~soviets.economy.Economy`
(goods, councils, processes with their flows, labour and capacities, and the
stocks held at the start of period 1) and adds, for periods ``1..T``:

* **capital**: pairs (process ``p``, good ``g``): ``quantity`` units of ``g``
  must be held by ``p`` per unit of its activity in a period (capacity comes
  from the stock of capital held); ``stock`` units are held at the start of
  period 1; a share ``depreciation`` of the stock wears out each period; a unit
  of ``g`` invested in period ``t`` (produced in ``t`` and not used otherwise)
  is part of ``p``'s stock from period ``t + build_time`` on. Capital is tied
  to the process that holds it.
* **labour** per period: the economy's labour supply (``period_hours``, hours)
  and the hours each council may work (``council_hours``, councils x periods).
* **needs** per period (essential or normal), one entry per need and period.
* **storage**: a produced good left over in period ``t`` is carried to
  ``t + 1`` with a share ``storage_loss`` lost on the way (1: cannot be kept).

Units: capital quantities and stocks are in the unit of their good; hours are
hours; depreciation and storage losses are shares per period.

Example
-------
>>> from soviets.economy import Council, Economy, Good, Process
>>> base = Economy.from_records(
...     goods=[Good("tool", "piece"), Good("bread", "t")],
...     councils=[Council("works", "workplace"), Council("town", "territorial", members=10)],
...     processes=[Process("make-tool", "works", 5.0, {"tool": 1.0}),
...                Process("bake", "works", 1.0, {"bread": 1.0})],
... )
>>> m = MultiYearEconomy.from_records(
...     base, periods=[Period("2027"), Period("2028")],
...     capital=[Capital("bake", "tool", quantity=0.5, stock=2.0, depreciation=0.1)],
...     needs=[PeriodNeed(None, "town", "bread", 3.0)],
... )
>>> m.n_periods, m.n_capital, m.demand()[:, 1].tolist()
(2, 1, [3.0, 3.0])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from soviets.economy.model import Economy
from soviets.economy.records import Need
from soviets.economy.validate import validate_periods
from soviets.errors import InputError


@dataclass(frozen=True, slots=True)
class Period:
    """A planning period (a year). ``hours_available``: the economy's labour supply in
    hours (None: no economy-wide limit); ``members``: people among whom free time is
    shared (None: the members of the territorial councils)."""

    name: str
    hours_available: float | None = None
    members: int | None = None


@dataclass(frozen=True, slots=True)
class Capital:
    """Capital good ``good`` held by ``process``: ``quantity`` units per unit of activity,
    ``stock`` units at the start of period 1, ``depreciation`` share worn out per
    period, investments usable ``build_time`` periods after they are made."""

    process: str
    good: str
    quantity: float
    stock: float = 0.0
    depreciation: float = 0.0
    build_time: int = 1


@dataclass(frozen=True, slots=True)
class PeriodNeed:
    """A need of a territorial council in one period (``period`` None: in every period)."""

    period: str | None
    council: str
    good: str
    quantity: float
    priority: str = "essential"


@dataclass(frozen=True, slots=True)
class PeriodHours:
    """The most hours ``council`` (with the councils below it) may work in ``period``."""

    period: str
    council: str
    hours: float


@dataclass(eq=False)
class MultiYearEconomy:
    """An economy over ``T`` periods, stored column-wise (see the module docstring).

    Per capital pair ``c`` (in input order): ``capital_process``, ``capital_good``
    (indices), ``capital_quantity``, ``capital_stock``, ``capital_depreciation``,
    ``capital_build_time``. Per need ``n`` (one entry per need and period):
    ``need_period``, ``need_council``, ``need_good``, ``need_quantity``,
    ``need_essential``. ``council_hours`` is councils x periods (nan: no limit);
    ``period_hours`` and ``period_members`` are per period (nan: not given);
    ``storage_loss`` is per good. The needs of ``economy`` are not used.
    """

    economy: Economy
    period_names: list[str]
    period_hours: np.ndarray
    period_members: np.ndarray
    council_hours: np.ndarray
    capital_process: np.ndarray
    capital_good: np.ndarray
    capital_quantity: np.ndarray
    capital_stock: np.ndarray
    capital_depreciation: np.ndarray
    capital_build_time: np.ndarray
    need_period: np.ndarray
    need_council: np.ndarray
    need_good: np.ndarray
    need_quantity: np.ndarray
    need_essential: np.ndarray
    storage_loss: np.ndarray
    name: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def n_periods(self) -> int:
        return len(self.period_names)

    @property
    def n_capital(self) -> int:
        return int(self.capital_good.shape[0])

    @property
    def n_needs(self) -> int:
        return int(self.need_quantity.shape[0])

    def demand(self, essential: bool | None = None) -> np.ndarray:
        """Quantity needed per period and good (periods x goods): all needs, or only
        essential (``True``) or normal (``False``) ones."""
        mask = np.ones(self.n_needs, dtype=bool)
        if essential is not None:
            mask = self.need_essential == essential
        n_g = self.economy.n_goods
        flat = self.need_period[mask] * n_g + self.need_good[mask]
        totals = np.bincount(flat, weights=self.need_quantity[mask], minlength=self.n_periods * n_g)
        return totals.reshape(self.n_periods, n_g)

    def members(self) -> np.ndarray:
        """People per period among whom free time is shared (0: unknown)."""
        default = float(self.economy.total_members())
        return np.where(np.isnan(self.period_members), default, self.period_members)

    def labour_supply(self) -> np.ndarray:
        """Hours of labour available per period (nan: no limit known).

        The economy-wide ``period_hours`` where given; else the sum of the limits
        of the councils that have one and no council above them with one.
        """
        eco = self.economy
        parent = [eco.council_index.get(c.parent, -1) if c.parent else -1 for c in eco.councils]
        supply = self.period_hours.copy()
        for t in range(self.n_periods):
            if not np.isnan(supply[t]):
                continue
            limited = ~np.isnan(self.council_hours[:, t])
            roots = [
                int(c)
                for c in np.flatnonzero(limited)
                if not _has_limited_ancestor(int(c), parent, limited)
            ]
            if roots:
                supply[t] = float(self.council_hours[roots, t].sum())
        return supply

    @classmethod
    def from_records(
        cls,
        economy: Economy,
        *,
        periods: Iterable[Period],
        capital: Iterable[Capital] = (),
        needs: Iterable[PeriodNeed] = (),
        hours: Iterable[PeriodHours] = (),
        storage_loss: Mapping[str, float] | None = None,
        name: str = "",
        notes: Iterable[str] = (),
    ) -> MultiYearEconomy:
        """Build a multi-period economy on ``economy``, checking names and ranges.

        Councils' ``hours_available`` hold in every period unless ``hours`` gives
        a limit for that council and period. Raises :class:`InputError` naming
        the table (``periods``, ``capital``, ``needs``, ``labour``, ``storage``),
        the row (from 1) and the field of the first problem found.
        """
        periods, capital, needs, hours = list(periods), list(capital), list(needs), list(hours)
        validate_periods(economy, periods, capital, needs, hours, storage_loss or {})
        period_index = {p.name: t for t, p in enumerate(periods)}
        n_t = len(periods)
        cap_p = np.array([economy.process_index[c.process] for c in capital], dtype=np.int64)
        cap_g = np.array([economy.good_index[c.good] for c in capital], dtype=np.int64)

        rows_p, rows_c, rows_g, rows_q, rows_e = [], [], [], [], []
        for n in needs:
            targets = range(n_t) if n.period is None else [period_index[n.period]]
            for t in targets:
                rows_p.append(t)
                rows_c.append(economy.council_index[n.council])
                rows_g.append(economy.good_index[n.good])
                rows_q.append(float(n.quantity))
                rows_e.append(n.priority == "essential")

        council_hours = np.tile(economy.council_hours.reshape(-1, 1), (1, n_t))
        for h in hours:
            council_hours[economy.council_index[h.council], period_index[h.period]] = h.hours

        loss = np.zeros(economy.n_goods)
        for good, value in (storage_loss or {}).items():
            loss[economy.good_index[good]] = value

        return cls(
            economy=economy,
            period_names=[p.name for p in periods],
            period_hours=np.array(
                [np.nan if p.hours_available is None else p.hours_available for p in periods],
                dtype=float,
            ),
            period_members=np.array(
                [np.nan if p.members is None else p.members for p in periods], dtype=float
            ),
            council_hours=council_hours,
            capital_process=cap_p,
            capital_good=cap_g,
            capital_quantity=np.array([c.quantity for c in capital], dtype=float),
            capital_stock=np.array([c.stock for c in capital], dtype=float),
            capital_depreciation=np.array([c.depreciation for c in capital], dtype=float),
            capital_build_time=np.array([c.build_time for c in capital], dtype=np.int64),
            need_period=np.array(rows_p, dtype=np.int64),
            need_council=np.array(rows_c, dtype=np.int64),
            need_good=np.array(rows_g, dtype=np.int64),
            need_quantity=np.array(rows_q, dtype=float),
            need_essential=np.array(rows_e, dtype=bool),
            storage_loss=loss,
            name=name or economy.name,
            notes=list(notes),
        )

    @classmethod
    def repeat(cls, economy: Economy, years: int) -> MultiYearEconomy:
        """``years`` periods named 1..years, each with the needs and hours of ``economy``
        (no capital; stocks carried without loss)."""
        if years < 1:
            raise InputError(f"--years must be >= 1, got {years}")
        needs = [
            PeriodNeed(None, n.council, n.good, n.quantity, n.priority)
            for n in economy.need_records()
        ]
        return cls.from_records(
            economy,
            periods=[Period(str(t)) for t in range(1, years + 1)],
            needs=needs,
            notes=economy.notes,
        )

    def first_periods(self, n: int) -> MultiYearEconomy:
        """The same economy planned over its first ``n`` periods only."""
        keep = self.need_period < n
        return MultiYearEconomy(
            economy=self.economy,
            period_names=self.period_names[:n],
            period_hours=self.period_hours[:n],
            period_members=self.period_members[:n],
            council_hours=self.council_hours[:, :n],
            capital_process=self.capital_process,
            capital_good=self.capital_good,
            capital_quantity=self.capital_quantity,
            capital_stock=self.capital_stock,
            capital_depreciation=self.capital_depreciation,
            capital_build_time=self.capital_build_time,
            need_period=self.need_period[keep],
            need_council=self.need_council[keep],
            need_good=self.need_good[keep],
            need_quantity=self.need_quantity[keep],
            need_essential=self.need_essential[keep],
            storage_loss=self.storage_loss,
            name=self.name,
            notes=list(self.notes),
        )

    def need_records(self, t: int) -> list[Need]:
        """The needs of period ``t`` (0-based) as records, in input order."""
        eco = self.economy
        return [
            Need(eco.councils[c].name, eco.good_names[g], float(q), "essential" if e else "normal")
            for p, c, g, q, e in zip(
                self.need_period,
                self.need_council,
                self.need_good,
                self.need_quantity,
                self.need_essential,
                strict=True,
            )
            if p == t
        ]

    def capital_records(self) -> list[Capital]:
        """The capital pairs as records (for writing files)."""
        eco = self.economy
        return [
            Capital(
                process=eco.process_names[j],
                good=eco.good_names[g],
                quantity=float(q),
                stock=float(s),
                depreciation=float(d),
                build_time=int(b),
            )
            for j, g, q, s, d, b in zip(
                self.capital_process,
                self.capital_good,
                self.capital_quantity,
                self.capital_stock,
                self.capital_depreciation,
                self.capital_build_time,
                strict=True,
            )
        ]


def _has_limited_ancestor(c: int, parent: list[int], limited: np.ndarray) -> bool:
    seen = set()
    a = parent[c]
    while a >= 0 and a not in seen:
        if limited[a]:
            return True
        seen.add(a)
        a = parent[a]
    return False
