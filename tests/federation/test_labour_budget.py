"""Labour-budget mode of the federated protocol against `planning.central`'s (HiGHS):
essential needs first, then the largest share of normal needs, then least hours,
within the council hour budgets. Each plan whose budgets bind is a search over
about ten federated plans, so those tests are marked slow and kept few: one
random economy here; the CLI runs the mode on a one-region economy
(tests/federation/test_cli_regime.py); two-regions is in
benchmarks/federation_budget.py."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from bread_world import bread_world
from soviets.economy import Economy
from soviets.economy.generate import tight_economy
from soviets.federation import budget, parallel, plan_federated, protocol
from soviets.federation.budget import hours_ceiling, with_hour_goods
from soviets.planning import central
from soviets.planning.result import Certificate, Plan

REL = 1e-3  # hours within 0.1% of HiGHS
SHARE_TOL = 1e-3  # share of normal needs within 0.1 percentage point of HiGHS


def _budgets_times(eco: Economy, factor: float) -> Economy:
    def scaled(h: float | None) -> float | None:
        return None if h is None else h * factor

    return replace(
        eco, councils=[replace(c, hours_available=scaled(c.hours_available)) for c in eco.councils]
    )


def _assert_matches_central(eco: Economy) -> Plan:
    ref = central.solve(eco, "labour-budget")
    fed = plan_federated(eco, mode="labour-budget")
    assert ref.status == "optimal" and fed.status == "optimal", fed.extra["protocol"]
    assert fed.mode == "labour-budget" and fed.solver == "federated"
    # the same needs met: every essential need, normal needs at HiGHS's share
    assert ref.fulfilment is not None and fed.fulfilment is not None
    assert ref.fulfilment - SHARE_TOL <= fed.fulfilment <= ref.fulfilment + 1e-9
    ess = eco.need_essential
    assert np.all(fed.need_met[ess] >= eco.need_quantity[ess] * (1 - 1e-9))
    assert fed.share_of_needs_met(False) >= ref.share_of_needs_met(False) - SHARE_TOL
    # hours within 0.1%, certified by the clerk's bound at the share found
    assert abs(fed.objective_hours - ref.objective_hours) <= REL * ref.objective_hours
    assert fed.certificate.dual <= fed.objective_hours * (1 + 1e-9)
    assert fed.certificate.gap <= REL
    # every council's hour budget holds (its own processes and those below it)
    budgeted = np.flatnonzero(np.isfinite(eco.council_hours))
    used = central._hours_matrix(eco, budgeted) @ fed.activity
    assert np.all(used <= eco.council_hours[budgeted] * (1 + 1e-6))
    return fed


def test_hour_goods_give_the_central_plan_of_the_budgets() -> None:
    # HiGHS on the budgets written as primary inputs = HiGHS with council hour rows
    eco = _budgets_times(tight_economy(8, 0), 0.8)
    ref = central.solve(eco, "labour-budget")
    assert ref.fulfilment == 1.0
    as_goods = central.solve(with_hour_goods(eco), "min-labour")
    assert as_goods.objective_hours == pytest.approx(ref.objective_hours, rel=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "factor"), [(1, 0.4)])
def test_random_economy_with_tight_budgets_matches_central(seed: int, factor: float) -> None:
    eco = _budgets_times(tight_economy(8, seed), factor)
    fed = _assert_matches_central(eco)
    # after the first reachable share, each trial starts from the last reachable plan
    trials = fed.extra["protocol"]["trials"]
    assert not trials[0]["warm"] and sum(bool(t.get("warm")) for t in trials) >= 10
    # and the next period (needs x 1.04) from this plan: HiGHS's share in one phase
    _assert_first_phase_reaches_highs(fed, eco, 1.04)


def test_hours_ceiling_is_the_least_cover_of_every_process_by_budgets() -> None:
    assert hours_ceiling(bread_world(100.0, None, None)) == 100.0  # the region covers both
    assert hours_ceiling(bread_world(100.0, 20.0, 30.0)) == 50.0  # the workplaces' sum is less
    assert hours_ceiling(bread_world(40.0, 20.0, 30.0)) == 40.0
    assert hours_ceiling(bread_world(None, 20.0, None)) is None  # the bakery's hours are unbounded
    assert hours_ceiling(bread_world(None, 20.0, 30.0)) == 50.0


def test_the_share_is_certified_between_the_reached_and_the_proven() -> None:
    # 10 t of bread take 30 hours (1 growing + 2 baking a tonne): 15 hours meet half
    eco = bread_world(15.0, None, None)
    assert central.solve(eco, "labour-budget").fulfilment == pytest.approx(0.5)
    fed = plan_federated(eco, mode="labour-budget")
    proof = fed.extra["protocol"]
    assert proof["hours_ceiling"] == 15.0
    assert fed.fulfilment is not None and proof["share_bound"] is not None
    assert fed.fulfilment <= 0.5 + 1e-9 <= proof["share_bound"] + 2e-9
    assert proof["share_bound"] - fed.fulfilment <= 1e-4
    # every trial above the share found was proven out of reach by the clerk's bound
    above = [t for t in proof["trials"] if t["share"] > fed.fulfilment]
    assert above and all(t["bound"] > 15.0 and not t["reachable"] for t in above)


def test_a_council_with_a_zero_budget_works_no_hours() -> None:
    # two farms grow grain, the cheaper one under a budget of 0 hours: the plan
    # takes all grain from the other and no hours at all from it (the clerk's
    # master wrote a zero room as a share of 1e-9 units, and its mix ran the
    # cheaper farm at 1e-9 t, 1e-9 hours over its budget)
    from soviets import economy as e

    eco = e.Economy.from_records(
        goods=[e.Good("grain", "t"), e.Good("bread", "t")],
        councils=[
            e.Council("fed", "federation"),
            e.Council("region", "territorial", "fed", 3, None),
            e.Council("farm-a", "workplace", "region", 1, 0.0),
            e.Council("farm-b", "workplace", "region", 1, None),
            e.Council("bakery", "workplace", "region", 1, None),
        ],
        processes=[
            e.Process("grow-a", "farm-a", 1.0, {"grain": 1.0}),
            e.Process("grow-b", "farm-b", 2.0, {"grain": 1.0}),
            e.Process("bake", "bakery", 2.0, {"bread": 1.0, "grain": -1.0}),
        ],
        needs=[e.Need("region", "bread", 10.0, "normal")],
    )
    fed = _assert_matches_central(eco)
    assert fed.activity[eco.process_names.index("grow-a")] == 0.0
    assert fed.activity[eco.process_names.index("grow-b")] >= 10.0


def _farms(essential: float) -> Economy:
    """Bread from grain of two farms, each under a budget, for ``essential`` t of essential
    bread and 1 t of normal bread: every budget binds at the share 0.5, and the needs'
    hours are about ``essential`` times the normal needs'."""
    from soviets import economy as e

    return e.Economy.from_records(
        goods=[e.Good("grain", "t"), e.Good("bread", "t")],
        councils=[
            e.Council("fed", "federation"),
            e.Council("region", "territorial", "fed", 3, None),
            e.Council("east", "workplace", "region", 1, essential / 2),
            e.Council("west", "workplace", "region", 1, 1.5 * (essential / 2 + 0.5)),
            e.Council("bakery", "workplace", "region", 1, 2 * (essential + 0.5)),
        ],
        processes=[
            e.Process("grow-east", "east", 1.0, {"grain": 1.0}),
            e.Process("grow-west", "west", 1.5, {"grain": 1.0}),
            e.Process("bake", "bakery", 2.0, {"bread": 1.0, "grain": -1.0}),
        ],
        needs=[
            e.Need("region", "bread", essential, "essential"),
            e.Need("region", "bread", 1.0, "normal"),
        ],
    )


def test_the_room_in_the_needs_does_not_cost_the_share() -> None:
    # 1,000 t of essential bread and 1 t of normal: needs ordered 1e-5 over (the room of a
    # least-hours plan's mix) took 0.01 t of bread, 5e-3 of the share, out of budgets
    # that bind (share 0.49499, 17 trials, 5,451 rounds); the trials order them with the
    # room of the limits (1e-7) and settle at 1e-8
    eco = _farms(1000.0)
    assert central.solve(eco, "labour-budget").fulfilment == pytest.approx(0.5)
    fed = plan_federated(eco, mode="labour-budget")
    proof = fed.extra["protocol"]
    assert fed.status == "optimal" and fed.fulfilment is not None
    assert abs(fed.fulfilment - 0.5) <= 1e-4
    # the share found is no more than the certified one (a trial proven out of reach
    # by the clerk's bound, its mix within 1e-6 of the budgets, was read as reached)
    assert proof["share_bound"] is not None and fed.fulfilment <= proof["share_bound"]
    budgeted = np.flatnonzero(np.isfinite(eco.council_hours))
    used = central._hours_matrix(eco, budgeted) @ fed.activity
    assert np.all(used <= eco.council_hours[budgeted] * (1 + 1e-6))


def test_a_trial_proven_out_of_reach_is_no_plan() -> None:
    # 3e-4 above the best share: the clerk's bound passes the hours ceiling; its mix
    # overdraws a budget by only 8e-7 of it, within the settling tolerance
    eco = _farms(1000.0)
    base = with_hour_goods(eco)
    settings = protocol.budget_settings(protocol.Settings())
    p = plan_federated(
        budget.with_share(base, 0.5003),
        hours_ceiling=hours_ceiling(eco),
        epoch_tol=settings.epoch_tol,
        need_room=settings.need_room,
    )
    assert p.status == "infeasible"
    assert p.certificate.dual > hours_ceiling(eco)  # type: ignore[operator]
    assert "above the most hours they allow" in p.extra["protocol"]["failure"]


def test_next_period_brackets_the_share_near_the_last_one() -> None:
    # the bread world needs 4% more bread: 15 hours now meet 15 / 31.2 of it (HiGHS)
    eco = bread_world(15.0, None, None)
    last = plan_federated(eco, mode="labour-budget")
    assert last.extra["protocol"]["warm"]["share"] == last.fulfilment
    more = replace(eco, need_quantity=eco.need_quantity * 1.04)
    best = central.solve(more, "labour-budget").fulfilment
    assert best == pytest.approx(15.0 / 31.2)
    cold = plan_federated(more, mode="labour-budget")
    # the bracket: the warm start without parallel trials (and where they give no mix)
    warm = plan_federated(more, mode="labour-budget", start=last, share_rounds=0)
    mixed = plan_federated(more, mode="labour-budget", start=last)
    for fed in (cold, warm, mixed):
        proof = fed.extra["protocol"]
        assert fed.fulfilment is not None and proof["share_bound"] is not None
        assert best - 1e-4 <= fed.fulfilment <= best + 1e-9 <= proof["share_bound"] + 2e-9
    # the same share as cold, to the bisection's step, from last period's share down
    assert warm.fulfilment == pytest.approx(cold.fulfilment, abs=1e-4)
    tried = list(dict.fromkeys(t["share"] for t in warm.extra["protocol"]["trials"]))
    assert tried[:2] == [last.fulfilment, pytest.approx(last.fulfilment - 0.05)]


def test_aimed_trials_find_the_bisections_share_in_fewer_trials() -> None:
    # one budget binds: 15 hours meet half the bread (HiGHS); the federated plans'
    # use of the budget tells where it runs out, and the trials go there
    eco = bread_world(15.0, None, None)
    best = central.solve(eco, "labour-budget").fulfilment
    assert best == pytest.approx(0.5)
    attempt = partial(protocol._plan_min_labour, settings=protocol.Settings(hours_ceiling=15.0))
    found = {aim: budget.labour_budget(eco, [attempt], aim=aim) for aim in (True, False)}
    for _, share, trials in found.values():
        bound = budget.share_bound(trials, 15.0)
        assert share is not None and bound is not None
        assert best - 1e-4 <= share <= best + 1e-9 <= bound + 2e-9 <= share + 1e-4 + 2e-9
    assert found[True][1] == pytest.approx(found[False][1], abs=1e-4)
    aimed, halved = (len({t["share"] for t in found[a][2]}) for a in (True, False))
    assert aimed <= 5 < halved  # 1, 0, 0.5 (at the ceiling), then 1e-4 above it


class _Reach:
    """A stand-in for the federated min-hours plan of the bread world: a share is
    reached up to ``best`` (the bread ordered, per 10 t), nothing when ``floor``."""

    def __init__(self, best: float, floor: bool = False) -> None:
        self.best, self.floor, self.tried = best, floor, []

    def __call__(self, eco: Economy, start: Plan | None = None) -> Any:
        t = float(eco.need_quantity[0]) / 10.0
        self.tried.append(round(t, 6))
        ok = t <= self.best + 1e-12 and not self.floor
        return SimpleNamespace(
            status="optimal" if ok else "infeasible",
            certificate=SimpleNamespace(dual=3 * 10 * t),  # 3 hours a tonne
            objective_hours=3 * 10 * t,
            activity=np.array([10 * t, 10 * t]),  # grow and bake
            extra={"protocol": {"rounds": 1}},
        )


@pytest.mark.parametrize(
    ("s0", "best", "first"),
    [
        (0.5, 0.43, [0.5, 0.45, 0.35]),  # down from an unreached share, steps doubling
        (0.5, 0.62, [0.5, 0.55, 0.65]),  # up from a reached one
        (0.9, 1.0, [0.9, 0.95, 1.0]),  # up to every need: no bisection
        (1.0, 0.2, [1.0, 0.95, 0.85, 0.65, 0.25, 0.0]),
    ],
)
def test_the_warm_bracket_steps_out_then_bisects(
    s0: float, best: float, first: list[float]
) -> None:
    reach = _Reach(best)
    plan, share, _ = budget.labour_budget(bread_world(None, None, None), [reach], start_share=s0)
    assert reach.tried[: len(first)] == pytest.approx(first)
    assert share is not None and best - 1e-4 <= share <= best
    assert plan.objective_hours == pytest.approx(30 * share)
    if best == 1.0:
        assert reach.tried == pytest.approx(first)


class _Bends(_Reach):
    """The bread world whose hours grow as ``share ** power``: a budget of 15 hours
    meets the share ``0.5 ** (1 / power)``, where the linear aims miss."""

    def __init__(self, power: float) -> None:
        super().__init__(0.5 ** (1 / power))
        self.power = power

    def __call__(self, eco: Economy, start: Plan | None = None) -> Any:
        p = super().__call__(eco, start)
        t = self.tried[-1] ** self.power
        p.certificate.dual = p.objective_hours = 30 * t
        p.activity = np.array([10 * t, 10 * t])
        return p


@pytest.mark.parametrize("power", [1.0, 0.5, 2.0, 3.0])
@pytest.mark.parametrize("s0", [None, 0.8, 1.0])
def test_aimed_trials_are_never_more_than_the_bisections(power: float, s0: float | None) -> None:
    tried = {}
    for aim in (True, False):
        reach = _Bends(power)
        _, share, _ = budget.labour_budget(
            bread_world(15.0, None, None), [reach], start_share=s0, aim=aim
        )
        assert share is not None and reach.best - 1e-4 <= share <= reach.best
        tried[aim] = len(set(reach.tried))
    assert tried[True] <= tried[False]
    if power == 1.0:  # linear: the aim is exact, two trials about the share close it
        assert tried[True] <= (4 if s0 is None else 8)


@pytest.mark.parametrize(
    "budgets",
    # the hours ceiling; the farm's budget alone; the farm's budget, the ceiling (34.3
    # hours) far from binding
    [(12.9, None, None), (None, 4.3, None), (100.0, 4.3, 30.0)],
)
def test_an_aim_from_two_reached_shares_closes_on_the_share(
    budgets: tuple[float | None, float | None, float | None],
) -> None:
    # 12.9 hours (4.3 of them growing) meet 0.43: 1 and 0.5 out of reach, 0 and 0.25
    # reached; their hours meet the ceiling (with no ceiling: the farm's hours meet its
    # budget) at 0.43, tried tol / 2 below (reached) and above (out of reach)
    reach = _Reach(0.43)
    _, share, _ = budget.labour_budget(bread_world(*budgets), [reach])
    tried = list(dict.fromkeys(reach.tried))  # without a ceiling, no proof: tried twice
    assert tried == pytest.approx([1.0, 0.0, 0.5, 0.25, 0.42995, 0.43005])
    assert share == pytest.approx(0.42995)


def test_the_warm_bracket_down_to_no_share_gives_the_unmet_plan() -> None:
    reach = _Reach(0.0, floor=True)
    plan, share, _ = budget.labour_budget(bread_world(None, None, None), [reach], start_share=0.3)
    assert share is None and plan.status == "infeasible"
    assert reach.tried == pytest.approx([0.3, 0.25, 0.15, 0.0])


def test_essential_needs_beyond_the_budgets_say_why_in_hours() -> None:
    # the region votes 15 hours for needs that take 30: HiGHS finds no plan, and the
    # federation says so with its proof (the clerk's bound above the budgets); with
    # the farm's 5 hours binding instead (the bakery has no budget, so there is no
    # ceiling to prove against) it names the budget its councils overdraw
    eco = bread_world(15.0, priority="essential")
    assert central.solve(eco, "labour-budget").status == "infeasible"
    fed = plan_federated(eco, mode="labour-budget")
    assert fed.status == "infeasible" and fed.fulfilment is None
    assert fed.extra["protocol"]["failure"] == (
        "the essential needs alone take at least 30 hours (the clerk's certified bound), "
        "more than the hour budgets allow (15 hours)"
    )
    farm = plan_federated(bread_world(farm=5.0, priority="essential"), mode="labour-budget")
    assert farm.status == "infeasible"
    failure = farm.extra["protocol"]["failure"]
    assert failure.startswith("the essential needs alone were not reached")
    assert failure.endswith("over their limits: hours:farm (10 used of 5 hours)")


# Warm start by parallel shares mixed by the clerk (federation.parallel): the mix
# meets its needs and every shared limit, checked from the economy's arrays, at
# HiGHS's share, in one phase of a few rounds.


def _next_period(eco: Economy, factor: float) -> tuple[Plan, Economy, Plan]:
    """Last period's federated plan, this period's economy (needs x ``factor``) and
    its HiGHS labour-budget plan."""
    last = plan_federated(eco, mode="labour-budget")
    now = replace(eco, need_quantity=eco.need_quantity * factor)
    return last, now, central.solve(now, "labour-budget")


def _assert_within(eco: Economy, mixed: Plan, share: float) -> None:
    """``mixed`` (a plan of ``eco`` with hour goods) meets ``e + share x n`` within
    every capacity, council hour budget and cap, from ``eco``'s own arrays."""
    x = np.asarray(mixed.activity)
    at = budget.with_share(eco, share)
    assert np.all(x >= 0) and np.all(x <= eco.capacity * (1 + 1e-6))
    made = eco.net_output @ x + eco.stocks
    limited = eco.good_primary & np.isfinite(eco.good_limit)
    assert np.all(
        made[~limited] >= at.demand[~limited] - 1e-6 * np.maximum(at.demand, 1.0)[~limited]
    )
    assert np.all(-made[limited] <= eco.good_limit[limited] * (1 + 1e-6))
    assert np.all(mixed.need_met >= at.need_quantity * (1 - 1e-6))
    budgeted = np.flatnonzero(np.isfinite(eco.council_hours))
    used = central._hours_matrix(eco, budgeted) @ x
    assert np.all(used <= eco.council_hours[budgeted] * (1 + 1e-6))


def _mix(last: Plan, now: Economy) -> tuple[float | None, budget._Trials]:
    """The parallel phase alone on ``now`` from ``last``, trials cut at 10 rounds."""
    ceiling = budget.hours_ceiling(now)
    settings = protocol.Settings(hours_ceiling=ceiling, max_rounds=protocol.SHARE_ROUNDS)
    capped = partial(protocol._plan_min_labour, settings=settings, start=last)
    run = budget._Trials(budget.with_hour_goods(now), [capped], ceiling)
    return budget._mix(run, last.fulfilment or 0.0, capped, budget.GRID), run


def test_the_mix_meets_its_share_within_every_limit() -> None:
    # the bread world needs 4% more bread: 15 hours meet 15 / 31.2 of it (HiGHS)
    last, now, ref = _next_period(bread_world(15.0, None, None), 1.04)
    share, run = _mix(last, now)
    assert share is not None and ref.fulfilment is not None and run.best is not None
    assert abs(share - ref.fulfilment) <= SHARE_TOL
    _assert_within(now, run.best, share)
    record = run.records[-1]
    assert record["reachable"] and record["share"] == share
    assert sum(e["weight"] for e in record["parallel"]) == pytest.approx(1.0)
    assert record["protocol"]["rounds"] == max(e["rounds"] for e in record["parallel"])
    assert record["protocol"]["messages"] == sum(e["messages"] for e in record["parallel"])
    # the certificate: a bound at a share no larger than the mix's
    assert run.best.certificate.dual <= run.best.objective_hours * (1 + 1e-9)


def _assert_first_phase_reaches_highs(last: Plan, eco: Economy, factor: float) -> None:
    """The warm start of ``eco`` with its needs x ``factor`` from ``last`` reaches
    HiGHS's share and hours in its first phase (the parallel shares, at most
    ``SHARE_ROUNDS`` rounds), then certifies a share at least as good."""
    now = replace(eco, need_quantity=eco.need_quantity * factor)
    ref = central.solve(now, "labour-budget")
    assert ref.fulfilment is not None
    warm = plan_federated(now, mode="labour-budget", start=last)
    first = warm.extra["protocol"]["trials"][0]
    assert first["reachable"] and first["rounds"] <= protocol.SHARE_ROUNDS
    assert abs(first["share"] - ref.fulfilment) <= SHARE_TOL
    assert abs(first["hours"] - ref.objective_hours) <= REL * ref.objective_hours
    # the search goes on for the certificate: the plan found is at least as good
    assert warm.status == "optimal" and warm.fulfilment is not None
    assert ref.fulfilment - 1e-4 <= warm.fulfilment <= warm.extra["protocol"]["share_bound"]


def test_the_warm_start_reaches_highs_share_in_its_first_phase() -> None:
    # the bread world (the 8-good economy of seed 1: in the slow test above)
    eco = bread_world(15.0, None, None)
    _assert_first_phase_reaches_highs(plan_federated(eco, mode="labour-budget"), eco, 1.04)


def test_the_clerk_weighs_the_largest_share_within_the_limits_then_least_hours() -> None:
    # three trials, one limit of 10: 0.4 uses 8, 0.6 uses 12, and 0.5 uses 10 but
    # takes more hours than the half-and-half mix of the other two
    shares = np.array([0.4, 0.5, 0.6])
    w = parallel.mix_weights(
        shares, np.array([[8.0, 10.0, 12.0]]), np.array([40.0, 55.0, 60.0]), np.array([10.0])
    )
    assert w is not None and w == pytest.approx([0.5, 0.0, 0.5])
    assert (
        parallel.mix_weights(shares, np.array([[11.0, 12.0, 13.0]]), shares, np.array([10.0]))
        is None
    )


def test_a_state_over_a_shared_limit_may_enter_the_mix_an_unbalanced_one_not() -> None:
    eco = budget.with_hour_goods(bread_world(15.0, None, None))  # 10 t of bread: 30 hours
    met = np.array([10.0])

    def state(grow: float, bake: float) -> Plan:
        x = np.array([grow, bake])
        cert = Certificate(primal=0.0, dual=0.0)
        return Plan(eco, "infeasible", "min-labour", "federated", 0.0, x, np.zeros(3), met, cert)

    assert parallel.balanced_except_limits(eco, state(10.0, 10.0))  # 30 hours of 15
    assert not parallel.balanced_except_limits(eco, state(9.0, 10.0))  # grain short


def test_quotas_in_the_parallel_trials_and_at_the_share_1_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # quotas at sellers short in a warm start's streams: the capped trials of the warm
    # start's first phase and every trial at the share 1 (a least-hours plan) keep
    # them; the trials below the share 1 (their needs ordered with the limits' room,
    # ``need_room`` set) run without, warm or cold
    eco = bread_world(15.0, None, None)
    last = plan_federated(eco, mode="labour-budget")
    now = replace(eco, need_quantity=eco.need_quantity * 1.04)
    seen: list[tuple[int, bool, bool]] = []  # (max_rounds, quotas, at the share 1)
    real = protocol._plan_min_labour

    def spy(economy: Economy, settings: protocol.Settings, start: Any = None) -> Plan:
        seen.append((settings.max_rounds, settings.quotas, settings.need_room is None))
        return real(economy, settings, start)

    monkeypatch.setattr(protocol, "_plan_min_labour", spy)
    plan_federated(now, mode="labour-budget", start=last)
    capped = [q for r, q, _ in seen if r == protocol.SHARE_ROUNDS]
    below = [q for r, q, whole in seen if r != protocol.SHARE_ROUNDS and not whole]
    assert len(capped) == len(budget.GRID) and all(capped)
    assert below and not any(below)
    seen.clear()
    plan_federated(now, mode="labour-budget")  # cold: the share 1 first, then below it
    at_one = [q for _, q, whole in seen if whole]
    below = [q for _, q, whole in seen if not whole]
    assert at_one and all(at_one)
    assert below and not any(below)
