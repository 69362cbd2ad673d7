"""Strict input: each lax value a tester found is refused, by the API and by the page forms,
on SQLite and PostgreSQL, with a problem naming the field; big bodies are refused unread."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy.orm import Session

from databases import Databases
from server.conftest import Served
from server.live import live_server
from server.test_pages import csrf, sign_in
from server.world import PERIOD
from soviets.errors import InputError
from soviets.ledger.db import make_engine
from soviets.ledger.models import Council
from soviets.server import create_app
from soviets.server.limits import configured_max_bytes
from soviets.server.mail import MailSettings

LAX_QUANTITIES = [True, "5", 1e-320, 2**63, -1]


def _field(response, status: int = 422) -> str:
    """The field a problem names (the last part of the first error's location)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return str(response.json()["errors"][0]["field"]).split(".")[-1]


@pytest.mark.parametrize("quantity", LAX_QUANTITIES)
def test_needs_refuse_lax_quantities(served: Served, quantity: object) -> None:
    response = served.client.post(
        f"/api/councils/{served.world.ids['riverside']}/needs",
        json={"period": PERIOD, "good": "bread", "quantity": quantity},
        headers=served.auth("bob"),
    )
    assert _field(response) == "quantity"


@pytest.mark.parametrize("quantity", LAX_QUANTITIES)
def test_ledger_events_refuse_lax_quantities(served: Served, quantity: object) -> None:
    response = served.client.post(
        f"/api/resources/{served.world.ids['bread_store']}/events",
        json={"action": "transfer-custody", "quantity": quantity, "mandate": "stock-keeping"},
        headers=served.auth("carol"),
    )
    assert _field(response) == "quantity"


def test_a_transfer_proposal_refuses_2_to_the_63_units(served: Served) -> None:
    ids = served.world.ids
    payload = {"resource_id": ids["bread_store"], "quantity": 2**63, "to_council_id": 1}
    response = served.client.post(
        f"/api/councils/{ids['bakery']}/proposals",
        json={"kind": "inventory_transfer", "title": "All of it", "payload": payload},
        headers=served.auth("carol"),
    )
    assert response.status_code == 422
    assert "quantity" in response.json()["detail"]


def test_flags_and_ids_are_strict(served: Served) -> None:
    response = served.client.post(
        "/api/councils",
        json={"name": "Lax", "kind": "workplace", "public": "yes"},
        headers=served.auth("bob"),
    )
    assert _field(response) == "public"
    response = served.client.post(
        f"/api/agreements/{served.world.ids['agreement']}/accept",
        json={"council_id": "1"},
        headers=served.auth("carol"),
    )
    assert _field(response) == "council_id"


def test_names_and_texts_refuse_nul_on_every_database(served_any: Served) -> None:
    s = served_any
    named = s.client.post(
        "/api/councils", json={"name": "Mill\x00", "kind": "workplace"}, headers=s.auth("bob")
    )
    assert _field(named) == "name" and "U+0000" in named.text
    nested = s.client.post(
        f"/api/councils/{s.world.ids['riverside']}/proposals",
        json={"title": "Fine", "body": "line one\nline\x00two", "payload": {}},
        headers=s.auth("bob"),
    )
    assert _field(nested) == "body"
    # The page form is refused the same way (the rule is the ledger's, at every write).
    home = sign_in(s, "bob")
    form = {"csrf_token": csrf(home.text), "period": PERIOD, "good": "br\x00ead", "quantity": "2"}
    page = s.client.post(f"/councils/{s.world.ids['riverside']}/needs", data=form)
    assert page.status_code == 422 and "U+0000" in page.text


def test_the_ledger_refuses_control_characters_whoever_writes(
    db_url: str, databases: Databases
) -> None:
    from soviets.ledger.migrate import upgrade

    databases.seed(db_url, upgrade)
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            session.add(Council(name="Bad\x00name", kind="workplace"))
            with pytest.raises(InputError, match="U\\+0000") as refused:
                session.flush()
            assert refused.value.field == "councils.name"
    finally:
        engine.dispose()


def _slot(start: datetime, hours: float = 2) -> dict[str, str]:
    return {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=hours)).isoformat(),
    }


def test_bookings_far_ahead_or_long_ago_are_refused(served: Served) -> None:
    url = f"/api/resources/{served.world.ids['bike']}/bookings"
    far = served.client.post(url, json=_slot(datetime(9999, 1, 1)), headers=served.auth("bob"))
    assert _field(far) == "starts_at"
    now = datetime.now(UTC).replace(microsecond=0)
    ago = served.client.post(
        url, json=_slot(now - timedelta(hours=20), 21), headers=served.auth("bob")
    )
    assert ago.status_code == 422 and "at most 15 minutes ago" in ago.json()["detail"]
    ahead = served.client.post(
        url, json=_slot(now + timedelta(days=3700)), headers=served.auth("bob")
    )
    assert ahead.status_code == 422 and "ten years" in ahead.json()["detail"]
    number = served.client.post(
        url, json={"starts_at": 1e12, "ends_at": 2e12}, headers=served.auth("bob")
    )
    assert _field(number) == "starts_at"
    assert served.client.post(url, json=_slot(now + timedelta(days=2)), headers=served.auth("bob"))


def test_page_forms_refuse_the_same_quantities(served: Served) -> None:
    home = sign_in(served, "bob")
    token = csrf(home.text)
    for quantity in ["true", "1e-320", str(2**63), "nan"]:
        form = {"csrf_token": token, "period": PERIOD, "good": "bread", "quantity": quantity}
        page = served.client.post(f"/councils/{served.world.ids['riverside']}/needs", data=form)
        assert page.status_code == 422 and "quantity" in page.text, quantity
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    slot = {"csrf_token": token, "day": yesterday, "starts": "09:00", "ends": "11:00"}
    page = served.client.post(f"/resources/{served.world.ids['bike']}/bookings", data=slot)
    assert page.status_code == 422


def test_a_big_body_is_refused_with_413(served: Served) -> None:
    big = b"x" * (2 * 1024 * 1024)
    declared = served.client.post("/api/tokens", content=big)
    assert _status_and_kind(declared) == (413, "request-entity-too-large")

    def chunks() -> Iterator[bytes]:
        for _ in range(64):
            yield b"y" * 65536

    streamed = served.client.post("/api/tokens", content=chunks())
    assert _status_and_kind(streamed) == (413, "request-entity-too-large")


def _status_and_kind(response) -> tuple[int, str]:
    return response.status_code, response.json()["type"].rsplit("/", 1)[1]


def test_a_declared_big_body_is_refused_before_it_is_sent(served: Served) -> None:
    """A real server answers 413 to the headers alone: the 50 MB never need to arrive."""
    app = create_app(served.url, mail=MailSettings())
    with live_server(app) as base:
        address = urlsplit(base)
        with socket.create_connection((address.hostname, address.port), timeout=120) as conn:
            conn.sendall(
                b"POST /api/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: 52428800\r\n\r\n"
            )
            answer = conn.recv(4096)
    app.state.engine.dispose()
    assert answer.startswith(b"HTTP/1.1 413")


def test_the_body_limit_is_configurable_and_checked() -> None:
    assert configured_max_bytes({}) == 1024 * 1024
    assert configured_max_bytes({"SOVIETS_MAX_BODY_BYTES": "2048"}) == 2048
    with pytest.raises(InputError, match="whole number of bytes"):
        configured_max_bytes({"SOVIETS_MAX_BODY_BYTES": "1 MB"})
