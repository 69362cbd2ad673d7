"""Tight shared limits: an emission cap at 60% of the least-labour plan's emissions
on every process, 30% of the processes capacity-bound, stocks and council hour
budgets. At 8 goods the federated plan must reach the central optimum (HiGHS)
within 0.1%, certified by the clerk's bound (at 20 goods, seeds 0-19, every one
does with the default settings: docs/federation-protocol.md)."""

from __future__ import annotations

import pytest

from federation.test_protocol import REL, assert_matches_central
from soviets.economy.generate import tight_economy
from soviets.federation import plan_federated


@pytest.mark.parametrize("seed", [0, 3, 7])
def test_tight_emission_cap_and_capacities(seed: int) -> None:
    eco = tight_economy(8, seed)
    central, fed = assert_matches_central(eco)
    proto = fed.extra["protocol"]
    assert proto["converged"] and proto["rounds"] < 1000
    # every seller of the emission allowance is limited: the clerk prices it
    prices = {p["good"]: p["hours_per_unit"] for p in proto["capacity_prices"]}
    assert prices["emission"] >= 0.0
    # the certificate is the clerk's own: a bound within 0.1% below the plan's hours
    assert fed.certificate.dual >= fed.objective_hours * (1 - REL)
    assert fed.certificate.dual <= central.objective_hours * (1 + 1e-9)


def test_out_of_rounds_before_settling_is_no_plan() -> None:
    # on this economy the councils have not settled after 100 rounds: what they
    # hold then overdraws a stock, so it must not be called a feasible plan
    eco = tight_economy(6, 4)
    fed = plan_federated(eco, max_rounds=100)
    proto = fed.extra["protocol"]
    assert proto["rounds"] == 100 and not proto["converged"]
    balance = eco.net_output @ fed.activity + eco.stocks - eco.demand
    assert balance.min() < -1e-3 * eco.demand.max()  # really unbalanced
    assert fed.status == "infeasible"
    assert "did not settle" in proto["failure"]
