"""The frontier page and API on the demo federation, and a set_hours proposal linking to it."""

from __future__ import annotations

from sqlalchemy import select

from databases import Databases
from demo_seed import demo_on
from server.conftest import client_for
from server.test_pages import csrf
from soviets.cli.demo import DEMO_PASSWORD
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.models import Council, Membership, Person


def test_frontier_page_and_api_on_the_demo(db_url: str, databases: Databases) -> None:
    demo_on(db_url, databases)
    engine = make_engine(db_url)
    with transaction(session_factory(engine)) as s:
        ids = {c.name: c.id for c in s.scalars(select(Council))}
        home = s.scalar(
            select(Council.id)
            .join(Membership, Membership.council_id == Council.id)
            .join(Person, Person.id == Membership.person_id)
            .where(Person.email == "rosa@demo.example", Council.kind == "territorial",
                   Membership.left_at.is_(None))
        )  # fmt: skip
        assert home is not None
    engine.dispose()
    with client_for(db_url) as client:
        form = client.get("/signin")
        signed = client.post(
            "/signin",
            data={"email": "rosa@demo.example", "password": DEMO_PASSWORD,
                  "csrf_token": csrf(form.text)},
        )  # fmt: skip
        assert signed.status_code == 200
        page = client.get(f"/councils/{ids['valley']}/frontier")
        assert page.status_code == 200, page.text
        assert "<svg" in page.text and "hours offered per member per week (h)" in page.text
        assert "Essential needs met, by count (%)" in page.text
        spanish = client.get(f"/councils/{ids['valley']}/frontier?lang=es")
        assert '<html lang="es"' in spanish.text
        assert "Necesidades esenciales cubiertas, por número (%)" in spanish.text
        assert "horas ofrecidas por miembro a la semana (h)" in spanish.text  # the chart's axis
        assert "Horas y necesidades:" in spanish.text  # the page's title
        client.get("/?lang=en")
        token = client.post(
            "/api/tokens", json={"email": "rosa@demo.example", "password": DEMO_PASSWORD}
        ).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        api = client.get(f"/api/councils/{ids['valley']}/frontier?points=5", headers=auth)
        assert api.status_code == 200, api.text
        data = api.json()
        assert data["scope"] == "federation" and data["members"] == 10_000
        met = [p["essential_count"] for p in data["points"]]
        assert met == sorted(met)
        # the demo places each workplace in its region, so the regions' offer limits their
        # work: fewer hours offered meet fewer essential needs, and no "flat ledger" note
        assert not any("no workplace is under" in n for n in data["notes"])
        assert met[0] < met[-1]
        # a set_hours proposal of her territorial council links to the frontier
        made = client.post(
            f"/api/councils/{home}/proposals",
            json={"kind": "set_hours", "title": "Fewer hours",
                  "payload": {"hours_per_member_week": 0.5}},
            headers=auth,
        )  # fmt: skip
        assert made.status_code == 201, made.text
        shown = client.get(f"/proposals/{made.json()['id']}")
        assert f"/councils/{home}/frontier" in shown.text
        assert "offers 0.5 hours of work per member per week" in shown.text
        client.app.state.engine.dispose()  # type: ignore[attr-defined]
