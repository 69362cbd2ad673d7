"""The economy model: goods, councils, processes, needs, stocks (no I/O, no solving).

The multi-period model (capital, depreciation, periods) is in :mod:`.multiyear`.
"""

from soviets.economy.model import Economy
from soviets.economy.multiyear import (
    Capital,
    MultiYearEconomy,
    Period,
    PeriodHours,
    PeriodNeed,
)
from soviets.economy.records import (
    COUNCIL_KINDS,
    GOOD_KINDS,
    PRIORITIES,
    Council,
    Flow,
    Good,
    Need,
    Process,
)

__all__ = [
    "COUNCIL_KINDS",
    "GOOD_KINDS",
    "PRIORITIES",
    "Capital",
    "Council",
    "Economy",
    "Flow",
    "Good",
    "MultiYearEconomy",
    "Need",
    "Period",
    "PeriodHours",
    "PeriodNeed",
    "Process",
]
