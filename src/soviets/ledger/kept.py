"""Councils and people stay in their session once loaded: one read per session, not per call.

A session holds its loaded objects by weak reference: a council that no caller
holds any more is forgotten, and the next ``session.get(Council, id)`` reads it
again. One service call looks up the same council and person many times (the
permission check, the rules, the notices), so ``soviets demo`` read a council
by id about 800 times and a person about 400 times. Sessions now keep a strong
reference to every :class:`Council` and :class:`Person` they load, until the
session closes (sessions are per request or command). Nothing writes either
table behind the ORM's back (no bulk ``UPDATE`` or ``DELETE`` of them), so the
kept objects are as fresh as re-read ones; ``expire_all`` still reloads them.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from soviets.ledger.models.people import Council, Person

KEY = "soviets_kept"
"""The key of the kept objects in ``Session.info``."""


@event.listens_for(Session, "loaded_as_persistent")
@event.listens_for(Session, "pending_to_persistent")
@event.listens_for(Session, "detached_to_persistent")
def _keep(session: Session, instance: object) -> None:
    if isinstance(instance, (Council, Person)):
        session.info.setdefault(KEY, set()).add(instance)


@event.listens_for(Session, "persistent_to_detached")
@event.listens_for(Session, "persistent_to_deleted")
@event.listens_for(Session, "persistent_to_transient")
def _release(session: Session, instance: object) -> None:
    session.info.get(KEY, set()).discard(instance)
