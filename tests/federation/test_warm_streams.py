"""The warm start that re-evaluates last period's mix of proposals in streams
(docs/federation-protocol.md, "Warm start")."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import msgpack
import numpy as np

from federation.test_protocol import assert_matches_central
from soviets.economy import Economy
from soviets.economy.generate import tight_economy
from soviets.federation import plan_federated
from soviets.federation.messages import decode, encode
from soviets.planning.result import Plan


def _perturbed(eco: Economy, seed: int) -> Economy:
    """Every need scaled by a seeded factor in [0.95, 1.05]."""
    rng = np.random.default_rng(seed)
    return replace(
        eco, need_quantity=eco.need_quantity * rng.uniform(0.95, 1.05, eco.need_quantity.shape)
    )


def _without_streams(warm: dict) -> dict:
    """Last period's state as the warm start before the streams read it."""
    return {k: v for k, v in warm.items() if k not in ("streams", "councils")}


def test_streams_reach_the_optimum_sooner_where_shared_limits_bind() -> None:
    # 8 goods, seed 3: the emission cap and capacities bind, the plan is a mix of
    # proposals; the next period (needs x [0.95, 1.05]) re-evaluated in streams is
    # certified within 0.1% of HiGHS, in fewer rounds than the warm start without them
    eco = tight_economy(8, 3)
    first = plan_federated(eco)
    warm = first.extra["protocol"]["warm"]
    assert len(warm["streams"]) > 1  # a mix
    nxt = _perturbed(eco, 1)
    _, hot = assert_matches_central(nxt, plan_federated(nxt, start=first))
    _, old = assert_matches_central(nxt, plan_federated(nxt, start=_without_streams(warm)))
    assert hot.extra["protocol"]["streams"] == 1 + len(warm["streams"])
    assert old.extra["protocol"]["streams"] == 0
    assert hot.extra["protocol"]["rounds"] < old.extra["protocol"]["rounds"]


def test_each_council_re_evaluates_only_its_own_part() -> None:
    from soviets.federation.directory import split_economy
    from soviets.federation.protocol import _Clerk, _warm_start

    eco = tight_economy(8, 3)
    first = plan_federated(eco)
    warm = first.extra["protocol"]["warm"]
    directory, papers = split_economy(_perturbed(eco, 2))
    clerk = _Clerk(directory, 1e-9, 5e-4, 200)
    _, papers = _warm_start(clerk, papers, first)
    assert clerk.streams == 1 + len(warm["streams"])
    # the clerk holds last period's public prices of each proposal, nothing of a council
    assert set(clerk.epoch_prices) == set(range(clerk.streams))
    sold = 0
    for p in papers:
        assert len(p.proposals) == len(warm["streams"])
        for r in p.proposals:
            assert r is not None
            sold += r.sold_offer.size
            assert np.all(directory.offer_council[r.sold_offer] == p.council)
            assert np.all(np.isin(directory.offer_good[r.offer], p.goods()))
            assert np.all(np.isin(directory.offer_good[r.bought_offer], p.goods()))
            assert r.activity.size == p.labour.size
    assert sold > 0


def test_the_stream_column_is_sent_only_when_needed() -> None:
    cols = {
        "to": np.array([1, 2], np.int32),
        "offer": np.array([0, 0], np.int32),
        "quantity": np.array([1.0, 2.0]),
    }
    plain = encode(0, 3, {"order": cols})
    assert "stream" not in msgpack.unpackb(plain)["order"]
    assert decode(plain)[2]["order"]["stream"].tolist() == [0, 0]
    tagged = encode(0, 3, {"order": {**cols, "stream": np.array([0, 4], np.int32)}})
    assert decode(tagged)[2]["order"]["stream"].tolist() == [0, 4]


def test_streams_send_no_private_data(monkeypatch) -> None:
    import struct

    from soviets.federation import runtime as rt

    eco = tight_economy(8, 3)
    first = plan_federated(eco)
    sent: list[bytes] = []
    original = rt.ShardHost.step

    def spy(self, round_no, segments, down=()):
        out, n = original(self, round_no, segments, down)
        sent.extend(data for _, data in out)
        return out, n

    monkeypatch.setattr(rt.ShardHost, "step", spy)
    hot = plan_federated(_perturbed(eco, 1), start=first)
    assert hot.extra["protocol"]["streams"] > 1
    streamed = [decode(d)[2] for d in sent]
    assert any(np.any(c.get("stream", 0) != 0) for b in streamed for c in b.values())
    blob = b"".join(sent)
    coefs = {-q for p in eco.process_records() for q in p.flows.values() if q < 0}
    assert coefs
    for coef in coefs:  # no recipe coefficient leaves its council in any stream
        assert struct.pack("<d", coef) not in blob, coef


def test_when_the_streams_do_not_certify_column_generation_goes_on_from_them(
    monkeypatch,
) -> None:
    # the streams end after 3 rounds, before they can certify: their settled
    # states become the master's first columns and the protocol goes on to the
    # optimum, certified
    from soviets.federation import protocol

    monkeypatch.setattr(protocol, "PARALLEL_ROUNDS", 3)
    eco = tight_economy(8, 3)
    first = plan_federated(eco)
    nxt = _perturbed(eco, 1)
    _, fed = assert_matches_central(nxt, plan_federated(nxt, start=first))
    proto = fed.extra["protocol"]
    assert proto["epoch_rounds"][0] == 3 and proto["epochs"] > 1


def test_a_plan_cut_off_during_the_streams_is_told_as_it_is() -> None:
    eco = tight_economy(8, 3)
    first = plan_federated(eco)
    nxt = _perturbed(eco, 1)
    for k in (1, 2, 5):
        fed = plan_federated(nxt, start=first, max_rounds=k)
        proto = fed.extra["protocol"]
        assert proto["rounds"] == k
        assert fed.status in ("feasible", "infeasible")
        assert fed.status == "feasible" or "failure" in proto or fed.unmet


def test_a_rounding_residue_is_not_a_shortfall() -> None:
    # a stream counts as balanced when no council is short of more than BALANCED of
    # a good; an input of an activity dying out (1e-17 units asked, none got) made a
    # council report 100% short and kept its stream out of the clerk's mix
    from soviets.federation.agents import shortfall
    from soviets.federation.protocol import BALANCED

    assert shortfall(np.array([37.06, 1.5e-17]), np.array([37.06, 0.0])) <= BALANCED
    assert shortfall(np.array([10.0, 1.0]), np.array([10.0, 0.5])) == 0.5
    assert shortfall(np.array([10.0, 1e-6]), np.array([10.0, 0.0])) > BALANCED
    assert shortfall(np.array([]), np.array([])) == 0.0


def test_a_stream_state_counts_in_the_round_it_is_made(monkeypatch) -> None:
    # the clerk weighs each stream's state of this round (its councils prove it balanced
    # as it is made), not the round before's: every column it weighs has the hours its
    # stream reported in the same round, and the plan it stops on is balanced
    from soviets.federation import protocol

    weighed: list[tuple[float, float]] = []
    original = protocol._Clerk._master

    def spy(self, columns=None):
        if columns is not None and self.streams:
            reported = {self.stream_epoch(s): t["hours"] for s, t in self.stream_tot.items()}
            weighed.extend((h, reported[e]) for e, h, _ in columns)
        return original(self, columns)

    monkeypatch.setattr(protocol._Clerk, "_master", spy)
    eco = tight_economy(8, 3)
    first = plan_federated(eco)
    nxt = _perturbed(eco, 1)
    assert_matches_central(nxt, plan_federated(nxt, start=first))
    assert weighed
    assert all(h == now for h, now in weighed)


def test_a_seller_reports_a_share_below_what_its_buyers_relied_on() -> None:
    from soviets.federation.agents import OrderBook, owed_short

    # two buyers relied on half of their order and on all of it (told nothing yet)
    q, relied = np.array([10.0, 10.0]), np.array([0.5, np.nan])
    assert owed_short(q, relied, np.array([4.0, 10.0])) == 0.2  # 4 of the 5 expected
    assert owed_short(q, relied, np.array([6.0, 10.0])) == 0.0  # more than expected
    assert owed_short(q, relied, np.array([5.0, 9.0])) == 0.1
    # a buyer's new order keeps what it was told of its old one
    book = OrderBook()
    book.take(np.array([3]), np.array([0]), np.array([10.0]), 0, 1, whole=False)
    book.told[:] = 0.5
    book.take(np.array([3]), np.array([0]), np.array([8.0]), 1, 1, whole=False, track=True)
    assert book.q.tolist() == [8.0] and book.told.tolist() == [0.5]
    assert np.isnan(book.relied).all()


def test_a_seller_priced_by_last_periods_proposals_is_a_row_of_the_master() -> None:
    # 8 goods, seed 5: last period's proposals priced the stock of g4, a seller of
    # promotion level 1 then; with this period's needs its level is 2, above the
    # clerk's, so the master had no row for it while the streams, at their prices,
    # took 19.7 units of its 9.1 (a priced seller does not ration): the mix fell
    # below the clerk's bound and the plan was unbalanced (infeasible)
    eco, first = _seed5()
    nxt = _perturbed(eco, 1005)  # benchmarks/federation_warm's next period of seed 5
    assert_matches_central(nxt, plan_federated(nxt, start=first))


@lru_cache(maxsize=1)
def _seed5() -> tuple[Economy, Plan]:
    """8 goods, seed 5, and its plan (last period)."""
    eco = tight_economy(8, 5)
    return eco, plan_federated(eco)


def test_the_master_prices_the_main_market_when_no_mix_of_the_streams_fits() -> None:
    # 8 goods, seed 5, the benchmark's next period: works-4 and the stock of g4 can
    # give 19.0 units of g4, and every stream of last period's mix but one takes 19.7
    # (the one that fits takes 13% more hours), so no mix of the streams fits; the
    # clerk prices the main market's stream at its master's prices once the streams
    # are balanced (round 10) instead of waiting until all of them have settled
    # (round 48), and the streams end once it has settled (round 33): certified at
    # round 62 (100 before), within 0.1% of HiGHS
    eco, first = _seed5()
    nxt = _perturbed(eco, 1005)
    _, hot = assert_matches_central(nxt, plan_federated(nxt, start=first))
    proto = hot.extra["protocol"]
    assert proto.get("main_priced_at") is not None
    assert proto["main_priced_at"] <= 12
    assert proto["rounds"] <= 70


def test_a_short_seller_keeps_each_buyers_quota() -> None:
    from soviets.federation.agents import _by_quota, quota_due

    # two buyers hold a quota of 6 each (a seller short of their orders allocated them
    # 6 in each of its last two answers); a third holds none (it relies on its order)
    q = np.array([12.0, 4.0, 1.0])
    due = quota_due(q, np.array([6.0, 6.0, np.nan]))
    assert due.tolist() == [6.0, 4.0, 1.0]
    out = np.zeros(3, np.int64)
    # 13 made: each gets what it relies on; the 2 that the second leaves of its quota
    # go to the first, the only one ordering beyond its own (pro rata to the orders,
    # the second would get 13 * 4 / 17 = 3.06 of the 4 it relied on)
    alloc = _by_quota(q, due, out, np.array([17.0]), np.array([13.0]))
    assert alloc.tolist() == [8.0, 4.0, 1.0]
    # 9 made, less than the 11 relied on: pro rata to what each relies on
    alloc = _by_quota(q, due, out, np.array([17.0]), np.array([9.0]))
    assert np.allclose(alloc, due * 9 / 11)
    # enough for every order: each gets it
    alloc = _by_quota(q, due, out, np.array([17.0]), np.array([20.0]))
    assert alloc.tolist() == q.tolist()


def test_streams_are_balanced_from_round_one_at_sellers_at_capacity(monkeypatch) -> None:
    # 8 goods, seed 3, the benchmark's next period (benchmarks/federation_warm): a
    # seller at capacity in a stream keeps each buyer what it was allocated in last
    # period's proposal (its quota), and each buyer orders beyond it from the next
    # seller from round 0; no council of a stream of last period's mix reports a
    # share short from round 1 on (with shares pro rata to this round's orders,
    # each buyer read itself short of what it relied on: 93% in round 1, above 1e-7
    # until round 7)
    from soviets.federation import protocol

    shorts: list[dict[int, float]] = []
    original = protocol._Clerk.parallel

    def spy(self, silent, out_of_rounds):
        shorts.append({s: t["short"] for s, t in self.stream_tot.items() if s})
        return original(self, silent, out_of_rounds)

    eco = tight_economy(8, 3)
    first = plan_federated(eco)
    monkeypatch.setattr(protocol._Clerk, "parallel", spy)
    nxt = _perturbed(eco, 1003)
    assert_matches_central(nxt, plan_federated(nxt, start=first))
    assert len(shorts) > 2 and len(shorts[1]) == len(first.extra["protocol"]["warm"]["streams"])
    assert all(short <= protocol.BALANCED for row in shorts[1:] for short in row.values())
