"""The worked examples in the planning modules' docstrings run."""

from __future__ import annotations

import doctest

import pytest

import soviets.planning
import soviets.planning.linalg
import soviets.planning.values


@pytest.mark.parametrize(
    "module", [soviets.planning, soviets.planning.values, soviets.planning.linalg]
)
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
