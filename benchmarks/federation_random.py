"""The federated protocol on many small random economies, against HiGHS.

    python -m benchmarks.federation_random [--draws 120] [--seed 7] [--tol T]

Draws economies from the ranges of ``tests/federation/test_protocol.py``
(``test_random_economies``: 4 to 8 goods, 1 to 3 techniques, capacity share
0, 0.3 or 0.5, emission cap none or 0.9, stocks on 20% of goods) and checks
each federated plan the way that test does: status ``optimal``, hours within
0.1% of HiGHS, the clerk's bound at most the optimum and within 0.1%, every
need the central plan meets delivered to 1e-9, every capacity and limit held
to 1e-9. Prints each economy that fails and the count.
"""

from __future__ import annotations

import argparse

import numpy as np

from soviets.economy import Economy
from soviets.economy.generate import generate_economy
from soviets.federation import plan_federated
from soviets.planning import plan

REL = 1e-3
EXACT = 1e-9


def draw(rng: np.random.Generator) -> tuple[str, Economy]:
    """One economy from the test's ranges, and a line naming it."""
    seed, goods, techs = (int(v) for v in rng.integers([0, 4, 1], [10_000, 9, 4]))
    share = float(rng.choice([0.0, 0.3, 0.5]))
    cap = [None, 0.9][int(rng.integers(0, 2))]
    eco = generate_economy(
        goods=goods,
        techs=techs,
        inputs=2,
        capacity_share=share,
        primary=1,
        regions=2,
        councils=3,
        seed=seed,
        emission_cap=cap,
        stock_share=0.2,
    )
    return f"seed={seed} goods={goods} techs={techs} capacity_share={share} cap={cap}", eco


def problems(eco: Economy, tol: float | None) -> list[str]:
    """What is wrong with the federated plan of ``eco`` (empty: nothing)."""
    central = plan(eco, solver="highs")
    fed = plan_federated(eco) if tol is None else plan_federated(eco, epoch_tol=tol or None)
    opt = central.objective_hours
    out = []
    if fed.status != "optimal":
        out.append(f"status {fed.status}")
    if abs(fed.objective_hours - opt) > REL * opt:
        out.append(f"hours {fed.objective_hours / opt - 1:+.2e} from HiGHS")
    if fed.certificate.dual > opt * (1 + EXACT) or fed.certificate.gap > REL:
        out.append(f"bound {fed.certificate.dual / opt - 1:+.2e}, gap {fed.certificate.gap:.2e}")
    met = central.need_met >= eco.need_quantity * (1 - EXACT)
    if np.any(fed.need_met[met] < eco.need_quantity[met] * (1 - EXACT)):
        out.append("a need short")
    if np.any(fed.activity > eco.capacity * (1 + EXACT) + EXACT):
        out.append("a capacity exceeded")
    use = -(eco.net_output @ fed.activity)
    lim = eco.good_primary & np.isfinite(eco.good_limit)
    if np.any(use[lim] > eco.good_limit[lim] * (1 + EXACT) + EXACT):
        out.append("a limit overdrawn")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=120)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--tol", type=float, default=None, help="epoch_tol (0: none)")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    failed = 0
    for _ in range(args.draws):
        name, eco = draw(rng)
        found = problems(eco, args.tol)
        if found:
            failed += 1
            print(name, "; ".join(found), flush=True)
    print(f"{args.draws - failed} of {args.draws} economies pass")


if __name__ == "__main__":
    main()
