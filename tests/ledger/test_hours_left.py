"""The rest of a period keeps each council's hour budget less the hours worked under it."""

from __future__ import annotations

import numpy as np

from soviets import economy as e
from soviets.ledger.rounds import hours_left


def _eco() -> e.Economy:
    return e.Economy.from_records(
        goods=[e.Good("bread", "t")],
        councils=[
            e.Council("fed", "federation"),
            e.Council("region", "territorial", "fed", 3, 100.0),
            e.Council("bakery", "workplace", "region", 1, 30.0),
            e.Council("mill", "workplace", "region", 1, None),
        ],
        processes=[e.Process("bake", "bakery", 2.0, {"bread": 1.0})],
        needs=[],
    )


def test_hours_worked_count_against_the_council_and_every_budget_above_it() -> None:
    left = hours_left(_eco(), {"bakery": 25.0, "mill": 10.0})
    # fed and the mill have no budget; the region lost both, the bakery its own
    assert np.array_equal(np.isnan(left.council_hours), [True, False, False, True])
    assert left.council_hours[1:3].tolist() == [65.0, 5.0]


def test_a_budget_overdrawn_is_left_at_zero_and_unknown_councils_are_ignored() -> None:
    left = hours_left(_eco(), {"bakery": 40.0, "elsewhere": 5.0})
    assert left.council_hours[1:3].tolist() == [60.0, 0.0]
