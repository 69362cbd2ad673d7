"""The worked example in the multi-period model's docstring runs."""

from __future__ import annotations

import doctest

import soviets.economy.multiyear


def test_docstring_example() -> None:
    result = doctest.testmod(soviets.economy.multiyear)
    assert result.attempted > 0 and result.failed == 0
