"""The economy model: goods, councils, processes, needs, stocks (no I/O, no solving)."""

from soviets.economy.model import (
    COUNCIL_KINDS,
    GOOD_KINDS,
    PRIORITIES,
    Council,
    Economy,
    Flow,
    Good,
    Need,
    Process,
)

__all__ = [
    "COUNCIL_KINDS",
    "GOOD_KINDS",
    "PRIORITIES",
    "Council",
    "Economy",
    "Flow",
    "Good",
    "Need",
    "Process",
]
