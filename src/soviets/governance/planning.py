"""Running the planner for a federation: an action of its delegates.

The plans it stores are adopted by the federation's ``adopt_plan`` vote
(:mod:`soviets.governance.execution`), one period at a time.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from soviets.governance import authz
from soviets.ledger import multiyear_plans
from soviets.ledger.models import PlanRecord
from soviets.planning.multiyear_lp import Objective


def plan_periods(
    session: Session,
    person_id: int,
    federation_id: int,
    periods: list[str],
    objective: Objective | None = None,
) -> list[PlanRecord]:
    """Plan ``periods`` together for the federation and store one proposed plan per period.

    Only a current delegate to the federation may; see
    :func:`soviets.ledger.multiyear_plans.run_multiyear_plan`.
    """
    authz.require_delegate(session, person_id, federation_id)
    return multiyear_plans.run_multiyear_plan(session, periods, federation_id, objective)
