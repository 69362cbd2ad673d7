"""``soviets accounts`` and the quirks of issue 21, run as a user runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from clirun import soviets, soviets_process

ROOT = Path(__file__).resolve().parents[2]

# A national table: 3 industries, the third made nobody (zero gross output).
Z = np.array([[10.0, 20.0, 0.0], [30.0, 5.0, 0.0], [0.0, 0.0, 0.0]])
FD = np.array([[60.0, 10.0], [40.0, 25.0], [0.0, 0.0]])
HOURS = np.array([2.0, 3.0, 0.0])  # millions of hours
PAY = np.array([40.0, 50.0, 0.0])


def write_table(folder: Path, z: np.ndarray = Z, fd: np.ndarray = FD) -> Path:
    folder.mkdir()
    codes = ["farm", "mill", "idle"]
    x = z.sum(axis=1) + fd.sum(axis=1)
    rows = [",".join(["code", *codes])]
    rows += [",".join([c, *map(str, r.tolist())]) for c, r in zip(codes, z, strict=True)]
    (folder / "intermediate.csv").write_text("\n".join(rows) + "\n")
    rows = ["code,CONS_h,GFCF"] + [
        ",".join([c, *map(str, r.tolist())]) for c, r in zip(codes, fd, strict=True)
    ]
    (folder / "final_demand.csv").write_text("\n".join(rows) + "\n")
    rows = ["code,description,gross_output,hours_employees,compensation"] + [
        f"{c},{c.title()} work,{float(x[i])},{float(HOURS[i])},{float(PAY[i])}"
        for i, c in enumerate(codes)
    ]
    (folder / "industries.csv").write_text("\n".join(rows) + "\n")
    return folder


def leontief(z: np.ndarray, fd: np.ndarray) -> np.ndarray:
    x = z.sum(axis=1) + fd.sum(axis=1)
    a = z / np.where(x > 0, x, 1.0)[None, :]
    return np.linalg.inv(np.eye(len(x)) - a)


def test_accounts_json_csv_parquet_and_plot(tmp_path: Path) -> None:
    table = write_table(tmp_path / "t")
    proc = soviets(
        "accounts", table, "--json", "--csv", tmp_path / "csv", "--parquet", tmp_path / "pq",
        "--plot", tmp_path / "png", "--matrices",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    hours = next(e for e in data["extensions"] if e["name"] == "hours_employees")
    assert hours["unit"] == "hours"
    x = Z.sum(axis=1) + FD.sum(axis=1)
    m = (HOURS * 1e6 / np.where(x > 0, x, 1.0)) @ leontief(Z, FD)
    assert hours["multiplier"]["farm"] == pytest.approx(m[0], rel=1e-12)
    assert hours["multiplier"]["idle"] is None  # zero output: no intensity
    region = hours["regions"]["national"]
    assert region["D_cba"] == pytest.approx(HOURS.sum() * 1e6, rel=1e-12)
    assert region["D_imp"] == 0
    for name in ("M.csv", "D_cba_reg.csv", "A.csv", "L.csv"):
        assert (tmp_path / "csv" / name).is_file()
    assert (tmp_path / "pq" / "L.parquet").is_file()
    assert (tmp_path / "png" / "hours_employees.png").is_file()


def test_per_person_accounts_and_a_bad_population_file(tmp_path: Path) -> None:
    table = write_table(tmp_path / "t")
    people = tmp_path / "people.csv"
    people.write_text("region,persons\nnational,1000\n")
    data = json.loads(soviets("accounts", table, "--json", "--population", people).stdout)
    pay = next(e for e in data["extensions"] if e["name"] == "compensation")["regions"]
    assert pay["national"]["D_cba_per_person"] == pytest.approx(PAY.sum() / 1000, rel=1e-12)
    people.write_text("region,persons\nnational,1000\nmars,5\n")
    proc = soviets("accounts", table, "--population", people)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "people.csv" in proc.stderr and "row 2" in proc.stderr
    assert "unknown region 'mars'" in proc.stderr


def test_piped_tables_are_not_cut(tmp_path: Path) -> None:
    table = write_table(tmp_path / "t")
    # a real process: the width of the output is chosen as the command starts
    narrow = soviets_process("accounts", table, env={"COLUMNS": "60"}).stdout
    assert "…" not in narrow  # a narrow terminal: numbers fold onto a second line, never cut
    piped = soviets_process("accounts", table).stdout
    assert "…" not in piped and "compensation (USD million)" in piped


def test_negative_flow_is_a_warning_and_values_still_come(tmp_path: Path) -> None:
    z = Z.copy()
    z[0, 1] = -4.0  # e.g. a subsidy booked as a negative use
    table = write_table(tmp_path / "neg", z=z)
    check = soviets("check", table)
    assert check.returncode == 0, check.stderr
    assert "warning: 1 negative intermediate flows" in check.stdout
    proc = soviets("values", table, "--json")
    assert proc.returncode == 0, proc.stderr
    values = json.loads(proc.stdout)["labour_values"]
    x = z.sum(axis=1) + FD.sum(axis=1)
    expected = (HOURS * 1e6 / np.where(x > 0, x, 1.0)) @ leontief(z, FD)
    assert values["farm"] == pytest.approx(expected[0], rel=1e-10)
    assert values["mill"] == pytest.approx(expected[1], rel=1e-10)


def test_goods_nobody_makes_have_null_values(tmp_path: Path) -> None:
    proc = soviets("values", write_table(tmp_path / "t"), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["labour_values"]["idle"] is None
    assert data["output_multipliers"]["idle"] is None
    assert data["labour_values"]["farm"] > 0
    table = soviets("values", tmp_path / "t").stdout
    assert next(line for line in table.splitlines() if "idle" in line).count("-") >= 3


def test_numbers_too_large_are_refused_with_file_row_and_field(tmp_path: Path) -> None:
    eco = tmp_path / "two-regions"
    shutil.copytree(ROOT / "examples" / "two-regions", eco)
    needs = (eco / "needs.csv").read_text().replace("uplands,bread,240,", "uplands,bread,1e15,")
    (eco / "needs.csv").write_text(needs)
    for command in ("check", "plan"):
        proc = soviets(command, eco)
        assert proc.returncode == 2
        assert "needs.csv" in proc.stderr and "row 1" in proc.stderr
        assert "quantity" in proc.stderr and "too large" in proc.stderr
    big = write_table(tmp_path / "big")
    flows = big / "intermediate.csv"
    flows.write_text(flows.read_text().replace("mill,30.0,", "mill,1e300,"))
    proc = soviets("check", big)
    assert proc.returncode == 2
    assert "intermediate.csv" in proc.stderr and "row 2" in proc.stderr
    assert "farm" in proc.stderr and "too large" in proc.stderr
    assert "Traceback" not in proc.stderr
