"""The message log of a federated plan: every message the post counted, told in names
and units, one trial per run of the protocol in labour-budget mode."""

from __future__ import annotations

from dataclasses import replace

from bread_world import bread_world
from soviets.economy import Economy
from soviets.federation import MessageLog, Network, messages, plan_federated
from soviets.planning import message_log


def test_the_log_holds_every_message_of_two_regions(examples: dict[str, Economy]) -> None:
    eco = examples["two-regions"]
    log = MessageLog()
    plan = plan_federated(eco, message_log=log)
    protocol = plan.extra["protocol"]
    audit = log.audit()
    assert audit.messages == protocol["messages"] > 0
    assert audit.trials[0]["rounds"] == protocol["rounds"]
    assert audit.trials[0]["bytes"] == protocol["bytes"]
    rows = audit.rows(audit.select())
    assert len(rows) == protocol["messages"]
    assert {r["round"] for r in rows} <= set(range(-1, protocol["rounds"] + 1))
    # an order of the last round that a council placed with a seller of another council
    # is one of the plan's agreements: the same buyer, seller and good
    agreed = {(a["receiver"], a["supplier"], a["good"]) for a in plan.extra["agreements"]}
    orders = [r for r in rows if r["kind"] == "order" and r["sender"] != r["receiver"]]
    assert orders
    last = max(r["round"] for r in orders)
    assert any(
        (r["sender"], r["receiver"], r["good"]) in agreed for r in orders if r["round"] == last
    )
    order = orders[0]
    assert order["unit"] == eco.good_units[eco.good_index[order["good"]]]
    assert (
        order["quantity"] == order["fields"]["quantity"]
        and order["fields"]["seller"] == order["receiver"]
    )
    # a council's messages: what it sent, was sent, or read on its board
    bakery = audit.rows(audit.select(council="up-bakery"))
    assert bakery and len(bakery) < len(rows)
    assert all(
        "up-bakery" in (r["sender"], r["receiver"]) or r["receiver"] == "board" for r in bakery
    )


def test_a_plan_is_the_same_with_or_without_a_log(examples: dict[str, Economy]) -> None:
    eco = examples["two-regions"]
    plain = plan_federated(eco)
    logged = plan_federated(eco, message_log=MessageLog())
    assert logged.objective_hours == plain.objective_hours
    assert logged.extra["protocol"]["messages"] == plain.extra["protocol"]["messages"]


def test_a_lossy_network_logs_what_was_sent(chain: Economy) -> None:
    log = MessageLog()
    plan = plan_federated(chain, network=Network(loss=0.1, delay=0.2, seed=1), message_log=log)
    protocol = plan.extra["protocol"]
    assert protocol["lost_segments"] > 0
    assert log.audit().messages == protocol["messages"]


def test_each_trial_of_a_labour_budget_plan_is_logged_after_the_last() -> None:
    # the region's 15 hours meet half of its 10 t of bread (3 hours a tonne)
    eco = bread_world(15.0)
    log = MessageLog()
    plan = plan_federated(eco, mode="labour-budget", message_log=log)
    protocol = plan.extra["protocol"]
    audit = log.audit()
    assert plan.fulfilment is not None and abs(plan.fulfilment - 0.5) < 1e-3
    assert len(audit.trials) == len(protocol["trials"]) > 1
    assert [t["rounds"] for t in audit.trials] == [t["rounds"] for t in protocol["trials"]]
    assert audit.messages == protocol["messages"]
    offsets = [t["offset"] for t in audit.trials]
    assert offsets == [sum(t["rounds"] for t in audit.trials[:i]) for i in range(len(offsets))]
    last = audit.rows(audit.select(round_no=offsets[-1] + 1))
    assert last and {r["trial"] for r in last} == {len(offsets) - 1}


def test_the_log_format_knows_every_kind_of_the_wire() -> None:
    assert message_log.KINDS == messages.KINDS
    assert message_log.PUBLISHED == messages.PUBLISHED


def test_the_parallel_trials_of_a_warm_start_are_logged_in_the_same_rounds() -> None:
    # next period (10.4 t of bread, 15 hours): the warm start's first trials run side
    # by side, so the log counts them once, as the plan's rounds do
    eco = bread_world(15.0)
    last = plan_federated(eco, mode="labour-budget")
    more = replace(eco, need_quantity=eco.need_quantity * 1.04)
    log = MessageLog()
    plan = plan_federated(more, mode="labour-budget", start=last, message_log=log)
    protocol = plan.extra["protocol"]
    phase = protocol["trials"][0]["parallel"]
    audit = log.audit()
    assert len(phase) > 1 and audit.messages == protocol["messages"]
    firsts = {t["offset"] for t in audit.trials[: len(phase)]}
    assert firsts == {0}  # every parallel trial starts at round 0
    assert audit.trials[len(phase)]["offset"] == max(e["rounds"] for e in phase)
    ends = [t["offset"] + t["rounds"] for t in audit.trials]
    assert max(ends) == protocol["rounds"]
