"""Labour values, output multipliers and embodied primary inputs.

The labour value of a good is the number of hours of work needed, directly
and indirectly, to make one more unit of it with the best technology there
is. With one process per good it is ``v = l (I - A)^-1`` (Leontief); with
alternative processes it is the fixed point

    v_g = min over processes p making g of (l_p + In_p . v) / Out_p,

and the cheapest process per good does not depend on what is needed (the
non-substitution theorem), so one choice of technology serves every plan
without capacities or limits.

The fixed point is found by policy iteration (Howard 1960): choose one
process per good, solve the linear system of its values exactly (one LU
factorisation), move every good to its cheapest process at those values,
and repeat until no good moves; values fall at every step and the loop ends
in a handful of steps. It starts from "nothing can be made": each good has
a stand-in process costing one unit of a penalty, and costs are compared
first by penalty, then by hours. Goods still relying on a stand-in at the
end cannot be made at all (nobody makes them, or every way of making them
uses up as much as it makes).

Example: Miller & Blair (2009), *Input-Output Analysis*, 2nd ed., section
2.3.1, with A = [[.15, .25], [.2, .05]] and one hour per unit of output
(a sector's use of its own output is netted: sector 1 makes 1 - .15 net):

>>> from soviets.economy import Council, Good, Process
>>> eco = Economy.from_records(
...     goods=[Good("g1"), Good("g2")],
...     councils=[Council("w", "workplace")],
...     processes=[Process("p1", "w", 1.0, {"g1": 0.85, "g2": -0.2}),
...                Process("p2", "w", 1.0, {"g2": 0.95, "g1": -0.25})])
>>> leontief_inverse(eco).round(4)
array([[1.2541, 0.33  ],
       [0.264 , 1.1221]])
>>> labour_values(eco).round(4)
array([1.5182, 1.4521])
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order

from soviets.economy import Economy
from soviets.errors import ModelError
from soviets.planning.jsonable import json_number
from soviets.planning.linalg import Factor, SingularError, identity_minus

PENALTY_TOL = 1e-10  # penalties below this count as zero ("can be made")
HOURS_RTOL = 1e-12  # a process must be cheaper by this relative margin to replace another
MAX_ITERATIONS = 500


@dataclass(frozen=True, eq=False)
class Structure:
    """Per-unit-of-output view of an economy where every process makes one good."""

    out_good: np.ndarray  # good made by each process
    out_coef: np.ndarray  # units made per unit of activity
    unit_inputs: sp.csc_matrix  # produced goods used per unit of output (goods x processes)
    unit_cost: np.ndarray  # hours per unit of output, per process
    perm: np.ndarray  # processes sorted by the good they make
    starts: np.ndarray  # start of each good's block in ``perm``
    group_goods: np.ndarray  # the good of each block
    group_id: np.ndarray  # block number of each position in ``perm``

    def best_process(self, penalty: np.ndarray, hours: np.ndarray) -> np.ndarray:
        """Cheapest process per block (lowest penalty, then fewest hours; first on ties)."""
        if self.perm.size == 0:
            return self.perm
        pa = penalty[self.perm]
        pl = hours[self.perm]
        min_a = np.minimum.reduceat(pa, self.starts)
        ok = pa <= min_a[self.group_id] + PENALTY_TOL
        key = np.where(ok, pl, np.inf)
        min_l = np.minimum.reduceat(key, self.starts)
        hit = np.flatnonzero(ok & (key <= min_l[self.group_id]))
        gid = self.group_id[hit]
        first = np.ones(hit.size, dtype=bool)
        first[1:] = gid[1:] != gid[:-1]
        return self.perm[hit[first]]


def structure(eco: Economy) -> Structure:
    """The per-unit-of-output view; raises :class:`ModelError` on joint production.

    A process with by-products (a negative flow in an input-output table) is
    still one good's process when no two processes share a main output and
    every by-product is some process's main output: by-products then count as
    negative inputs, as in the Leontief inverse.
    """
    if eco.single_output:
        out = eco.outputs.tocsc()  # exactly one entry per column
        out_good = out.indices.astype(np.int64)
        out_coef = out.data.astype(float)
        inputs = eco.inputs
    else:
        out_good = eco.main_output
        made = np.unique(eco.outputs.tocoo().row)
        if (
            np.any(out_good < 0)
            or np.unique(out_good).size != out_good.size
            or not np.isin(made, out_good).all()
        ):
            counts = np.diff(eco.outputs.indptr)
            bad = eco.process_names[int(np.flatnonzero(counts != 1)[0])]
            raise ModelError(
                f"process '{bad}' makes several goods (joint production): labour values by "
                "the fixed point need one good per process; the plan's shadow prices "
                "(soviets plan --solver highs) still give values"
            )
        net = eco.net_output.tocsc()
        out_coef = np.asarray(net[out_good, np.arange(eco.n_processes)]).ravel()
        main = sp.csc_matrix((out_coef, (out_good, np.arange(eco.n_processes))), shape=net.shape)
        inputs = (main - net).tocsc()  # by-products are negative inputs
    produced = sp.diags((~eco.good_primary).astype(float))
    unit_inputs = (produced @ inputs @ sp.diags(1.0 / out_coef)).tocsc()
    unit_inputs.eliminate_zeros()
    perm = np.argsort(out_good, kind="stable")
    sorted_goods = out_good[perm]
    new_block = np.ones(perm.size, dtype=bool)
    new_block[1:] = sorted_goods[1:] != sorted_goods[:-1]
    starts = np.flatnonzero(new_block)
    return Structure(
        out_good=out_good,
        out_coef=out_coef,
        unit_inputs=unit_inputs,
        unit_cost=eco.labour / out_coef,
        perm=perm,
        starts=starts,
        group_goods=sorted_goods[starts],
        group_id=np.cumsum(new_block) - 1,
    )


@dataclass(eq=False)
class Technology:
    """The cheapest process per good and the labour values it gives.

    ``choice`` holds the process chosen for each good (-1 for primary goods
    and goods that cannot be made); ``values`` the hours per unit (0 for
    primary goods, ``inf`` for goods that cannot be made).
    """

    economy: Economy
    structure: Structure
    choice: np.ndarray
    values: np.ndarray
    producible: np.ndarray  # bool per good; primary goods count as producible
    has_process: np.ndarray  # bool per good: some usable process makes it
    iterations: int
    factor: Factor  # LU of I - A* (goods x goods)

    @cached_property
    def matrix(self) -> sp.csc_matrix:
        """Technical coefficients ``A*`` of the chosen processes (goods x goods)."""
        return chosen_matrix(self.structure, self.choice)

    def per_unit_output(self, per_process: np.ndarray) -> np.ndarray:
        """A per-process quantity divided by the output of the chosen process, per good."""
        made = self.choice >= 0
        out = np.zeros(self.economy.n_goods)
        out[made] = per_process[self.choice[made]] / self.structure.out_coef[self.choice[made]]
        return out

    def embodied(self, direct: np.ndarray) -> np.ndarray:
        """Total (direct and indirect) amount per unit of each good: ``direct (I - A*)^-1``.

        ``direct`` is given per good and unit of output (or several columns);
        goods that cannot be made get ``inf``.
        """
        total = self.factor.solve(direct, transpose=True)
        total[~self.producible] = np.inf
        return total

    def unproducible_goods(self) -> list[str]:
        """Produced goods that have processes but cannot be made in net amounts."""
        eco = self.economy
        return [eco.good_names[i] for i in np.flatnonzero(~self.producible & self.has_process)]


def cheapest_technology(
    eco: Economy, usable: np.ndarray | None = None, max_iterations: int = MAX_ITERATIONS
) -> Technology:
    """Choose the cheapest process per good by policy iteration (see module docstring).

    ``usable`` (bool per process) leaves out processes that may not run
    (e.g. capacity 0); by default every process may run.
    """
    st = structure(eco)
    blocked = np.zeros(eco.n_processes) if usable is None else np.where(usable, 0.0, np.inf)
    n = eco.n_goods
    produced = ~eco.good_primary
    choice = np.full(n, -1, dtype=np.int64)
    penalty = produced.astype(float)
    hours = np.zeros(n)
    factor: Factor | None = None
    goods = st.group_goods
    iterations = 0
    for _ in range(max_iterations):
        iterations += 1
        pa = st.unit_inputs.T @ penalty + blocked
        pl = st.unit_cost + st.unit_inputs.T @ hours
        best = st.best_process(pa, pl)
        ba, bl, ca, cl = pa[best], pl[best], penalty[goods], hours[goods]
        better = (ba < ca - PENALTY_TOL) | (
            (ba <= ca + PENALTY_TOL) & (bl < cl - HOURS_RTOL * np.maximum(1.0, np.abs(cl)))
        )
        if factor is not None and not better.any():
            break
        choice[goods[better]] = best[better]
        factor, penalty, hours = _evaluate(eco, st, choice)
    else:
        raise ModelError(f"labour values did not settle after {max_iterations} policy iterations")
    producible = _producible(st, choice, produced)
    values = np.where(producible, hours, np.inf)
    values[eco.good_primary] = 0.0
    has_process = np.zeros(n, dtype=bool)
    has_process[st.out_good[np.isfinite(blocked)]] = True
    return Technology(eco, st, choice, values, producible, has_process, iterations, factor)


def chosen_matrix(st: Structure, choice: np.ndarray) -> sp.csc_matrix:
    """``A*``: column g holds the inputs per unit of the process chosen for good g (or 0)."""
    n_proc = st.unit_inputs.shape[1]
    ext = sp.hstack([st.unit_inputs, sp.csc_matrix((st.unit_inputs.shape[0], 1))]).tocsc()
    return ext[:, np.where(choice >= 0, choice, n_proc)].tocsc()


def _evaluate(
    eco: Economy, st: Structure, choice: np.ndarray
) -> tuple[Factor, np.ndarray, np.ndarray]:
    """Penalty and hours per unit of each good under a choice of processes."""
    n = eco.n_goods
    made = choice >= 0
    stand_in = ~made & ~eco.good_primary
    hours = np.zeros(n)
    hours[made] = st.unit_cost[choice[made]]
    rhs = np.column_stack([stand_in.astype(float), hours, np.ones(n)])
    try:
        factor = Factor(identity_minus(chosen_matrix(st, choice)))
        sol = factor.solve(rhs, transpose=True)
    except SingularError:
        sol = np.full((n, 3), np.nan)
        factor = None
    check = sol[:, 2]
    bad = ~np.isfinite(check) | (check <= 0)
    if factor is None or bad.any():
        names = [eco.good_names[i] for i in np.flatnonzero(bad | (factor is None))[:10]]
        raise ModelError(
            "these goods form a cycle that uses up at least as much as it makes and takes no "
            f"labour: {', '.join(names)}"
        )
    return factor, np.maximum(sol[:, 0], 0.0), sol[:, 1]


def _producible(st: Structure, choice: np.ndarray, produced: np.ndarray) -> np.ndarray:
    """Goods whose chosen supply chain reaches no stand-in process."""
    n = produced.size
    seeds = np.flatnonzero(produced & (choice < 0))
    if seeds.size == 0:
        return np.ones(n, dtype=bool)
    a = chosen_matrix(st, choice).tocoo()
    rows = np.concatenate([a.row, np.full(seeds.size, n)])
    cols = np.concatenate([a.col, seeds])
    graph = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n + 1, n + 1))
    reached = breadth_first_order(graph, n, directed=True, return_predecessors=False)
    ok = np.ones(n, dtype=bool)
    ok[reached[reached < n]] = False
    return ok


def labour_values(eco: Economy) -> np.ndarray:
    """Hours of work embodied in one unit of each good (0 for primary goods).

    Goods nobody makes get ``inf``; goods whose every process uses up as
    much of them as it makes raise :class:`ModelError` naming them.
    """
    tech = cheapest_technology(eco)
    _raise_if_unproductive(tech)
    return tech.values


def leontief_inverse(eco: Economy) -> np.ndarray:
    """Dense Leontief inverse of the chosen technology (goods x goods).

    Entry (i, j) is the activity of the process chosen for good i needed to
    deliver one unit of good j (gross output, for an input-output table).
    Rows and columns follow ``eco.good_names``; primary goods have identity
    rows and columns. Meant for tables of up to a few thousand goods.
    """
    tech = cheapest_technology(eco)
    _raise_if_unproductive(tech)
    per_unit = tech.factor.solve(np.eye(eco.n_goods))  # (I - A*)^-1, per unit of output
    activity = tech.per_unit_output(np.ones(eco.n_processes))  # activity per unit of output
    return np.where(tech.choice[:, None] >= 0, per_unit * activity[:, None], per_unit)


def _raise_if_unproductive(tech: Technology) -> None:
    bad = tech.unproducible_goods()
    if bad:
        shown = ", ".join(bad[:10]) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
        raise ModelError(
            "no finite labour value (the economy is not productive for these goods: every way "
            f"of making them needs at least as much of them, or goods nobody makes): {shown}"
        )


@dataclass(eq=False)
class Values:
    """Labour values and multipliers of every produced good (per unit of output).

    ``direct_labour``: hours per unit of activity of the process chosen for
    the good (per unit of gross output in an input-output table);
    ``labour_values``: direct and indirect hours per unit of the good (the
    "effects" of input-output analysis, e.g. employment cost effects when the
    labour column is compensation); ``labour_multipliers``: values / direct
    labour (Type I multipliers; ``nan`` without direct labour);
    ``output_multipliers``: column sums of the Leontief inverse (activity, or
    gross output, needed per unit delivered); ``embodied``: per primary input,
    the amount embodied per unit of each good.
    """

    economy: Economy
    technology: Technology
    labour_values: np.ndarray
    direct_labour: np.ndarray
    labour_multipliers: np.ndarray
    output_multipliers: np.ndarray
    embodied: dict[str, np.ndarray]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: one object per measure, keyed by good (produced goods only)."""
        eco = self.economy
        goods = [i for i in range(eco.n_goods) if not eco.good_primary[i]]

        def table(arr: np.ndarray) -> dict[str, float | None]:
            return {eco.good_names[i]: json_number(arr[i]) for i in goods}

        choice = self.technology.choice
        return {
            "economy": eco.name,
            "labour_values": table(self.labour_values),
            "output_multipliers": table(self.output_multipliers),
            "direct_labour": table(self.direct_labour),
            "labour_multipliers": table(self.labour_multipliers),
            "embodied_primary": {k: table(v) for k, v in self.embodied.items()},
            "technology": {
                eco.good_names[i]: (eco.process_names[choice[i]] if choice[i] >= 0 else None)
                for i in goods
            },
            "notes": list(eco.notes),
        }


def compute_values(eco: Economy) -> Values:
    """Labour values, multipliers and embodied primary inputs of every good."""
    tech = cheapest_technology(eco)
    _raise_if_unproductive(tech)
    made = tech.choice >= 0
    direct = np.full(eco.n_goods, np.nan)  # no process chosen: no direct labour
    direct[made] = eco.labour[tech.choice[made]]
    primary_idx = [i for i in np.flatnonzero(eco.good_primary) if eco.inputs[i].nnz > 0]
    columns = [tech.per_unit_output(eco.labour), tech.per_unit_output(np.ones(eco.n_processes))]
    if primary_idx:
        use = eco.inputs[primary_idx].toarray()  # primary inputs per unit of activity
        columns.extend(tech.per_unit_output(row) for row in use)
    total = tech.embodied(np.column_stack(columns))
    values, multipliers = total[:, 0], total[:, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        positive = np.nan_to_num(direct) > 0
        ratio = np.where(positive, values / np.where(positive, direct, 1.0), np.nan)
    idle = _made_by_nobody(eco)
    total[idle] = np.nan  # values, multipliers and embodied inputs: no value
    direct[idle] = np.nan
    ratio[idle] = np.nan
    embodied = {eco.good_names[i]: total[:, 2 + k] for k, i in enumerate(primary_idx)}
    return Values(eco, tech, values, direct, ratio, multipliers, embodied)


def _made_by_nobody(eco: Economy) -> np.ndarray:
    """Produced goods whose every process has capacity 0 (an industry with no output)."""
    running = eco.capacity > 0
    made = np.zeros(eco.n_goods, dtype=bool)
    made[eco.main_output[running & (eco.main_output >= 0)]] = True
    return ~made & ~eco.good_primary
