"""A council's own rules, changed only by an accepted ``change_rules`` proposal.

Known keys (values are stored as text in ``council_rules``):

* ``proposal.quorum``: the default quorum of new proposals, a share of the
  electorate from 0 to 1 (when unset: :data:`DEFAULT_QUORUM`);
* ``booking.max_hours``: the longest booking of a shared good, in hours (> 0);
* ``booking.max_active``: bookings a member may hold at once (whole number > 0);
* ``council.public``: ``true`` makes the council's members, votes and data
  readable by everyone (kept in ``councils.public``, not in the rules table).

Payload: ``{"rules": {"booking.max_hours": 4, "proposal.quorum": null}}``; a
null value removes the rule (back to the default).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.governance import authz
from soviets.governance.errors import InputError
from soviets.governance.execution import Payload, only_keys, register_executor
from soviets.ledger.models import Council, CouncilRule, Proposal

DEFAULT_QUORUM = 0.5
PUBLIC = "council.public"


def _number(value: Any, *, whole: bool, low: float, high: float | None = None) -> str:
    ok = not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)
    if ok and whole:
        ok = float(value).is_integer()
    if not ok or value < low or (high is not None and value > high):
        upper = f" and <= {high:g}" if high is not None else ""
        kind = "a whole number" if whole else "a number"
        raise ValueError(f"must be {kind} >= {low:g}{upper}, got {value!r}")
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _bool(value: Any) -> str:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {value!r}")
    return "true" if value else "false"


RULES: dict[str, Callable[[Any], str]] = {
    "proposal.quorum": lambda v: _number(v, whole=False, low=0, high=1),
    "booking.max_hours": lambda v: _number(v, whole=False, low=1e-9),
    "booking.max_active": lambda v: _number(v, whole=True, low=1),
    PUBLIC: _bool,
}
"""Each known key and the function that checks a value and gives its stored text."""


# --- the commons: what a coordinator may do alone (see soviets.governance.commons) ---------
def _choice(value: Any, *allowed: str) -> str:
    if value not in allowed:
        raise ValueError(f"must be one of {', '.join(allowed)}, got {value!r}")
    return str(value)


RULES.update(
    {
        "process.change": lambda v: _choice(v, "vote", "coordinator"),
        "agreement.accept": lambda v: _choice(v, "vote", "coordinator"),
        "stock.writedown_limit": lambda v: _number(v, whole=False, low=0),
    }
)


def get_rule(session: Session, council_id: int, key: str) -> str | None:
    """The council's value for ``key`` (text), or None when unset."""
    return session.scalar(
        select(CouncilRule.value).where(
            CouncilRule.council_id == council_id, CouncilRule.key == key
        )
    )


def default_quorum(session: Session, council_id: int) -> float:
    """The quorum new proposals of the council get unless they say otherwise."""
    value = get_rule(session, council_id, "proposal.quorum")
    return DEFAULT_QUORUM if value is None else float(value)


def council_rules(session: Session, actor_id: int | None, council_id: int) -> dict[str, str]:
    """All rules of a council the actor may read, as text, including ``council.public``."""
    council = authz.require_read(session, actor_id, council_id)
    rows = session.execute(
        select(CouncilRule.key, CouncilRule.value)
        .where(CouncilRule.council_id == council_id)
        .order_by(CouncilRule.key)
    ).all()
    return {**dict(rows), PUBLIC: "true" if council.public else "false"}


def _validate(session: Session, council: Council, payload: Payload, now: datetime) -> Payload:
    only_keys(payload, "rules")
    changes = payload.get("rules")
    if not isinstance(changes, dict) or not changes:
        raise InputError("needs an object of rule changes", field="payload.rules")
    out: dict[str, Any] = {}
    for key, value in sorted(changes.items()):
        if key not in RULES:
            raise InputError(
                f"unknown rule '{key}' (known: {', '.join(sorted(RULES))})", field="payload.rules"
            )
        if value is None and key == PUBLIC:
            raise InputError("council.public cannot be removed, only set", field=f"payload.{key}")
        try:
            if value is not None:
                RULES[key](value)
        except ValueError as exc:
            raise InputError(str(exc), field=f"payload.rules.{key}") from None
        out[key] = value
    return {"rules": out}


def _execute(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> None:
    council = authz.get_council(session, proposal.council_id)
    for key, given in payload["rules"].items():
        if key == PUBLIC:
            council.public = given
            continue
        value = None if given is None else RULES[key](given)
        rule = session.get(CouncilRule, (council.id, key))
        if value is None:
            if rule is not None:
                session.delete(rule)
        elif rule is None:
            session.add(
                CouncilRule(
                    council_id=council.id, key=key, value=value, set_by=proposal.id, set_at=now
                )
            )
        else:
            rule.value, rule.set_by, rule.set_at = value, proposal.id, now
    session.flush()


register_executor("change_rules", _execute, validate=_validate)
