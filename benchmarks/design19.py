"""Designs tried for issue 19, measured beside the kept solver in the same run.

    python -m benchmarks.design19 [--goods 1e4] [--seed 0] [--time-limit 60]
        [--designs ours,rents,damped] [--variant full|capacities] [--block 32]

* ``ours``: :func:`soviets.planning.constrained.solve` as it is.
* ``rents``: decomposition by the structure. Capacities, limits and hours are
  all priced (rents ``mu`` and prices ``y``); the plan without capacities at
  costs ``c + mu + G^T y`` is the exact oracle (the fixed point, one process
  per good), its dual function ``q = w . d - mu . cap - y . h`` is a valid
  bound at every step, and the prices move along its supergradient
  (``x* - cap``, ``G x* - h``) with Polyak steps towards the best plan. The
  plan is the running average of the oracle's plans, repaired and mixed by
  the solver's own master (:class:`soviets.planning.constrained._Pool`).
* ``damped``: the merit-order cycle with damped prices (``v <- (1 - a) v + a
  v_new``), certified the same way at every round.
* ``leontief``: the simplex specialised to Leontief bases
  (:mod:`benchmarks.leontief19`; ``--block``: columns per pricing), certified
  by the solver's bound every 20 pricings and at the end; prints its pivots,
  basis solves and their CPU seconds.
* peers ``ortools-pdlp``, ``pdlp``, ``simplex``, ``ipm``: as in
  :mod:`benchmarks.plan`, each in its own process (full variant only).

Prints, per design, the certified gap reached and when, and the gap at
fixed times (a trajectory), so the designs compare on the same instance
and machine. Nothing is asserted here.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import time
from collections.abc import Callable

import numpy as np

from benchmarks.plan import instance
from soviets.errors import SolverLimitError
from soviets.planning import constrained, constrained_polish
from soviets.planning import constrained_oracle as oracle

Trace = list[tuple[float, float, float]]  # (seconds, primal, dual)


def _instance(goods: int, seed: int, variant: str):
    if variant == "capacities":
        eco, _ = instance("constrained", goods, seed, 50, emission_cap=None, hour_budgets=False)
        return eco, "min-labour"
    return instance("constrained", goods, seed, 50)


def ours(eco, mode, gap: float, limit: float) -> Trace:
    """The kept solver: its certificate history."""
    start = time.perf_counter()
    try:
        plan = constrained.solve(eco, mode, gap=gap, time_limit=limit)
    except SolverLimitError:  # no plan within the limit: the gap is infinite
        return [(time.perf_counter() - start, math.inf, -math.inf)]
    hist = plan.extra["constrained"]["history"]
    return [(h["seconds"], h["primal"] or math.inf, h["dual"] or -math.inf) for h in hist]


def unpolished(eco, mode, gap: float, limit: float) -> Trace:
    """The kept solver without the simplex polish of small plans (the solver before issue 19)."""
    saved = constrained_polish.POLISH_MAX
    constrained_polish.POLISH_MAX = 0
    try:
        return ours(eco, mode, gap, limit)
    finally:
        constrained_polish.POLISH_MAX = saved


def ours_damped(eco, mode, gap: float, limit: float, rounds: int = 20) -> Trace:
    """The kept solver with ``rounds`` damped merit-order rounds after its pricing rounds."""
    original = constrained._price_limits

    def priced(prob, best, pool, merit, n_rounds, deadline=None):
        plan, y, sweeps = original(prob, best, pool, merit, n_rounds, deadline)
        plan, more = _damped_rounds(prob, best, pool, plan, y, rounds)
        return plan, y, sweeps + more

    constrained._price_limits = priced
    try:
        return ours(eco, mode, gap, limit)
    finally:
        constrained._price_limits = original


def _damped_rounds(prob, best, pool, merit, y: np.ndarray, rounds: int):
    """Merit orders with prices damped by ``1 / k``, certified every round.

    Returns the merit plan whose prices gave the best bound (PDHG starts from
    it), and the sweeps spent.
    """
    lp = prob.lp
    lay = lp.lay
    cost_y = lp.cost + (lp.coupling_t @ y if lp.m else 0.0)
    v, z = merit.values, merit.gross
    kept, kept_bound, sweeps = merit, -math.inf, 0
    for k in range(1, rounds + 1):
        plan = oracle.merit_plan(
            lay, cost_y, lp.demand, values=v, gross=z, rounds=1, tol=constrained.WARM_TOL
        )
        sweeps += plan.sweeps
        bound, _ = constrained._certify(prob, best, pool, plan.x, plan.values, y, plan.gross)
        if bound > kept_bound:
            kept, kept_bound = plan, bound
        z = plan.gross
        v = v + (plan.values - v) / (k + 1)
    return kept, sweeps


def polish(eco, mode, gap: float, limit: float, cold: bool = False) -> Trace:
    """HiGHS dual simplex from the merit-order basis (or cold), certified by HiGHS's duals.

    Basic: the marginal process of every good (the balance row where a stock
    or nothing real is marginal) and the slacks of the limits and hours;
    processes cheaper than the margin at their capacities, the rest at zero.
    """
    import highspy

    from benchmarks.highs_run import central_lp
    from soviets.planning import highs

    start = time.perf_counter()
    lp = central_lp(eco, mode)
    a = lp.matrix.tocsc()
    a.sort_indices()
    h = highs.quiet_highs()
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("time_limit", float(limit))
    h.passModel(highs.highs_model(lp, a))
    if not cold:
        prob = constrained._problem(eco, mode, tol=1e-10)
        lay = prob.lp.lay
        merit = oracle.merit_plan(
            lay, prob.lp.cost, prob.lp.demand, values=prob.values, rounds=4, tol=prob.tol
        )
        procs, caps = oracle.merit_order(lay, oracle.unit_costs(lay, prob.lp.cost, merit.values))
        marginal, _ = oracle._marginal(lay, procs, caps, merit.gross)
        st = highspy.HighsBasisStatus
        col = [st.kLower] * eco.n_processes
        for p in np.flatnonzero(merit.x[: lay.n_real] >= lay.cap[: lay.n_real] * (1 - 1e-9)):
            col[int(p)] = st.kUpper
        row = [st.kLower] * lay.n + [st.kBasic] * (a.shape[0] - lay.n)
        for g, p in enumerate(marginal):
            if 0 <= p < lay.n_real:
                col[int(p)] = st.kBasic
            else:
                row[g] = st.kBasic
        basis = highspy.HighsBasis()
        basis.col_status = col
        basis.row_status = row
        basis.valid = True
        h.setBasis(basis)
    h.run()
    seconds = time.perf_counter() - start
    iterations = h.getInfo().simplex_iteration_count
    print(f"  polish{' (cold)' if cold else ''}: {iterations} simplex iterations")
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return [(seconds, math.inf, -math.inf)]
    sol = h.getSolution()
    x = np.asarray(sol.col_value)
    dual = highs.dual_bound(lp, np.asarray(sol.row_dual))
    return [(seconds, float(lp.cost @ x), dual)]


def cold(eco, mode, gap: float, limit: float) -> Trace:
    """HiGHS dual simplex from its own start (the peer of :func:`polish`)."""
    return polish(eco, mode, gap, limit, cold=True)


def _quantities(lay: oracle.Layout, choice: np.ndarray, demand: np.ndarray, tol: float):
    """Output per process of the plan that makes every good by ``choice`` (a fixed point)."""
    made = choice >= 0
    sub = lay.inputs[:, choice[made]]
    z = demand.copy()
    for _ in range(oracle.MAX_SWEEPS):
        new = demand + sub @ z[made]
        done = oracle._settled(new, z, tol)
        z = new
        if done:
            break
    x = np.zeros(lay.n_proc)
    x[choice[made]] = z[made]
    return x, z


def rents(eco, mode, gap: float, limit: float, lam0: float = 1.0) -> Trace:
    """Lagrangian decomposition with the fixed point as exact oracle (module docstring)."""
    start = time.perf_counter()
    prob = constrained._problem(eco, mode, tol=1e-10)
    lp = prob.lp
    lay = lp.lay
    capped = np.isfinite(lay.cap)
    cap = np.where(capped, lay.cap, 0.0)
    best = constrained._Best()
    pool = constrained._Pool(lp)
    constrained._safe_plans(prob, pool, prob.values)  # columns that leave room in the rows
    mu = np.zeros(lay.n_proc)
    y = np.zeros(lp.m)
    w = prob.values
    avg = np.zeros(lay.n_proc)
    weight = 0.0
    lam = lam0
    trace: Trace = []
    stall = 0
    last_best = -math.inf
    k = 0
    while time.perf_counter() - start < limit:
        k += 1
        cost = lp.cost + mu + (lp.coupling_t @ y if lp.m else 0.0)
        w, choice, _ = oracle.fixed_point_values(lay, cost, w, tol=prob.tol)
        x, z = _quantities(lay, choice, lp.demand, prob.tol)
        theta = oracle._feasible_scale(lay, cost, w)
        q = float(theta * (w @ lp.demand) - mu[capped] @ cap[capped] - (lp.bound @ y))
        if q > best.dual:
            best.dual, best.values, best.rents, best.y = q, w, mu.copy(), y.copy()
        g_mu = np.where(capped, x - cap, 0.0)
        g_y = lp.coupled(x) - lp.bound if lp.m else np.zeros(0)
        avg += x
        weight += 1.0
        if k % 5 == 1:
            constrained._certify(prob, best, pool, avg / weight, w, y, z)
            trace.append((time.perf_counter() - start, best.primal, best.dual))
            if best.gap <= gap:
                break
        if best.dual > last_best + 1e-6 * abs(last_best if math.isfinite(last_best) else 1):
            last_best, stall = best.dual, 0
        else:
            stall += 1
            if stall >= 10:
                lam, stall = 0.5 * lam, 0
        target = best.primal if math.isfinite(best.primal) else q + 0.05 * abs(q)
        norm = float(g_mu @ g_mu + g_y @ g_y)
        if norm <= 0:
            break
        t = lam * max(target - q, 1e-12 * abs(q)) / norm
        mu = np.where(capped, np.maximum(mu + t * g_mu, 0.0), 0.0)
        if lp.m:
            y = np.maximum(y + t * g_y, 0.0)
    trace.append((time.perf_counter() - start, best.primal, best.dual))
    return trace


def damped(eco, mode, gap: float, limit: float, alpha: float = 0.5) -> Trace:
    """Merit orders with damped prices, certified at every round (module docstring)."""
    start = time.perf_counter()
    prob = constrained._problem(eco, mode, tol=1e-10)
    lp = prob.lp
    lay = lp.lay
    best = constrained._Best()
    pool = constrained._Pool(lp)
    constrained._safe_plans(prob, pool, prob.values)
    y = np.zeros(lp.m)
    v = prob.values
    z = lp.demand.copy()
    trace: Trace = []
    prev = None
    flips = []
    while time.perf_counter() - start < limit:
        procs, caps = oracle.merit_order(lay, oracle.unit_costs(lay, lp.cost, v))
        take, z, _ = oracle.slot_fixed_point(
            lay, procs, lp.demand, z, oracle._filler(procs, caps), prob.tol
        )
        x = oracle._scatter(lay, procs, take)
        marginal, _ = oracle._marginal(lay, procs, caps, z)
        if prev is not None:
            flips.append(float(np.mean(marginal != prev)))
        prev = marginal
        v_new, _ = oracle._evaluate(lay, lp.cost, marginal, v, prob.tol)
        constrained._certify(prob, best, pool, x, v_new, y, z)
        trace.append((time.perf_counter() - start, best.primal, best.dual))
        if best.gap <= gap:
            break
        a = alpha if alpha > 0 else 1.0 / (len(trace) + 1)
        v = (1 - a) * v + a * v_new
    print(f"  damped {alpha}: share of goods whose marginal process flipped per round", flips[-5:])
    return trace


def leontief(eco, mode, gap: float, limit: float, block: int = 32) -> Trace:
    """The Leontief-specialised simplex (:mod:`benchmarks.leontief19`), with its costs printed."""
    from benchmarks import leontief19

    trace, simplex = leontief19.run(eco, mode, gap, limit, block=block)
    st = simplex.stats
    per_solve = 1e3 * st.solve_cpu / max(1, st.solves)
    print(
        f"  leontief block {block}: {st.pivots} pivots ({st.flips} bound flips) in {st.major} "
        f"pricings, {st.dropped} candidates dropped by earlier pivots of their block; "
        f"{st.solves} basis solves ({st.sweeps} sweeps, {per_solve:.2f} ms CPU per right-hand "
        f"side), CPU s: solves {st.solve_cpu:.1f}, pricing {st.price_cpu:.1f}, "
        f"{st.refactors} refactorisations {st.refactor_cpu:.1f} (at most {st.orphans} orphan "
        f"goods); objective {simplex.objective():.10g}, artificial {simplex.artificial():.2g}"
    )
    return trace


def _peer(n: int, seed: int, limit: float, solver: str) -> Trace:
    """A peer on the benchmark instance, in its own process as in :mod:`benchmarks.plan`.

    (HiGHS cannot start again in a process whose HiGHS ran with other
    threads.) Returns its end point: (seconds, objective, bound).
    """
    from benchmarks.plan import measure

    spec = {
        "kind": "constrained", "n": n, "seed": seed, "councils": 50, "solver": solver,
        "time_limit": limit, "highs_time_limit": limit, "gap": 1e-4, "threads": 1,
        "ortools_threads": 2,
    }  # fmt: skip
    res = measure(spec)
    objective = res.get("objective", math.nan)
    print(f"  {solver}: {res['status']}, objective {objective:.10g}, {res['seconds']:.1f} s")
    bound = res.get("dual", math.nan)
    return [
        (
            res["seconds"],
            objective if math.isfinite(objective) else math.inf,
            bound if math.isfinite(bound) else -math.inf,
        )
    ]


PEERS = ("ortools-pdlp", "pdlp", "simplex", "ipm")


def presolve_counts(eco, mode) -> dict[str, int]:
    """What a structural presolve could remove: dominated processes, goods without capacities."""
    prob = constrained._problem(eco, mode, tol=1e-10)
    lp = prob.lp
    lay = lp.lay
    real = lay.slots.copy()
    real[real >= lay.n_real] = -1
    dominated = np.zeros(lay.n_proc, dtype=bool)
    width = real.shape[1]
    for i in range(width):
        for j in range(width):
            if i == j:
                continue
            ok = (real[:, i] >= 0) & (real[:, j] >= 0)
            p, q = real[ok, i], real[ok, j]  # is p dominated by q?
            diff = (lay.inputs[:, p] - lay.inputs[:, q]).tocsc()
            worse = np.asarray(diff.min(axis=0).todense()).ravel() >= 0
            if lp.m:
                cdiff = (lp.coupling[:, p] - lp.coupling[:, q]).tocsc()
                worse &= np.asarray(cdiff.min(axis=0).todense()).ravel() >= 0
            worse &= (lp.cost[p] >= lp.cost[q]) & ~np.isfinite(lay.cap[q])
            dominated[p[worse]] = True
    capped = np.isfinite(lay.cap[np.maximum(real, 0)]) & (real >= 0)
    return {
        "processes": lay.n_real,
        "dominated": int(dominated.sum()),
        "goods": lay.n,
        "goods_without_capacity": int((~capped.any(axis=1)).sum()),
        "coupling_rows": lp.m,
    }


def spine_solves(eco, mode) -> dict[str, float]:
    """One solve with the merit basis's spine ``L`` by sweeps and by GMRES (the leontief design).

    Both to a relative residual of about 1e-12 from a random right-hand
    side; also the spectral radius of the spine's inputs, which sets the
    sweeps.
    """
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla

    from benchmarks import leontief19

    prob = constrained._problem(eco, mode, tol=1e-10)
    lp = prob.lp
    merit = oracle.merit_plan(lp.lay, lp.cost, lp.demand, values=prob.values, tol=prob.tol)
    simplex = leontief19.LeontiefSimplex(prob, merit)
    a = simplex.spine_a
    spine = (sp.diags(simplex.sign) - a).tocsr()
    b = np.random.default_rng(0).random(a.shape[0])
    simplex.stats.sweeps = 0
    tick = time.process_time()
    simplex._spine_solve(b, transpose=False)
    sweeps_ms = 1e3 * (time.process_time() - tick)
    products = [0]

    def count(_: object) -> None:
        products[0] += 1

    tick = time.process_time()
    spla.gmres(spine, b, rtol=1e-12, restart=60, callback=count, callback_type="pr_norm")
    gmres_ms = 1e3 * (time.process_time() - tick)
    radius = abs(spla.eigs(a, k=1, which="LM", return_eigenvectors=False)[0])
    return {
        "sweeps": simplex.stats.sweeps,
        "sweeps_cpu_ms": round(sweeps_ms, 2),
        "gmres_products": products[0],
        "gmres_cpu_ms": round(gmres_ms, 2),
        "spectral_radius": round(float(radius), 3),
    }


DESIGNS: dict[str, Callable[..., Trace]] = {
    "ours": ours,
    "unpolished": unpolished,
    "ours-damped": ours_damped,
    "polish": polish,
    "cold": cold,
    "rents": rents,
    "damped": damped,
    "leontief": leontief,
}


def _cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (the peers run in children)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _gap(primal: float, dual: float) -> float:
    return constrained.Certificate(primal, dual).gap


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.design19")
    ap.add_argument("--goods", default="1e4")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--gap", type=float, default=1e-4)
    ap.add_argument("--designs", default="ours,rents,damped")
    ap.add_argument("--variant", default="full", choices=("full", "capacities"))
    ap.add_argument(
        "--alpha", type=float, default=0.5, help="damping of the damped design (0: 1/k)"
    )
    ap.add_argument("--damped-rounds", type=int, default=20)
    ap.add_argument("--lam", type=float, default=1.0, help="Polyak factor of the rents design")
    ap.add_argument("--block", type=int, default=32, help="columns per pricing (leontief)")
    ap.add_argument("--no-presolve", action="store_true", help="skip the presolve counts")
    ap.add_argument("--spine", action="store_true", help="time one spine solve (leontief)")
    args = ap.parse_args(argv)
    eco, mode = _instance(int(float(args.goods)), args.seed, args.variant)
    if not args.no_presolve:
        print("presolve:", presolve_counts(eco, mode), flush=True)
    if args.spine:
        print("one solve with the spine:", spine_solves(eco, mode), flush=True)
    for name in filter(None, args.designs.split(",")):
        cpu = _cpu_seconds()
        kw: dict[str, float | int] = {}
        if name == "damped":
            kw = {"alpha": args.alpha}
        elif name == "ours-damped":
            kw = {"rounds": args.damped_rounds}
        elif name == "rents":
            kw = {"lam0": args.lam}
        elif name == "leontief":
            kw = {"block": args.block}
        if name in PEERS:
            if args.variant != "full":
                print(f"{name}: skipped (peers run the full benchmark instance only)")
                continue
            trace = _peer(int(float(args.goods)), args.seed, args.time_limit, name)
        else:
            trace = DESIGNS[name](eco, mode, args.gap, args.time_limit, **kw)
        marks = []
        for t_mark in (1, 5, 15, 30, 60, 120, 300):
            seen = [e for e in trace if e[0] <= t_mark]
            if seen and t_mark <= trace[-1][0] + 1:
                marks.append(f"{t_mark}s {_gap(seen[-1][1], seen[-1][2]):.1e}")
        end, first = trace[-1], trace[0]
        cpu_s = _cpu_seconds() - cpu
        print(
            f"{name:8s} {args.variant} n={args.goods} seed {args.seed} end {end[0]:.1f}s "
            f"(cpu {cpu_s:.1f}s, load {os.getloadavg()[0]:.1f}) gap "
            f"{_gap(end[1], end[2]):.2e} primal {end[1]:.8g} dual {end[2]:.8g} "
            f"(first {first[0]:.1f}s {_gap(first[1], first[2]):.1e}) | " + ", ".join(marks),
            flush=True,
        )


if __name__ == "__main__":
    main()
