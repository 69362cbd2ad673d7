"""Capital coefficients of a national input-output table with socio-economic accounts.

From one year of a national input-output folder (layout of
``data/wiod2016-usa/<year>``) this derives, per industry ``j``:

* the **capital requirement** ``k_j = K_j / x_j``: fixed capital stock
  (``capital_stock``, current prices) per unit of gross output, both in the
  table's money unit, so a pure number (USD of capital per USD of output a year);
* its **composition** by supplying good ``s_g`` (shares summing to 1), the
  same for every industry (the tables give no asset-by-industry breakdown);
* a yearly **depreciation** rate ``delta_g`` per supplying good (asset type).

The stock needed per unit of output of industry ``j`` is then
``B[g, j] = k_j * s_g`` units of good ``g``.

**Composition.** The table's gross fixed capital formation by supplying
product (final-demand column ``GFCF``) says what new capital is made of;
negative entries (sales of used assets and scrap) count as 0. A stock
differs from the flow that builds it: long-lived goods pile up. With
investment ``I_g`` growing at a steady rate ``growth`` and geometric wear at
``delta_g``, the perpetual-inventory stock is ``I_g / (delta_g + growth)``;
the composition is these stocks' shares. ``growth`` defaults to the average
yearly growth of the table's total capital stock over the years available
next to it (2000-2014 for WIOD: 4.8 % a year, nominal), else 0.04.

**Depreciation.** WIOD's accounts give no depreciation, so the rates are
BEA's geometric rates by asset type (Fraumeni 1997, table 3; see
:data:`DEPRECIATION` and ``docs/multiyear-scale.md``), mapped to the
supplying product of the investment.

**Hours.** ``hours_employees`` (WIOD: millions of hours worked by
employees) becomes hours per unit of output; ``persons_employed``
(thousands) is kept to express hours per person and week.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from soviets.economy import Capital, MultiYearEconomy, Period, PeriodNeed
from soviets.errors import InputError
from soviets.formats.io_economy import io_to_economy
from soviets.formats.iotable import IOTable, read_national, year_of

#: Yearly geometric depreciation rate of a capital good, by the WIOD 2016
#: (ISIC Rev. 4) product that supplies it, with the BEA asset type it stands
#: for (Fraumeni 1997, "The Measurement of Depreciation in the U.S. National
#: Income and Product Accounts", Survey of Current Business, July 1997, table 3).
#: Products not listed get :data:`OTHER_DEPRECIATION`.
DEPRECIATION: dict[str, tuple[float, str]] = {
    "F": (0.025, "structures (office buildings 0.0247; residential 0.011-0.014, industrial 0.031)"),
    "M71": (0.025, "architectural and engineering work, capitalised with structures"),
    "M69_M70": (0.025, "legal costs of transferring structures, capitalised with them"),
    "L68": (0.025, "real-estate costs of transferring structures, capitalised with them"),
    "B": (0.0751, "mining exploration, shafts and wells"),
    "C25": (0.0917, "other fabricated metal products"),
    "C26": (0.3119, "office, computing and accounting machinery (1978 and later)"),
    "C27": (0.05, "electrical transmission, distribution and industrial apparatus"),
    "C28": (0.1072, "general industrial, including materials handling equipment"),
    "C29": (0.1917, "trucks, buses and truck trailers (other industries)"),
    "C30": (0.11, "aircraft (other industries, 1960 and later)"),
    "C31_C32": (0.1179, "other furniture"),
    "C33": (0.1072, "installation of machinery, with general industrial equipment"),
    "J58": (0.55, "prepackaged software"),
    "J62_J63": (0.33, "custom and own-account software"),
    "M72": (0.15, "research and development (assumed; not in the 1997 table)"),
    "J59_J60": (0.15, "entertainment originals (assumed like R&D)"),
    "M73": (0.15, "other intellectual property (assumed like R&D)"),
}
#: Rate of capital goods not in :data:`DEPRECIATION`: wholesale, retail and
#: transport margins on equipment and other products, at the rate of
#: general industrial equipment.
OTHER_DEPRECIATION = 0.1072
DEFAULT_GROWTH = 0.04


@dataclass
class CapitalCoefficients:
    """Capital and hours per unit of output of one table year (see the module docstring)."""

    codes: list[str]
    unit: str  # money unit of output and capital, e.g. "USD million"
    gross_output: np.ndarray  # per industry, ``unit``
    capital_stock: np.ndarray  # per industry, ``unit`` (current prices)
    requirement: np.ndarray  # k_j: capital per unit of output (``unit`` per ``unit`` a year)
    investment: np.ndarray  # I_g: fixed capital formation by supplying good, ``unit``
    composition: np.ndarray  # s_g: share of good g in every industry's stock (sums to 1)
    depreciation: np.ndarray  # delta_g: per year
    hours: np.ndarray  # hours worked by employees per industry (hours)
    persons: np.ndarray  # persons employed per industry (persons)
    growth: float  # investment growth used for the composition, per year
    notes: list[str] = field(default_factory=list)

    def perpetual_inventory_stock(self) -> float:
        """``sum_g I_g / (delta_g + growth)``: the stock the investment of the year implies."""
        return float(np.sum(self.investment / (self.depreciation + self.growth)))

    def depreciation_total(self) -> float:
        """Yearly wear of the whole stock, ``sum_g delta_g s_g K`` (``unit``)."""
        return float(self.capital_stock.sum() * np.dot(self.composition, self.depreciation))


def _column(table: IOTable, name: str) -> np.ndarray:
    if name not in table.columns:
        raise InputError(
            f"missing column '{name}' (needed for capital coefficients)",
            file=table.files.get("industries", "industries.csv"),
            field=name,
        )
    values = table.columns[name]
    bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
    if bad.size:
        raise InputError(
            f"must be a number >= 0, got {values[bad[0]]}",
            file=table.files.get("industries", "industries.csv"),
            row=int(bad[0]) + 1,
            field=name,
        )
    return values


def stock_growth(folder: Path) -> float | None:
    """Average yearly growth of the total capital stock over the sibling year folders.

    ``None`` when fewer than two year folders with ``capital_stock`` sit next to ``folder``.
    """
    totals: dict[int, float] = {}
    for sibling in folder.parent.iterdir() if folder.parent.is_dir() else []:
        year = year_of(sibling)
        if year is None or not (sibling / "industries.csv").is_file():
            continue
        table = read_national(sibling)
        if "capital_stock" in table.columns:
            totals[int(year)] = float(table.columns["capital_stock"].sum())
    if len(totals) < 2:
        return None
    first, last = min(totals), max(totals)
    if totals[first] <= 0 or totals[last] <= 0:
        return None
    return float((totals[last] / totals[first]) ** (1.0 / (last - first)) - 1.0)


def capital_coefficients(folder: str | Path, *, growth: float | None = None) -> CapitalCoefficients:
    """Capital requirement, composition, depreciation and hours of one table year.

    ``folder`` is a national input-output folder whose ``industries.csv`` has
    ``capital_stock``, ``hours_employees`` and ``persons_employed`` and whose
    ``final_demand.csv`` has a ``GFCF`` column. Raises :class:`InputError`
    naming the file and field when one is missing or negative.
    """
    folder = Path(folder)
    table = read_national(folder)
    stock = _column(table, "capital_stock")
    hours = _column(table, "hours_employees") * 1e6  # WIOD: millions of hours
    persons = _column(table, "persons_employed") * 1e3  # WIOD: thousands
    if "GFCF" not in table.categories:
        raise InputError(
            "missing final-demand column 'GFCF' (fixed capital formation)",
            file=table.files["final_demand"],
            field="GFCF",
        )
    gfcf = table.final_demand[:, table.categories.index("GFCF")]
    notes = [f"capital from {folder} ({table.unit}, current prices)"]
    negative = np.flatnonzero(gfcf < 0)
    if negative.size:
        notes.append(
            "negative fixed capital formation counted as 0 (sales of used assets): "
            + ", ".join(f"{table.codes[i]} {gfcf[i]:,.0f}" for i in negative)
        )
    investment = np.maximum(gfcf, 0.0)
    if investment.sum() <= 0:
        raise InputError(
            "no positive fixed capital formation", file=table.files["final_demand"], field="GFCF"
        )
    if growth is None:
        growth = stock_growth(folder)
        if growth is None:
            growth = DEFAULT_GROWTH
            notes.append(f"investment growth assumed {DEFAULT_GROWTH:.1%} a year")
        else:
            notes.append(f"investment growth {growth:.2%} a year (capital stock, sibling years)")
    delta = np.array([DEPRECIATION.get(code, (OTHER_DEPRECIATION, ""))[0] for code in table.codes])
    pim = investment / (delta + growth)
    composition = pim / pim.sum()
    x = table.gross_output
    requirement = np.divide(stock, x, out=np.zeros_like(x), where=x > 0)
    idle = np.flatnonzero((x <= 0) & (stock > 0))
    if idle.size:
        notes.append(
            "capital of industries without output left out: "
            + ", ".join(table.codes[i] for i in idle)
        )
    return CapitalCoefficients(
        codes=list(table.codes),
        unit=table.unit,
        gross_output=x,
        capital_stock=np.where(x > 0, stock, 0.0),
        requirement=requirement,
        investment=investment,
        composition=composition,
        depreciation=delta,
        hours=hours,
        persons=persons,
        growth=float(growth),
        notes=notes,
    )


#: Final demand the plan must meet; fixed capital formation and inventory change
#: are left out because the plan decides investment itself.
PLAN_FINAL_DEMAND = ["CONS_h", "CONS_np", "CONS_g", "EXP"]


def multiyear_economy(
    folder: str | Path,
    *,
    years: int = 5,
    growth: float = 0.02,
    min_share: float = 1e-3,
    utilisation: float = 1.0,
) -> MultiYearEconomy:
    """A multi-year economy from one year of a national input-output folder.

    The one-period economy of the table (:func:`~soviets.formats.io_economy.io_to_economy`,
    labour ``hours_employees`` in hours, needs: households', non-profits' and
    government consumption and exports) gets, per industry ``j`` and capital
    good ``g`` whose share ``s_g`` is at least ``min_share``, a capital pair
    holding ``k_j s_g`` per unit of output (renormalised over the goods kept),
    with the table's stock ``K_j s_g`` at the start of year 1 and depreciation
    ``delta_g``. Needs grow by ``growth`` a year from the table's level. Every
    year's members are the table's employees (for hours per person). No
    good is carried over between years (a year's output is used that year).
    ``utilisation`` is the share of its stock an industry used in the table's
    year: the stock needed at full use is ``utilisation * k_j`` per unit of output.
    """
    folder = Path(folder)
    if years < 1:
        raise InputError(f"must be >= 1, got {years}", field="years")
    if not 0 < utilisation <= 1:
        raise InputError(f"must be in (0, 1], got {utilisation}", field="utilisation")
    coef = capital_coefficients(folder)
    table = read_national(folder)
    base = io_to_economy(table, labour="hours_employees", final_demand=PLAN_FINAL_DEMAND)
    drawn = -np.minimum(table.final_demand[:, table.final_demand_columns(["GFCF", "INVEN"])], 0)
    base.stocks += drawn.sum(axis=1)  # scrap sold and inventories run down supply goods
    keep = np.flatnonzero(coef.composition >= min_share)
    share = coef.composition[keep] / coef.composition[keep].sum()
    capital = [
        Capital(
            process=table.codes[j],
            good=table.codes[g],
            quantity=float(utilisation * coef.requirement[j] * s),
            stock=float(coef.capital_stock[j] * s),
            depreciation=float(coef.depreciation[g]),
        )
        for j in range(table.n)
        if coef.requirement[j] > 0
        for g, s in zip(keep, share, strict=True)
    ]
    employees = int(round(float(_column(table, "employees").sum()) * 1e3))
    first = year_of(folder)
    names = [str(int(first) + 1 + t) if first else str(t + 1) for t in range(years)]
    needs = [
        PeriodNeed(names[t], n.council, n.good, n.quantity * (1 + growth) ** t, n.priority)
        for t in range(years)
        for n in base.need_records()
    ]
    notes = list(coef.notes) + [
        f"capital goods kept (share >= {min_share:g}): {len(keep)} of {table.n}",
        f"capital in use in the table's year: {utilisation:.0%} of the stock",
        f"needs grow {growth:.1%} a year; fixed capital formation is planned, not given",
        "no good is carried from one year to the next (storage loss 1: mostly services)",
        f"negative GFCF and inventory change ({drawn.sum():,.0f} {table.unit}) supply year 1",
    ]
    return MultiYearEconomy.from_records(
        base,
        periods=[Period(n, members=employees) for n in names],
        capital=capital,
        needs=needs,
        storage_loss={code: 1.0 for code in table.codes},
        name=f"{table.source}, {years}-year plan",
        notes=notes,
    )
