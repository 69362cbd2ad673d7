"""One error hierarchy, one status table, and the statuses docs/service.md promises.

Every :class:`~soviets.errors.SovietsError` gets its HTTP status from
``server.problems.STATUSES`` by ``isinstance``; these tests pin the table to
the list in docs/service.md (403 not allowed, 404 no such thing, 409 conflicts with
the present state, 422 invalid input or refused by the council's rules) and
check it on real refusals over HTTP: a booking that breaks the council's
rules is 422, one that overlaps another 409.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from server.conftest import Served
from soviets import errors
from soviets.governance import errors as gov_errors
from soviets.ledger import errors as ledger_errors
from soviets.server.problems import STATUSES, error_status

SERVICE_DOC = Path(__file__).resolve().parents[2] / "docs" / "service.md"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.SovietsError("refused by a rule"), 422),
        (errors.InputError("bad", field="name"), 422),
        (errors.ModelError("cannot plan"), 422),
        (errors.Forbidden("no"), 403),
        (errors.NotFound("none"), 404),
        (errors.Conflict("closed"), 409),
        (gov_errors.Forbidden("no"), 403),
        (gov_errors.NotFound("none"), 404),
        (gov_errors.Conflict("closed"), 409),
        (gov_errors.InputError("bad"), 422),
        (ledger_errors.LedgerError("bad"), 422),
        (ledger_errors.NotFound("none"), 404),
        (ledger_errors.NotAllowed("no"), 403),
        (ledger_errors.Conflict("done"), 409),
        (ledger_errors.InsufficientQuantity("too little"), 409),
        (ledger_errors.BookingRefused("too long for the council's rule"), 422),
        (ledger_errors.SlotTaken("already booked"), 409),
    ],
    ids=lambda v: type(v).__module__ + "." + type(v).__name__ if isinstance(v, Exception) else v,
)
def test_each_error_class_has_one_status(error: errors.SovietsError, status: int) -> None:
    assert error_status(error)[0] == status


def test_governance_and_ledger_errors_are_the_common_kinds() -> None:
    """Other layers' names are the same classes or subclasses: no matching by name."""
    assert gov_errors.Forbidden is errors.Forbidden
    assert gov_errors.NotFound is errors.NotFound
    assert gov_errors.Conflict is errors.Conflict
    assert gov_errors.InputError is errors.InputError
    assert issubclass(ledger_errors.NotAllowed, errors.Forbidden)
    assert issubclass(ledger_errors.NotFound, errors.NotFound)
    assert issubclass(ledger_errors.Conflict, errors.Conflict)


def test_service_doc_promises_the_statuses_of_the_table() -> None:
    """docs/service.md's sentence on problem statuses names every status the table gives."""
    text = " ".join(SERVICE_DOC.read_text(encoding="utf-8").split())
    promised = re.search(r"401 not signed in, 403 .*? 429 too many sign-in attempts", text)
    assert promised, "docs/service.md lost its list of problem statuses"
    sentence = promised.group(0)
    for _cls, status, _kind in STATUSES:
        assert f"{status} " in sentence, status
    assert "409 conflicts with the present state" in sentence
    assert "422 invalid input or refused by the council's rules" in sentence


def _slot(hours_from: int, hours: int) -> dict[str, str]:
    start = (datetime.now(UTC) + timedelta(days=3)).replace(
        hour=6, minute=0, second=0, microsecond=0
    ) + timedelta(hours=hours_from)
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=hours)).isoformat()}


def _problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


def test_booking_refusals_over_http(served: Served) -> None:
    """Council's rules and impossible times: 422; an overlap: 409; a stranger: 403."""
    c, bike = served.client, served.world.ids["bike"]
    url = f"/api/resources/{bike}/bookings"
    alice = served.auth("alice")
    too_long = _problem(c.post(url, json=_slot(0, 25), headers=alice), 422)
    assert "at most 24 hours" in too_long["detail"]
    assert too_long["type"].endswith("/refused")
    backwards = _slot(0, 2)
    backwards["starts_at"], backwards["ends_at"] = backwards["ends_at"], backwards["starts_at"]
    assert (
        "end after it starts" in _problem(c.post(url, json=backwards, headers=alice), 422)["detail"]
    )
    assert c.post(url, json=_slot(0, 2), headers=alice).status_code == 201
    clash = _problem(c.post(url, json=_slot(1, 2), headers=served.auth("fran")), 409)
    assert "already booked" in clash["detail"] and clash["type"].endswith("/conflict")
    _problem(c.post(url, json=_slot(5, 1), headers=served.auth("dave")), 403)
    _problem(c.post("/api/resources/999999/bookings", json=_slot(5, 1), headers=alice), 404)


def test_invalid_input_names_its_field(served: Served) -> None:
    """An InputError from a service is 422 with the field in ``errors``."""
    c = served.client
    body = {"name": " ", "kind": "workplace"}
    refused = _problem(c.post("/api/councils", json=body, headers=served.auth("bob")), 422)
    assert refused["type"].endswith("/invalid-request")
    assert refused["errors"] == [{"field": "name", "message": "a council needs a name"}]
