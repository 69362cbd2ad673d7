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

from soviets.ledger.errors import Conflict, LedgerError, NotAllowed, NotFound
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
    """Add a good to the catalogue (``produced``, or ``primary`` with an optional limit)."""
    if not name.strip():
        raise LedgerError("a good needs a name")
    if kind not in ("produced", "primary"):
        raise LedgerError(f"good kind must be produced or primary, got '{kind}'")
    if limit is not None and (kind != "primary" or not math.isfinite(limit) or limit < 0):
        raise LedgerError("only a primary good may have a limit, and it must be a number >= 0")
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
    per unit of activity (+ made, - used); ``labour`` hours per unit."""
    council = get_council(session, council_id)
    if council.kind != "workplace":
        raise NotAllowed(f"council '{council.name}' is not a workplace council")
    if session.scalar(select(Process.id).where(Process.name == name)):
        raise Conflict(f"a process named '{name}' already exists")
    made = check_flows(session, name, labour=labour, flows=flows, capacity=capacity)
    process = Process(name=name, council_id=council.id, labour=labour, capacity=capacity)
    for good_id, quantity in made.items():
        process.flows.append(ProcessFlow(good_id=good_id, quantity=quantity))
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
