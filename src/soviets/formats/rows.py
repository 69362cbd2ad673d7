"""Row models of the economy tables and the checks that link them.

Both economy formats (a folder of CSV tables, one TOML file) hand their rows
to :func:`build_economy`: each row is validated with Pydantic, then names are
resolved across tables, and a problem raises :class:`InputError` naming the
file (or ``file [table]`` for TOML), the data row (from 1, in file order; for
CSV data row ``r`` is line ``r + 1``, the header being line 1) and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from soviets.economy import Council, Economy, Good, Need, Process
from soviets.errors import InputError

NonNegative = Annotated[float, Field(ge=0)]
Name = Annotated[str, Field(min_length=1)]


class _Row(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False, str_strip_whitespace=True, frozen=True)


class GoodRow(_Row):
    good: Name
    unit: str = ""
    kind: Literal["produced", "primary"] = "produced"
    limit: NonNegative | None = None


class CouncilRow(_Row):
    council: Name
    kind: Literal["workplace", "territorial", "federation"]
    parent: str | None = None
    members: Annotated[int, Field(ge=0)] | None = None
    hours_available: NonNegative | None = None


class ProcessRow(_Row):
    process: Name
    council: Name
    labour: NonNegative
    capacity: NonNegative | None = None


class FlowRow(_Row):
    process: Name
    good: Name
    quantity: float


class NeedRow(_Row):
    council: Name
    good: Name
    quantity: NonNegative
    priority: Literal["essential", "normal"] = "essential"


class StockRow(_Row):
    good: Name
    quantity: NonNegative


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
    """Validate the rows of every table, resolve names and build the economy."""
    rows = {t: [(r, validate(t, r, strict)) for r in tables.get(t, [])] for t in TABLES}

    goods: dict[str, GoodRow] = {}
    for raw, g in rows["goods"]:
        if g.good in goods:
            raise raw.error(f"duplicate good '{g.good}'", "good")
        if g.limit is not None and g.kind != "primary":
            raise raw.error("only primary goods may have a limit", "limit")
        goods[g.good] = g

    councils: dict[str, CouncilRow] = {}
    for raw, c in rows["councils"]:
        if c.council in councils:
            raise raw.error(f"duplicate council '{c.council}'", "council")
        councils[c.council] = c
    for raw, c in rows["councils"]:
        if c.parent is not None:
            if c.parent not in councils:
                raise raw.error(f"unknown parent council '{c.parent}'", "parent")
            seen, cur = [c.council], c.parent
            while cur is not None:
                if cur in seen:
                    chain = " -> ".join([*seen, cur])
                    raise raw.error(f"councils' parents form a cycle: {chain}", "parent")
                seen.append(cur)
                cur = councils[cur].parent

    procs: dict[str, tuple[RawRow, ProcessRow]] = {}
    for raw, p in rows["processes"]:
        if p.process in procs:
            raise raw.error(f"duplicate process '{p.process}'", "process")
        if p.council not in councils:
            raise raw.error(f"unknown council '{p.council}'", "council")
        if councils[p.council].kind != "workplace":
            raise raw.error(f"council '{p.council}' is not a workplace council", "council")
        procs[p.process] = (raw, p)

    flows: dict[str, dict[str, float]] = {p: {} for p in procs}
    for raw, f in rows["flows"]:
        if f.process not in procs:
            raise raw.error(f"unknown process '{f.process}'", "process")
        if f.good not in goods:
            raise raw.error(f"unknown good '{f.good}'", "good")
        if f.good in flows[f.process]:
            raise raw.error(f"process '{f.process}' already has a flow of '{f.good}'", "good")
        if f.quantity > 0 and goods[f.good].kind == "primary":
            raise raw.error(
                f"process '{f.process}' makes primary input '{f.good}' (primary inputs are "
                "only used)",
                "quantity",
            )
        flows[f.process][f.good] = f.quantity
    for p, (raw, _) in procs.items():
        if not any(q > 0 for q in flows[p].values()):
            raise raw.error(
                f"process '{p}' makes nothing (no positive quantity in flows)", "process"
            )

    need_keys: set[tuple[str, str, str]] = set()
    for raw, n in rows["needs"]:
        if n.council not in councils:
            raise raw.error(f"unknown council '{n.council}'", "council")
        if councils[n.council].kind != "territorial":
            raise raw.error(f"council '{n.council}' is not a territorial council", "council")
        if n.good not in goods:
            raise raw.error(f"unknown good '{n.good}'", "good")
        if goods[n.good].kind == "primary":
            raise raw.error(f"'{n.good}' is a primary input and cannot be needed", "good")
        key = (n.council, n.good, n.priority)
        if key in need_keys:
            raise raw.error(f"duplicate {n.priority} need of '{n.good}' for '{n.council}'", "good")
        need_keys.add(key)

    stocks: dict[str, float] = {}
    for raw, s in rows["stocks"]:
        if s.good not in goods:
            raise raw.error(f"unknown good '{s.good}'", "good")
        if s.good in stocks:
            raise raw.error(f"duplicate stock of '{s.good}'", "good")
        stocks[s.good] = s.quantity

    economy = Economy.from_records(
        goods=[Good(g.good, g.unit, g.kind, g.limit) for g in goods.values()],
        councils=[
            Council(c.council, c.kind, c.parent, c.members, c.hours_available)
            for c in councils.values()
        ],
        processes=[
            Process(p.process, p.council, p.labour, flows[p.process], p.capacity)
            for _, p in procs.values()
        ],
        needs=[Need(n.council, n.good, n.quantity, n.priority) for _, n in rows["needs"]],
        stocks=stocks,
        name=name,
        notes=notes or [],
    )
    free = free_production(economy)
    if free:
        raw = procs[free[0]][0]
        raise raw.error(
            "these processes make goods from nothing (no labour, no primary input): "
            + ", ".join(free)
            + "; give them labour or a primary input",
            "labour",
        )
    return economy


def free_production(economy: Economy) -> list[str]:
    """Processes that together make goods out of nothing, in process order (empty if none).

    Candidates are processes with zero labour, no primary input and a
    capacity above zero. They make something from nothing if some activity
    ``y >= 0`` of them has net output ``N y >= 0`` with at least one good
    strictly positive; a small linear program (HiGHS via SciPy) finds one:
    maximise ``sum(N y)`` subject to ``N y >= 0``, ``0 <= y <= 1``.
    A closed loop that only passes goods around (net output 0) is harmless.
    """
    inputs_primary = (
        np.asarray(economy.inputs[np.flatnonzero(economy.good_primary)].sum(axis=0)).ravel()
        if economy.good_primary.any()
        else np.zeros(economy.n_processes)
    )
    cand = np.flatnonzero((economy.labour == 0) & (inputs_primary == 0) & (economy.capacity > 0))
    if cand.size == 0:
        return []
    import scipy.optimize as opt  # here, not at the top: it is slow to import

    net = economy.net_output[:, cand].toarray()
    res = opt.linprog(
        c=-net.sum(axis=0),
        A_ub=-net,
        b_ub=np.zeros(net.shape[0]),
        bounds=(0.0, 1.0),
        method="highs",
    )
    if res.status != 0 or -res.fun <= 1e-9:
        return []
    return [economy.process_names[j] for j, y in zip(cand, res.x, strict=True) if y > 1e-9]
