"""One validator for every way an economy is made: records, files and the ledger.

The same broken economy (councils whose parents form a cycle, among others)
is refused by :meth:`Economy.from_records`, by the CSV folder and TOML
readers, and by the economy built from the ledger, each time with the same
message; only where the record came from differs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from soviets.economy import Council, Economy, Good, Need, Process
from soviets.errors import InputError
from soviets.formats import load_economy
from soviets.ledger.base import Base
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.economy import build_economy
from soviets.ledger.models import Council as CouncilRow
from soviets.ledger.models import CouncilLink
from soviets.ledger.needs import create_period

CYCLE = "councils' parents form a cycle: north -> south -> north"

GOODS = "good,unit,kind,limit\ngrain,t,produced,\n"
PROCESSES = "process,council,labour,capacity\ngrow,farm,2,\n"
FLOWS = "process,good,quantity\ngrow,grain,1\n"
COUNCILS = (
    "council,kind,parent,members,hours_available\n"
    "farm,workplace,north,,\nnorth,federation,south,,\nsouth,federation,north,,\n"
)


def _records(**changes: object) -> dict[str, object]:
    base: dict[str, object] = dict(
        goods=[Good("grain", "t")],
        councils=[
            Council("farm", "workplace", parent="north"),
            Council("north", "federation", parent="south"),
            Council("south", "federation", parent="north"),
        ],
        processes=[Process("grow", "farm", 2.0, {"grain": 1.0})],
    )
    base.update(changes)
    return base


def test_parent_cycle_refused_by_records() -> None:
    with pytest.raises(InputError) as caught:
        Economy.from_records(**_records())  # type: ignore[arg-type]
    err = caught.value
    assert (err.file, err.row, err.field, err.detail) == ("councils", 2, "parent", CYCLE)


def test_parent_cycle_refused_by_csv_folder(tmp_path: Path) -> None:
    for name, text in [
        ("goods.csv", GOODS),
        ("councils.csv", COUNCILS),
        ("processes.csv", PROCESSES),
        ("flows.csv", FLOWS),
    ]:
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_economy(tmp_path)
    err = caught.value
    assert err.file == str(tmp_path / "councils.csv")
    assert (err.row, err.field, err.detail) == (2, "parent", CYCLE)


def test_parent_cycle_refused_by_toml(tmp_path: Path) -> None:
    path = tmp_path / "cycle.toml"
    path.write_text(
        '[[goods]]\ngood = "grain"\n'
        '[[councils]]\ncouncil = "farm"\nkind = "workplace"\nparent = "north"\n'
        '[[councils]]\ncouncil = "north"\nkind = "federation"\nparent = "south"\n'
        '[[councils]]\ncouncil = "south"\nkind = "federation"\nparent = "north"\n'
        '[[processes]]\nprocess = "grow"\ncouncil = "farm"\nlabour = 2.0\n'
        "flows = { grain = 1.0 }\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_economy(path)
    err = caught.value
    assert (err.file, err.row, err.field, err.detail) == (f"{path} [councils]", 2, "parent", CYCLE)


def test_parent_cycle_refused_by_ledger(db_url: str) -> None:
    """Two federations that are members of each other: the ledger's economy is refused."""
    from datetime import date

    engine = make_engine(db_url)
    Base.metadata.create_all(engine)
    try:
        with transaction(session_factory(engine)) as s:
            ids = {}
            for name, kind in [("north", "federation"), ("south", "federation")]:
                row = CouncilRow(name=name, kind=kind)
                s.add(row)
                s.flush()
                ids[name] = row.id
            s.add(CouncilLink(member_id=ids["north"], federation_id=ids["south"]))
            s.add(CouncilLink(member_id=ids["south"], federation_id=ids["north"]))
            create_period(s, name="2030", starts_on=date(2030, 1, 1), ends_on=date(2030, 12, 31))
            s.flush()
            with pytest.raises(InputError) as caught:
                build_economy(s, "2030")
    finally:
        engine.dispose()
    err = caught.value
    assert (err.file, err.field, err.detail) == ("ledger councils", "parent", CYCLE)


@pytest.mark.parametrize(
    ("changes", "where", "message"),
    [
        (
            dict(goods=[Good("grain", "t", kind="service")]),  # type: ignore[arg-type]
            ("goods", 1, "kind"),
            "must be 'produced' or 'primary', got 'service'",
        ),
        (
            dict(processes=[Process("grow", "farm", -1.0, {"grain": 1.0})]),
            ("processes", 1, "labour"),
            "must be >= 0, got -1",
        ),
        (
            dict(processes=[Process("grow", "farm", 2.0, {"grain": -1.0})]),
            ("processes", 1, "process"),
            "process 'grow' makes nothing (no positive flow)",
        ),
        (
            dict(processes=[Process("grow", "farm", 2.0, {"grain": float("inf")})]),
            ("flows", 1, "quantity"),
            "not a finite number: inf",
        ),
        (
            dict(needs=[Need("farm", "grain", 1.0)]),
            ("needs", 1, "council"),
            "council 'farm' is not a territorial council",
        ),
        (
            dict(
                councils=[Council("farm", "workplace"), Council("town", "territorial")],
                needs=[Need("town", "grain", 1.0), Need("town", "grain", 2.0)],
            ),  # fmt: skip
            ("needs", 2, "good"),
            "duplicate essential need of 'grain' for 'town'",
        ),
        (
            dict(councils=[Council("farm", "workplace", members=-3)]),
            ("councils", 1, "members"),
            "must be >= 0, got -3",
        ),
    ],
)
def test_records_refused_with_table_row_field(
    changes: dict[str, object], where: tuple[str, int, str], message: str
) -> None:
    records = _records(councils=[Council("farm", "workplace")])
    records.update(changes)
    with pytest.raises(InputError) as caught:
        Economy.from_records(**records)  # type: ignore[arg-type]
    err = caught.value
    assert ((err.file, err.row, err.field), err.detail) == (where, message)


def test_free_production_refused_by_records() -> None:
    """Two zero-labour processes that make more than they use: refused, not only in files."""
    records = _records(
        goods=[Good("grain", "t"), Good("bread", "t")],
        councils=[Council("farm", "workplace")],
        processes=[
            Process("a", "farm", 0.0, {"grain": 2.0, "bread": -1.0}),
            Process("b", "farm", 0.0, {"bread": 2.0, "grain": -1.0}),
        ],
    )
    with pytest.raises(InputError, match="make goods from nothing .*: a, b"):
        Economy.from_records(**records)  # type: ignore[arg-type]
