"""The pandas API ``soviets.io``: per person, aggregation, scenarios, Type II, export of A and L."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from soviets import io
from soviets.errors import InputError
from soviets.formats import write_io_folder
from soviets.formats.iotable import IOTable

pymrio = pytest.importorskip("pymrio")

from pymrio_tables import table_of, zero_final_demand_stressors  # noqa: E402

REGION_GROUPS = ["north", "north", "south", "south", "south", "east"]
SECTOR_GROUPS = ["primary", "primary", "industry", "industry", "industry", "services"] + [
    "services"
] * 2


@pytest.fixture(scope="module")
def mrio() -> pymrio.IOSystem:
    system = pymrio.load_test()
    zero_final_demand_stressors(system)
    system.calc_all()
    return system


def by_label(df: pd.DataFrame) -> pd.DataFrame:
    """Rows by extension name only, columns sorted: frames from both tools line up."""
    out = df.copy()
    out.index = [" ".join(map(str, i)) if isinstance(i, tuple) else str(i) for i in out.index]
    return out.sort_index(axis=1)


def test_per_person_accounts_equal_pymrio(mrio) -> None:
    population = mrio.population.iloc[0].to_dict()
    ours = io.accounts(table_of(mrio), population=population)
    for key in ("D_cba_cap", "D_pba_cap", "D_imp_cap", "D_exp_cap"):
        theirs = np.vstack(
            [getattr(e, key).to_numpy(dtype=float) for e in mrio.get_extensions(data=True)]
        )
        np.testing.assert_allclose(ours[key].to_numpy(), theirs, rtol=1e-10)


def test_aggregation_by_concordance_files_equals_pymrio(mrio, tmp_path: Path) -> None:
    regions = tmp_path / "regions.csv"
    regions.write_text(
        "code,group\n" + "".join(f"reg{i + 1},{g}\n" for i, g in enumerate(REGION_GROUPS))
    )
    sectors = tmp_path / "sectors.csv"
    names = mrio.get_sectors().tolist()
    sectors.write_text(
        "code,group\n" + "".join(f"{s},{g}\n" for s, g in zip(names, SECTOR_GROUPS, strict=True))
    )
    ours = io.accounts(io.aggregate(table_of(mrio), sectors=sectors, regions=regions))
    fresh = pymrio.load_test()  # aggregated before calc_all (pymrio keeps stale accounts)
    zero_final_demand_stressors(fresh)
    theirs = fresh.aggregate(region_agg=REGION_GROUPS, sector_agg=SECTOR_GROUPS, inplace=False)
    theirs.calc_all()
    for key in ("D_cba_reg", "D_pba_reg", "D_imp_reg", "D_exp_reg"):
        stacked = pd.concat([getattr(e, key) for e in theirs.get_extensions(data=True)])
        a, b = by_label(ours[key].droplevel("unit")), by_label(stacked)
        np.testing.assert_allclose(a.to_numpy(), b.loc[a.index].to_numpy(), rtol=1e-10)


def test_unknown_concordance_code_is_named(mrio, tmp_path: Path) -> None:
    bad = tmp_path / "sectors.csv"
    bad.write_text("code,group\nfood,primary\nfishing,primary\n")
    with pytest.raises(InputError, match=r"unknown code 'fishing'") as err:
        io.aggregate(table_of(mrio), sectors=bad)
    assert err.value.row == 2 and err.value.field == "code"


def small_table() -> IOTable:
    """Miller & Blair's two sectors (section 2.3.1) with compensation and households."""
    z = np.array([[150.0, 500.0], [200.0, 100.0]])
    fd = np.array([[300.0, 50.0], [1500.0, 200.0]])
    x = z.sum(axis=1) + fd.sum(axis=1)
    return IOTable(
        codes=["s1", "s2"],
        descriptions=["Sector 1", "Sector 2"],
        intermediate=z,
        final_demand=fd,
        categories=["households", "other"],
        gross_output=x,
        columns={"compensation": np.array([300.0, 600.0]), "hours": np.array([10.0, 40.0])},
        column_units={"hours": "hours"},
    )


def test_type_ii_multipliers_close_the_model_with_households() -> None:
    t = small_table()
    frame = io.type_ii_multipliers(t, compensation="compensation", households="households")
    a = t.technical_coefficients()
    bordered = np.zeros((3, 3))
    bordered[:2, :2] = a
    bordered[2, :2] = t.columns["compensation"] / t.gross_output
    bordered[:2, 2] = t.final_demand[:, 0] / t.columns["compensation"].sum()
    closed = np.linalg.inv(np.eye(3) - bordered)
    s = t.columns["hours"] / t.gross_output
    np.testing.assert_allclose(frame.loc["hours"].to_numpy(), s @ closed[:2, :2], rtol=1e-12)
    np.testing.assert_allclose(frame.loc["output"].to_numpy(), closed[:2, :2].sum(axis=0))
    np.testing.assert_allclose(frame.loc["household income"].to_numpy(), closed[2, :2])
    type_i = io.multipliers(t).xs("hours", level="extension").to_numpy().ravel()
    assert np.all(frame.loc["hours"].to_numpy() > type_i)


def test_scenario_changes_final_demand_and_accounts(tmp_path: Path) -> None:
    t = small_table()
    changes = tmp_path / "changes.csv"
    changes.write_text("code,category,change\ns1,households,100\ns2,other,-50\n")
    x, accounts = io.scenario(t, changes)
    y = t.final_demand.sum(axis=1) + np.array([100.0, -50.0])
    np.testing.assert_allclose(
        x.to_numpy(), np.linalg.solve(np.eye(2) - t.technical_coefficients(), y)
    )
    hours = accounts["D_cba_reg"].xs("hours", level="extension").to_numpy().ravel()
    s = t.columns["hours"] / t.gross_output
    assert hours[0] == pytest.approx(s @ x.to_numpy(), rel=1e-12)
    bad = tmp_path / "bad.csv"
    bad.write_text("code,category,change\ns1,exports,5\n")
    with pytest.raises(InputError, match="unknown final-demand category 'exports'") as err:
        io.scenario(t, bad)
    assert (err.value.row, err.value.field) == (1, "category")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_A_and_L_are_exported(tmp_path: Path, fmt: str) -> None:
    t = small_table()
    written = io.export_matrices(t, tmp_path, fmt)
    assert [p.name for p in written] == [f"A.{fmt}", f"L.{fmt}"]
    if fmt == "csv":
        back = pd.read_csv(tmp_path / "L.csv", index_col=[0, 1], header=[0, 1])
        np.testing.assert_allclose(back.to_numpy(), io.L(t).to_numpy(), rtol=1e-15)
    else:
        back = pd.read_parquet(tmp_path / "L.parquet")
        assert list(back.columns[:2]) == ["code", "name"]
        np.testing.assert_allclose(back.iloc[:, 2:].to_numpy(), io.L(t).to_numpy())


def test_fast_and_careful_csv_readers_agree(tmp_path: Path) -> None:
    """Numbers only: pandas' reader; an empty cell (0): the careful reader. Same matrices."""
    t = small_table()
    folder = tmp_path / "t"
    write_io_folder(t, folder)
    fast = io.read(folder)
    (folder / "intermediate.csv").write_text("code,s1,s2\ns1,150,500\ns2,200,\n")
    careful = io.read(folder)
    expected = t.intermediate.copy()
    expected[1, 1] = 0.0
    np.testing.assert_array_equal(fast.intermediate, t.intermediate)
    np.testing.assert_array_equal(careful.intermediate, expected)
    np.testing.assert_array_equal(careful.final_demand, fast.final_demand)
    np.testing.assert_array_equal(careful.columns["hours"], t.columns["hours"])
