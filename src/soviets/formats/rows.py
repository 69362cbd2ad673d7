"""Row models of the economy tables: how the two economy formats parse their rows.

Both economy formats (a folder of CSV tables, one TOML file) hand their rows
to :func:`build_economy`: each row's values are parsed with Pydantic (types
only), then :func:`soviets.economy.validate.validate_records` checks the
values and the links between tables. A problem raises :class:`InputError`
naming the file (or ``file [table]`` for TOML), the data row (from 1, in file
order; for CSV data row ``r`` is line ``r + 1``, the header being line 1) and
the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from soviets.economy import Council, Economy, Flow, Good, Need, Process
from soviets.economy.validate import validate_records
from soviets.errors import InputError


class _Row(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False, str_strip_whitespace=True, frozen=True)


class GoodRow(_Row):
    good: str
    unit: str = ""
    kind: str = "produced"
    limit: float | None = None


class CouncilRow(_Row):
    council: str
    kind: str
    parent: str | None = None
    members: int | None = None
    hours_available: float | None = None


class ProcessRow(_Row):
    process: str
    council: str
    labour: float
    capacity: float | None = None


class FlowRow(_Row):
    process: str
    good: str
    quantity: float


class NeedRow(_Row):
    council: str
    good: str
    quantity: float
    priority: str = "essential"


class StockRow(_Row):
    good: str
    quantity: float


#: table name -> (row model, columns that must be present in a CSV header)
TABLES: dict[str, tuple[type[_Row], tuple[str, ...]]] = {
    "goods": (GoodRow, ("good",)),
    "councils": (CouncilRow, ("council", "kind")),
    "processes": (ProcessRow, ("process", "council", "labour")),
    "flows": (FlowRow, ("process", "good", "quantity")),
    "needs": (NeedRow, ("council", "good", "quantity")),
    "stocks": (StockRow, ("good", "quantity")),
}
REQUIRED_TABLES = ("goods", "councils", "processes", "flows")


@dataclass(frozen=True)
class RawRow:
    """One row as read from a file, with where it came from.

    ``labels`` renames fields in error messages (a TOML inline flow
    ``flows = {bread = 1}`` reports its quantity as field ``flows.bread``).
    """

    file: str
    row: int
    values: dict[str, Any]
    labels: dict[str, str] | None = None

    def error(self, message: str, fieldname: str | None) -> InputError:
        label = (self.labels or {}).get(fieldname or "", fieldname)
        return InputError(message, file=self.file, row=self.row, field=label)


def _message(err: dict[str, Any]) -> str:
    kind, value = err["type"], err.get("input")
    if kind == "missing":
        return "a value is required"
    if kind in ("float_parsing", "float_type"):
        return f"not a number: {value!r}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"not a whole number: {value!r}"
    if kind == "finite_number":
        return f"not a finite number: {value!r}"
    if kind == "greater_than_equal":
        return f"must be >= 0, got {value}"
    if kind == "literal_error":
        return f"must be {err['ctx']['expected']}, got {value!r}"
    if kind in ("string_type", "string_too_short"):
        return f"expected a name, got {value!r}"
    return str(err["msg"])


def validate(table: str, raw: RawRow, strict: bool) -> Any:
    """Validate one row with its table's model (strict types for TOML)."""
    model = TABLES[table][0]
    values = {k: v for k, v in raw.values.items() if v is not None and v != ""}
    try:
        return model.model_validate(values, strict=strict)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = err["loc"][0] if err["loc"] else None
        raise raw.error(_message(err), str(loc) if loc is not None else None) from None


def build_economy(
    tables: dict[str, list[RawRow]], *, strict: bool, name: str = "", notes: list[str] | None = None
) -> Economy:
    """Parse the rows of every table, check them and build the economy.

    Each row's values are parsed here (types only); every rule on the values
    and between tables is :func:`soviets.economy.validate.validate_records`'s,
    with errors placed at the row and column of the file they came from.
    """
    rows = {t: [validate(t, r, strict) for r in tables.get(t, [])] for t in TABLES}

    def error_at(table: str, index: int, field: str, message: str) -> InputError:
        return tables[table][index].error(message, field)

    goods = [Good(g.good, g.unit, g.kind, g.limit) for g in rows["goods"]]
    councils = [
        Council(c.council, c.kind, c.parent, c.members, c.hours_available) for c in rows["councils"]
    ]
    bare = [Process(p.process, p.council, p.labour, {}, p.capacity) for p in rows["processes"]]
    flow_rows = [Flow(f.process, f.good, f.quantity) for f in rows["flows"]]
    needs = [Need(n.council, n.good, n.quantity, n.priority) for n in rows["needs"]]
    stocks = [(s.good, s.quantity) for s in rows["stocks"]]
    validate_records(goods, councils, bare, flow_rows, needs, stocks, error_at=error_at)

    flows: dict[str, dict[str, float]] = {p.name: {} for p in bare}
    for f in flow_rows:
        flows[f.process][f.good] = f.quantity
    processes = [Process(p.name, p.council, p.labour, flows[p.name], p.capacity) for p in bare]
    # The records are valid now; from_records checks them again (cheaply) and refuses
    # free production, placed in the file by the same error_at (processes keep their order).
    return Economy.from_records(
        goods=goods,
        councils=councils,
        processes=processes,
        needs=needs,
        stocks=dict(stocks),
        name=name,
        notes=notes or [],
        error_at=error_at,
    )
