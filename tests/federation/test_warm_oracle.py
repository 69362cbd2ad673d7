"""The oracle of ``benchmarks/federation_warm_oracle.py``: the trace of the needs' changes
along last period's agreements (issue 15, seventh round)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from benchmarks.federation_warm_oracle import Oracle, patched, trace_rises

from soviets.economy.generate import tight_economy
from soviets.federation import plan_federated
from soviets.federation.directory import Directory, Papers
from soviets.planning.result import Plan


@pytest.fixture(scope="module")
def first() -> Plan:
    return plan_federated(tight_economy(8, 0))


def _traced(first: Plan, scale: float, signed: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per offer: the traced rise of the main market's memory when every need is scaled
    by ``scale``, and what its seller had been ordered (units)."""
    eco = tight_economy(8, 0)
    eco2 = replace(eco, need_quantity=eco.need_quantity * scale)
    got: list[tuple[np.ndarray, np.ndarray]] = []

    def record(d: Directory, papers: list[Papers]) -> list[Papers]:
        rc = [pp.recall for pp in papers]
        sold = np.zeros(d.n_offers)
        for r in rc:
            if r is not None:
                np.add.at(sold, r.sold_offer, r.sold_qty)
        got.append((trace_rises(d, papers, rc, Oracle(signed=signed)), sold))
        return papers

    with patched(record):
        plan_federated(eco2, start=first, max_rounds=1)
    return got[0]


def test_a_uniform_rise_of_the_needs_reaches_every_seller(first: Plan) -> None:
    rho, sold = _traced(first, 1.03, signed=False)
    assert np.count_nonzero(sold) > 5
    assert np.allclose(rho[sold > 0], 0.03, atol=1e-4)


def test_needs_that_fell_count_only_when_signed(first: Plan) -> None:
    rho, sold = _traced(first, 0.97, signed=False)
    assert np.all(rho[sold > 0] == 0.0)
    rho, sold = _traced(first, 0.97, signed=True)
    assert np.allclose(rho[sold > 0], -0.03, atol=1e-4)
