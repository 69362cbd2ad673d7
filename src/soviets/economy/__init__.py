"""The economy model: goods, councils, processes, needs, stocks (no I/O, no solving).

The multi-period model (capital, depreciation, periods) is in :mod:`.multiyear`.
"""

from soviets.economy.model import (
    COUNCIL_KINDS,
    GOOD_KINDS,
    PRIORITIES,
    Council,
    Economy,
    Good,
    Need,
    Process,
)
from soviets.economy.multiyear import (
    Capital,
    MultiYearEconomy,
    Period,
    PeriodHours,
    PeriodNeed,
)

__all__ = [
    "COUNCIL_KINDS",
    "GOOD_KINDS",
    "PRIORITIES",
    "Capital",
    "Council",
    "Economy",
    "Good",
    "MultiYearEconomy",
    "Need",
    "Period",
    "PeriodHours",
    "PeriodNeed",
    "Process",
]
