"""The synthetic economy generator: shape, determinism, feasibility, binding limits."""

from __future__ import annotations

import json

import numpy as np
import pytest

from soviets.cli import main
from soviets.economy.generate import generate_economy
from soviets.errors import InputError
from soviets.formats import load_economy
from soviets.planning import central


def _arrays(eco):
    net = eco.net_output.tocsc()
    return [
        net.indptr,
        net.indices,
        net.data,
        eco.labour,
        eco.capacity,
        eco.good_limit,
        eco.need_good,
        eco.need_council,
        eco.need_quantity,
        eco.need_essential,
        eco.stocks,
        eco.process_council,
        eco.council_hours,
    ]


def test_same_seed_same_economy_and_other_seed_another():
    kw = dict(
        goods=300,
        techs=3,
        inputs=5,
        capacity_share=0.3,
        primary=2,
        regions=3,
        councils=7,
        hour_budgets=True,
        stock_share=0.1,
    )
    a, b, c = (
        generate_economy(seed=11, **kw),
        generate_economy(seed=11, **kw),
        generate_economy(seed=12, **kw),
    )
    for x, y in zip(_arrays(a), _arrays(b), strict=True):
        np.testing.assert_array_equal(x, y)
    assert a.good_names == b.good_names and a.process_names == b.process_names
    assert not np.array_equal(a.labour, c.labour)


def test_shape_like_real_tables():
    n, k = 2000, 3
    eco = generate_economy(goods=n, techs=k, inputs=8, seed=1)
    assert eco.n_processes == n * k and eco.single_output
    produced = ~eco.good_primary
    inputs = eco.inputs[produced]
    col = np.asarray(inputs.sum(axis=0)).ravel()
    assert col.min() >= 0.3 - 1e-12 and col.max() <= 0.7 + 1e-12  # well below 1: productive
    users = np.diff(inputs.tocsr().indptr)  # processes using each good
    assert eco.good_names[:2] == ["energy", "transport"]
    assert users[0] > 0.85 * eco.n_processes and users[1] > 0.75 * eco.n_processes
    assert np.median(users) < 0.01 * eco.n_processes  # ordinary goods are used by few
    assert eco.labour.std() / eco.labour.mean() > 0.5  # labour per unit varies
    assert np.isfinite(eco.capacity).mean() == pytest.approx(0.3, abs=1e-3)
    assert eco.good_names[-1] == "emission" and np.isfinite(eco.good_limit[-1])


def test_productive_and_feasible_with_binding_capacities_and_emission_cap():
    eco = generate_economy(goods=500, techs=3, inputs=6, capacity_share=0.3, primary=1, seed=3)
    plan = central.solve(eco)
    assert plan.status == "optimal"
    kinds = {b["kind"] for b in plan.binding}
    assert "capacity" in kinds and "limit" in kinds  # capacities and the cap bind
    binding_caps = sum(b["kind"] == "capacity" for b in plan.binding)
    assert binding_caps > 0.1 * np.isfinite(eco.capacity).sum()


def test_councils_regions_needs_and_hour_budgets():
    eco = generate_economy(goods=400, regions=3, councils=9, hour_budgets=True, seed=2)
    kinds = [c.kind for c in eco.councils]
    assert kinds.count("workplace") == 9 and kinds.count("territorial") == 3
    assert kinds.count("federation") == 1
    workplaces = [c for c in eco.councils if c.kind == "workplace"]
    assert all(c.hours_available is not None and c.hours_available > 0 for c in workplaces)
    territorial = {i for i, c in enumerate(eco.councils) if c.kind == "territorial"}
    assert set(eco.need_council.tolist()) == territorial
    assert eco.need_essential.any() and (~eco.need_essential).any()
    assert eco.total_members() > 0
    plan = central.solve(eco, "labour-budget")
    assert plan.status == "optimal" and plan.fulfilment == pytest.approx(1.0)
    assert any(b["kind"] == "hours" for b in plan.binding)  # some budgets bind


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"goods": 0}, "goods"),
        ({"techs": 0}, "techs"),
        ({"goods": 5, "inputs": 9}, "inputs"),
        ({"capacity_share": 1.5}, "capacity-share"),
        ({"regions": 0}, "regions"),
        ({"councils": 0}, "councils"),
        ({"emission_cap": -1.0}, "emission-cap"),
    ],
)
def test_bad_arguments_name_the_option(kwargs, field):
    with pytest.raises(InputError) as err:
        generate_economy(**kwargs)
    assert err.value.field == field


def test_cli_writes_a_folder_that_reads_back(tmp_path, monkeypatch, capsys):
    out = tmp_path / "eco"
    args = [
        "soviets",
        "generate",
        str(out),
        "--goods",
        "120",
        "--techs",
        "2",
        "--inputs",
        "4",
        "--regions",
        "2",
        "--councils",
        "3",
        "--hour-budgets",
        "--seed",
        "5",
        "--stock-share",
        "0.2",
        "--json",
    ]
    monkeypatch.setattr("sys.argv", args)
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code in (0, None)
    info = json.loads(capsys.readouterr().out)
    assert info["goods"] == 120 and info["processes"] == 240 and "emission" in info["limits"]
    back = load_economy(out)
    eco = generate_economy(
        goods=120,
        techs=2,
        inputs=4,
        regions=2,
        councils=3,
        hour_budgets=True,
        seed=5,
        stock_share=0.2,
    )
    for x, y in zip(_arrays(back), _arrays(eco), strict=True):
        np.testing.assert_allclose(x, y, rtol=0, atol=0)
    assert back.good_names == eco.good_names
    assert central.solve(back).objective_hours == pytest.approx(central.solve(eco).objective_hours)


def test_cli_refuses_an_existing_folder_and_bad_options(tmp_path, monkeypatch, capsys):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("x")
    for args in (
        ["generate", str(tmp_path / "full"), "--goods", "10"],
        ["generate", str(tmp_path / "new"), "--goods", "10", "--capacity-share", "2"],
    ):
        monkeypatch.setattr("sys.argv", ["soviets", *args])
        with pytest.raises(SystemExit) as exc:
            main()
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith("error:") and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "new").exists()
