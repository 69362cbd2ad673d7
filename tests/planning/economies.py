"""Small economies for the planning tests: hand-made ones and a seeded random generator."""

from __future__ import annotations

import numpy as np

from soviets.economy import Council, Economy, Good, Need, Process


def random_economy(
    seed: int,
    *,
    n_goods: int = 6,
    alternatives: int = 3,
    n_primary: int = 1,
    n_regions: int = 2,
    capacities: float = 0.0,
    limits: bool = False,
    stocks: float = 0.0,
    normal: float = 0.0,
    hours: bool = False,
    zero_needs: float = 0.0,
) -> Economy:
    """A random productive economy.

    Every process makes one good (1 to ``alternatives`` processes per good)
    and uses other goods worth less than 90% of its output, so every choice
    of technology is productive. ``capacities``: share of processes with a
    capacity; ``stocks``: share of goods with a stock; ``normal``: share of
    normal needs; ``hours``: hour budgets on councils.
    """
    rng = np.random.default_rng(seed)
    goods = [Good(f"g{i}", "u") for i in range(n_goods)]
    primaries = [
        Good(f"r{k}", "t", "primary", float(rng.uniform(5, 60)) if limits else None)
        for k in range(n_primary)
    ]
    regions = [
        Council(
            f"region{r}",
            "territorial",
            members=int(rng.integers(1, 100)),
            hours_available=float(rng.uniform(20, 400)) if hours else None,
        )
        for r in range(n_regions)
    ]
    workplaces = []
    processes = []
    for i in range(n_goods):
        n_alt = int(rng.integers(1, alternatives + 1))
        for a in range(n_alt):
            council = f"w{i}_{a}"
            workplaces.append(
                Council(
                    council,
                    "workplace",
                    parent=f"region{int(rng.integers(n_regions))}",
                    hours_available=float(rng.uniform(5, 200))
                    if hours and rng.random() < 0.3
                    else None,
                )
            )
            out = float(rng.uniform(0.5, 2.0))
            others = [g for g in range(n_goods) if g != i]
            k = int(rng.integers(0, min(3, len(others)) + 1))
            used = rng.choice(others, size=k, replace=False) if k else []
            share = rng.dirichlet(np.ones(k)) * rng.uniform(0.0, 0.9) * out if k else []
            flows = {f"g{i}": out}
            for g, q in zip(used, share, strict=True):
                flows[f"g{g}"] = -float(q)
            for prim in primaries:
                if rng.random() < 0.5:
                    flows[prim.name] = -float(rng.uniform(0.1, 2.0))
            cap = float(rng.uniform(0.0, 40.0)) if rng.random() < capacities else None
            processes.append(
                Process(f"p{i}_{a}", council, float(rng.uniform(0.1, 3.0)), flows, cap)
            )
    needs = []
    for r in range(n_regions):
        for i in range(n_goods):
            if rng.random() < 0.6:
                q = 0.0 if rng.random() < zero_needs else float(rng.uniform(0.5, 10.0))
                prio = "normal" if rng.random() < normal else "essential"
                needs.append(Need(f"region{r}", f"g{i}", q, prio))
    stock = {
        f"g{i}": float(rng.uniform(0.0, 15.0)) for i in range(n_goods) if rng.random() < stocks
    }
    return Economy.from_records(
        goods=goods + primaries,
        councils=regions + workplaces,
        processes=processes,
        needs=needs,
        stocks=stock,
        name=f"random-{seed}",
    )
