"""The goods catalogue and the processes of workplace councils.

A process's capacity (most activity per period) is its explicit ``capacity``
when one is set; otherwise it comes from the means of production its council
holds and has linked to it: the sum over those resources of
``quantity x capacity_per_unit``. A process with neither has no limit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soviets import economy as eco
from soviets.economy.validate import flows_of, validate_records
from soviets.errors import InputError
from soviets.ledger.errors import Conflict, LedgerError, NotFound
from soviets.ledger.inventory import get_council
from soviets.ledger.models import Good, Process, ProcessFlow, Resource


def add_good(
    session: Session,
    *,
    name: str,
    unit: str = "",
    kind: str = "produced",
    limit: float | None = None,
) -> Good:
    """Add a good to the catalogue (``produced``, or ``primary`` with an optional limit).

    The good is checked by the economy's validator
    (:func:`soviets.economy.validate.validate_records`), like a good of a file.
    """
    validate_records([eco.Good(name, unit, kind, limit)], [], [], [], error_at=_field_error)
    if session.scalar(select(Good.id).where(Good.name == name)):
        raise Conflict(f"the catalogue already has a good named '{name}'")
    good = Good(name=name, unit=unit, kind=kind, limit_per_period=limit)
    session.add(good)
    session.flush()
    return good


def get_good(session: Session, name: str) -> Good:
    """The catalogue's good of this name, or :class:`NotFound`."""
    good = session.scalar(select(Good).where(Good.name == name))
    if good is None:
        raise NotFound(f"no good named '{name}' in the catalogue")
    return good


def register_process(
    session: Session,
    *,
    name: str,
    council_id: int,
    labour: float,
    flows: Mapping[str, float],
    capacity: float | None = None,
) -> Process:
    """Register a workplace council's process: ``flows`` maps good names to quantities
    per unit of activity (+ made, - used); ``labour`` hours per unit.

    The process, its council and the catalogue's goods it names are checked by
    the economy's validator (:func:`soviets.economy.validate.validate_records`).
    """
    council = get_council(session, council_id)
    if session.scalar(select(Process.id).where(Process.name == name)):
        raise Conflict(f"a process named '{name}' already exists")
    goods = {g.name: g for g in session.scalars(select(Good).where(Good.name.in_(list(flows))))}
    record = eco.Process(name, council.name, labour, flows, capacity)
    validate_records(
        [eco.Good(g.name, g.unit, g.kind, g.limit_per_period) for g in goods.values()],
        [eco.Council(council.name, council.kind)],
        [record],
        flows_of([record]),
        error_at=_field_error,
    )
    process = Process(name=name, council_id=council.id, labour=labour, capacity=capacity)
    for good_name, quantity in flows.items():
        if quantity != 0:
            process.flows.append(ProcessFlow(good_id=goods[good_name].id, quantity=quantity))
    session.add(process)
    session.flush()
    return process


def change_process(
    session: Session,
    *,
    process_id: int,
    labour: float,
    flows: Mapping[str, float],
    capacity: float | None = None,
) -> Process:
    """Replace a process's labour (hours per unit), flows and capacity."""
    process = get_process(session, process_id)
    made = check_flows(session, process.name, labour=labour, flows=flows, capacity=capacity)
    process.labour, process.capacity = labour, capacity
    process.flows.clear()
    session.flush()
    for good_id, quantity in made.items():
        process.flows.append(ProcessFlow(good_id=good_id, quantity=quantity))
    session.flush()
    return process


def get_process(session: Session, process_id: int) -> Process:
    """The process with this id, or :class:`NotFound`."""
    process = session.get(Process, process_id)
    if process is None:
        raise NotFound(f"no process with id {process_id}")
    return process


def check_flows(
    session: Session,
    name: str,
    *,
    labour: float,
    flows: Mapping[str, float],
    capacity: float | None,
) -> dict[int, float]:
    """Check a process's labour, capacity and flows; the flows by good id."""
    if not (math.isfinite(labour) and labour >= 0):
        raise LedgerError(f"labour must be a number >= 0, got {labour}")
    if capacity is not None and not (math.isfinite(capacity) and capacity >= 0):
        raise LedgerError(f"capacity must be a number >= 0, got {capacity}")
    if not any(q > 0 for q in flows.values()):
        raise LedgerError(f"process '{name}' makes nothing (no positive flow)")
    made: dict[int, float] = {}
    for good_name, quantity in flows.items():
        good = get_good(session, good_name)
        if not math.isfinite(quantity) or quantity == 0:
            raise LedgerError(f"flow of '{good_name}' must be a non-zero number, got {quantity}")
        if quantity > 0 and good.kind == "primary":
            raise LedgerError(f"process '{name}' cannot make primary input '{good_name}'")
        made[good.id] = quantity
    return made


def _field_error(table: str, index: int, field: str, message: str) -> InputError:
    """An error naming the field of the request (``flows`` for a flow's good or quantity)."""
    return InputError(message, field="flows" if table == "flows" else field)


def capacities(session: Session) -> dict[int, float | None]:
    """Capacity of every process by id (None: no limit); see the module docstring."""
    from_means = dict(
        session.execute(
            select(Resource.process_id, func.sum(Resource.quantity * Resource.capacity_per_unit))
            .join(Process, Process.id == Resource.process_id)
            .where(
                Resource.kind == "means_of_production",
                Resource.capacity_per_unit.is_not(None),
                Resource.holder_council_id == Process.council_id,
            )
            .group_by(Resource.process_id)
        ).all()
    )
    result: dict[int, float | None] = {}
    for pid, explicit in session.execute(select(Process.id, Process.capacity)):
        result[pid] = explicit if explicit is not None else from_means.get(pid)
    return result
