"""Every account of ``soviets.io`` against pymrio's ``calc_all`` (relative gap < 1e-10).

pymrio's small test system (6 regions x 8 sectors, 3 extension rows) and the
bundled WIOD 2013 world table (1,435 industries, value added as extension)
are each computed once per module.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from soviets import io
from soviets.formats.iotable import IOTable

pymrio = pytest.importorskip("pymrio")

from pymrio_tables import table_of, zero_final_demand_stressors  # noqa: E402

WIOD = Path(__file__).resolve().parents[2] / "data" / "wiod2013-world-2011"
ACCOUNTS = ("S", "M", "D_cba", "D_pba", "D_imp", "D_exp")
REGIONAL = ("D_cba_reg", "D_pba_reg", "D_imp_reg", "D_exp_reg")


def rel_gap(ours: np.ndarray, theirs: np.ndarray) -> float:
    """Largest |ours - theirs| relative to the largest |theirs| of the same extension."""
    scale = np.maximum(np.abs(theirs).max(axis=1, keepdims=True), 1e-300)
    return float(np.max(np.abs(ours - theirs) / scale))


def pymrio_arrays(mrio: pymrio.IOSystem) -> dict[str, np.ndarray]:
    """pymrio's accounts stacked over its extensions, rows in the order of ``table_of``."""
    out: dict[str, list[np.ndarray]] = {}
    for ext in mrio.get_extensions(data=True):
        for key in ACCOUNTS + REGIONAL:
            out.setdefault(key, []).append(getattr(ext, key).to_numpy(dtype=float))
    return {k: np.vstack(v) for k, v in out.items()}


def _test_system(negative: bool) -> tuple[dict[str, pd.DataFrame], dict[str, np.ndarray]]:
    mrio = pymrio.load_test()
    zero_final_demand_stressors(mrio)
    if negative:  # inventories run down: a negative cell in four regions' final demand
        mrio.Y.iloc[3, 2] = -40.0
        mrio.Y.iloc[11, 9] = -800.0
        mrio.Y.iloc[20, 30] = -5.0
        mrio.Y.iloc[40, 40] = -2500.0
        mrio.reset_full()
        mrio.Y = mrio.Y  # kept by reset_full; x and all accounts are recomputed
    mrio.calc_all()
    return io.accounts(table_of(mrio)), pymrio_arrays(mrio)


@pytest.fixture(scope="module")
def test_system() -> tuple[dict[str, pd.DataFrame], dict[str, np.ndarray]]:
    return _test_system(negative=False)


@pytest.fixture(scope="module")
def negative_system() -> tuple[dict[str, pd.DataFrame], dict[str, np.ndarray]]:
    return _test_system(negative=True)


@pytest.mark.parametrize("key", ACCOUNTS + REGIONAL)
def test_every_account_equals_pymrio(test_system, key: str) -> None:
    ours, theirs = test_system
    assert rel_gap(np.nan_to_num(ours[key].to_numpy()), theirs[key]) < 1e-10


@pytest.mark.parametrize("key", ("D_cba", "D_cba_reg", "D_imp_reg", "D_pba_reg", "D_exp_reg"))
def test_footprints_with_negative_final_demand_equal_pymrio(negative_system, key: str) -> None:
    ours, theirs = negative_system
    assert rel_gap(ours[key].to_numpy(), theirs[key]) < 1e-10
    # the planner's reading (negative net demand of a region left out) comes alongside
    alongside = ours["D_cba_nonnegative_reg"].to_numpy()
    standard = ours["D_cba_reg"].to_numpy()
    assert np.all(alongside >= standard - 1e-12 * np.abs(standard))


def test_units_and_labels_come_with_the_frames(test_system) -> None:
    ours, _ = test_system
    m = ours["M"]
    assert m.index.names == ["extension", "unit"]
    assert m.columns.names == ["region", "sector", "name"]
    assert "Value Added" in m.index.get_level_values("extension")
    assert list(ours["D_cba_reg"].columns) == [f"reg{i}" for i in range(1, 7)]


@pytest.fixture(scope="module")
def wiod() -> tuple[IOTable, pymrio.IOSystem]:
    table = io.read(WIOD)
    index = pd.MultiIndex.from_arrays(
        [table.regions, [c.split(".", 1)[1] for c in table.codes]], names=["region", "sector"]
    )
    cats = pd.MultiIndex.from_arrays(
        [table.category_regions, [c.split(".", 1)[1] for c in table.categories]],
        names=["region", "category"],
    )
    va = pd.DataFrame([table.columns["value_added"]], index=["value_added"], columns=index)
    mrio = pymrio.IOSystem(
        Z=pd.DataFrame(table.intermediate, index=index, columns=index),
        Y=pd.DataFrame(table.final_demand, index=index, columns=cats),
        x=pd.DataFrame(table.gross_output, index=index, columns=["indout"]),
        unit=pd.DataFrame([table.unit] * table.n, index=index, columns=["unit"]),
        factor_inputs={"name": "factor_inputs", "F": va},
    )
    mrio.calc_all()
    return table, mrio


def test_wiod_world_accounts_equal_pymrio(wiod) -> None:
    table, mrio = wiod
    ours = io.accounts(table)
    theirs = pymrio_arrays(mrio)
    made = table.gross_output > 0
    for key in ACCOUNTS + REGIONAL:
        a, b = ours[key].to_numpy(), theirs[key]
        if key in ("S", "M"):
            assert np.isnan(a[:, ~made]).all()
            a, b = a[:, made], b[:, made]
        assert rel_gap(a, b) < 1e-10, key


def test_wiod_A_and_L_equal_pymrio(wiod) -> None:
    table, mrio = wiod
    assert rel_gap(io.A(table).to_numpy(), mrio.A.to_numpy()) < 1e-12
    assert rel_gap(io.L(table).to_numpy(), mrio.L.to_numpy()) < 1e-10
