"""The pages over HTTP without a browser: sign-in cookie, CSRF, refusals, every page renders."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from server.conftest import Served
from server.world import PASSWORD
from soviets.server import auth
from soviets.server.deps import SESSION_COOKIE

TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')


def sign_in(served: Served, person: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """Sign in through the form; the response after the redirect."""
    form = served.client.get("/signin")
    token = TOKEN.search(form.text).group(1)  # type: ignore[union-attr]
    return served.client.post(
        "/signin",
        data={"email": served.world.email(person), "password": password, "csrf_token": token},
    )


def csrf(page_text: str) -> str:
    return TOKEN.search(page_text).group(1)  # type: ignore[union-attr]


def test_signed_out_browser_is_sent_to_sign_in(served: Served) -> None:
    response = served.client.get(
        f"/councils/{served.world.ids['riverside']}", follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=%2Fcouncils%2F1"


def test_session_cookie_is_httponly_samesite_lax(served: Served) -> None:
    form = served.client.get("/signin")
    token = csrf(form.text)
    response = served.client.post(
        "/signin",
        data={
            "email": "bob@example.org",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/plans",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/plans?notice=signed-in"
    cookie = next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and SESSION_COOKIE in v
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie


def test_sign_in_form_needs_its_csrf_token(served: Served) -> None:
    served.client.get("/signin")
    response = served.client.post(
        "/signin", data={"email": "bob@example.org", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 403
    assert SESSION_COOKIE not in served.client.cookies


def test_redirect_after_sign_in_stays_on_this_site(served: Served) -> None:
    form = served.client.get("/signin")
    response = served.client.post(
        "/signin",
        data={
            "email": "bob@example.org",
            "password": PASSWORD,
            "csrf_token": csrf(form.text),
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/?notice=signed-in"


def test_page_forms_refuse_a_missing_or_forged_csrf_token(served: Served) -> None:
    sign_in(served, "bob")
    market = served.world.ids["market"]
    for token in ("", "forged"):
        response = served.client.post(
            f"/proposals/{market}/ballot", data={"choice": "yes", "csrf_token": token}
        )
        assert response.status_code == 403
        assert "reload the page" in response.text
    tally = served.client.get(f"/api/proposals/{market}/tally", headers=served.auth("bob")).json()
    assert tally["ballots"] == 0


def test_sign_out_ends_the_session_everywhere(served: Served) -> None:
    home = sign_in(served, "bob")
    cookie = served.client.cookies[SESSION_COOKIE]
    served.client.post("/signout", data={"csrf_token": csrf(home.text)})
    served.client.cookies.set(SESSION_COOKIE, cookie)  # a stolen copy of the old cookie
    response = served.client.get("/", follow_redirects=False)
    assert response.status_code == 303


def test_sign_in_page_rate_limited(served: Served) -> None:
    for _ in range(auth.ACCOUNT_LIMIT):
        assert sign_in(served, "bob", "guess").status_code == 401
    locked = sign_in(served, "bob")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.text


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/councils/{riverside}",
        "/councils/{valley}",
        "/councils/{riverside}/proposals/new",
        "/proposals/{market}",
        "/proposals/{park}",
        "/proposals/{closed}",
        "/councils/{riverside}/needs",
        "/plans",
        "/plans/{plan}",
        "/councils/{riverside}/inventory",
        "/resources/{bike}/bookings",
    ],
)
def test_every_page_renders_for_a_member(served: Served, path: str) -> None:
    sign_in(served, "alice")
    response = served.client.get(path.format(**served.world.ids))
    assert response.status_code == 200, response.text
    assert "<h1>" in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    # Every form field has a label.
    ids = set(re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', response.text))
    labelled = set(re.findall(r'<label for="([^"]+)"', response.text))
    assert ids <= labelled


def test_other_councils_pages_are_refused(served: Served) -> None:
    sign_in(served, "dave")
    for path in ("/councils/{riverside}", "/proposals/{market}", "/resources/{bike}/bookings"):
        response = served.client.get(path.format(**served.world.ids))
        assert response.status_code == 403
        assert "not one of its members" in response.text


def test_vote_need_and_booking_through_forms(served: Served) -> None:
    ids = served.world.ids
    home = sign_in(served, "alice")
    token = csrf(home.text)
    voted = served.client.post(
        f"/proposals/{ids['park']}/ballot",
        data={"csrf_token": token, "rank_0": "2", "rank_1": "1", "rank_2": "3"},
    )
    assert "River Park&gt;Oak Park&gt;Sun Park" in voted.text
    need = served.client.post(
        f"/councils/{ids['riverside']}/needs",
        data={
            "csrf_token": token,
            "period": "2030",
            "good": "flour",
            "quantity": "4",
            "priority": "normal",
        },
    )
    assert need.status_code == 200 and "Your need is registered." in need.text
    day = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()  # within ten years
    slot = {"csrf_token": token, "day": day, "starts": "09:00", "ends": "11:00"}
    assert served.client.post(f"/resources/{ids['bike']}/bookings", data=slot).status_code == 200
    served.client.post("/signout", data={"csrf_token": token})
    home = sign_in(served, "fran")
    slot = {"csrf_token": csrf(home.text), "day": day, "starts": "10:00", "ends": "12:00"}
    clash = served.client.post(f"/resources/{ids['bike']}/bookings", data=slot)
    assert clash.status_code == 409
    assert f"already booked from {day} 09:00 UTC" in clash.text
