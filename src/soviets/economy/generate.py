"""Seeded synthetic economies shaped like real input-output tables.

:func:`generate_economy` builds an :class:`~soviets.economy.Economy` of ``goods``
produced goods, each made by ``techs`` alternative processes, directly as
numpy arrays and one scipy.sparse matrix (a million goods take seconds).
The same arguments and ``seed`` always give the same economy.

Shape of the tables
-------------------
* Every process makes one unit of one good and uses ``inputs`` produced goods.
  Its input coefficients sum to a number drawn in [0.3, 0.7] (real tables have
  column sums well below 1), so every choice of technologies is productive.
* A few *hub* goods (``energy``, ``transport``, then ``communication``,
  ``finance`` ... as the economy grows, about ``log10(goods) - 1`` of them)
  are used by most processes; the other inputs follow a skewed popularity (a
  few goods are widely used, most rarely).
* Labour per unit is log-normal; alternatives of one good trade labour
  against inputs and emissions (a labour-saving process tends to emit more).
* Primary input ``emission`` (an emission allowance) is used by every
  process; its ``limit`` is ``emission_cap`` times the emissions of the plan
  that makes every good with its cheapest processes in turn, up to their
  capacities, so the cap binds in the least-labour plan. More primary inputs
  (``land``, ``water`` ...) get generous limits.
* ``capacity_share`` of the processes get a capacity. Processes that the
  least-labour plan without capacities would run are capped first, below the
  activity that plan gives them (so capacities bind); the rest get capacities
  of the order of their good's output.
* ``councils`` workplace councils run the processes; each region has one
  territorial council with essential and normal needs (final demand split
  between regions), under one federation council. With ``hour_budgets`` every
  workplace council gets ``hours_available``: about a third of the councils
  that run labour-saving processes get fewer hours than the least-labour plan
  would give them (so budgets bind), the others a margin.

Feasibility by construction: in every good one *backstop* process, the one
with the least direct emission, never gets a binding capacity, and all limits
and hour budgets leave room for the plan that runs only backstop processes.
So a generated economy always has a feasible plan, however tight the caps.

Example
-------
>>> eco = generate_economy(goods=50, techs=3, inputs=4, seed=1)
>>> eco.n_goods, eco.n_processes
(51, 150)
>>> produced = eco.inputs[~eco.good_primary].sum(axis=0)  # input coefficients per process
>>> bool(produced.min() >= 0.3 and produced.max() <= 0.7)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from soviets.economy.model import Economy
from soviets.economy.records import Council
from soviets.errors import InputError

HUB_NAMES = (
    "energy",
    "transport",
    "communication",
    "finance",
    "construction",
    "trade",
    "water-supply",
    "chemicals",
)
PRIMARY_NAMES = ("emission", "land", "water")
HOURS_PER_MEMBER_YEAR = 1600.0
_COEF_SUM = (0.3, 0.7)  # range of input coefficient column sums


def generate_economy(
    goods: int = 1000,
    techs: int = 3,
    inputs: int = 8,
    capacity_share: float = 0.3,
    primary: int = 1,
    regions: int = 1,
    councils: int | None = None,
    seed: int = 0,
    emission_cap: float | None = 0.9,
    hour_budgets: bool = False,
    final_share: float = 0.6,
    essential_share: float = 0.5,
    stock_share: float = 0.0,
) -> Economy:
    """A seeded synthetic economy (see the module docstring for its shape).

    ``goods`` produced goods with ``techs`` processes each using ``inputs``
    produced goods; ``primary`` primary inputs (the first is ``emission``, capped
    at ``emission_cap`` times its use in the least-labour plan without limits;
    ``None`` leaves it unlimited); ``regions`` territorial councils and
    ``councils`` workplace councils (default: about one per 100 goods, at
    most 50); ``hour_budgets`` gives the workplace councils ``hours_available``;
    ``final_share`` of the goods are needed by the regions, ``essential_share``
    of those with essential priority; ``stock_share`` of the goods start with a
    stock. Raises :class:`InputError` (field = the argument) for bad arguments.
    """
    n, k, deg = int(goods), int(techs), int(inputs)
    if councils is None:
        councils = max(1, min(50, n // 100))
    _check_counts(n, k, deg, regions, councils, primary)
    shares = {"capacity-share": capacity_share, "final-share": final_share}
    shares |= {"essential-share": essential_share, "stock-share": stock_share}
    _check_shares(shares, emission_cap)
    rng = np.random.default_rng(seed)
    n_hubs = min(n, max(2, round(math.log10(max(n, 10))) - 1), len(HUB_NAMES))
    n_proc = n * k

    # ---- technologies: inputs, coefficients, labour, emissions
    tech = _technologies(rng, n, k, deg, n_hubs, primary)
    b_in, labour, emission = tech.inputs, tech.labour, tech.emission

    # ---- calibration: least-labour plan without limits, and the backstop plan
    final = np.where(rng.random(n) < final_share, rng.lognormal(3.0, 1.5, n), 0.0)
    if not final.any():
        final[rng.integers(n)] = 1.0
    cheapest, unit_cost = _cheapest_techs(labour, b_in, n, k)
    x0 = _activity(b_in, cheapest, final, n, n_proc)
    backstop = np.arange(n) * k + emission.reshape(n, k).argmin(axis=1)
    xw = _activity(b_in, backstop, final, n, n_proc)
    capacity = _capacities(rng, capacity_share, n, k, cheapest, backstop, x0, xw, b_in, final)
    limits, notes = _primary_limits(
        tech, primary, emission_cap, (x0, xw), unit_cost, capacity, final
    )

    # ---- councils, needs and stocks
    council_list, proc_council = _councils(
        rng, councils, regions, n, k, backstop, labour, x0, xw, hour_budgets
    )
    needs = _needs(rng, final, regions, essential_share, councils)
    stocks = np.where(rng.random(n) < stock_share, rng.uniform(0.0, 0.5, n) * final, 0.0)
    total_members = sum(c.members or 0 for c in council_list[-regions:])
    summary = (
        f"synthetic economy: {n} goods x {k} processes, {deg} inputs each, "
        f"capacity share {capacity_share}, {primary} primary inputs, {regions} regions, "
        f"{councils} workplace councils, {total_members} members, seed {seed}"
    )
    return _assemble(
        tech,
        (n, k, n_hubs, primary),
        capacity,
        limits,
        (council_list, proc_council),
        needs,
        stocks,
        name=f"synthetic-{n}x{k}-seed{seed}",
        notes=[summary, *notes],
    )


class _Needs(NamedTuple):
    """The regions' needs, one entry per need."""

    good: np.ndarray  # index of the good
    council: np.ndarray  # index of the territorial council
    quantity: np.ndarray  # units of the good per period
    essential: np.ndarray  # essential priority (else normal)


def _assemble(
    tech: _Technologies,
    sizes: tuple[int, int, int, int],
    capacity: np.ndarray,
    limits: np.ndarray,
    councils: tuple[list[Council], np.ndarray],
    needs: _Needs,
    stocks: np.ndarray,
    name: str,
    notes: list[str],
) -> Economy:
    """The economy of the drawn parts, with names and the net-output matrix (+1 output,
    -inputs of goods, -primary use). ``sizes``: goods, processes per good, hub goods and
    primary inputs."""
    n, k, n_hubs, primary = sizes
    good_of = np.repeat(np.arange(n), k)
    emission = tech.emission if primary else None
    net = _net_output(n, n * k, good_of, tech.inputs, emission, tech.extra_use, tech.extra_coef)
    good_names, good_units, proc_names = _labels(n, n_hubs, k, primary)
    council_list, proc_council = councils
    return Economy(
        good_names=good_names,
        good_units=good_units,
        good_primary=np.r_[np.zeros(n, bool), np.ones(primary, bool)],
        good_limit=np.r_[np.full(n, np.inf), limits],
        councils=council_list,
        process_names=proc_names,
        process_council=proc_council,
        labour=tech.labour,
        capacity=capacity,
        net_output=net,
        need_council=needs.council,
        need_good=needs.good,
        need_quantity=needs.quantity,
        need_essential=needs.essential,
        stocks=np.r_[stocks, np.zeros(primary)],
        name=name,
        notes=notes,
    )


@dataclass(frozen=True)
class _Technologies:
    """The processes' recipes: inputs of produced goods, labour, primary use."""

    inputs: sp.csc_matrix  # goods x processes, units of each input per unit of activity
    labour: np.ndarray  # hours per unit of activity
    emission: np.ndarray  # t CO2 per unit of activity
    extra_use: list[np.ndarray]  # per further primary input: which processes use it
    extra_coef: list[np.ndarray]  # and how much per unit of activity


def _technologies(
    rng: np.random.Generator, n: int, k: int, deg: int, n_hubs: int, primary: int
) -> _Technologies:
    """Draw ``k`` processes for each of ``n`` goods, each with ``deg`` inputs."""
    n_proc = n * k
    good_of = np.repeat(np.arange(n), k)
    in_rows = _input_goods(rng, n, n_proc, deg, n_hubs, good_of)
    weights = rng.lognormal(0.0, 1.0, size=in_rows.shape)
    col_sum = rng.uniform(*_COEF_SUM, size=n_proc)
    coef = weights / weights.sum(axis=1, keepdims=True) * col_sum[:, None]
    base_labour = rng.lognormal(0.0, 0.7, size=n)
    saving = rng.normal(0.0, 0.35, size=n_proc)  # log labour factor of each process
    labour = base_labour[good_of] * np.exp(saving)
    hub_weight = np.where(good_of < n_hubs, 5.0, 1.0)  # hubs (energy first) emit more
    emission = 0.05 * hub_weight * np.exp(-2.5 * saving + rng.normal(0.0, 0.3, n_proc))
    extra_use, extra_coef = _other_primaries(rng, n_proc, primary)
    b_in = sp.csc_matrix(
        (coef.ravel(), in_rows.ravel(), np.arange(0, n_proc * deg + 1, deg)), shape=(n, n_proc)
    )
    b_in.sum_duplicates()
    return _Technologies(b_in, labour, emission, extra_use, extra_coef)


def _primary_limits(
    tech: _Technologies,
    primary: int,
    emission_cap: float | None,
    plans: tuple[np.ndarray, np.ndarray],
    unit_cost: np.ndarray,
    capacity: np.ndarray,
    final: np.ndarray,
) -> tuple[np.ndarray, list[str]]:
    """The limit of each primary input (emissions first), and notes on how it was set.

    ``plans``: the least-labour plan without limits and the backstop (least
    emission) plan; the emission limit is ``emission_cap`` times the emissions of
    the least-labour plan within capacities, never below 1.05 times the
    backstop's; each further primary input gets 1.5 times its larger use.
    """
    x0, xw = plans
    n = final.size
    limits = np.full(primary, np.inf)
    notes = []
    if primary >= 1 and emission_cap is not None:
        x1 = _capacity_plan(tech.inputs, unit_cost, capacity, final, n, capacity.size // n)
        e1, ew = float(tech.emission @ x1), float(tech.emission @ xw)
        limits[0] = max(emission_cap * e1, 1.05 * ew)
        if limits[0] > emission_cap * e1:
            notes.append("emission limit raised to 1.05 x the backstop plan's emissions")
    for i in range(1, primary):
        use = tech.extra_coef[i - 1] * tech.extra_use[i - 1]
        limits[i] = 1.5 * max(float(use @ x0), float(use @ xw))
    return limits, notes


def _labels(n: int, n_hubs: int, k: int, primary: int) -> tuple[list[str], list[str], list[str]]:
    """Names and units of the goods (produced, then primary) and names of the processes."""
    names = list(HUB_NAMES[:n_hubs]) + _names("g", n - n_hubs, start=n_hubs)
    prim_names = [
        PRIMARY_NAMES[i] if i < len(PRIMARY_NAMES) else f"mineral-{i - len(PRIMARY_NAMES) + 1}"
        for i in range(primary)
    ]
    units = ["MWh", "t-km", "unit"][: min(n_hubs, 2)] + ["unit"] * (n - min(n_hubs, 2))
    prim_units = ["t CO2", "ha", "m3"][:primary] + ["t"] * max(0, primary - 3)
    width = len(str(k - 1))
    proc_names = [f"{names[g]}#{j:0{width}d}" for g in range(n) for j in range(k)]
    return names + prim_names, units + prim_units, proc_names


def _check_counts(n: int, k: int, deg: int, regions: int, councils: int, primary: int) -> None:
    """Refuse counts out of range (``field``: the option's name)."""
    if n < 1:
        raise InputError("must be >= 1", field="goods")
    if k < 1:
        raise InputError("must be >= 1", field="techs")
    if deg < 0 or deg > max(0, n - 1):
        raise InputError(f"must be between 0 and goods - 1 = {n - 1}", field="inputs")
    if regions < 1:
        raise InputError("must be >= 1", field="regions")
    if councils < 1:
        raise InputError("must be >= 1", field="councils")
    if primary < 0:
        raise InputError("must be >= 0", field="primary")


def _check_shares(shares: dict[str, float], emission_cap: float | None) -> None:
    """Refuse shares outside [0, 1] and an emission cap not above 0."""
    for field, value in shares.items():
        if not 0.0 <= value <= 1.0:
            raise InputError(f"must be between 0 and 1, got {value}", field=field)
    if emission_cap is not None and emission_cap <= 0.0:
        raise InputError(f"must be > 0, got {emission_cap}", field="emission-cap")


def _names(prefix: str, count: int, start: int = 0) -> list[str]:
    width = len(str(start + count))
    return [f"{prefix}{i:0{width}d}" for i in range(start, start + count)]


def _input_goods(rng, n, n_proc, deg, n_hubs, good_of) -> np.ndarray:
    """Rows of the input goods, ``deg`` per process (hubs first, then a skewed draw)."""
    if deg == 0:
        return np.zeros((n_proc, 0), dtype=np.int32)
    # skewed popularity: good i is drawn with density ~ (i+1)^-0.5
    u = rng.random((n_proc, deg))
    rows = np.floor(n * u**2).astype(np.int64)
    hub_prob = np.array([0.9, 0.8] + [0.5] * max(0, n_hubs - 2))[:n_hubs]
    n_hub_slots = min(deg, n_hubs)
    use_hub = rng.random((n_proc, n_hub_slots)) < hub_prob[:n_hub_slots]
    rows[:, :n_hub_slots] = np.where(use_hub, np.arange(n_hub_slots), rows[:, :n_hub_slots])
    rows = np.where(rows == good_of[:, None], (rows + 1) % n, rows)  # never its own good
    return rows.astype(np.int32)


def _other_primaries(rng, n_proc, primary) -> tuple[list[np.ndarray], list[np.ndarray]]:
    use, coef = [], []
    for _ in range(1, primary):
        use.append((rng.random(n_proc) < 0.3).astype(float))
        coef.append(rng.lognormal(-2.0, 1.0, n_proc))
    return use, coef


def _cheapest_techs(labour, b_in, n, k) -> tuple[np.ndarray, np.ndarray]:
    """Process of least labour value per good (value iteration), and every process's unit cost."""
    values = np.zeros(n)
    bt = b_in.T.tocsr()
    for _ in range(1000):
        cost = labour + bt @ values
        new = cost.reshape(n, k).min(axis=1)
        done = np.max(np.abs(new - values)) <= 1e-12 * max(1.0, float(new.max()))
        values = new
        if done:
            break
    return np.arange(n) * k + cost.reshape(n, k).argmin(axis=1), cost


def _capacity_plan(b_in, unit_cost, capacity, final, n, k) -> np.ndarray:
    """Activity when each good is made by its cheapest processes in turn, up to their capacities."""
    order = np.argsort(unit_cost.reshape(n, k), axis=1, kind="stable")
    procs = np.arange(n)[:, None] * k + order
    caps = capacity[procs]
    z = final.copy()
    x = np.zeros(n * k)
    for _ in range(1000):
        before = np.zeros_like(caps)
        np.cumsum(caps[:, :-1], axis=1, out=before[:, 1:])
        x[procs] = np.clip(z[:, None] - before, 0.0, caps)
        new = final + b_in @ x
        done = np.max(np.abs(new - z)) <= 1e-12 * max(1.0, float(new.max()))
        z = new
        if done:
            break
    return x


def _activity(b_in, chosen, final, n, n_proc) -> np.ndarray:
    """Activity per process when good g is made by process ``chosen[g]`` only."""
    a = b_in[:, chosen]
    z = final.copy()
    for _ in range(1000):
        new = final + a @ z
        done = np.max(np.abs(new - z)) <= 1e-12 * max(1.0, float(new.max()))
        z = new
        if done:
            break
    x = np.zeros(n_proc)
    x[chosen] = z
    return x


def _capacities(rng, share, n, k, cheapest, backstop, x0, xw, b_in, final) -> np.ndarray:
    """Capacities on ``share`` of the processes, binding ones first."""
    n_proc = n * k
    target = round(share * n_proc)
    capacity = np.full(n_proc, np.inf)
    if target == 0:
        return capacity
    is_back = np.zeros(n_proc, bool)
    is_back[backstop] = True
    active = np.zeros(n_proc, bool)
    active[cheapest] = True
    gross = np.bincount(np.arange(n_proc) // k, weights=x0, minlength=n)  # output per good
    first = rng.permutation(np.flatnonzero(active & ~is_back & (x0 > 0)))
    second = rng.permutation(np.flatnonzero(~active & ~is_back))
    third = rng.permutation(np.flatnonzero(is_back))
    pick = np.r_[first, second, third][:target]
    good = pick // k
    cap = rng.uniform(0.3, 1.0, pick.size) * np.maximum(gross[good], final[good] + 1e-3)
    in_first = np.isin(pick, first)
    cap[in_first] = rng.uniform(0.5, 0.9, in_first.sum()) * x0[pick[in_first]]
    back = is_back[pick]  # only when share > (k-1)/k: never binding for the backstop plan
    cap[back] = 3.0 * np.maximum(xw[pick[back]], x0[pick[back]]) + 1.0
    capacity[pick] = cap
    return capacity


def _councils(rng, n_councils, regions, n, k, backstop, labour, x0, xw, budgets):
    """Workplace, territorial and federation councils, and the owner of each process."""
    n_proc = n * k
    is_back = np.zeros(n_proc, bool)
    is_back[backstop] = True
    if k > 1 and n_councils > 1:  # backstops and labour-saving processes in separate councils
        n_back = max(1, n_councils // 4)
        owner = np.where(
            is_back, rng.integers(0, n_back, n_proc), rng.integers(n_back, n_councils, n_proc)
        )
    else:
        owner = rng.integers(0, n_councils, n_proc)
    h0 = np.bincount(owner, weights=labour * x0, minlength=n_councils)
    hw = np.bincount(owner, weights=labour * xw, minlength=n_councils)
    tight = rng.random(n_councils) < 1 / 3
    factor = np.where(
        tight, rng.uniform(0.85, 0.97, n_councils), rng.uniform(1.05, 1.5, n_councils)
    )
    hours = np.maximum(factor * h0, 1.02 * hw)
    members_total = max(regions, round(float(labour @ x0) / HOURS_PER_MEMBER_YEAR))
    share = rng.dirichlet(np.ones(regions)) if regions > 1 else np.ones(1)
    members = np.maximum(1, np.round(share * members_total)).astype(int)
    region_names = _names("region-", regions, 1)
    work_names = _names("works-", n_councils, 1)
    result = [Council("federation", "federation")]
    for c in range(n_councils):
        result.append(
            Council(
                work_names[c],
                "workplace",
                parent=region_names[c % regions],
                hours_available=float(hours[c]) if budgets else None,
            )
        )
    for r in range(regions):
        result.append(
            Council(region_names[r], "territorial", parent="federation", members=int(members[r]))
        )
    return result, (owner + 1).astype(np.int64)


def _needs(rng, final, regions, essential_share, n_councils) -> _Needs:
    """Needs of the regions: each needed good split between regions at random."""
    goods = np.flatnonzero(final > 0)
    if regions == 1:
        share = np.ones((goods.size, 1))
    else:
        g = rng.gamma(1.0, size=(goods.size, regions))
        share = g / g.sum(axis=1, keepdims=True)
    essential = rng.random(goods.size) < essential_share
    qty = final[goods, None] * share
    need_good = np.repeat(goods, regions)
    need_council = np.tile(1 + n_councils + np.arange(regions), goods.size)
    keep = qty.ravel() > 0
    return _Needs(
        need_good[keep].astype(np.int64),
        need_council[keep].astype(np.int64),
        qty.ravel()[keep],
        np.repeat(essential, regions)[keep],
    )


def _net_output(n, n_proc, good_of, b_in, emission, extra_use, extra_coef) -> sp.csc_matrix:
    """Goods x processes: +1 output, -input coefficients, -primary use (built column-wise)."""
    primary = (0 if emission is None else 1) + len(extra_use)
    blocks_rows = [good_of[None, :]]
    blocks_vals = [np.ones((1, n_proc))]
    if emission is not None:
        blocks_rows.append(np.full((1, n_proc), n))
        blocks_vals.append(-emission[None, :])
    for i, (use, coef) in enumerate(zip(extra_use, extra_coef, strict=True)):
        blocks_rows.append(np.full((1, n_proc), n + 1 + i))
        blocks_vals.append(-(use * coef)[None, :])
    counts = np.diff(b_in.indptr)
    extra = len(blocks_rows)
    indptr = np.zeros(n_proc + 1, dtype=np.int64)
    np.cumsum(counts + extra, out=indptr[1:])
    rows = np.empty(indptr[-1], dtype=np.int32)
    vals = np.empty(indptr[-1])
    # positions of the fixed entries (output and primaries) at the start of each column
    for i, (r, v) in enumerate(zip(blocks_rows, blocks_vals, strict=True)):
        rows[indptr[:-1] + i] = r.ravel()
        vals[indptr[:-1] + i] = v.ravel()
    # the input entries after them
    pos = (
        np.arange(b_in.nnz)
        - np.repeat(b_in.indptr[:-1], counts)
        + np.repeat(indptr[:-1] + extra, counts)
    )
    rows[pos] = b_in.indices
    vals[pos] = -b_in.data
    net = sp.csc_matrix((vals, rows, indptr), shape=(n + primary, n_proc))
    net.eliminate_zeros()
    net.sort_indices()
    return net


def tight_economy(goods: int, seed: int) -> Economy:
    """A small economy where many shared limits bind: 30% of processes capacity-bound,
    an emission cap at 60% of the least-labour plan's emissions, council hour budgets
    and some stocks (2 regions, 4 councils, 3 techniques of 3 inputs per good). The
    federation's hard case, used by its tests and benchmarks."""
    return generate_economy(
        goods=goods,
        techs=3,
        inputs=3,
        capacity_share=0.3,
        primary=1,
        regions=2,
        councils=4,
        seed=seed,
        emission_cap=0.6,
        hour_budgets=True,
        stock_share=0.2,
    )
