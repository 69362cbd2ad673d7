"""The 5yearplan example: imported, planned, and equal to the format's own LP solved directly.

``_reference`` builds the programme of the format description (variables x, f,
k, w, v, V, P, c, e, E, h per year; constraints (1)-(12)) from the raw CSV
cells with its own parsing, and solves it with SciPy's HiGHS interior-point
method: nothing of soviets is used on that side.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from typer.testing import CliRunner

from soviets.cli import app
from soviets.errors import InputError
from soviets.formats.fiveyearplan import read_fiveyearplan
from soviets.formats.multiyear_csv import read_multiyear_folder, write_multiyear_folder
from soviets.planning.multiyear import solve
from soviets.planning.multiyear_lp import Objective

EXAMPLE = Path(__file__).parents[2] / "examples" / "5yearplan"


def _cells(path: Path) -> list[list[str]]:
    return [line.split(",") for line in path.read_text().split("\n") if line.strip()]


def _num(cell: str) -> float:
    return float(cell) if cell[:1].isdigit() else 0.0


def _reference(folder: Path) -> float:
    """Optimum of the 5yearplan LP built term by term from the format description."""
    flows, cap, dep, targ = (
        _cells(folder / f) for f in ("flows.csv", "cap.csv", "dep.csv", "labtarg.csv")
    )
    goods = flows[0][1:]
    n = len(goods)
    F = np.array([[_num(c) for c in r[1 : n + 1]] for r in flows[1 : n + 1]])
    by_label = {r[0]: r for r in flows}
    q = np.array([_num(c) for c in by_label["output"][1 : n + 1]])
    lab = np.array([_num(c) for c in by_label["labour"][1 : n + 1]])
    K = np.array([[_num(c) for c in r[1 : n + 1]] for r in cap[1 : n + 1]])
    D = np.array([[_num(c) for c in r[1 : n + 1]] for r in dep[1 : n + 1]])
    years = [r for r in targ[1:] if r[0].startswith("year")]
    T = np.array([[_num(c) for c in r[1 : n + 1]] for r in years])
    S = np.array([_num(r[n + 1]) for r in years])
    Y = len(years)

    var: dict[tuple, int] = {}

    def v(*key: object) -> int:
        return var.setdefault(key, len(var))

    for t in range(Y):  # create every variable of the description, in a fixed order
        for j in range(n):
            v("x", j, t), v("e", j, t)
            for i in range(n):
                v("f", i, j, t), v("k", i, j, t), v("w", i, j, t), v("vv", i, j, t)
        for i in range(n):
            v("V", i, t), v("P", i, t), v("c", i, t)
        v("E", t), v("h", t)
    ub_rows: list[dict[int, float]] = []
    eq_rows: list[dict[int, float]] = []
    ub_rhs: list[float] = []
    eq_rhs: list[float] = []
    bounds = [(0.0, None)] * len(var)
    for t in range(Y):
        for j in range(n):
            for i in range(n):
                if K[i, j] != 0:  # (1)
                    ub_rows.append({v("x", j, t): 1.0, v("k", i, j, t): -q[j] / K[i, j]})
                    ub_rhs.append(0.0)
                if F[i, j] != 0:  # (2)
                    ub_rows.append({v("x", j, t): 1.0, v("f", i, j, t): -q[j] / F[i, j]})
                    ub_rhs.append(0.0)
                eq_rows.append({v("w", i, j, t): 1.0, v("k", i, j, t): -D[i, j]})  # (4)
                eq_rhs.append(0.0)
                if t == 0:  # (5)
                    bounds[v("k", i, j, t)] = (0.0, K[i, j])
                else:  # (6)
                    ub_rows.append(
                        {
                            v("k", i, j, t): 1.0,
                            v("k", i, j, t - 1): -1.0,
                            v("vv", i, j, t - 1): -1.0,
                            v("w", i, j, t - 1): 1.0,
                        }
                    )
                    ub_rhs.append(0.0)
            if q[j] != 0:  # (3)
                ub_rows.append({v("x", j, t): 1.0, v("e", j, t): -q[j] / lab[j]})
                ub_rhs.append(0.0)
        for i in range(n):
            row = {v("vv", i, j, t): 1.0 for j in range(n)}  # (7) V >= sum v
            row[v("V", i, t)] = -1.0
            ub_rows.append(row)
            ub_rhs.append(0.0)
            row = {v("f", i, j, t): 1.0 for j in range(n)}  # (8) P >= sum f
            row[v("P", i, t)] = -1.0
            ub_rows.append(row)
            ub_rhs.append(0.0)
            ub_rows.append(  # (9) c <= x - V - P
                {v("c", i, t): 1.0, v("x", i, t): -1.0, v("V", i, t): 1.0, v("P", i, t): 1.0}
            )
            ub_rhs.append(0.0)
            if T[t, i] > 0:  # (12) h <= c / T
                ub_rows.append({v("h", t): 1.0, v("c", i, t): -1.0 / T[t, i]})
                ub_rhs.append(0.0)
        row = {v("e", j, t): 1.0 for j in range(n)}  # (10) E >= sum e
        row[v("E", t)] = -1.0
        ub_rows.append(row)
        ub_rhs.append(0.0)
        bounds[v("E", t)] = (0.0, S[t])  # (11)

    def matrix(rows: list[dict[int, float]]) -> sp.csr_matrix:
        r = [i for i, row in enumerate(rows) for _ in row]
        c = [k for row in rows for k in row]
        d = [x for row in rows for x in row.values()]
        return sp.csr_matrix((d, (r, c)), shape=(len(rows), len(var)))

    cost = np.zeros(len(var))
    for t in range(Y):
        cost[v("h", t)] = -1.0
    res = linprog(
        cost,
        A_ub=matrix(ub_rows),
        b_ub=ub_rhs,
        A_eq=matrix(eq_rows),
        b_eq=eq_rhs,
        bounds=bounds,
        method="highs-ipm",
    )
    assert res.status == 0, res.message
    assert len(var) == Y * (4 * n * n + 5 * n + 2)  # the size the description gives
    return -res.fun


def test_example_objective_equals_the_formats_lp() -> None:
    reference = _reference(EXAMPLE)
    plan = solve(read_fiveyearplan(EXAMPLE), Objective("max-fulfilment"))
    assert plan.status == "optimal"
    assert plan.certificate.primal == pytest.approx(reference, rel=1e-7)
    assert plan.certificate.dual == pytest.approx(reference, rel=1e-7)
    assert plan.certificate.gap <= 1e-8
    assert float(plan.fulfilment.sum()) == pytest.approx(reference, rel=1e-7)


def test_changed_example_still_equal(tmp_path: Path) -> None:
    """Scarcer labour and a longer build-up: another optimum, still the same as the reference."""
    folder = tmp_path / "plan"
    shutil.copytree(EXAMPLE, folder)
    lines = (folder / "labtarg.csv").read_text().split("\n")
    lines[1] = "year1,0.3,1,0.5,2.5,2.2"
    lines[3] = "year3,0.1,4,0,1.0,2.9"
    (folder / "labtarg.csv").write_text("\n".join(lines))
    reference = _reference(folder)
    plan = solve(read_fiveyearplan(folder), Objective("max-fulfilment"))
    assert plan.certificate.primal == pytest.approx(reference, rel=1e-7)


def test_import_command_writes_a_folder_that_plans_the_same(tmp_path: Path) -> None:
    out = tmp_path / "imported"
    runner = CliRunner()
    res = runner.invoke(app, ["import", "5yearplan", str(EXAMPLE), str(out)])
    assert res.exit_code == 0, res.output
    model = read_multiyear_folder(out)
    assert model.n_periods == 5 and model.n_capital == 9
    res = runner.invoke(app, ["plan", str(out), "--objective", "max-fulfilment", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["objective"]["name"] == "max-fulfilment"
    assert data["certificate"]["primal"] == pytest.approx(_reference(EXAMPLE), rel=1e-7)
    # per year: hours within the labour supply, free time = supply - hours
    for year in data["periods"]:
        assert year["hours"] <= year["hours_available"] * (1 + 1e-9)
        assert year["free_time_hours"] == pytest.approx(year["hours_available"] - year["hours"])


def test_round_trip(tmp_path: Path) -> None:
    model = read_fiveyearplan(EXAMPLE)
    back = read_multiyear_folder(write_multiyear_folder(model, tmp_path / "m"))
    a = solve(model, Objective("max-fulfilment"))
    b = solve(back, Objective("max-fulfilment"))
    assert a.certificate.primal == b.certificate.primal
    assert np.array_equal(a.activity, b.activity)


HEAD = "headings,iron,coal,corn,bread"
BAD = [
    ("flows.csv", "headings,iron,coal\r\niron,1,2\n", "flows.csv: the header ends with a carriage"),
    ("cap.csv", f"{HEAD}\ncoal,1\n", "cap.csv, row 1, field 'headings'"),
    ("cap.csv", "headings,iron,coal,corn\n", "cap.csv: the header must be"),
    ("dep.csv", f"{HEAD}\niron,1,2,3,4,5\n", "dep.csv, row 1:"),
    ("dep.csv", f"{HEAD}\niron,0.1,1x\ncoal\ncorn\nbread\n", "row 1, field 'coal': not a number"),
    ("cap.csv", f"{HEAD}\niron\ncoal\n", "cap.csv: 2 data rows; row 3 must be labelled 'corn'"),
    ("dep.csv", f"{HEAD}\niron,2\ncoal\ncorn\nbread\n", "dep.csv, row 1, field 'iron': a wear"),
    ("labtarg.csv", f"{HEAD},labour\nplan,1\n", "labtarg.csv: no plan years"),
    ("labtarg.csv", f"{HEAD},people\nyear1,1\n", "labtarg.csv: column 5 must be 'labour'"),
]


@pytest.mark.parametrize(("file", "content", "where"), BAD)
def test_bad_input_names_file_row_field(
    tmp_path: Path, file: str, content: str, where: str
) -> None:
    folder = tmp_path / "bad"
    shutil.copytree(EXAMPLE, folder)
    (folder / file).write_text(content)
    with pytest.raises(InputError) as err:
        read_fiveyearplan(folder)
    assert where in str(err.value).replace(str(folder) + "/", "")


def test_zero_output_and_text_cells(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    shutil.copytree(EXAMPLE, folder)
    text = (folder / "flows.csv").read_text().replace("output,10,6,10,1", "output,10,6,-10,1")
    (folder / "flows.csv").write_text(text)
    with pytest.raises(InputError, match=r"flows.csv, row 6, field 'corn': output must be > 0"):
        read_fiveyearplan(folder)
    text = text.replace("output,10,6,-10,1", "output,10,6,10,1").replace(
        "coal,2,1,0.04,0.2", 'coal,2,"1",0.04,0.2'
    )
    (folder / "flows.csv").write_text(text)
    model = read_fiveyearplan(folder)  # "1" quoted counts as 0, as in the original, and is noted
    assert any("row 2, field 'coal'" in note for note in model.notes)
    assert model.economy.net_output[model.economy.good_index["coal"], 1] == 1.0


def _write_tables(folder: Path, seed: int) -> None:
    """Random 5yearplan tables, with number spellings the format accepts (exponents,
    trailing blanks) and cells it reads as 0 (empty, text)."""
    rng = np.random.default_rng(seed)
    n, years = int(rng.integers(2, 5)), int(rng.integers(1, 5))
    goods = [f"good{chr(97 + i)}" for i in range(n)]
    head = "headings," + ",".join(goods)

    def cell(x: float) -> str:
        if x == 0:
            return str(rng.choice(["0", "", "none"]))
        return str(rng.choice([repr(float(x)), f"{float(x):.6e}", f"{float(x):g} "]))

    q = rng.uniform(1, 20, n)
    f = rng.uniform(0, 0.3, (n, n)) * q * (rng.random((n, n)) < 0.5)
    k = rng.uniform(0.1, 3, (n, n)) * q * (rng.random((n, n)) < 0.4)
    d = rng.uniform(0, 1, (n, n)) * (rng.random((n, n)) < 0.8)
    lab = rng.uniform(0.1, 2, n)
    folder.mkdir()

    def matrix(m: np.ndarray, extra: list[str]) -> str:
        rows = [head] + [g + "," + ",".join(cell(v) for v in m[i]) for i, g in enumerate(goods)]
        return "\n".join(rows + extra) + "\n"

    flows_extra = [
        "labour," + ",".join(cell(v) for v in lab),
        "output," + ",".join(repr(float(v)) for v in q),
    ]
    (folder / "flows.csv").write_text(matrix(f, flows_extra))
    (folder / "cap.csv").write_text(matrix(k, []))
    (folder / "dep.csv").write_text(matrix(d, []))
    targ = [head + ",labour"]
    for t in range(years):
        want = rng.uniform(0.1, 3, n) * (rng.random(n) < 0.6)
        want[rng.integers(n)] = rng.uniform(0.1, 3)  # at least one target a year
        supply = rng.uniform(0.5, 10)
        targ.append(f"year{t + 1}," + ",".join(cell(v) for v in want) + "," + repr(float(supply)))
    (folder / "labtarg.csv").write_text("\n".join(targ) + "\n")


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_random_tables_equal_the_formats_lp(
    tmp_path_factory: pytest.TempPathFactory, seed: int
) -> None:
    folder = tmp_path_factory.mktemp("plan") / "tables"
    _write_tables(folder, seed)
    reference = _reference(folder)
    plan = solve(read_fiveyearplan(folder), Objective("max-fulfilment"))
    assert plan.status == "optimal"
    assert plan.certificate.primal == pytest.approx(reference, rel=1e-7, abs=1e-9)
    assert plan.certificate.gap <= 1e-8
