"""The wire format: typed, versioned, bytes only."""

from __future__ import annotations

import msgpack
import numpy as np
import pytest

from soviets.federation.directory import split_economy
from soviets.federation.messages import SCHEMA_VERSION, decode, encode


def test_roundtrip(chain):
    directory, _ = split_economy(chain)
    offer = int(np.flatnonzero(directory.offer_good == chain.good_index["flour"])[0])
    batch = {
        "order": {
            "to": np.array([directory.offer_council[offer]], np.int32),
            "offer": np.array([offer], np.int32),
            "quantity": np.array([2.5]),
        }
    }
    buyer = chain.council_index["bakery"]
    data = encode(buyer, 7, batch)
    assert isinstance(data, bytes)
    sender, rnd, back = decode(data)
    assert (sender, rnd) == (buyer, 7)
    assert set(back) == {"order"}
    assert back["order"]["quantity"].tolist() == [2.5]
    assert back["order"]["offer"].tolist() == [offer]
    assert back["order"]["to"].tolist() == [directory.offer_council[offer]]
    assert msgpack.unpackb(data)["v"] == SCHEMA_VERSION


def test_other_versions_are_refused():
    data = msgpack.packb({"v": SCHEMA_VERSION + 1, "from": 0, "round": 0})
    with pytest.raises(ValueError, match="schema version"):
        decode(data)


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown message kind"):
        encode(0, 0, {"gossip": {"to": np.array([1], np.int32)}})
