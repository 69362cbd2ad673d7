"""``soviets plan --regime federated`` gives the central plan's hours on a worked example."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bread_world import bread_world
from clirun import Ran, soviets
from soviets.formats.economy_csv import write_economy_folder

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


def test_federated_labour_budget_meets_central_share_and_hours(tmp_path: Path) -> None:
    # a region's 15 hours bind: 10 t of bread take 30 (1 growing + 2 baking a tonne), so
    # HiGHS meets half the need; the federation's bisection reaches it through the CLI
    # (two-regions in this mode costs about a minute of CPU: benchmarks/federation_budget.py)
    folder = write_economy_folder(bread_world(15.0, priority="normal"), tmp_path / "region")
    central = soviets("plan", folder, "--mode", "labour-budget", "--json")
    federated = soviets(
        "plan", folder, "--regime", "federated", "--mode", "labour-budget", "--json"
    )
    assert central.returncode == 0, central.stderr
    assert federated.returncode == 0, federated.stderr
    c, f = json.loads(central.stdout), json.loads(federated.stdout)
    assert c["fulfilment"] == pytest.approx(0.5)
    assert f["mode"] == "labour-budget" and f["solver"] == "federated"
    assert c["fulfilment"] - 1e-3 <= f["fulfilment"] <= c["fulfilment"] + 1e-9
    assert abs(f["objective_hours"] - c["objective_hours"]) <= 1e-3 * c["objective_hours"]
    assert f["protocol"]["trials"] and f["agreements"]
    # the table says the share found and the federation's certificate of the best share
    table = soviets("plan", folder, "--regime", "federated", "--mode", "labour-budget")
    text = " ".join(table.stdout.split())
    bound = f["protocol"]["share_bound"]
    assert f["fulfilment"] < bound <= f["fulfilment"] + 1e-4
    assert f"no plan within the hours voted meets more than {100 * bound:.3f}%" in text


def test_federated_plan_of_no_plan_prints_the_protocols_reason(tmp_path: Path) -> None:
    # the same bread, now essential, within the same 15 hours: no plan; the CLI prints
    # the federation's reason (its certified bound against the budgets), not an empty
    # table of unmet needs and "nothing binds"
    folder = write_economy_folder(bread_world(15.0, priority="essential"), tmp_path / "region")
    done = soviets("plan", folder, "--regime", "federated", "--mode", "labour-budget")
    assert done.returncode == 1, done.stderr
    text = " ".join(done.stdout.split())
    assert "no plan meets the needs" in text
    assert "the essential needs alone take at least 30 hours" in text
    assert "Needs that cannot be met" not in text and "nothing binds" not in text
