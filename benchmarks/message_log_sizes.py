"""The size of a federated plan's message log: bytes on the wire against bytes stored.

    python -m benchmarks.message_log_sizes

Plans three economies by the protocol with a :class:`~soviets.federation.MessageLog`:
``examples/two-regions``; the round world of the service tests
(``tests/server/round_world.py``, least hours); and its budget world in labour-budget
mode with Riverside's budget cut to 105 hours, where the budget binds (as in
``tests/server/test_budget_rounds.py``). Prints per economy the rounds and messages,
the bytes the post carried, the log's bytes (msgpack) and what the service stores
(zlib level 6, :mod:`soviets.ledger.message_logs`), all in bytes; in labour-budget
mode the share of normal needs met.
"""

from __future__ import annotations

import sys
import tempfile
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from soviets.economy import Economy
from soviets.federation import MessageLog, plan_federated
from soviets.formats import load_economy
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.economy import build_economy
from soviets.ledger.message_logs import LEVEL

ROOT = Path(__file__).resolve().parents[1]
BINDING_HOURS = 105.0  # Riverside's budget: 70 hours for the essential soup, 35 more


def _world_economy(budget: bool) -> Economy:
    """The ledger's economy of the round world (``budget``: its budget world)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from server.round_world import NEXT, build_budget_world, build_round_world

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/world.sqlite"
        world = (build_budget_world if budget else build_round_world)(url)
        engine = make_engine(url)
        try:
            with transaction(session_factory(engine)) as s:
                return build_economy(s, NEXT, world.ids["valley"])
        finally:
            engine.dispose()


def _binding(eco: Economy) -> Economy:
    """``eco`` with Riverside's hour budget cut to ``BINDING_HOURS``."""
    councils = [
        replace(c, hours_available=BINDING_HOURS) if c.name == "Riverside" else c
        for c in eco.councils
    ]
    return replace(eco, councils=councils)


def measure(name: str, eco: Economy, **kw: Any) -> str:
    """One line: the log's messages and sizes for ``eco`` planned with ``kw``."""
    log = MessageLog()
    plan = plan_federated(eco, message_log=log, **kw)
    proto = plan.extra["protocol"]
    payload = log.dump()
    stored = len(zlib.compress(payload, LEVEL))
    trials = len(proto.get("trials", [])) or 1
    share = "" if plan.fulfilment is None else f", share of normal needs {plan.fulfilment:.4f}"
    return (
        f"{name}: {trials} trial(s){share}, {proto['rounds']} rounds, "
        f"{proto['messages']} messages, "
        f"wire {proto['bytes']} bytes, log {len(payload)} bytes, stored {stored} bytes "
        f"({stored / max(1, proto['bytes']):.3f} of the wire, "
        f"{stored / max(1, proto['messages']):.2f} bytes per message)"
    )


def main() -> None:
    print(measure("two-regions", load_economy(ROOT / "examples" / "two-regions")))
    print(measure("round world", _world_economy(budget=False)))
    budget = _binding(_world_economy(budget=True))
    print(measure("budget world, 105 h", budget, mode="labour-budget"))


if __name__ == "__main__":
    main()
