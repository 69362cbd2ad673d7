"""A council that stops answering mid-plan, or is removed between periods."""

from __future__ import annotations

import pytest

from soviets.federation import plan_federated
from soviets.planning import plan


def test_failed_supplier_mid_plan_is_replaced(chain):
    before = plan_federated(chain)
    assert {a["supplier"] for a in before.extra["agreements"] if a["good"] == "flour"} == {"mill-a"}
    fed = plan_federated(chain, faults={"mill-a": 8})
    assert fed.status == "optimal"
    assert not fed.unmet
    assert fed.extra["protocol"]["failed"] == ["mill-a"]
    flour = {a["supplier"] for a in fed.extra["agreements"] if a["good"] == "flour"}
    assert flour == {"mill-b"}  # its buyers re-routed to the other mill
    assert fed.council_hours[chain.council_index["mill-a"]] == 0.0
    # the repaired plan is the central optimum of the economy without mill-a
    central = plan(chain, solver="highs")
    assert fed.objective_hours > central.objective_hours
    removed = plan_federated(chain, removed=("mill-a",))
    assert fed.objective_hours == pytest.approx(removed.objective_hours, rel=1e-6)


def test_a_silent_supplier_is_dropped_as_soon_with_deltas(examples):
    # with deltas a buyer whose orders stand sends nothing its seller must answer,
    # so only the clerk (every council reports every round) notices a silent one:
    # before its notice, the plan with deltas stopped on the failed council's
    # offers and was infeasible; now both give the same plan
    eco = examples["two-regions"]
    every = plan_federated(eco, faults={"low-builders": 16}, max_rounds=100, refresh=1)
    delta = plan_federated(eco, faults={"low-builders": 16}, max_rounds=100)
    assert delta.extra["protocol"]["refresh"] > 1
    assert every.status == delta.status == "optimal"
    assert delta.objective_hours == pytest.approx(every.objective_hours, rel=1e-9)
    assert delta.extra["protocol"]["rounds"] == every.extra["protocol"]["rounds"]
    assert delta.extra["protocol"]["messages"] < every.extra["protocol"]["messages"]


def test_failed_sole_supplier_names_unmet_needs(chain):
    fed = plan_federated(chain, faults={"bakery": 6})
    assert fed.status == "infeasible"
    unmet = {(u["council"], u["good"]) for u in fed.unmet}
    # no bread; and since the farm uses a little bread, no grain and no flour either
    assert unmet == {("north", "bread"), ("south", "bread"), ("south", "flour")}
    assert all(u["can_deliver"] == pytest.approx(0.0, abs=1e-9) for u in fed.unmet)
    assert fed.council_hours[chain.council_index["farm"]] == pytest.approx(0.0, abs=1e-9)


def test_unknown_council_in_faults(chain):
    from soviets.errors import ModelError

    with pytest.raises(ModelError, match="unknown council"):
        plan_federated(chain, faults={"nobody": 3})
