"""The federation on the WIOD world table: 41 regions, 1,435 workplace councils."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from soviets.federation import plan_federated
from soviets.planning import plan

pytestmark = pytest.mark.slow


ROOT = Path(__file__).resolve().parents[2]


def test_world_federation_matches_central():
    from soviets.formats import load_economy

    eco = load_economy(ROOT / "data" / "wiod2013-world-2011")
    central = plan(eco, solver="highs")
    fed = plan_federated(eco)
    proto = fed.extra["protocol"]
    assert fed.status == "optimal"
    assert proto["converged"]
    assert proto["rounds"] <= 50
    assert fed.objective_hours == pytest.approx(central.objective_hours, rel=1e-3)
    assert fed.certificate.dual <= central.objective_hours * (1 + 1e-9)
    assert fed.certificate.gap <= 1e-3
    met = central.need_met >= eco.need_quantity * (1 - 1e-9)
    assert np.all(fed.need_met[met] >= eco.need_quantity[met] * (1 - 1e-9))
    assert not fed.unmet
    assert proto["balance_residual"] < 1e-6
