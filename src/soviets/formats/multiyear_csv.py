"""The multi-period economy folder: an economy folder plus ``periods.csv`` and friends.

Besides the tables of an economy folder (:mod:`.economy_csv`; its ``stocks.csv``
holds the stocks at the start of the first period), a multi-period folder has
(required columns marked *):

* ``periods.csv`` (marks the folder as multi-period): period*, hours_available
  (the economy's labour supply in the period, hours), members (people sharing
  the free time; default: the members of the territorial councils)
* ``needs.csv``: council*, good*, quantity*, priority, period (empty: every period)
* ``capital.csv`` (optional): process*, good*, quantity* (units held per unit of
  activity), stock (units held at the start of the first period; default 0),
  build_time (periods from investment to use; default 1)
* ``depreciation.csv`` (optional): process*, good*, rate* (share of the stock worn
  out per period, 0 to 1); the pair must be in ``capital.csv``
* ``labour.csv`` (optional): council*, period*, hours_available* (replaces the
  council's ``hours_available`` of ``councils.csv`` in that period)
* ``storage.csv`` (optional): good*, loss* (share of a stock carried to the next
  period that is lost, 0 to 1; goods not listed keep without loss)

Errors name the file, the data row (from 1) and the column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from soviets.economy import Capital, MultiYearEconomy, Period, PeriodHours, PeriodNeed
from soviets.errors import InputError
from soviets.formats.csvfiles import format_number, new_folder, read_rows, write_csv
from soviets.formats.economy_csv import read_economy_folder, write_economy_tables
from soviets.formats.rows import RawRow, _message

NonNegative = Annotated[float, Field(ge=0)]
Share = Annotated[float, Field(ge=0, le=1)]
Name = Annotated[str, Field(min_length=1)]


class _Row(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False, str_strip_whitespace=True, frozen=True)


class PeriodRow(_Row):
    period: Name
    hours_available: NonNegative | None = None
    members: Annotated[int, Field(ge=0)] | None = None


class NeedRow(_Row):
    council: Name
    good: Name
    quantity: NonNegative
    priority: str = "essential"
    period: str | None = None


class CapitalRow(_Row):
    process: Name
    good: Name
    quantity: NonNegative
    stock: NonNegative = 0.0
    build_time: Annotated[int, Field(ge=1)] = 1


class DepreciationRow(_Row):
    process: Name
    good: Name
    rate: Share


class LabourRow(_Row):
    council: Name
    period: Name
    hours_available: NonNegative


class StorageRow(_Row):
    good: Name
    loss: Share


#: table -> (row model, required columns, whether the file must exist)
TABLES: dict[str, tuple[type[_Row], tuple[str, ...], bool]] = {
    "periods": (PeriodRow, ("period",), True),
    "needs": (NeedRow, ("council", "good", "quantity"), False),
    "capital": (CapitalRow, ("process", "good", "quantity"), False),
    "depreciation": (DepreciationRow, ("process", "good", "rate"), False),
    "labour": (LabourRow, ("council", "period", "hours_available"), False),
    "storage": (StorageRow, ("good", "loss"), False),
}


def is_multiyear_folder(folder: Path) -> bool:
    """True for an economy folder with ``periods.csv``."""
    return (folder / "goods.csv").is_file() and (folder / "periods.csv").is_file()


def read_multiyear_folder(folder: str | Path) -> MultiYearEconomy:
    """Read and validate a multi-period economy folder (see the module docstring)."""
    folder = Path(folder)
    economy = read_economy_folder(folder, with_needs=False)
    rows = {name: _read(folder, name) for name in TABLES}

    capital: dict[tuple[str, str], tuple[RawRow, CapitalRow]] = {}
    for raw, c in rows["capital"]:
        capital[(c.process, c.good)] = (raw, c)
    rates: dict[tuple[str, str], float] = {}
    for raw, d in rows["depreciation"]:
        key = (d.process, d.good)
        if key not in capital:
            raise raw.error(f"'{d.good}' of process '{d.process}' is not in capital.csv", "good")
        if key in rates:
            raise raw.error(f"duplicate depreciation of '{d.good}' of '{d.process}'", "good")
        rates[key] = d.rate
    storage: dict[str, float] = {}
    for raw, s in rows["storage"]:
        if s.good in storage:
            raise raw.error(f"duplicate good '{s.good}'", "good")
        storage[s.good] = s.loss
    seen: set[tuple[Any, ...]] = set()
    for raw, n in rows["needs"]:
        need_key = (n.council, n.good, n.priority, n.period)
        if need_key in seen:
            raise raw.error(f"duplicate {n.priority} need of '{n.good}' for '{n.council}'", "good")
        seen.add(need_key)

    # the model checks names and ranges; its errors name a table and row, made into paths here
    try:
        return MultiYearEconomy.from_records(
            economy,
            periods=[Period(p.period, p.hours_available, p.members) for _, p in rows["periods"]],
            capital=[
                Capital(c.process, c.good, c.quantity, c.stock, rates.get(k, 0.0), c.build_time)
                for k, (_, c) in capital.items()
            ],
            needs=[
                PeriodNeed(n.period or None, n.council, n.good, n.quantity, n.priority)
                for _, n in rows["needs"]
            ],
            hours=[PeriodHours(h.period, h.council, h.hours_available) for _, h in rows["labour"]],
            storage_loss=storage,
            name=economy.name,
            notes=economy.notes,
        )
    except InputError as exc:
        if exc.file in TABLES:
            raise InputError(
                exc.detail, file=str(folder / f"{exc.file}.csv"), row=exc.row, field=exc.field
            ) from None
        raise


def _read(folder: Path, name: str) -> list[tuple[RawRow, Any]]:
    model, required, must = TABLES[name]
    path = folder / f"{name}.csv"
    if not path.is_file():
        if must:
            raise InputError(f"missing table {name}.csv", file=str(path))
        return []
    header, cells = read_rows(path, required=required)
    columns = tuple(model.model_fields)
    for col in header:
        if col not in columns:
            raise InputError(
                f"unknown column '{col}' (expected {', '.join(columns)})", file=str(path), field=col
            )
    result = []
    keys: set[tuple[str, ...]] = set()
    for r, row in enumerate(cells, 1):
        raw = RawRow(str(path), r, dict(zip(header, row, strict=True)))
        values = {k: v for k, v in raw.values.items() if v != ""}
        try:
            parsed = model.model_validate(values)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = str(err["loc"][0]) if err["loc"] else None
            raise raw.error(_describe(err), loc) from None
        if name == "capital":
            key = (parsed.process, parsed.good)  # type: ignore[attr-defined]
            if key in keys:
                raise raw.error(f"duplicate capital '{key[1]}' of process '{key[0]}'", "good")
            keys.add(key)
        result.append((raw, parsed))
    if must and not result:
        raise InputError(f"no rows in {name}.csv", file=str(path))
    return result


def _describe(err: ErrorDetails) -> str:
    """A validation error in words, with the bound that was broken."""
    bound = {"greater_than_equal": ">=", "less_than_equal": "<="}.get(err["type"])
    if bound:
        limit = err["ctx"]["ge" if bound == ">=" else "le"]
        return f"must be {bound} {limit:g}, got {err.get('input')}"
    return _message(err)


def write_multiyear_folder(model: MultiYearEconomy, out: str | Path) -> Path:
    """Write ``model`` as a multi-period folder that reads back to the same model.

    ``out`` must not exist or be an empty folder (nothing is half written).
    """
    eco = model.economy
    with new_folder(Path(out)) as tmp:
        write_economy_tables(eco, tmp)
        write_csv(
            tmp / "periods.csv",
            ("period", "hours_available", "members"),
            (
                [name, _opt(h), "" if m != m else str(int(m))]
                for name, h, m in zip(
                    model.period_names, model.period_hours, model.period_members, strict=True
                )
            ),
        )
        write_csv(
            tmp / "needs.csv",
            ("council", "good", "quantity", "priority", "period"),
            (
                [
                    eco.councils[c].name,
                    eco.good_names[g],
                    format_number(q),
                    "essential" if e else "normal",
                    model.period_names[t],
                ]
                for t, c, g, q, e in zip(
                    model.need_period,
                    model.need_council,
                    model.need_good,
                    model.need_quantity,
                    model.need_essential,
                    strict=True,
                )
            ),
        )
        caps = model.capital_records()
        write_csv(
            tmp / "capital.csv",
            ("process", "good", "quantity", "stock", "build_time"),
            (
                [c.process, c.good, format_number(c.quantity), format_number(c.stock), c.build_time]
                for c in caps
            ),
        )
        write_csv(
            tmp / "depreciation.csv",
            ("process", "good", "rate"),
            ([c.process, c.good, format_number(c.depreciation)] for c in caps if c.depreciation),
        )
        base = eco.council_hours
        write_csv(
            tmp / "labour.csv",
            ("council", "period", "hours_available"),
            (
                [eco.councils[c].name, model.period_names[t], format_number(h)]
                for c in range(len(eco.councils))
                for t, h in enumerate(model.council_hours[c])
                if h == h and h != base[c]
            ),
        )
        write_csv(
            tmp / "storage.csv",
            ("good", "loss"),
            (
                [g, format_number(loss)]
                for g, loss in zip(eco.good_names, model.storage_loss, strict=True)
                if loss
            ),
        )
        notes = tmp / "notes.txt"
        notes.unlink(missing_ok=True)
        if model.notes:
            notes.write_text("\n".join(model.notes) + "\n", encoding="utf-8")
    return Path(out)


def _opt(value: float) -> str:
    return "" if value != value else format_number(value)
