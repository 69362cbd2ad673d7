"""A council's own rules, changed only by an accepted ``change_rules`` proposal.

Known keys (values are stored as text in ``council_rules``):

* ``proposal.quorum``: the quorum of the council's proposals, a share of the
  electorate from 0 to 1 (default 0.5); a proposer may ask for more, never less;
* ``proposal.floor``: the share of the electorate, 0 to 1, that must vote for a
  yes/no proposal for it to pass (default 0: none beyond the method's majority);
  a proposer may ask for more, never less;
* ``proposal.voting_hours``: how long a vote runs when its proposer sets no
  closing time, in hours (default 168, one week);
* ``proposal.min_voting_hours``: the shortest vote, in hours from opening to
  closing (default 24); never more than ``proposal.voting_hours``;
* ``proposal.discussion_hours``: how long a proposal is discussed (and may be
  amended) before its vote opens, in hours (default 0: voting opens at once);
* ``proposal.amendments``: how amendments and alternatives are decided:
  ``first`` (the default: each amendment by its own yes/no vote, then the
  amended proposal) or ``schulze`` (every version ranked together);
* ``discussion.hide``: who besides its author may hide a comment: ``coordinator``
  (the default), ``author`` (nobody) or ``vote`` (the council, by a ``hide_comment``
  proposal); see :mod:`soviets.governance.discussion`;
* ``federation.weighting``: how a federation counts its delegates' ballots:
  ``council`` (one council, one vote), ``members`` (each seat weighs the members
  its council represents) or ``double`` (both majorities needed; the default);
* ``ratification.kinds``: in a federation, the proposal kinds whose decisions always
  need ratification by the member councils (comma-separated, default ``none``);
* ``ratification.optional``: in a federation, whether a proposer may mark any other
  proposal to be ratified (default ``true``);
* ``ratification.councils`` and ``ratification.members``: a decision is ratified when
  more than this share (0 to 0.99) of the member councils, representing more than this
  share of their members, ratify it (defaults 0.5 and 0.5: a majority of councils
  representing a majority of members);
* ``ratification.days``: days the member councils have to ratify (default 30);
* ``booking.max_hours``: the longest booking of a shared good, in hours (> 0);
* ``booking.max_active``: bookings a member may hold at once (whole number > 0);
* ``membership.invite``: how people are brought in: ``vote`` (the default: any
  member may invite, and an accepted invitation or an application opens an
  ``admit_member`` vote), ``member`` (any member's invitation admits at once) or
  ``coordinator`` (a coordinator's invitation admits at once); admission without
  a vote is thus always the council's own choice;
* ``assembly.schedule``, ``assembly.decide``, ``assembly.quorum``,
  ``assembly.notice_hours``: who schedules assemblies and whether (and under
  what attendance and notice) proposals may be decided in the room
  (:mod:`soviets.governance.assemblies`);
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
from soviets.governance.execution import Payload, register_executor
from soviets.ledger.models import Council, CouncilRule, Proposal
from soviets.ledger.models.governance import AMENDMENT_MODES, PROPOSAL_KINDS

PUBLIC = "council.public"
WEIGHTINGS = ("council", "members", "double")
DEFAULT_TEXT = {
    "proposal.quorum": "0.5",
    "proposal.floor": "0",
    "proposal.voting_hours": "168",
    "proposal.min_voting_hours": "24",
    "proposal.discussion_hours": "0",
    "proposal.amendments": "first",
    "discussion.hide": "coordinator",
    "federation.weighting": "double",
    "booking.max_hours": "no limit",
    "booking.max_active": "no limit",
    "membership.invite": "vote",
    "process.change": "vote",
    "agreement.accept": "vote",
    "federation.join": "vote",
    "stock.writedown_limit": "0",
    "ratification.kinds": "none",
    "ratification.optional": "true",
    "ratification.councils": "0.5",
    "ratification.members": "0.5",
    "ratification.days": "30",
}
"""The value of each rule while the council has not set it, as shown to people."""


def _number(value: Any, *, whole: bool, low: float, high: float | None = None) -> str:
    ok = not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)
    if ok and whole:
        ok = float(value).is_integer()
    if not ok or value < low or (high is not None and value > high):
        upper = f" and <= {high:g}" if high is not None else ""
        kind = "a whole number" if whole else "a number"
        raise ValueError(f"must be {kind} >= {low:g}{upper}, got {value!r}")
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _choice(value: Any, *allowed: str) -> str:
    if value not in allowed:
        raise ValueError(f"must be one of {', '.join(allowed)}, got {value!r}")
    return str(value)


def _bool(value: Any) -> str:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {value!r}")
    return "true" if value else "false"


def _weighting(value: Any) -> str:
    if value not in WEIGHTINGS:
        raise ValueError(f"must be one of {', '.join(WEIGHTINGS)}, got {value!r}")
    return str(value)


RULES: dict[str, Callable[[Any], str]] = {
    "proposal.quorum": lambda v: _number(v, whole=False, low=0, high=1),
    "proposal.floor": lambda v: _number(v, whole=False, low=0, high=1),
    "proposal.voting_hours": lambda v: _number(v, whole=False, low=1, high=24 * 366),
    "proposal.min_voting_hours": lambda v: _number(v, whole=False, low=1, high=24 * 366),
    "federation.weighting": _weighting,
    "booking.max_hours": lambda v: _number(v, whole=False, low=1e-9),
    "booking.max_active": lambda v: _number(v, whole=True, low=1),
    PUBLIC: _bool,
}
"""Each known key and the function that checks a value and gives its stored text."""

# --- deliberation (see soviets.governance.discussion and soviets.governance.amendments) ---
HIDE = "discussion.hide"
AMENDMENTS = "proposal.amendments"
RULES.update(
    {
        "proposal.discussion_hours": lambda v: _number(v, whole=False, low=0, high=24 * 366),
        AMENDMENTS: lambda v: _choice(v, *AMENDMENT_MODES),
        HIDE: lambda v: _choice(v, "coordinator", "author", "vote"),
    }
)


def amendment_mode(session: Session, council_id: int) -> str:
    """How the council decides amendments and alternatives: ``first`` or ``schulze``."""
    return get_rule(session, council_id, AMENDMENTS) or DEFAULT_TEXT[AMENDMENTS]


# --- who brings new members in (see soviets.governance.accounts) -------------------------
INVITE = "membership.invite"
INVITE_MODES = ("coordinator", "member", "vote")
DEFAULT_INVITE = "vote"
"""Unless the council votes otherwise, its members decide every admission by vote: nobody
(a coordinator included) can bring people in alone."""


RULES[INVITE] = lambda v: _choice(v, *INVITE_MODES)


def invite_mode(session: Session, council_id: int) -> str:
    """How people join the council: ``vote`` (any member invites or people apply; each
    admission is an ``admit_member`` vote), ``member`` or ``coordinator`` (their invitation
    admits at once; set only by a ``change_rules`` vote)."""
    return get_rule(session, council_id, INVITE) or DEFAULT_INVITE


# --- the commons: what a coordinator may do alone (see soviets.governance.commons) ---------
RULES.update(
    {
        "process.change": lambda v: _choice(v, "vote", "coordinator"),
        "agreement.accept": lambda v: _choice(v, "vote", "coordinator"),
        "federation.join": lambda v: _choice(v, "vote", "coordinator"),
        "stock.writedown_limit": lambda v: _number(v, whole=False, low=0),
    }
)


# --- assemblies (see soviets.governance.assemblies) -----------------------------------------
DEFAULT_TEXT.update(
    {
        "assembly.schedule": "member",
        "assembly.decide": "no",
        "assembly.quorum": "0.5",
        "assembly.notice_hours": "48",
    }
)
RULES.update(
    {
        "assembly.schedule": lambda v: _choice(v, "member", "coordinator"),
        "assembly.decide": lambda v: _choice(v, "no", "yes"),
        "assembly.quorum": lambda v: _number(v, whole=False, low=0, high=1),
        "assembly.notice_hours": lambda v: _number(v, whole=False, low=0, high=24 * 366),
    }
)


# --- ratification of a federation's decisions (see soviets.governance.ratification) --------
def _kinds(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be 'none' or kinds separated by commas, got {value!r}")
    names = sorted({k.strip() for k in value.split(",") if k.strip()} - {"none"})
    unknown = [k for k in names if k not in PROPOSAL_KINDS or k in ("ratify", "adapt_decision")]
    if unknown:
        raise ValueError(f"'{unknown[0]}' is not a kind a federation decides")
    return ",".join(names) or "none"


RULES.update(
    {
        "ratification.kinds": _kinds,
        "ratification.optional": _bool,
        "ratification.councils": lambda v: _number(v, whole=False, low=0, high=0.99),
        "ratification.members": lambda v: _number(v, whole=False, low=0, high=0.99),
        "ratification.days": lambda v: _number(v, whole=False, low=1, high=366),
    }
)


def ratified_kinds(session: Session, council_id: int) -> set[str]:
    """The kinds whose decisions the federation's rules always send to ratification."""
    value = get_rule(session, council_id, "ratification.kinds") or "none"
    return set(value.split(",")) - {"none"}


def ratification_optional(session: Session, council_id: int) -> bool:
    """Whether a proposer may mark any proposal of the federation to be ratified."""
    return (get_rule(session, council_id, "ratification.optional") or "true") == "true"


def get_rule(session: Session, council_id: int, key: str) -> str | None:
    """The council's value for ``key`` (text), or None when unset."""
    return session.scalar(
        select(CouncilRule.value).where(
            CouncilRule.council_id == council_id, CouncilRule.key == key
        )
    )


def rule_number(session: Session, council_id: int, key: str) -> float:
    """A numeric rule of the council (its default when unset)."""
    value = get_rule(session, council_id, key)
    return float(DEFAULT_TEXT[key] if value is None else value)


def weighting(session: Session, council_id: int) -> str:
    """How the federation counts its delegates' ballots (``federation.weighting``)."""
    return (
        get_rule(session, council_id, "federation.weighting")
        or DEFAULT_TEXT["federation.weighting"]
    )


def shown_rule(session: Session, council: Council, key: str) -> str:
    """The council's current value of ``key`` as shown to people (its default when unset)."""
    if key == PUBLIC:
        return "true" if council.public else "false"
    value = get_rule(session, council.id, key)
    return f"{DEFAULT_TEXT.get(key, 'unset')} (default)" if value is None else value


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
    changes = payload["rules"]
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
        if key == "federation.weighting" and council.kind != "federation":
            raise InputError(
                "only a federation weighs its delegates' ballots", field=f"payload.{key}"
            )
        if key.startswith("ratification.") and council.kind != "federation":
            raise InputError(
                "only a federation sends its decisions to ratification", field=f"payload.{key}"
            )
        out[key] = value
    hours = {
        k: float(RULES[k](out[k]))
        if out.get(k) is not None
        else rule_number(session, council.id, k)
        for k in ("proposal.voting_hours", "proposal.min_voting_hours")
    }
    hours.update({k: float(DEFAULT_TEXT[k]) for k in hours if k in out and out[k] is None})
    if hours["proposal.min_voting_hours"] > hours["proposal.voting_hours"]:
        raise InputError(
            f"the shortest vote ({hours['proposal.min_voting_hours']:g} h) cannot be longer than "
            f"the usual one ({hours['proposal.voting_hours']:g} h)",
            field="payload.rules.proposal.min_voting_hours",
        )
    return {"rules": out}


def _after(session: Session, council: Council, changes: dict[str, Any], key: str) -> float:
    """A numeric rule's value once ``changes`` are made."""
    if key not in changes:
        return rule_number(session, council.id, key)
    return float(DEFAULT_TEXT[key] if changes[key] is None else changes[key])


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
