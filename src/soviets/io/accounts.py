"""Environmental-style accounts of an input-output table for every extension, in numpy.

An *extension* is a numeric per-industry column of the table (hours, persons,
compensation, value added ...): ``F`` (extensions x industries). With gross
output ``x``, technical coefficients ``A = Z diag(x)^-1`` and ``L = (I - A)^-1``:

* ``S = F diag(x)^-1``: direct intensities (0 where ``x = 0``, as pymrio);
* ``M = S L``: multipliers (direct and indirect amount per unit of final demand);
* ``D_cba``: consumption-based accounts (footprints), per consuming region ``r``
  and product ``s``: ``M`` times region ``r``'s final demand for ``s`` from every
  origin (pymrio's ``S L diag-by-region(Y)``); negative final demand counts as it is;
* ``D_pba = S diag(L y)``: production-based accounts, per producing industry;
* ``D_imp``: the part of ``D_cba`` produced outside the consuming region;
* ``D_exp``: per producing industry, what it produces for other regions' final demand.

Nothing here forms ``L``: one LU factorisation of ``I - A`` gives every
account (``M`` by transposed solves, the output for each region's demand by
plain ones), so it stays quick for tables of a few thousand industries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.linalg as la

from soviets.errors import InputError
from soviets.formats.iotable import LABOUR_UNITS, IOTable


@dataclass(eq=False)
class Extensions:
    """The extensions of a table: names, units and totals per industry (``F``)."""

    names: list[str]
    units: list[str]
    F: np.ndarray  # noqa: N815 (the textbook's name): extensions x industries


def extensions(table: IOTable, names: list[str] | None = None) -> Extensions:
    """Every numeric per-industry column of ``table`` (or those in ``names``), with units.

    A column's unit is ``table.column_units[name]``; otherwise a known labour
    column's (``hours_employees`` is converted from millions of hours to
    hours, as in ``soviets values``); otherwise the table's money unit.
    """
    chosen = list(table.columns) if names is None else names
    if not chosen:
        raise InputError(
            "the table has no numeric per-industry column to account for",
            file=table.files.get("industries", "industries.csv"),
        )
    rows, units = [], []
    for name in chosen:
        if name not in table.columns:
            known = ", ".join(table.columns) or "none"
            raise InputError(
                f"no numeric column '{name}' (known: {known})",
                file=table.files.get("industries", "industries.csv"),
                field=name,
            )
        values = np.asarray(table.columns[name], dtype=float)
        if name in table.column_units:
            unit = table.column_units[name]
        elif name in LABOUR_UNITS:
            factor, unit = LABOUR_UNITS[name]
            values = values * factor
        else:
            unit = table.unit
        rows.append(values)
        units.append(unit)
    return Extensions(chosen, units, np.vstack(rows))


@dataclass(eq=False)
class Accounts:
    """Intensities, multipliers and the four accounts of every extension (see module doc).

    Per-industry arrays are extensions x industries; ``*_reg`` arrays are
    extensions x regions (``regions``); ``x`` is gross output recomputed as
    ``L y`` (pymrio's convention for ``D_pba``).
    """

    table: IOTable
    ext: Extensions
    regions: list[str]
    S: np.ndarray  # noqa: N815
    M: np.ndarray  # noqa: N815
    D_cba: np.ndarray  # noqa: N815
    D_pba: np.ndarray  # noqa: N815
    D_imp: np.ndarray  # noqa: N815
    D_exp: np.ndarray  # noqa: N815
    x: np.ndarray
    negative_demand: float  # sum of negative final-demand cells (0 when none)
    D_cba_nonnegative: np.ndarray  # noqa: N815 extensions x regions, negative demand left out
    population: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def made(self) -> np.ndarray:
        """True for industries with positive gross output (others have no intensity)."""
        return self.table.gross_output > 0

    def by_region(self, per_industry: np.ndarray) -> np.ndarray:
        """Sum per-industry columns (region, product) per region."""
        index = {r: k for k, r in enumerate(self.regions)}
        cols = np.array([index[r] for r in industry_regions(self.table)], dtype=np.int64)
        out = np.zeros((per_industry.shape[0], len(self.regions)))
        np.add.at(out.T, cols, per_industry.T)
        return out

    @property
    def D_cba_reg(self) -> np.ndarray:  # noqa: N802
        return self.by_region(self.D_cba)

    @property
    def D_pba_reg(self) -> np.ndarray:  # noqa: N802
        return self.by_region(self.D_pba)

    @property
    def D_imp_reg(self) -> np.ndarray:  # noqa: N802
        return self.by_region(self.D_imp)

    @property
    def D_exp_reg(self) -> np.ndarray:  # noqa: N802
        return self.by_region(self.D_exp)

    def per_person(self, per_region: np.ndarray) -> np.ndarray:
        """Divide extensions x regions by each region's persons (NaN where unknown)."""
        people = np.array([self.population.get(r, np.nan) for r in self.regions])
        with np.errstate(divide="ignore", invalid="ignore"):
            shares: np.ndarray = per_region / people[None, :]
        return shares


def industry_regions(table: IOTable) -> list[str]:
    """The region of every industry (``national`` for a national table)."""
    return list(table.regions) if table.regions is not None else ["national"] * table.n


def category_regions(table: IOTable) -> list[str]:
    """The consuming region of every final-demand category."""
    if table.category_regions is not None:
        return list(table.category_regions)
    return ["national"] * len(table.categories)


def regional_demand(table: IOTable, regions: list[str]) -> np.ndarray:
    """Final demand summed per consuming region: industries x regions."""
    dest = category_regions(table)
    index = {r: k for k, r in enumerate(regions)}
    out = np.zeros((table.n, len(regions)))
    for j, r in enumerate(dest):
        out[:, index[r]] += table.final_demand[:, j]
    return out


def leontief_factor(table: IOTable, include_imports: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """LU factors of ``I - A``; an :class:`InputError` when ``I - A`` is singular."""
    a = table.technical_coefficients(include_imports)
    m = np.eye(table.n) - a
    lu, piv = la.lu_factor(m, check_finite=False)
    diag = np.abs(np.diag(lu))
    if diag.size and diag.min() <= 1e-14 * max(diag.max(), 1.0):
        raise InputError(
            "I - A is singular: the table has no Leontief inverse",
            file=table.files.get("intermediate", "intermediate.csv"),
        )
    return lu, piv


def compute_accounts(
    table: IOTable,
    names: list[str] | None = None,
    population: dict[str, float] | None = None,
    include_imports: bool = False,
) -> Accounts:
    """All accounts of ``table`` for its extensions (see the module docstring)."""
    ext = extensions(table, names)
    n = table.n
    x = table.gross_output
    inv_x = np.divide(1.0, x, out=np.zeros(n), where=x > 0)
    s = ext.F * inv_x[None, :]
    lu, piv = leontief_factor(table, include_imports)
    m = la.lu_solve((lu, piv), s.T, trans=1, check_finite=False).T

    ind_regions = industry_regions(table)
    regions = list(dict.fromkeys(ind_regions + category_regions(table)))
    y_reg = regional_demand(table, regions)  # industries x regions
    x_reg = la.lu_solve((lu, piv), y_reg, check_finite=False)  # output for each region's demand
    x_tot = x_reg.sum(axis=1)

    region_of = {r: i for i, r in enumerate(regions)}
    prod_region = np.array([region_of[r] for r in ind_regions], dtype=np.int64)
    d_cba, d_imp = _consumption_accounts(table, (lu, piv), s, m, y_reg, regions, prod_region)
    foreign = np.ones((n, len(regions)), dtype=bool)
    foreign[np.arange(n), prod_region] = False
    x_exp = (x_reg * foreign).sum(axis=1)

    negative = float(table.final_demand[table.final_demand < 0].sum())
    nonneg = m @ np.maximum(y_reg, 0.0)
    notes = list(table.notes)
    if negative < 0:
        notes.append(
            f"negative final demand ({negative:,.6g} {table.unit} in "
            f"{int(np.count_nonzero(table.final_demand < 0))} cells) is counted as it is in "
            "D_cba (pymrio's convention); D_cba_nonnegative leaves it out (as the planner's "
            "needs do)"
        )
    flows_below_zero = int(np.count_nonzero(table.intermediate < 0))
    if flows_below_zero:
        notes.append(
            f"warning: {flows_below_zero} negative intermediate flows (by-products or "
            "corrections) enter A as they are"
        )
    if len(regions) == 1 and table.imports is not None:
        notes.append(
            "one region: imports and exports embodied are 0 (the extensions of foreign "
            "production are not in the table)"
        )
    zero = int(np.count_nonzero(x <= 0))
    if zero:
        notes.append(f"industries with zero gross output: {zero}; they have no intensity (null)")
    return Accounts(
        table=table,
        ext=ext,
        regions=regions,
        S=s,
        M=m,
        D_cba=d_cba,
        D_pba=s * x_tot[None, :],
        D_imp=d_imp,
        D_exp=s * x_exp[None, :],
        x=x_tot,
        negative_demand=negative,
        D_cba_nonnegative=nonneg,
        population=dict(population or {}),
        notes=notes,
    )


def _consumption_accounts(
    table: IOTable,
    factor: tuple[np.ndarray, np.ndarray],
    s: np.ndarray,
    m: np.ndarray,
    y_reg: np.ndarray,
    regions: list[str],
    prod_region: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``D_cba`` and ``D_imp`` per (consuming region, product): extensions x industries."""
    n = table.n
    k = s.shape[0]
    codes = _product_index(table)
    n_products = int(codes.max()) + 1 if n else 0
    ind_regions = industry_regions(table)
    d_cba = np.zeros((k, n))
    d_imp = np.zeros((k, n))
    # the column (r, s) of pymrio's diagonalised Y: region r's demand for product s
    col_of = {(ind_regions[i], int(codes[i])): i for i in range(n)}
    # multipliers of each region's own production (S with other regions' columns 0),
    # solved for a chunk of regions at once (k * chunk right-hand sides, <= ~128 MB)
    chunk = max(1, int(16e6 // max(k * n, 1)))
    for start in range(0, len(regions), chunk):
        part = np.arange(start, min(start + chunk, len(regions)))
        home = prod_region[None, :] == part[:, None]  # chunk x industries
        s_home = (home[:, None, :] * s[None, :, :]).reshape(-1, n)
        m_home = la.lu_solve(factor, s_home.T, trans=1, check_finite=False).T
        m_home = m_home.reshape(part.size, k, n)
        for local, ri in enumerate(part):
            demand = y_reg[:, ri][None, :]
            total = np.zeros((k, n_products))
            np.add.at(total.T, codes, (m * demand).T)
            dom = np.zeros((k, n_products))
            np.add.at(dom.T, codes, (m_home[local] * demand).T)
            for p in range(n_products):
                i = col_of.get((regions[ri], p))
                if i is not None:
                    d_cba[:, i] = total[:, p]
                    d_imp[:, i] = total[:, p] - dom[:, p]
    return d_cba, d_imp


def _product_index(table: IOTable) -> np.ndarray:
    """The product (sector) number of every industry: its code without the region."""
    if table.regions is None:
        return np.arange(table.n, dtype=np.int64)
    sectors = [c.split(".", 1)[1] if "." in c else c for c in table.codes]
    index: dict[str, int] = {}
    return np.array([index.setdefault(s, len(index)) for s in sectors], dtype=np.int64)
