"""HiGHS stopping without a status at tight tolerances: the planner retries at HiGHS's own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from soviets.experiments.regimes import region_economy
from soviets.formats import load_economy
from soviets.planning import plan

ROOT = Path(__file__).resolve().parents[2]


def test_poland_alone_on_the_world_table_gets_a_certified_plan():
    # Poland's own economy cut from the 2009 world table with hours: HiGHS
    # returned "Not Set" at tolerance 1e-9 and no plan was made
    eco = region_economy(load_economy(ROOT / "data" / "wiod2013-world-2009"), "POL")
    p = plan(eco, solver="highs")
    assert p.status == "optimal"
    assert p.certificate.gap <= 1e-6
    balance = eco.net_output @ p.activity + eco.stocks - eco.demand
    assert balance.min() >= -1e-6 * np.abs(eco.demand).max()


def test_highs_without_presolve_solves_the_same_programme():
    # the last retry runs HiGHS without its presolve: it must give the same plan
    import scipy.sparse as sp

    from soviets.planning import highs

    lp = highs.LinearProgram(
        cost=np.array([2.0, 1.0]),
        col_lower=np.zeros(2),
        col_upper=np.full(2, np.inf),
        matrix=sp.csc_matrix(np.array([[1.0, -0.5], [0.0, 1.0]])),
        row_lower=np.array([0.0, 10.0]),
        row_upper=np.full(2, np.inf),
    )
    a = sp.csc_matrix(lp.matrix)
    a.sort_indices()
    model = highs.highs_model(lp, a)
    with_pre = highs._run_highs(model, None, None)
    without = highs._run_highs(model, None, None, presolve=False)
    assert without.getModelStatus() == highs.highspy.HighsModelStatus.kOptimal
    x1 = np.asarray(with_pre.getSolution().col_value)
    x2 = np.asarray(without.getSolution().col_value)
    assert x2 == pytest.approx(x1)
    assert float(lp.cost @ x2) == pytest.approx(20.0)
