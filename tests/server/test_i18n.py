"""Language and time: the Spanish catalogue is complete, pages follow the member's choice or
the browser's Accept-Language, and times are shown in the member's time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from server.conftest import Served
from server.test_pages import csrf, sign_in
from soviets.governance.preferences import LANGUAGES, valid_time_zone
from soviets.server import i18n
from soviets.server.templating import NOTICES

SERVER = Path(i18n.__file__).parent
ES_PO = i18n.LOCALES / "es" / "LC_MESSAGES" / "messages.po"
METHODS = [
    ("templates/**.html", "jinja2"),
    ("**.py", "python"),
]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "Msg": None}


def _catalogue(language: str):  # type: ignore[no-untyped-def]
    with (i18n.LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=language)


def _extracted() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        SERVER, METHODS, options_map=OPTIONS, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_spanish_message_is_translated_and_none_is_fuzzy() -> None:
    catalog = _catalogue("es")
    messages = [m for m in catalog if m.id]
    assert len(messages) > 500
    empty = [m.id for m in messages if not m.string or (m.pluralizable and not all(m.string))]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert empty == [] and fuzzy == []
    assert not catalog.fuzzy


def test_translations_keep_the_placeholders() -> None:
    placeholder = re.compile(r"%\(\w+\)s|%%")
    wrong = [
        m.id
        for m in _catalogue("es")
        if m.id and sorted(placeholder.findall(m.id)) != sorted(placeholder.findall(m.string))
    ]
    assert wrong == []


def test_no_message_of_the_pages_is_missing_from_the_catalogue() -> None:
    extracted = _extracted()
    assert "Your account" in extracted and "Skip to content" in extracted
    known = {m.id for m in _catalogue("es") if m.id}
    assert sorted(extracted - known) == []
    assert all(notice in known for notice in NOTICES.values())


def test_languages_have_a_catalogue_each() -> None:
    for code in LANGUAGES:
        if code != "en":
            assert (i18n.LOCALES / code / "LC_MESSAGES" / "messages.po").is_file()
            assert i18n.translations(code).gettext("Your account") != "Your account"


@pytest.mark.parametrize(
    ("preference", "query", "cookie", "accept", "expected"),
    [
        (None, None, None, None, "en"),
        (None, None, None, "es-MX,es;q=0.9,en;q=0.8", "es"),
        (None, None, None, "fr-FR, de;q=0.9", "en"),
        (None, None, None, "fr, es;q=0.5, en;q=0.7", "en"),
        (None, None, None, "en;q=0, es;q=0.1", "es"),
        (None, "es", None, "en", "es"),
        (None, None, "es", "en", "es"),
        (None, "xx", "es", "en", "es"),
        ("en", "es", "es", "es", "en"),
        ("es", None, None, "en", "es"),
    ],
)
def test_language_choice(
    preference: str | None, query: str | None, cookie: str | None, accept: str | None, expected: str
) -> None:
    assert i18n.choose_language(preference, query, cookie, accept) == expected


def test_times_and_numbers_follow_the_page_locale() -> None:
    moment = datetime(2026, 7, 1, 18, 30, tzinfo=UTC)
    assert i18n.when(moment) == "2026-07-01 18:30 UTC"
    assert i18n.num(1234.5) == "1,234.5"
    with i18n.page_locale("es", "America/Mexico_City"):
        assert i18n.when(moment) == "2026-07-01 12:30 CST"
        assert i18n.num(1234.5) == "1.234,5"
        assert i18n.num(12345.678) == "12.345,68"
    with i18n.page_locale("es", "Europe/Madrid"):
        assert i18n.when(moment) == "2026-07-01 20:30 CEST"


def test_time_zone_names_are_checked() -> None:
    assert valid_time_zone("America/Mexico_City") and valid_time_zone("UTC")
    for bad in ("", "Mars/Olympus", "../etc/passwd", "/etc/localtime", "x" * 80):
        assert not valid_time_zone(bad)


# --- over HTTP ---------------------------------------------------------------------------------


def test_signed_out_page_follows_accept_language_and_the_lang_switch(served: Served) -> None:
    page = served.client.get("/signin", headers={"Accept-Language": "es-ES,es;q=0.9"})
    assert page.status_code == 200
    assert '<html lang="es">' in page.text and "Iniciar sesión" in page.text
    assert page.headers["content-language"] == "es"
    assert "Accept-Language" in page.headers["vary"]
    english = served.client.get("/signin", headers={"Accept-Language": "en-GB"})
    assert '<html lang="en">' in english.text and "Sign in" in english.text
    switched = served.client.get("/signin?lang=es", headers={"Accept-Language": "en"})
    assert '<html lang="es">' in switched.text and "lang=es" in switched.headers["set-cookie"]
    kept = served.client.get("/signin", headers={"Accept-Language": "en"})
    assert '<html lang="es">' in kept.text  # the cookie keeps the visitor's choice


def test_member_preference_language_and_time_zone(served: Served) -> None:
    sign_in(served, "bob")
    page = served.client.get("/account", headers={"Accept-Language": "es"})
    assert '<html lang="es">' in page.text and "Tu cuenta" in page.text
    token = csrf(page.text)
    bad = served.client.post(
        "/account/preferences",
        data={"csrf_token": token, "language": "es", "time_zone": "Mars/Olympus"},
        headers={"Accept-Language": "es"},
    )
    assert bad.status_code == 422 and "Zona horaria desconocida" in bad.text
    unknown = served.client.post(
        "/account/preferences", data={"csrf_token": token, "language": "xx", "time_zone": "UTC"}
    )
    assert unknown.status_code == 422 and "unknown language" in unknown.text
    saved = served.client.post(
        "/account/preferences",
        data={"csrf_token": token, "language": "es", "time_zone": "America/Mexico_City"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    # the preference wins over the browser's English
    page = served.client.get("/account?notice=preferences-saved", headers={"Accept-Language": "en"})
    assert '<html lang="es">' in page.text
    assert "Tu idioma y zona horaria están guardados." in page.text
    assert 'value="America/Mexico_City"' in page.text
    inbox = served.client.get("/inbox", headers={"Accept-Language": "en"})
    assert "Tu bandeja de entrada" in inbox.text
    assert "Mis consejos" in inbox.text  # the navigation too
    council = served.client.get(f"/councils/{served.world.ids['riverside']}")
    shown = re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d ([A-Z]{3,4}|[+-]\d+)", council.text)
    assert shown and set(shown) <= {"CST", "CDT"}
    assert ">aceptada<" in council.text and ">accepted<" not in council.text  # stored words too
    assert " UTC" not in re.sub(r"\(UTC[^)]*\)|UTC;|en UTC", "", council.text.split("<main")[1])
    back = served.client.post(
        "/account/preferences",
        data={"csrf_token": token, "language": "", "time_zone": "UTC"},
        follow_redirects=False,
    )
    assert back.status_code == 303
    english = served.client.get("/account", headers={"Accept-Language": "en"})
    assert '<html lang="en">' in english.text and "Your account" in english.text


PAGES = (
    "/",
    "/councils/{riverside}",
    "/councils/{valley}",
    "/councils/{riverside}/decisions",
    "/councils/{riverside}/assemblies",
    "/councils/{riverside}/archive",
    "/councils/{riverside}/invitations",
    "/councils/{riverside}/needs",
    "/councils/{riverside}/inventory",
    "/proposals/{market}",
    "/proposals/{park}",
    "/proposals/{closed}",
    "/plans",
    "/plans/{plan}",
    "/resources/{bike}/bookings",
    "/inbox",
    "/account",
    "/account/briefing",
)


def test_every_page_renders_in_spanish(served: Served) -> None:
    """Each page and each kind of new-proposal form, in Spanish, with the Spanish navigation."""
    sign_in(served, "alice")
    served.client.headers["Accept-Language"] = "es"
    new = served.client.get(f"/councils/{served.world.ids['riverside']}/proposals/new")
    kinds = sorted(set(re.findall(r"proposals/new\?kind=([a-z_]+)", new.text)))
    assert len(kinds) > 5
    paths = [p.format(**served.world.ids) for p in PAGES]
    paths += [f"/councils/{served.world.ids['riverside']}/proposals/new?kind={k}" for k in kinds]
    for path in paths:
        page = served.client.get(path)
        assert page.status_code == 200, (path, page.text[-500:])
        assert '<html lang="es">' in page.text, path
        assert ">Mis consejos<" in page.text and ">My councils<" not in page.text, path
        ids = set(re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', page.text))
        assert ids <= set(re.findall(r'<label for="([^"]+)"', page.text)), path
    # the plan's charts are drawn while the page renders, so in its language
    plan = served.client.get(f"/plans/{served.world.ids['plan']}").text
    assert "Horas de trabajo por consejo" in plan and "Hours of work by council" not in plan
