"""Published offers: one message each, read from the shard's board by the councils that
deal in the good; and the order book's membership test against numpy's."""

from __future__ import annotations

import numpy as np

from soviets.federation.agents import _member
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
