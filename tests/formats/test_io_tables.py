"""Input-output tables as economies, checked against the published tables' identities."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse.linalg as sla

from soviets.errors import InputError
from soviets.formats import load_economy, read_bea, read_io_tables, read_ons, write_io_folder
from soviets.formats.csvfiles import read_rows

DATA = Path(__file__).resolve().parents[2] / "data"
YEARS = range(2000, 2015)


def _solve_gross_output(economy) -> np.ndarray:
    """x with (I - A) x = needs - stocks (the plan of final demand, one process per good)."""
    return sla.spsolve(economy.net_output.tocsc(), economy.demand - economy.stocks)


def _read_matrix(path: Path) -> tuple[list[str], np.ndarray]:
    header, rows = read_rows(path)
    return [r[0] for r in rows], np.array([[float(v) for v in r[1:]] for r in rows])


@pytest.mark.parametrize("year", YEARS)
def test_wiod_usa_identities(year: int) -> None:
    folder = DATA / "wiod2016-usa" / str(year)
    table = read_io_tables(folder)
    x = table.x
    # the published row identity: domestic intermediate use + final demand = gross output
    rel = np.abs(table.Z.sum(axis=1) + table.f - x) / np.maximum(x, 1.0)
    assert rel.max() < 1e-9

    economy = load_economy(folder)
    assert economy.n_goods == economy.n_processes == 56
    assert economy.good_units[0] == f"USD-{year} million"
    # needs minus stock draw-downs are exactly the published final demand
    np.testing.assert_allclose(economy.demand - economy.stocks, table.f, rtol=0, atol=1e-9)
    solved = _solve_gross_output(economy)
    assert np.max(np.abs(solved - x) / np.maximum(x, 1.0)) < 1e-9
    # labour embodied in final demand = total hours worked (millions of hours -> hours)
    hours = table.columns["hours_employees"].sum() * 1e6
    assert abs(economy.labour @ solved - hours) / hours < 1e-9
    v = sla.spsolve(economy.net_output.T.tocsc(), economy.labour)  # v = l (I - A)^-1
    assert abs(v @ table.f - hours) / hours < 1e-9


def test_wiod_usa_zero_output_industry_and_imports_are_noted() -> None:
    economy = load_economy(DATA / "wiod2016-usa" / "2014")
    u = economy.process_index["U"]
    assert economy.capacity[u] == 0 and economy.labour[u] == 0
    assert economy.net_output[:, u].toarray().ravel().tolist() == [0.0] * 55 + [1.0]
    notes = " | ".join(economy.notes)
    assert "zero gross output" in notes and "imported intermediates left out" in notes
    assert "hours_employees" in notes
    assert [c.name for c in economy.councils[:2]] == ["national", "ws:A01"]
    assert economy.councils[1].kind == "workplace" and economy.councils[1].parent == "national"


def test_wiod_usa_options() -> None:
    folder = DATA / "wiod2016-usa" / "2014"
    table = read_io_tables(folder)
    households = load_economy(folder, final_demand=["CONS_h"])
    expected = table.final_demand[:, table.categories.index("CONS_h")]
    np.testing.assert_allclose(households.demand - households.stocks, expected, atol=1e-9)

    persons = load_economy(folder, labour="persons_employed")
    x = table.x
    np.testing.assert_allclose(
        persons.labour[x > 0], (table.columns["persons_employed"] / np.where(x > 0, x, 1))[x > 0]
    )
    with_imports = load_economy(folder, include_imports=True)
    a_dom = -load_economy(folder).net_output.toarray() + np.eye(56)
    a_all = -with_imports.net_output.toarray() + np.eye(56)
    np.testing.assert_allclose(
        a_all - a_dom, table.imports / np.where(x > 0, x, 1)[None, :] * (x > 0), atol=1e-15
    )
    assert any("treated as domestic" in n for n in with_imports.notes)


def test_ons_leontief_inverse_matches_published() -> None:
    folder = DATA / "ons-uk-2010"
    economy = load_economy(folder)
    a = np.eye(economy.n_goods) - economy.net_output.toarray()
    codes, published = _read_matrix(folder / "leontief_inverse.csv")
    assert codes == economy.good_names
    leontief = np.linalg.inv(np.eye(len(codes)) - a)
    assert np.abs(leontief - published).max() < 1e-9
    assert economy.good_units[0] == "GBP-2010 million"


def test_ons_import_writes_an_equivalent_folder(tmp_path: Path) -> None:
    raw = read_ons(DATA / "ons-uk-2010")
    out = write_io_folder(raw, tmp_path / "ons")
    again = read_io_tables(out)
    assert again.codes == raw.codes and again.unit == "GBP-2010 million"
    np.testing.assert_array_equal(again.Z, raw.Z)
    np.testing.assert_array_equal(again.final_demand, raw.final_demand)
    np.testing.assert_array_equal(again.columns["compensation"], raw.columns["compensation"])
    _, published = _read_matrix(DATA / "ons-uk-2010" / "leontief_inverse.csv")
    assert np.abs(again.leontief_inverse() - published).max() < 1e-9
    # employment cost effects (coe/x) L, as published by ONS
    header, rows = read_rows(DATA / "ons-uk-2010" / "multipliers.csv")
    effects = np.array([float(r[header.index("employment_cost_effects")]) for r in rows])
    coe = load_economy(out, labour="compensation_of_employees")
    np.testing.assert_allclose(coe.labour @ again.leontief_inverse(), effects, rtol=0, atol=1e-9)


def test_bea_commodity_identity_and_transform() -> None:
    folder = DATA / "bea-2017-summary"
    table = read_bea(folder)
    assert len(table.codes) == 73 and len(table.categories) == 20
    # commodity output identity, to the rounding of the published cells (USD million)
    gap = table.Z.sum(axis=1) + table.f - table.x
    assert np.abs(gap).max() <= 10
    # published commodity output (last column of the use table) agrees too
    header, rows = read_rows(folder / "use.csv")
    published = {r[0]: float(r[header.index("Total Commodity Output")]) for r in rows}
    assert max(abs(published[c] - q) for c, q in zip(table.codes, table.x, strict=True)) <= 10
    # compensation moved to commodities keeps its total (V001 row total)
    v001 = next(r for r in rows if r[0] == "V001")
    industries = [
        h for h in header[1:] if h != "Total Intermediate" and not h.startswith(("F", "T"))
    ]
    total = sum(float(v001[header.index(i)]) for i in industries)
    assert abs(table.columns["compensation"].sum() - total) < 1e-6
    # A = B D with B = U diag(g)^-1 and D = V diag(q)^-1 (Miller & Blair ch. 5)
    economy = load_economy(folder)
    assert (
        np.max(np.abs(np.eye(73) - economy.net_output.toarray() - table.technical_coefficients()))
        < 1e-12
    )
    solved = _solve_gross_output(economy)
    assert np.abs(solved - table.x).max() / table.x.max() < 1e-4


def test_wiod_world_multiregion() -> None:
    folder = DATA / "wiod2013-world-2011"
    table = read_io_tables(folder)
    economy = load_economy(folder)
    assert economy.n_goods == economy.n_processes == 1435
    kinds = [c.kind for c in economy.councils]
    assert kinds.count("territorial") == 41 and kinds.count("federation") == 1
    assert economy.process_names[0] == "AUS.c1"
    council = economy.councils[economy.process_council[0]]
    assert council.name == "ws:AUS.c1" and council.parent == "AUS"
    # labour = value added = gross output - intermediate inputs, per unit of output
    va = table.x - table.Z.sum(axis=0)
    x = table.x
    np.testing.assert_allclose(economy.labour, np.where(x > 0, va / np.where(x > 0, x, 1), 0))
    assert any("value added (gross output - intermediate inputs)" in n for n in economy.notes)
    # each region's needs are its final demand of every region.sector good
    deu = economy.council_index["DEU"]
    cols = [j for j, c in enumerate(table.categories) if c.startswith("DEU.")]
    deu_demand = table.final_demand[:, cols].sum(axis=1)
    mask = economy.need_council == deu
    got = np.zeros(1435)
    got[economy.need_good[mask]] = economy.need_quantity[mask]
    np.testing.assert_allclose(got, np.maximum(deu_demand, 0))
    np.testing.assert_allclose(economy.demand - economy.stocks, table.f, atol=1e-9)
    # the source is truncated to integers: gross output is reproduced to about 4e-4 in all
    solved = _solve_gross_output(economy)
    assert np.abs(solved - x).sum() / x.sum() < 2e-3


def test_world_final_demand_categories() -> None:
    folder = DATA / "wiod2013-world-2011"
    table = read_io_tables(folder)
    households = load_economy(folder, final_demand=["c37"])
    cols = [j for j, c in enumerate(table.categories) if c.endswith(".c37")]
    np.testing.assert_allclose(
        households.demand - households.stocks, table.final_demand[:, cols].sum(axis=1), atol=1e-6
    )
    with pytest.raises(InputError, match="unknown final-demand category 'c40'"):
        load_economy(folder, final_demand=["c40"])
