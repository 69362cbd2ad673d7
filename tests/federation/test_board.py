"""Published offers: one message each, read from the shard's board by the councils that
deal in the good; the order book's membership test against numpy's; and the merit order
passing on no rounding remainder."""

from __future__ import annotations

import numpy as np

from soviets.federation.agents import _member, _merit_order
from soviets.federation.directory import split_economy
from soviets.federation.runtime import boards


def test_member_is_isin():
    rng = np.random.default_rng(0)
    for _ in range(500):
        a = rng.integers(0, 40, int(rng.integers(0, 25)))
        b = rng.integers(0, 40, int(rng.integers(0, 25)))
        assert np.array_equal(_member(a, b), np.isin(a, b))


def test_an_offer_reaches_the_shards_of_its_subscribers_and_the_clerk(examples):
    eco = examples["two-regions"]
    d, _ = split_economy(eco, n_shards=3)
    reach = boards(d)
    assert reach.shape == (d.n_offers, d.n_shards + 1)
    assert reach[:, -1].all()  # the clerk reads every offer
    for o in range(d.n_offers):
        subs = d.subscribers[int(d.offer_good[o])]
        shards = {int(s) for s in d.shard_of[subs] if s >= 0}
        assert set(np.flatnonzero(reach[o, :-1]).tolist()) == shards


def test_a_rounding_remainder_is_not_passed_down_the_merit_order():
    # two offers of one good; the first is expected to deliver all but rounding: the
    # second gets nothing (dust of 1e-16 circled the choice world and kept it unsettled)
    rows, loc, req = np.array([0, 1]), np.array([0, 0]), np.array([1.0])
    no_quota = np.full(2, np.inf)
    orders = np.zeros(2)
    _merit_order(rows, loc, req, np.array([1.0 - 1e-16, 1.0]), no_quota, orders)
    assert orders.tolist() == [1.0, 0.0]
    orders = np.zeros(2)
    _merit_order(rows, loc, req, np.array([0.25, 1.0]), no_quota, orders)
    assert orders.tolist() == [1.0, 0.75]
    # a quota of 0.5 at the first offer (a seller short of my orders in a stream): what
    # the order asks beyond it goes to the next offer, whatever share it delivers
    orders = np.zeros(2)
    _merit_order(rows, loc, req, np.array([1.0, 1.0]), np.array([0.5, np.inf]), orders)
    assert orders.tolist() == [1.0, 0.5]
