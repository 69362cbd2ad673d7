"""Withdrawing a need: by the member who registered it, only while it is proposed."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from soviets.ledger import needs
from soviets.ledger.db import transaction
from soviets.ledger.economy import build_economy
from soviets.ledger.errors import Conflict, NotAllowed, NotFound
from soviets.ledger.models import Need

from .test_economy import proposal


def _need(factory, w, person: int | None, quantity: float = 3.0) -> int:  # type: ignore[no-untyped-def]
    with transaction(factory) as s:
        return needs.register_need(
            s, council_id=w.village, period=w.period, good="bread", quantity=quantity,
            person_id=person,
        ).id  # fmt: skip


def _withdraw(factory, need_id: int, person_id: int) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as s:
        needs.withdraw_need(s, need_id=need_id, person_id=person_id)


def _status(factory, need_id: int) -> str:  # type: ignore[no-untyped-def]
    with transaction(factory) as s:
        return s.get(Need, need_id).status


def test_member_withdraws_their_proposed_need(factory, world) -> None:
    w = world
    mine, other = _need(factory, w, w.cat), _need(factory, w, w.dan, 5.0)
    with pytest.raises(NotAllowed, match="only the member who registered need"):
        _withdraw(factory, mine, w.dan)
    with pytest.raises(NotFound, match="no need #999"), transaction(factory) as s:
        needs.withdraw_need(s, need_id=999, person_id=w.cat)
    with transaction(factory) as s:
        withdrawn = needs.withdraw_need(s, need_id=mine, person_id=w.cat)
        assert withdrawn.status == "withdrawn" and withdrawn.withdrawn_at is not None
    with pytest.raises(Conflict, match="is withdrawn: only a proposed need"):
        _withdraw(factory, mine, w.cat)
    with transaction(factory) as s:
        approved = needs.approve_needs(
            s, council_id=w.village, period=w.period, proposal_id=proposal(s, w.village, w.cat)
        )
    assert approved == 1  # the withdrawn need is not approved
    assert (_status(factory, mine), _status(factory, other)) == ("withdrawn", "approved")
    with transaction(factory) as s:
        economy = build_economy(s, w.period)
    assert economy.need_quantity.tolist() == [5.0]  # only the approved need is planned for


def test_an_approved_need_cannot_be_withdrawn(factory, world) -> None:
    w = world
    need = _need(factory, w, w.cat)
    with transaction(factory) as s:
        needs.approve_needs(
            s, council_id=w.village, period=w.period, proposal_id=proposal(s, w.village, w.cat)
        )
    with pytest.raises(Conflict, match="is approved: only a proposed need"):
        _withdraw(factory, need, w.cat)
    assert _status(factory, need) == "approved"


def test_former_member_and_council_need(factory, world) -> None:
    w = world
    need, council_need = _need(factory, w, w.cat), _need(factory, w, None)
    with pytest.raises(NotAllowed, match="only the member who registered"):
        _withdraw(factory, council_need, w.cat)
    with transaction(factory) as s:
        s.execute(text(f"UPDATE memberships SET left_at = joined_at WHERE person_id = {w.cat}"))
    with pytest.raises(NotAllowed, match="not a member of council 'village'"):
        _withdraw(factory, need, w.cat)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE needs SET status = 'withdrawn'",  # no time of withdrawal
        "UPDATE needs SET withdrawn_at = created_at",  # a time, but not withdrawn
        "UPDATE needs SET status = 'approved'",  # approved without a time
        "UPDATE needs SET status = 'gone'",
    ],
)
def test_database_checks_the_need_status(factory, world, sql: str) -> None:
    _need(factory, world, world.cat)
    with pytest.raises(IntegrityError), transaction(factory) as s:
        s.execute(text(sql))


def test_database_refuses_to_withdraw_an_approved_need(factory, world) -> None:
    w = world
    need = _need(factory, w, w.cat)
    with transaction(factory) as s:
        needs.approve_needs(
            s, council_id=w.village, period=w.period, proposal_id=proposal(s, w.village, w.cat)
        )
    with pytest.raises(IntegrityError), transaction(factory) as s:
        s.execute(text(f"UPDATE needs SET status = 'withdrawn', withdrawn_at = approved_at "
                       f"WHERE id = {need}"))  # fmt: skip


def test_withdrawal_racing_the_approval(factory, world) -> None:
    """A withdrawal and the council's approval at once: exactly one of them takes effect."""
    w = world
    ids = [_need(factory, w, w.cat, q) for q in (1.0, 2.0, 3.0, 4.0, 5.0, 6.0)]
    outcomes: dict[int, str] = {}
    barrier = threading.Barrier(len(ids) + 1)

    def withdraw(need_id: int) -> None:
        barrier.wait()
        try:
            with transaction(factory) as s:
                needs.withdraw_need(s, need_id=need_id, person_id=w.cat)
            outcomes[need_id] = "withdrawn"
        except (Conflict, OperationalError) as exc:
            outcomes[need_id] = type(exc).__name__

    def approve() -> None:
        barrier.wait()
        with transaction(factory) as s:
            needs.approve_needs(
                s, council_id=w.village, period=w.period, proposal_id=proposal(s, w.village, w.cat)
            )

    threads = [threading.Thread(target=withdraw, args=(i,)) for i in ids]
    threads.append(threading.Thread(target=approve))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for need_id in ids:
        status = _status(factory, need_id)
        assert status in ("withdrawn", "approved")
        assert (status == "withdrawn") == (outcomes[need_id] == "withdrawn"), (need_id, outcomes)
