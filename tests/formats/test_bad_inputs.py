"""A table of malformed files: each gets one line naming file, row and field.

Every case starts from a small valid economy, breaks one thing, and checks
the :class:`InputError` (file, data row counted from 1, field, message) and
that ``soviets check`` exits with code 2, one line on stderr, no traceback.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from clirun import Ran, soviets
from soviets.errors import InputError
from soviets.formats import load_economy

ROOT = Path(__file__).resolve().parents[2]

VALID_CSV = {
    "goods.csv": (
        "good,unit,kind,limit\nland,ha,primary,100\ngrain,t,produced,\nbread,t,produced,\n"
    ),
    "councils.csv": (
        "council,kind,parent,members,hours_available\n"
        "commune,territorial,,50,\nfarm,workplace,commune,5,2000\nbakery,workplace,commune,3,\n"
    ),
    "processes.csv": "process,council,labour,capacity\ngrow,farm,10,\nbake,bakery,5,100\n",
    "flows.csv": (
        "process,good,quantity\ngrow,grain,1\ngrow,land,-0.2\nbake,bread,1\nbake,grain,-0.7\n"
    ),
    "needs.csv": "council,good,quantity,priority\ncommune,bread,20,essential\ncommune,grain,5,\n",
    "stocks.csv": "good,quantity\ngrain,2\n",
}

VALID_TOML = """
name = "tiny"
[[goods]]
good = "land"
kind = "primary"
limit = 100.0
[[goods]]
good = "grain"
unit = "t"
[[goods]]
good = "bread"
unit = "t"
[[councils]]
council = "commune"
kind = "territorial"
members = 50
[[councils]]
council = "farm"
kind = "workplace"
parent = "commune"
[[processes]]
process = "grow"
council = "farm"
labour = 10.0
flows = { grain = 1.0, land = -0.2 }
[[processes]]
process = "bake"
council = "farm"
labour = 5.0
flows = { bread = 1.0, grain = -0.7 }
[[needs]]
council = "commune"
good = "bread"
quantity = 20.0
"""


@dataclass(frozen=True)
class Case:
    id: str
    file: str  # file name, or "tiny.toml [table]" for TOML
    row: int | None
    field: str | None
    fragment: str
    edits: dict[str, str | None]  # CSV: file -> new text (None: delete); TOML: {"toml": text}


def _replace(name: str, old: str, new: str) -> str:
    text = VALID_CSV[name]
    assert old in text, (name, old)
    return text.replace(old, new)


CSV_CASES = [
    Case(
        "missing column",
        "processes.csv",
        None,
        "labour",
        "missing column",
        {"processes.csv": "process,council,capacity\ngrow,farm,\nbake,bakery,100\n"},
    ),
    Case(
        "unknown good",
        "flows.csv",
        4,
        "good",
        "unknown good 'flour'",
        {"flows.csv": _replace("flows.csv", "bake,grain,-0.7", "bake,flour,-0.7")},
    ),
    Case(
        "negative capacity",
        "processes.csv",
        2,
        "capacity",
        "must be >= 0",
        {"processes.csv": _replace("processes.csv", "bake,bakery,5,100", "bake,bakery,5,-100")},
    ),
    Case(
        "non-number",
        "processes.csv",
        1,
        "labour",
        "not a number: 'ten'",
        {"processes.csv": _replace("processes.csv", "grow,farm,10,", "grow,farm,ten,")},
    ),
    Case(
        "infinite number",
        "processes.csv",
        1,
        "labour",
        "not a finite number",
        {"processes.csv": _replace("processes.csv", "grow,farm,10,", "grow,farm,inf,")},
    ),
    Case(
        "duplicate process",
        "processes.csv",
        3,
        "process",
        "duplicate process 'grow'",
        {"processes.csv": VALID_CSV["processes.csv"] + "grow,farm,3,\n"},
    ),
    Case(
        "cycle with no labour",
        "processes.csv",
        3,
        "labour",
        "make goods from nothing",
        {
            "processes.csv": VALID_CSV["processes.csv"] + "swap-a,farm,0,\nswap-b,bakery,0,\n",
            "flows.csv": VALID_CSV["flows.csv"]
            + "swap-a,grain,2\nswap-a,bread,-1\nswap-b,bread,2\nswap-b,grain,-1\n",
        },
    ),
    Case(
        "bad kind",
        "goods.csv",
        2,
        "kind",
        "must be 'produced' or 'primary', got 'service'",
        {"goods.csv": _replace("goods.csv", "grain,t,produced,", "grain,t,service,")},
    ),
    Case(
        "unknown parent",
        "councils.csv",
        2,
        "parent",
        "unknown parent council 'county'",
        {
            "councils.csv": _replace(
                "councils.csv", "farm,workplace,commune", "farm,workplace,county"
            )
        },
    ),
    Case(
        "parent cycle",
        "councils.csv",
        1,
        "parent",
        "cycle",
        {
            "councils.csv": _replace(
                "councils.csv", "commune,territorial,,", "commune,territorial,farm,"
            )
        },
    ),
    Case("empty file", "needs.csv", None, None, "empty file", {"needs.csv": ""}),
    Case(
        "need of a primary good",
        "needs.csv",
        3,
        "good",
        "primary input",
        {"needs.csv": VALID_CSV["needs.csv"] + "commune,land,5,normal\n"},
    ),
    Case(
        "bad priority",
        "needs.csv",
        1,
        "priority",
        "got 'urgent'",
        {"needs.csv": _replace("needs.csv", "20,essential", "20,urgent")},
    ),
    Case(
        "process makes a primary good",
        "flows.csv",
        2,
        "quantity",
        "makes primary input 'land'",
        {"flows.csv": _replace("flows.csv", "grow,land,-0.2", "grow,land,0.2")},
    ),
    Case(
        "unknown council",
        "processes.csv",
        2,
        "council",
        "unknown council 'mill'",
        {"processes.csv": _replace("processes.csv", "bake,bakery", "bake,mill")},
    ),
    Case(
        "need of a workplace",
        "needs.csv",
        1,
        "council",
        "not a territorial council",
        {"needs.csv": _replace("needs.csv", "commune,bread", "farm,bread")},
    ),
    Case(
        "unknown column",
        "goods.csv",
        None,
        "limt",
        "unknown column 'limt'",
        {"goods.csv": _replace("goods.csv", "kind,limit", "kind,limt")},
    ),
    Case(
        "process makes nothing",
        "processes.csv",
        2,
        "process",
        "makes nothing",
        {"flows.csv": _replace("flows.csv", "bake,bread,1\n", "")},
    ),
    Case(
        "limit on a produced good",
        "goods.csv",
        2,
        "limit",
        "only primary goods",
        {"goods.csv": _replace("goods.csv", "grain,t,produced,", "grain,t,produced,5")},
    ),
    Case(
        "stock of unknown good",
        "stocks.csv",
        1,
        "good",
        "unknown good 'wine'",
        {"stocks.csv": "good,quantity\nwine,2\n"},
    ),
    Case(
        "members not whole",
        "councils.csv",
        2,
        "members",
        "not a whole number",
        {"councils.csv": _replace("councils.csv", "commune,5,2000", "commune,5.5,2000")},
    ),
    Case("missing table", "flows.csv", None, None, "missing table", {"flows.csv": None}),
    Case(
        "duplicate flow",
        "flows.csv",
        5,
        "good",
        "already has a flow",
        {"flows.csv": VALID_CSV["flows.csv"] + "grow,grain,2\n"},
    ),
    Case(
        "too many cells",
        "goods.csv",
        2,
        None,
        "cells but the header has 4",
        {"goods.csv": _replace("goods.csv", "grain,t,produced,", "grain,t,produced,,9")},
    ),
    Case(
        "empty required cell",
        "needs.csv",
        1,
        "quantity",
        "a value is required",
        {"needs.csv": _replace("needs.csv", "bread,20,", "bread,,")},
    ),
    Case(
        "negative stock",
        "stocks.csv",
        1,
        "quantity",
        "must be >= 0",
        {"stocks.csv": "good,quantity\ngrain,-2\n"},
    ),
]


def _toml(old: str, new: str) -> dict[str, str | None]:
    assert old in VALID_TOML, old
    return {"toml": VALID_TOML.replace(old, new)}


TOML_CASES = [
    Case(
        "wrong TOML type",
        "tiny.toml [processes]",
        1,
        "labour",
        "not a number: 'ten'",
        _toml("labour = 10.0", 'labour = "ten"'),
    ),
    Case(
        "boolean for a number",
        "tiny.toml [needs]",
        1,
        "quantity",
        "not a number: True",
        _toml("quantity = 20.0", "quantity = true"),
    ),
    Case(
        "inline flow of unknown good",
        "tiny.toml [processes]",
        2,
        "flows",
        "unknown good 'rye'",
        _toml("grain = -0.7", "rye = -0.7"),
    ),
    Case(
        "inline flow not a number",
        "tiny.toml [processes]",
        1,
        "flows.grain",
        "not a number",
        _toml("grain = 1.0", 'grain = "one"'),
    ),
    Case(
        "misspelt field",
        "tiny.toml [processes]",
        1,
        "capactiy",
        "unknown field",
        _toml("labour = 10.0", "labour = 10.0\ncapactiy = 3.0"),
    ),
    Case(
        "not an array of tables",
        "tiny.toml",
        None,
        "stocks",
        "array of tables",
        _toml('name = "tiny"', 'name = "tiny"\nstocks = "lots"'),
    ),
    Case(
        "TOML syntax", "tiny.toml", None, None, "not valid TOML", _toml("limit = 100.0", "limit = ")
    ),
    Case("empty TOML file", "tiny.toml", None, None, "empty file", {"toml": "\n"}),
    Case(
        "TOML cycle with no labour",
        "tiny.toml [processes]",
        1,
        "labour",
        "grow",
        _toml(
            "labour = 10.0\nflows = { grain = 1.0, land = -0.2 }",
            "labour = 0.0\nflows = { grain = 1.0 }",
        ),
    ),
]

CASES = CSV_CASES + TOML_CASES


def _materialise(case: Case, tmp: Path) -> Path:
    if "toml" in case.edits:
        path = tmp / "tiny.toml"
        path.write_text(case.edits["toml"] or "", encoding="utf-8")
        return path
    folder = tmp / "economy"
    folder.mkdir()
    for name, text in {**VALID_CSV, **case.edits}.items():
        if text is not None:
            (folder / name).write_text(text, encoding="utf-8")
    return folder


def _file_label(err: InputError) -> str:
    text = str(err.file)
    return (
        text.split("/")[-1]
        if "[" not in text
        else Path(text.split(" [")[0]).name + " [" + (text.split(" [")[1])
    )


def test_valid_base_economies_load(tmp_path: Path) -> None:
    csv_eco = load_economy(_materialise(Case("ok", "", None, None, "", {}), tmp_path))
    assert csv_eco.n_goods == 3 and csv_eco.n_processes == 2 and csv_eco.n_needs == 2
    assert csv_eco.need_essential.tolist() == [True, True]  # empty priority: essential
    assert csv_eco.stocks.tolist() == [0.0, 2.0, 0.0]
    (tmp_path / "t").mkdir()
    toml_eco = load_economy(
        _materialise(Case("ok", "", None, None, "", {"toml": VALID_TOML}), tmp_path / "t")
    )
    assert toml_eco.process_names == ["grow", "bake"] and toml_eco.name == "tiny"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_names_file_row_field(case: Case, tmp_path: Path) -> None:
    path = _materialise(case, tmp_path)
    with pytest.raises(InputError) as info:
        load_economy(path)
    err = info.value
    assert _file_label(err) == case.file
    assert err.row == case.row
    assert err.field == case.field
    assert case.fragment in err.detail
    assert "\n" not in str(err)


def test_cycle_error_names_the_processes(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.id == "cycle with no labour")
    with pytest.raises(InputError, match=r"swap-a, swap-b"):
        load_economy(_materialise(case, tmp_path))


def test_harmless_loop_without_labour_is_accepted(tmp_path: Path) -> None:
    """Two processes that only pass goods back and forth make nothing from nothing."""
    folder = tmp_path / "economy"
    folder.mkdir()
    files = dict(VALID_CSV)
    files["processes.csv"] += "swap-a,farm,0,\nswap-b,bakery,0,\n"
    files["flows.csv"] += "swap-a,grain,1\nswap-a,bread,-1\nswap-b,bread,1\nswap-b,grain,-1\n"
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    assert load_economy(folder).n_processes == 4


def _cli_check(path: Path) -> Ran:
    return soviets("check", path)


def _assert_cli_error(case: Case, tmp_path: Path) -> None:
    proc = _cli_check(_materialise(case, tmp_path))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert lines[0].startswith("error: ") and case.fragment in lines[0]
    if case.row is not None:
        assert f"row {case.row}" in lines[0]
    if case.field is not None:
        assert f"field '{case.field}'" in lines[0]


QUICK = ["non-number", "cycle with no labour", "wrong TOML type"]


@pytest.mark.parametrize("case", [c for c in CASES if c.id in QUICK], ids=QUICK)
def test_cli_check_exits_2_with_one_line(case: Case, tmp_path: Path) -> None:
    _assert_cli_error(case, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize(
    "case", [c for c in CASES if c.id not in QUICK], ids=[c.id for c in CASES if c.id not in QUICK]
)
def test_cli_check_exits_2_for_every_bad_input(case: Case, tmp_path: Path) -> None:
    _assert_cli_error(case, tmp_path)


IO_SOURCE = ROOT / "data" / "wiod2016-usa" / "2014"


def _io_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "2014"
    shutil.copytree(IO_SOURCE, dst)
    return dst


def _break_cell(path: Path, row: int, col: int, value: str) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[row].split(",")
    cells[col] = value
    lines[row] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines[0].split(",")[col]


def test_io_non_number_names_row_and_industry(tmp_path: Path) -> None:
    folder = _io_copy(tmp_path)
    column = _break_cell(folder / "intermediate.csv", 3, 5, "n/a")
    with pytest.raises(InputError) as info:
        load_economy(folder)
    assert Path(info.value.file).name == "intermediate.csv"
    assert (info.value.row, info.value.field) == (3, column)


@pytest.mark.parametrize(
    ("kwargs", "file", "field"),
    [
        ({"final_demand": ["CONS_h", "EXPORTS"]}, "final_demand.csv", "EXPORTS"),
        ({"labour": "sweat"}, "industries.csv", "sweat"),
    ],
)
def test_io_unknown_option_names_file_and_field(kwargs, file, field) -> None:
    with pytest.raises(InputError) as info:
        load_economy(IO_SOURCE, **kwargs)
    assert Path(info.value.file).name == file and info.value.field == field


def test_io_missing_gross_output_column(tmp_path: Path) -> None:
    folder = _io_copy(tmp_path)
    text = (folder / "industries.csv").read_text(encoding="utf-8")
    (folder / "industries.csv").write_text(text.replace("gross_output", "output", 1))
    with pytest.raises(InputError) as info:
        load_economy(folder)
    assert info.value.field == "gross_output" and "missing column" in info.value.detail


def test_io_missing_industry_row(tmp_path: Path) -> None:
    folder = _io_copy(tmp_path)
    lines = (folder / "final_demand.csv").read_text(encoding="utf-8").splitlines()
    (folder / "final_demand.csv").write_text("\n".join(lines[:5] + lines[6:]) + "\n")
    with pytest.raises(InputError, match="no row for industry") as info:
        load_economy(folder)
    assert Path(info.value.file).name == "final_demand.csv"


def test_not_an_economy(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="choose one of its folders"):
        load_economy(ROOT / "data" / "wiod2016-usa")
    with pytest.raises(InputError, match="no such file"):
        load_economy(tmp_path / "nowhere")
    with pytest.raises(InputError, match="only to input-output tables"):
        load_economy(ROOT / "examples" / "village.toml", labour="hours_employees")
