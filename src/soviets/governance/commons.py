"""Workers' control of the commons: which commons actions need the council's vote.

A council's rules (:mod:`soviets.governance.rules`, changed only by its
``change_rules`` vote) say what its coordinators may do alone under the
council's standing mandate; everything else needs an accepted proposal of
the council. The defaults protect the commons:

* ``process.change`` (``vote`` | ``coordinator``; default ``vote``): who
  registers a new process or changes one. Under ``vote`` it takes a
  ``register_process`` or ``change_process`` proposal; a process proposed but
  not adopted does not exist in the ledger, so no plan can use it.
* ``federation.join`` (``vote`` | ``coordinator``; default ``vote``): whether
  a coordinator may bring the council into a federation they found
  (``create_federation``); under ``vote`` the council joins a federation only
  by its own ``join_federation`` vote on the federation's admission.
* ``stock.writedown_limit`` (units of the resource, >= 0; default 0): the most
  a coordinator may take out of one stock (``lower`` or ``consume``) in one
  event; anything more takes a ``stock_change`` proposal.
* ``agreement.accept`` (``vote`` | ``coordinator``; default ``vote``): who
  consents to a supply agreement for the council; under ``vote`` it takes an
  ``approve_agreement`` proposal.

Adding to a stock (``produce``, ``raise``) and recording its use, moves and
custody are for coordinators, under a standing mandate they name.

This module is the one place that decides these permissions; the service
modules (:mod:`~soviets.governance.stock`, :mod:`~soviets.governance.production`,
:mod:`~soviets.governance.planning_service`) call it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from soviets.governance import authz, rules
from soviets.governance.errors import Conflict
from soviets.ledger.models import Membership, Resource

PROCESS_CHANGE = "process.change"
AGREEMENT_ACCEPT = "agreement.accept"
FEDERATION_JOIN = "federation.join"
WRITEDOWN_LIMIT = "stock.writedown_limit"
WRITE_DOWNS = ("lower", "consume")
"""Inventory actions that take from a stock."""


@dataclass(frozen=True)
class Standing:
    """What a person may do on a council's commons, for pages to offer the right forms
    (the service functions check again when the form is sent)."""

    member: bool
    coordinator: bool
    delegate: bool
    processes_by_vote: bool
    agreements_by_vote: bool
    writedown_limit: float


def standing(session: Session, actor_id: int, council_id: int) -> Standing:
    """The person's standing in the council and the council's commons rules."""
    council = authz.get_council(session, council_id)
    membership = authz.open_membership(session, actor_id, council_id)
    return Standing(
        member=membership is not None,
        coordinator=membership is not None and membership.role == "coordinator",
        delegate=council.kind == "federation"
        and authz.delegate_of(session, actor_id, council_id) is not None,
        processes_by_vote=by_vote(session, council_id, PROCESS_CHANGE),
        agreements_by_vote=by_vote(session, council_id, AGREEMENT_ACCEPT),
        writedown_limit=writedown_limit(session, council_id),
    )


def by_vote(session: Session, council_id: int, key: str) -> bool:
    """Whether the council's rule ``key`` (``vote`` | ``coordinator``) asks for a vote."""
    return (rules.get_rule(session, council_id, key) or "vote") == "vote"


def writedown_limit(session: Session, council_id: int) -> float:
    """The most a coordinator of the council may write down alone, in units of the stock."""
    value = rules.get_rule(session, council_id, WRITEDOWN_LIMIT)
    return 0.0 if value is None else float(value)


def require_mandate(
    session: Session, actor_id: int, council_id: int, key: str, *, what: str, kind: str
) -> Membership:
    """The actor's coordinator membership, if the council's rule ``key`` lets a coordinator
    do ``what`` alone; :class:`Forbidden` for non-coordinators, :class:`Conflict` when the
    rule asks for a vote (a proposal of ``kind``)."""
    membership = authz.require_coordinator(session, actor_id, council_id)
    if by_vote(session, council_id, key):
        raise Conflict(
            f"the rules of council '{membership.council.name}' say that {what} needs the "
            f"council's vote ({key} = vote): propose a {kind}"
        )
    return membership


def require_stock_mandate(
    session: Session, actor_id: int, resource: Resource, action: str, quantity: float
) -> str:
    """Check that a coordinator may record ``action`` of ``quantity`` on the resource alone;
    the standing mandate's wording (the rule and its limit) for the event."""
    membership = authz.require_coordinator(session, actor_id, resource.holder_council_id)
    if action not in WRITE_DOWNS:
        return "coordinator's standing mandate"
    limit = writedown_limit(session, resource.holder_council_id)
    unit = f" {resource.unit}" if resource.unit else ""
    if quantity > limit:
        raise Conflict(
            f"the rules of council '{membership.council.name}' let a coordinator write down at "
            f"most {limit:g}{unit} of a stock alone ({WRITEDOWN_LIMIT}); taking {quantity:g}"
            f"{unit} of '{resource.name}' needs the council's vote: propose a stock_change"
        )
    return f"coordinator's standing mandate ({WRITEDOWN_LIMIT} {limit:g}{unit})"
