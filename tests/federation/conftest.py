"""Small economies for the federation tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from soviets.economy import Council, Economy, Good, Need, Process

ROOT = Path(__file__).resolve().parents[2]


def chain_economy() -> Economy:
    """Grain -> flour -> bread with two mills (one cheap, one dear) and a cycle
    (the farm uses a little bread), needs in two regions."""
    return Economy.from_records(
        goods=[Good("grain"), Good("flour"), Good("bread")],
        councils=[
            Council("north", "territorial", members=53, hours_available=1234.5),
            Council("south", "territorial", members=71),
            Council("farm", "workplace", parent="north"),
            Council("mill-a", "workplace", parent="north"),
            Council("mill-b", "workplace", parent="south"),
            Council("bakery", "workplace", parent="south"),
        ],
        processes=[
            Process("grow", "farm", 1.2345678, {"grain": 1.0, "bread": -0.0123457}),
            Process("mill-cheap", "mill-a", 0.3141593, {"flour": 1.0, "grain": -1.1111113}),
            Process("mill-dear", "mill-b", 0.9876543, {"flour": 1.0, "grain": -1.0471976}),
            Process("bake", "bakery", 0.5772157, {"bread": 1.0, "flour": -0.6931472}),
        ],
        needs=[
            Need("north", "bread", 30.0),
            Need("south", "bread", 45.0),
            Need("south", "flour", 5.0, "normal"),
        ],
    )


@pytest.fixture
def chain() -> Economy:
    return chain_economy()


@pytest.fixture(scope="session")
def examples() -> dict[str, Economy]:
    from soviets.formats import load_economy

    return {
        "village": load_economy(ROOT / "examples" / "village.toml"),
        "two-regions": load_economy(ROOT / "examples" / "two-regions"),
    }
