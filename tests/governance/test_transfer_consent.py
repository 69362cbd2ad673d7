"""A transfer between councils moves only with the receiving council's consent: the giver's
vote offers, the receiver's ``accept_custody`` vote naming the offer takes it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from soviets.governance import authz, joining, stock, transfers
from soviets.governance.errors import Conflict, Forbidden, InputError
from soviets.ledger import inventory
from soviets.ledger.models import Council, LedgerEvent, Resource

from .conftest import OVER, Gov


@pytest.fixture
def world(gov: Gov) -> tuple[int, int, int, int, list[int]]:
    """A farm (Ann, Bob) holding 10 t of grain, a bakery (Cat, Dan), a forge (Eve)."""
    ann, bob, cat, dan, eve = gov.people("Ann", "Bob", "Cat", "Dan", "Eve")
    farm = gov.council(ann, "farm", [bob])
    bakery = gov.council(cat, "bakery", [dan])
    forge = gov.council(eve, "forge")
    with gov.tx() as s:
        grain = stock.create_resource(s, ann, farm, name="grain", kind="consumer_good", unit="t")
        stock.record_event(s, ann, grain.id, action="raise", quantity=10, reason="harvest")
    return farm, bakery, forge, grain.id, [ann, bob, cat, dan, eve]


def _held(gov: Gov) -> dict[str, float]:
    with gov.tx() as s:
        rows = s.execute(
            select(Council.name, Resource.quantity).join(
                Council, Council.id == Resource.holder_council_id
            )
        )
        return {name: quantity for name, quantity in rows}


def _offer(gov: Gov, farm: int, bob: int, ann: int, payload: dict) -> int:
    offer = gov.decide(farm, bob, [ann, bob], kind="inventory_transfer", payload=payload)
    assert offer.outcome == "accepted", offer.result
    return offer.id


def test_the_giver_offers_and_only_the_receivers_vote_moves_it(gov: Gov, world) -> None:
    farm, bakery, forge, grain, (ann, bob, cat, dan, eve) = world
    offer = _offer(
        gov, farm, bob, ann, {"resource_id": grain, "quantity": 4, "to_council_id": bakery}
    )
    assert _held(gov) == {"farm": 10}  # the giver's vote alone moves nothing
    with gov.tx() as s:
        assert [p.id for p in transfers.offers_to(s, s.get(Council, bakery), OVER)] == [offer]
    with pytest.raises(Conflict, match="no accepted transfer offered to council 'forge'"):
        gov.propose(eve, forge, kind="accept_custody", payload={"transfer_id": offer})
    taken = gov.decide(
        bakery, cat, [cat, dan], kind="accept_custody", payload={"transfer_id": offer}
    )
    assert taken.outcome == "accepted", taken.result
    assert "accepts 4 t of 'grain' that 'farm' offered" in " ".join(
        taken.result_data["effect_text"]
    )
    assert _held(gov) == {"farm": 6, "bakery": 4}
    with gov.tx() as s:
        event = s.scalar(select(LedgerEvent).where(LedgerEvent.action == "transfer"))
        assert event is not None
        assert (event.proposal_id, event.actor_id, event.to_council_id) == (offer, bob, bakery)
        assert f"consent of council 'bakery' (proposal #{taken.id})" in (event.mandate or "")
        assert transfers.offers_to(s, s.get(Council, bakery), OVER) == []
    with pytest.raises(Conflict, match="already taken"):
        gov.propose(cat, bakery, kind="accept_custody", payload={"transfer_id": offer})


def test_a_refused_or_lapsed_offer_moves_nothing(gov: Gov, world) -> None:
    farm, bakery, _, grain, (ann, bob, cat, dan, _) = world
    offer = _offer(
        gov, farm, bob, ann, {"resource_id": grain, "quantity": 4, "to_council_id": bakery}
    )
    refused = gov.propose(cat, bakery, kind="accept_custody", payload={"transfer_id": offer})
    gov.open(cat, refused)
    gov.vote(cat, refused, "no")
    gov.vote(dan, refused, "no")
    assert gov.close(cat, refused).outcome == "rejected"
    assert _held(gov) == {"farm": 10}
    # Drafted in time, closed after the offer lapsed: the consent fails, nothing moves.
    late = gov.propose(cat, bakery, kind="accept_custody", payload={"transfer_id": offer})
    gov.open(cat, late)
    gov.vote(cat, late, "yes")
    gov.vote(dan, late, "yes")
    lapsed = gov.close(cat, late, now=OVER + transfers.OFFER_LAPSES + timedelta(days=1))
    assert lapsed.outcome == "failed"
    assert "lapsed 30 days after its vote" in lapsed.result_data["failure"]
    assert _held(gov) == {"farm": 10}
    with pytest.raises(Conflict, match="lapsed"):
        gov.propose(
            cat, bakery, kind="accept_custody", payload={"transfer_id": offer},
            now=OVER + transfers.OFFER_LAPSES + timedelta(days=1),
        )  # fmt: skip


def test_an_offer_beyond_the_stock_fails_at_either_vote(gov: Gov, world) -> None:
    farm, bakery, _, grain, (ann, bob, cat, dan, _) = world
    too_much = gov.decide(
        farm, bob, [ann, bob], kind="inventory_transfer",
        payload={"resource_id": grain, "quantity": 11, "to_council_id": bakery},
    )  # fmt: skip
    assert too_much.outcome == "failed"
    assert "holds 10 t of 'grain', not 11" in too_much.result_data["failure"]
    offer = _offer(
        gov, farm, bob, ann, {"resource_id": grain, "quantity": 8, "to_council_id": bakery}
    )
    with gov.tx() as s:  # the farm uses most of it before the bakery's vote
        inventory.record(s, "consume", resource_id=grain, quantity=5, actor_id=ann, mandate="bread")
    taken = gov.decide(
        bakery, cat, [cat, dan], kind="accept_custody", payload={"transfer_id": offer}
    )
    assert taken.outcome == "failed"
    assert _held(gov) == {"farm": 5}


def test_a_transfer_consent_names_one_thing_and_is_no_custody_consent(gov: Gov, world) -> None:
    farm, bakery, _, grain, (ann, bob, cat, dan, _) = world
    for payload in ({}, {"transfer_id": 1, "resource_id": grain}):
        with pytest.raises(InputError, match="name either the transfer"):
            gov.propose(cat, bakery, kind="accept_custody", payload=payload)
    offer = _offer(
        gov, farm, bob, ann, {"resource_id": grain, "quantity": 1, "to_council_id": bakery}
    )
    taken = gov.decide(
        bakery, cat, [cat, dan], kind="accept_custody", payload={"transfer_id": offer}
    )
    assert taken.outcome == "accepted", taken.result
    with pytest.raises(Forbidden, match="needs its consent"), gov.tx() as s:
        stock.record_event(
            s, ann, grain, action="transfer-custody", quantity=0.0, to_council_id=bakery,
            proposal_id=taken.id, reason="lent",
        )  # fmt: skip


def test_a_council_joins_a_federation_only_by_its_own_vote(gov: Gov, world) -> None:
    farm, bakery, forge, _, (ann, bob, cat, dan, eve) = world
    fed = gov.federation(ann, "valley", [farm])
    gov.elect(farm, [ann, bob], ann, fed)
    admitted = gov.decide(fed, ann, [ann], kind="admit_member", payload={"council_id": bakery})
    assert admitted.outcome == "accepted", admitted.result
    with gov.tx() as s:
        assert not authz.linked(s, bakery, fed)  # the federation's vote alone links nothing
        assert [p.id for p in joining.admissions_of(s, s.get(Council, bakery), OVER)] == [
            admitted.id
        ]
    with pytest.raises(Conflict, match="no accepted admission of council 'forge'"):
        gov.propose(eve, forge, kind="join_federation", payload={"admission_id": admitted.id})
    with pytest.raises(Conflict, match="lapsed"):
        gov.propose(
            cat, bakery, kind="join_federation", payload={"admission_id": admitted.id},
            now=OVER + transfers.OFFER_LAPSES + timedelta(days=1),
        )  # fmt: skip
    refused = gov.propose(
        cat, bakery, kind="join_federation", payload={"admission_id": admitted.id}
    )
    gov.open(cat, refused)
    gov.vote(cat, refused, "no")
    gov.vote(dan, refused, "no")
    assert gov.close(cat, refused).outcome == "rejected"
    with gov.tx() as s:
        assert not authz.linked(s, bakery, fed)
    joined = gov.decide(
        bakery, cat, [cat, dan], kind="join_federation", payload={"admission_id": admitted.id}
    )
    assert joined.outcome == "accepted", joined.result
    with gov.tx() as s:
        assert authz.linked(s, bakery, fed)
    with pytest.raises(Conflict, match="already taken"):
        gov.propose(cat, bakery, kind="join_federation", payload={"admission_id": admitted.id})
