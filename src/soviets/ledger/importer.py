"""Put an economy's goods, processes, means of production, needs and stocks into the ledger.

The councils must exist already (founding them is governance's business);
``councils`` maps each council name of the economy to its id. Each process
with a capacity gets a means of production: a resource ``"<process> works"``
held by its council, linked to the process, giving that capacity (so the
capacity comes from the inventory, and moves with it). A stock of a good is
held by the council of the first process that makes it (or by ``holder`` when
no process makes it). Needs are registered as ``proposed``: each territorial
council still approves them by vote.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from soviets.economy import Economy
from soviets.ledger import inventory, needs, processes
from soviets.ledger.errors import NotFound
from soviets.ledger.models import Good


@dataclass(frozen=True)
class Imported:
    """What was put into the ledger."""

    goods: int
    processes: int
    means_of_production: int
    needs: int
    stocks: dict[str, str]  # good -> holding council


def import_economy(
    session: Session,
    economy: Economy,
    *,
    period: str,
    councils: Mapping[str, int],
    actor_id: int,
    mandate: str,
    holder: int | None = None,
    registrars: Mapping[str, int] | None = None,
) -> Imported:
    """Import ``economy`` for ``period`` (see the module docstring).

    ``actor_id`` and ``mandate`` authorise the inventory events (the opening
    stocks and means of production); ``registrars`` names, per territorial
    council, the member who registers its needs.
    """
    missing = [c.name for c in economy.councils if c.name not in councils]
    if missing:
        raise NotFound(f"council '{missing[0]}' of the economy is not in the ledger")
    goods = {
        g.name: processes.add_good(session, name=g.name, unit=g.unit, kind=g.kind, limit=g.limit)
        for g in economy.goods_records()
    }
    means = _add_processes(session, economy, councils, actor_id, mandate)
    for n in economy.need_records():
        needs.register_need(
            session,
            council_id=councils[n.council],
            period=period,
            good=n.good,
            quantity=n.quantity,
            priority=n.priority,
            person_id=(registrars or {}).get(n.council),
        )
    stocks = _add_stocks(session, economy, councils, goods, holder, actor_id, mandate)
    return Imported(
        goods=len(goods),
        processes=economy.n_processes,
        means_of_production=means,
        needs=economy.n_needs,
        stocks=stocks,
    )


def _add_processes(
    session: Session, economy: Economy, councils: Mapping[str, int], actor_id: int, mandate: str
) -> int:
    """Register every process; each one with a capacity gets its means of production (the
    works, raised once). Returns how many means of production were raised."""
    means = 0
    for p in economy.process_records():
        council_id = councils[p.council]
        process = processes.register_process(
            session, name=p.name, council_id=council_id, labour=p.labour, flows=p.flows
        )
        if p.capacity is not None:
            works = inventory.create_resource(
                session,
                name=f"{p.name} works",
                kind="means_of_production",
                holder_council_id=council_id,
                unit="works",
                process_id=process.id,
                capacity_per_unit=p.capacity,
            )
            inventory.record(
                session, "raise", resource_id=works.id, quantity=1.0, actor_id=actor_id,
                mandate=mandate,
            )  # fmt: skip
            means += 1
    return means


def _add_stocks(
    session: Session,
    economy: Economy,
    councils: Mapping[str, int],
    goods: Mapping[str, Good],
    holder: int | None,
    actor_id: int,
    mandate: str,
) -> dict[str, str]:
    """Raise each stock as a consumer good held by the council of the first process that
    makes it (else ``holder``). Returns the holding council's name per good."""
    makers = economy.main_output
    stocks = {}
    for g in np.flatnonzero(economy.stocks > 0):
        name = economy.good_names[g]
        making = np.flatnonzero(makers == g)
        if making.size:
            council_id = councils[economy.councils[economy.process_council[making[0]]].name]
        elif holder is not None:
            council_id = holder
        else:
            raise NotFound(f"nobody makes '{name}' to hold its stock: give a holder")
        resource = inventory.create_resource(
            session, name=name, kind="consumer_good", holder_council_id=council_id,
            unit=economy.good_units[g], good_id=goods[name].id,
        )  # fmt: skip
        inventory.record(
            session, "raise", resource_id=resource.id, quantity=float(economy.stocks[g]),
            actor_id=actor_id, mandate=mandate,
        )  # fmt: skip
        stocks[name] = inventory.get_council(session, council_id).name
    return stocks
