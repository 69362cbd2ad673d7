"""Processes of workplace councils as council actions.

A new or changed process changes what every later plan may use, so by
default it takes the council's vote: a ``register_process`` or
``change_process`` proposal, carried out when accepted. A council whose
``process.change`` rule is ``coordinator`` lets its coordinators do it alone
(:mod:`soviets.governance.commons`). Until then a proposed process is only a
payload in a proposal: it is not in the ledger, so no plan can use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.governance import authz, commons
from soviets.governance.errors import Conflict, InputError
from soviets.governance.execution import Payload, register_executor
from soviets.ledger import processes
from soviets.ledger.models import Council, Process, Proposal


def processes_of(session: Session, actor_id: int | None, council_id: int) -> list[Process]:
    """The processes of a council the actor may read, by name."""
    authz.require_read(session, actor_id, council_id)
    stmt = select(Process).where(Process.council_id == council_id).order_by(Process.name)
    return list(session.scalars(stmt))


def register_process(
    session: Session,
    actor_id: int,
    council_id: int,
    *,
    name: str,
    labour: float,
    flows: Mapping[str, float],
    capacity: float | None = None,
) -> Process:
    """A coordinator registers a process alone (only where ``process.change`` allows it)."""
    commons.require_mandate(
        session, actor_id, council_id, commons.PROCESS_CHANGE,
        what="a new process", kind="register_process",
    )  # fmt: skip
    return processes.register_process(
        session, name=name, council_id=council_id, labour=labour, flows=flows, capacity=capacity
    )


def change_process(
    session: Session,
    actor_id: int,
    process_id: int,
    *,
    labour: float,
    flows: Mapping[str, float],
    capacity: float | None = None,
) -> Process:
    """A coordinator changes a process alone (only where ``process.change`` allows it)."""
    process = processes.get_process(session, process_id)
    commons.require_mandate(
        session, actor_id, process.council_id, commons.PROCESS_CHANGE,
        what="changing a process", kind="change_process",
    )  # fmt: skip
    return processes.change_process(
        session, process_id=process.id, labour=labour, flows=flows, capacity=capacity
    )


# --- the register_process and change_process proposal kinds ------------------------------


def _spec(session: Session, name: str, payload: Payload) -> dict[str, Any]:
    """labour, flows and capacity of a (shaped) process payload, checked against the
    catalogue."""
    spec = {
        "labour": payload["labour"],
        "flows": dict(sorted(payload["flows"].items())),
        "capacity": payload.get("capacity"),
    }
    processes.check_flows(session, name, **spec)
    return spec


def _workplace(council: Council) -> None:
    if council.kind != "workplace":
        raise Conflict(f"council '{council.name}' is not a workplace council: it runs no processes")


def _check_register(session: Session, council: Council, payload: Payload, now: datetime) -> Payload:
    _workplace(council)
    name = payload["name"].strip()
    if not name:
        raise InputError("needs a name", field="payload.name")
    if session.scalar(select(Process.id).where(Process.name == name)) is not None:
        raise Conflict(f"a process named '{name}' already exists")
    return {"name": name, **_spec(session, name, payload)}


def _register(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> None:
    processes.register_process(session, council_id=proposal.council_id, **payload)


def _check_change(session: Session, council: Council, payload: Payload, now: datetime) -> Payload:
    _workplace(council)
    process_id = payload["process_id"]
    process = session.get(Process, process_id)
    if process is None:
        raise InputError(f"no process #{process_id}", field="payload.process_id")
    if process.council_id != council.id:
        raise Conflict(f"process '{process.name}' is run by another council than '{council.name}'")
    return {"process_id": process_id, **_spec(session, process.name, payload)}


def _change(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> None:
    processes.change_process(session, **payload)


register_executor("register_process", _register, validate=_check_register)
register_executor("change_process", _change, validate=_check_change)
