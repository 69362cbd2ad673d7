"""Tight shared limits: an emission cap at 60% of the least-labour plan's emissions
on every process, 30% of the processes capacity-bound, stocks and council hour
budgets. The federated plan must reach the central optimum (HiGHS) within 0.1%,
certified by the clerk's bound, on every seed."""

from __future__ import annotations

import pytest

from federation.test_protocol import REL, assert_matches_central
from soviets.economy.generate import generate_economy


@pytest.mark.parametrize("seed", [0, 3, 7])
def test_tight_emission_cap_and_capacities(seed: int) -> None:
    eco = generate_economy(
        goods=8,
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
    central, fed = assert_matches_central(eco)
    proto = fed.extra["protocol"]
    assert proto["converged"] and proto["rounds"] < 1000
    # the certificate is the clerk's own: a bound within 0.1% below the plan's hours
    assert fed.certificate.dual >= fed.objective_hours * (1 - REL)
    assert fed.certificate.dual <= central.objective_hours * (1 + 1e-9)
