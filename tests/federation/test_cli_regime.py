"""``soviets plan --regime federated`` gives the central plan's hours on a worked example."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clirun import Ran, soviets

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "two-regions"


def _plan(*args: str) -> Ran:
    return soviets("plan", EXAMPLE, *args)


def test_federated_regime_matches_central_hours() -> None:
    central = _plan("--json")
    federated = _plan("--regime", "federated", "--json")
    assert central.returncode == 0, central.stderr
    assert federated.returncode == 0, federated.stderr
    c, f = json.loads(central.stdout), json.loads(federated.stdout)
    assert f["solver"] == "federated"
    assert abs(f["objective_hours"] - c["objective_hours"]) <= 1e-3 * c["objective_hours"]
    assert f["protocol"]["rounds"] > 0 and f["agreements"]


def test_runtime_without_federated_regime_is_a_one_line_error() -> None:
    done = _plan("--runtime", "ray")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "--regime federated" in done.stderr


@pytest.mark.slow
def test_federated_labour_budget_meets_central_share_and_hours() -> None:
    # the example's hour budgets bind: HiGHS meets 51% of every normal need
    central = _plan("--mode", "labour-budget", "--json")
    federated = _plan("--regime", "federated", "--mode", "labour-budget", "--json")
    assert central.returncode == 0, central.stderr
    assert federated.returncode == 0, federated.stderr
    c, f = json.loads(central.stdout), json.loads(federated.stdout)
    assert f["mode"] == "labour-budget" and f["solver"] == "federated"
    assert c["fulfilment"] - 1e-3 <= f["fulfilment"] <= c["fulfilment"] + 1e-9
    assert abs(f["objective_hours"] - c["objective_hours"]) <= 1e-3 * c["objective_hours"]
    assert f["protocol"]["trials"] and f["agreements"]
