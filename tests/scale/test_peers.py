"""The peers of ``benchmarks.plan``: OR-Tools PDLP is optional and skipped with a note."""

from __future__ import annotations

import importlib.util

import pytest
from benchmarks import ortools_run
from benchmarks import plan as bench


def test_missing_ortools_is_skipped_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ortools_run, "available", lambda: False)
    note = bench._skip("ortools-pdlp", "constrained", 1_000)
    assert note is not None and "not installed" in note and "soviets[peers]" in note
    assert bench._skip("pdlp", "constrained", 1_000) is None  # HiGHS still runs


@pytest.mark.skipif(importlib.util.find_spec("ortools") is None, reason="OR-Tools not installed")
def test_ortools_pdlp_agrees_with_highs_on_a_small_plan() -> None:
    from benchmarks.highs_run import central_lp

    from soviets.planning import highs

    eco, mode = bench.instance("constrained", 200, seed=0, councils=10)
    lp = central_lp(eco, mode)
    reference = highs.solve(lp)  # HiGHS as the project runs it (its thread count left alone)
    peer = ortools_run.run(lp, 60.0, threads=1)
    assert reference.status == "optimal" and peer.status == "optimal"
    assert peer.objective == pytest.approx(reference.objective, rel=1e-4)
