"""The bread world of the federated labour-budget tests: a region needs 10 t of bread;
its farm grows grain (1 hour a tonne) and its bakery bakes it (2 hours a tonne), so
the whole need takes 30 hours. Hour budgets (None: none) make it bind."""

from __future__ import annotations

from soviets import economy as e


def bread_world(
    region: float | None = None,
    farm: float | None = None,
    bakery: float | None = None,
    priority: str = "normal",
) -> e.Economy:
    """A region with a farm and a bakery (each with a process) under a federation, with
    these hour budgets and the bread need of this priority."""
    return e.Economy.from_records(
        goods=[e.Good("grain", "t"), e.Good("bread", "t")],
        councils=[
            e.Council("fed", "federation"),
            e.Council("region", "territorial", "fed", 3, region),
            e.Council("farm", "workplace", "region", 1, farm),
            e.Council("bakery", "workplace", "region", 1, bakery),
        ],
        processes=[
            e.Process("grow", "farm", 1.0, {"grain": 1.0}),
            e.Process("bake", "bakery", 2.0, {"bread": 1.0, "grain": -1.0}),
        ],
        needs=[e.Need("region", "bread", 10.0, priority)],
    )
