"""The records an economy is made of: goods, councils, processes, flows and needs.

Plain frozen dataclasses with no checks of their own (a kind is any string
here); the one place that checks them is :mod:`soviets.economy.validate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

GOOD_KINDS: tuple[str, ...] = ("produced", "primary")
COUNCIL_KINDS: tuple[str, ...] = ("workplace", "territorial", "federation")
PRIORITIES: tuple[str, ...] = ("essential", "normal")


@dataclass(frozen=True, slots=True)
class Good:
    """A good with its unit; ``primary`` goods are not produced and may be limited."""

    name: str
    unit: str = ""
    kind: str = "produced"  # one of GOOD_KINDS
    limit: float | None = None


@dataclass(frozen=True, slots=True)
class Council:
    """A soviet: a workplace, a territorial council or a federation of councils."""

    name: str
    kind: str  # one of COUNCIL_KINDS
    parent: str | None = None
    members: int | None = None
    hours_available: float | None = None


@dataclass(frozen=True, slots=True)
class Process:
    """One technology, run by one workplace council.

    ``flows`` maps a good to its quantity per unit of activity: positive for
    an output, negative for an input. ``capacity`` is the most activity per
    period (None: no limit).
    """

    name: str
    council: str
    labour: float
    flows: Mapping[str, float]
    capacity: float | None = None


@dataclass(frozen=True, slots=True)
class Need:
    """A quantity of a good asked for by a territorial council in the period."""

    council: str
    good: str
    quantity: float
    priority: str = "essential"  # one of PRIORITIES


@dataclass(frozen=True, slots=True)
class Flow:
    """One row of the flows table: ``quantity`` of ``good`` per unit of ``process``'s activity."""

    process: str
    good: str
    quantity: float
