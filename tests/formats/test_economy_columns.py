"""The column-wise fast path of economy folders and Parquet tables.

The fast path (:mod:`soviets.formats.economy_columns`) must build exactly the
economy the careful row-by-row reader builds, or hand the folder to it; bad
input keeps its error naming file, row and field (``test_bad_inputs.py`` runs
every malformed case through the fast path first).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from clirun import soviets
from soviets.economy import Economy
from soviets.economy.generate import generate_economy
from soviets.errors import InputError
from soviets.formats import load_economy, write_economy_folder
from soviets.formats.economy_columns import read_economy_columns
from soviets.formats.economy_csv import read_economy_rows

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

VALID_CSV = {
    "goods.csv": "good,unit,kind,limit\nland,ha,primary,100\ngrain,t,,\nbread,t,produced,\n",
    "councils.csv": "council,kind,parent,members,hours_available\ncommune,territorial,,50,\n"
    "farm,workplace,commune,5,2000\nbakery,workplace,commune,,\n",
    "processes.csv": "process,council,labour,capacity\ngrow,farm,10,\nbake,bakery,5,100\n",
    "flows.csv": "process,good,quantity\ngrow,grain,1\ngrow,land,-0.2\nbake,bread,1\n"
    "bake,grain,-0.7\n",
    "needs.csv": "council,good,quantity,priority\ncommune,bread,20,essential\ncommune,grain,5,\n",
    "stocks.csv": "good,quantity\ngrain,2\n",
}
ARRAYS = (
    "good_primary",
    "good_limit",
    "process_council",
    "labour",
    "capacity",
    "need_council",
    "need_good",
    "need_quantity",
    "need_essential",
    "stocks",
)


def _generated(seed: int) -> Economy:
    return generate_economy(
        goods=150,
        techs=3,
        inputs=5,
        capacity_share=0.3,
        primary=2,
        regions=2,
        seed=seed,
        hour_budgets=True,
        stock_share=0.2,
    )


def _assert_identical(a: Economy, b: Economy) -> None:
    """Same economy (names, records, arrays and their types), down to the order of the flows."""
    assert (a.good_names, a.good_units, a.process_names) == (
        b.good_names,
        b.good_units,
        b.process_names,
    )
    assert (a.councils, a.notes) == (b.councils, b.notes)
    for name in ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype, name
        np.testing.assert_array_equal(x, y, err_msg=name)
    m, n = a.net_output, b.net_output
    for x, y in ((m.indptr, n.indptr), (m.indices, n.indices), (m.data, n.data)):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("seed", [0, 1])
def test_fast_path_builds_what_the_careful_reader_builds(seed: int, tmp_path: Path) -> None:
    folder = write_economy_folder(_generated(seed), tmp_path / "eco")
    fast = read_economy_columns(folder)
    assert fast is not None  # a plain generated folder is read column-wise
    _assert_identical(fast, read_economy_rows(folder))


def test_csv_parquet_round_trip_is_exact(tmp_path: Path) -> None:
    original = _generated(2)
    csv_folder = write_economy_folder(original, tmp_path / "csv")
    pq_folder = write_economy_folder(original, tmp_path / "pq", parquet=True)
    assert sorted(p.suffix for p in pq_folder.iterdir()) == [".parquet"] * 6 + [".txt"]
    from_pq = load_economy(pq_folder)
    _assert_identical(load_economy(csv_folder), from_pq)
    _assert_identical(from_pq, read_economy_rows(pq_folder))  # careful reader of Parquet
    back = write_economy_folder(from_pq, tmp_path / "back")  # Parquet -> CSV
    _assert_identical(original, load_economy(back))
    for table in ("goods", "flows", "needs"):
        assert (back / f"{table}.csv").read_text() == (csv_folder / f"{table}.csv").read_text()


def _folder(tmp_path: Path, **edits: str) -> Path:
    folder = tmp_path / "economy"
    folder.mkdir()
    for name, text in (VALID_CSV | {f"{k}.csv": v for k, v in edits.items()}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "edits",
    [
        {"needs": "council,good,quantity,priority\n commune , bread ,20,essential\n"},
        {"flows": "process,good,quantity\ngrow,grain,1\ngrow,land,-0.2\nbake,bread,1\n\n\n"},
        {
            "councils": "council,kind,parent,members\ncommune,territorial,,050\nfarm,workplace,,\n"
            "bakery,workplace,commune,+3\n"
        },
        {"processes": "process,council,labour,capacity\ngrow,farm,10,\nbake,bakery,5,100,\n"},
    ],
    ids=["padded names", "trailing blank lines", "odd whole numbers", "trailing empty cell"],
)
def test_unusual_but_valid_files_read_the_same(edits: dict[str, str], tmp_path: Path) -> None:
    folder = _folder(tmp_path, **edits)
    assert read_economy_columns(folder) is None  # left to the careful reader
    _assert_identical(load_economy(folder), read_economy_rows(folder))


def _parquet_folder(tmp_path: Path, table: str, column: str, row: int, value: object) -> Path:
    folder = write_economy_folder(load_economy(_folder(tmp_path)), tmp_path / "pq", parquet=True)
    path = folder / f"{table}.parquet"
    data = pq.read_table(path).to_pydict()
    data[column][row - 1] = value
    pq.write_table(pa.table(data), path)
    return folder


@pytest.mark.parametrize(
    ("table", "column", "row", "value", "fragment"),
    [
        ("processes", "labour", 2, float("nan"), "not a finite number"),
        ("processes", "capacity", 2, -1.0, "must be >= 0"),
        ("flows", "good", 3, "cake", "unknown good 'cake'"),
        ("needs", "quantity", 1, None, "a value is required"),
    ],
)
def test_bad_parquet_names_file_row_field(
    table: str, column: str, row: int, value: object, fragment: str, tmp_path: Path
) -> None:
    folder = _parquet_folder(tmp_path, table, column, row, value)
    with pytest.raises(InputError) as info:
        load_economy(folder)
    err = info.value
    assert (Path(str(err.file)).name, err.row, err.field) == (f"{table}.parquet", row, column)
    assert fragment in err.detail


def test_generate_parquet_and_plan_report_seconds(tmp_path: Path) -> None:
    out = tmp_path / "eco"
    ran = soviets("generate", out, "--goods", "60", "--hour-budgets", "--format", "parquet")
    assert ran.returncode == 0, ran.stderr
    assert (out / "flows.parquet").is_file() and not (out / "flows.csv").exists()
    ran = soviets("plan", out, "--solver", "constrained", "--gap", "1e-4", "--json", "--progress")
    assert ran.returncode == 0, ran.stderr
    data = json.loads(ran.stdout)
    assert set(data["seconds"]) == {"load", "solve"}
    assert all(v >= 0 for v in data["seconds"].values())
    assert "load" in ran.stderr and "write" in ran.stderr


def test_quoted_newline_in_a_name_reads_as_the_careful_reader_reads_it(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        goods='good,unit,kind,limit\nland,ha,primary,100\ngrain,t,,\n"fine\nbread",t,,\n',
        flows='process,good,quantity\ngrow,grain,1\ngrow,land,-0.2\nbake,"fine\nbread",1\n'
        "bake,grain,-0.7\n",
        needs='council,good,quantity,priority\ncommune,"fine\nbread",20,essential\n',
    )
    fast = read_economy_columns(folder)
    assert fast is not None and fast.good_names[2] == "fine\nbread"
    _assert_identical(fast, read_economy_rows(folder))


NEEDS_HEAD = "council,good,quantity,priority\n"


@pytest.mark.parametrize(
    ("rows", "field", "fragment"),
    [
        ("commune,bread,20,essential\ncommune,bread,3,\n", "good", "duplicate essential need"),
        ("commune,bread,-2,normal\n", "quantity", "must be >= 0"),
        ("commune,bread,nan,normal\n", "quantity", "not a finite number"),
        ("commune,cake,2,normal\n", "good", "unknown good"),
        ("farm,bread,2,normal\n", "council", "not a territorial council"),
    ],
)
def test_bad_needs_leave_the_fast_path(
    rows: str, field: str, fragment: str, tmp_path: Path
) -> None:
    folder = _folder(tmp_path, needs=NEEDS_HEAD + rows)
    assert read_economy_columns(folder) is None
    with pytest.raises(InputError) as info:
        load_economy(folder)
    assert (info.value.field, Path(str(info.value.file)).name) == (field, "needs.csv")
    assert fragment in info.value.detail


def test_an_essential_and_a_normal_need_of_one_good_are_two_needs(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path, needs=NEEDS_HEAD + "commune,bread,20,essential\ncommune,bread,3,normal\n"
    )
    fast = read_economy_columns(folder)
    assert fast is not None and fast.need_essential.tolist() == [True, False]
    _assert_identical(fast, read_economy_rows(folder))
