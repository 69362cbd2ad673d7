"""The period offered after the latest one: same calendar shape, no gap, no overlap."""

from __future__ import annotations

from datetime import date

import pytest

from soviets.governance import planning_service
from soviets.ledger import needs
from soviets.ledger.db import transaction

D = date.fromisoformat


@pytest.mark.parametrize(
    ("name", "first", "last", "expected"),
    [
        ("2026", "2026-01-01", "2026-12-31", ("2027", "2027-01-01", "2027-12-31")),
        # A calendar year followed by a leap year still ends on 31 December.
        ("2027", "2027-01-01", "2027-12-31", ("2028", "2028-01-01", "2028-12-31")),
        # A quarter is followed by the next quarter (months, not days).
        ("Q4", "2026-10-01", "2026-12-31", ("2027-01-01", "2027-01-01", "2027-03-31")),
        ("Jan", "2027-01-01", "2027-01-31", ("2027-02-01", "2027-02-01", "2027-02-28")),
        # Any other span is followed by as many days.
        ("w1", "2027-03-03", "2027-03-09", ("2027-03-10", "2027-03-10", "2027-03-16")),
    ],
)
def test_next_period(factory, name, first, last, expected) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as s:
        assert planning_service.next_period(s) is None
        needs.create_period(s, name=name, starts_on=D(first), ends_on=D(last))
        assert planning_service.next_period(s) == (expected[0], D(expected[1]), D(expected[2]))
