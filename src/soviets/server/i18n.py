"""Page language and time zone: gettext catalogues (Babel ``.po`` in ``server/locales``),
the language a request gets, and locale-aware dates and numbers.

The ``.po`` sources are compiled in memory on first use (no build step), so a fresh
``pip install -e .`` serves every language. Stored times stay UTC: the zone is only
how a page shows them.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from soviets.governance.preferences import DEFAULT_LANGUAGE, LANGUAGES, valid_time_zone
from soviets.ledger.types import as_utc

LOCALES = Path(__file__).parent / "locales"
"""``<lang>/LC_MESSAGES/messages.po`` for every language but English (the msgids)."""
LANG_COOKIE = "lang"
"""The cookie that keeps a signed-out visitor's ``?lang=`` choice."""


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``language`` (English: the msgids themselves)."""
    po = LOCALES / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@dataclass(frozen=True)
class PageLocale:
    """The language and zone one page is rendered in."""

    language: str = DEFAULT_LANGUAGE
    zone: str = "UTC"
    tr: gettext.NullTranslations = field(default_factory=gettext.NullTranslations)


_ENGLISH = PageLocale()
_CURRENT: ContextVar[PageLocale | None] = ContextVar("page_locale", default=None)


@contextmanager
def page_locale(language: str, zone: str) -> Iterator[PageLocale]:
    """Render within this block in ``language`` with times in ``zone``."""
    here = PageLocale(language, zone if valid_time_zone(zone) else "UTC", translations(language))
    token = _CURRENT.set(here)
    try:
        yield here
    finally:
        _CURRENT.reset(token)


def current() -> PageLocale:
    """The locale of the page being rendered (English and UTC outside a page)."""
    return _CURRENT.get() or _ENGLISH


def gettext_(message: str) -> str:
    """``message`` in the current page's language."""
    return current().tr.gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message in the current page's language."""
    return current().tr.ngettext(singular, plural, n)


def pgettext_(context: str, message: str) -> str:
    """``message`` in the current language, disambiguated by ``context``."""
    return current().tr.pgettext(context, message)


def npgettext_(context: str, singular: str, plural: str, n: int) -> str:
    """Plural form with a context."""
    return current().tr.npgettext(context, singular, plural, n)


def _accepted(header: str) -> list[str]:
    """The language codes of an Accept-Language header, best first (q=0 left out)."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if tag and q > 0:
            ranked.append((-q, index, tag))
    return [tag for _, _, tag in sorted(ranked)]


def from_accept_language(header: str | None) -> str | None:
    """The first of our languages the browser accepts (``es-MX`` counts as ``es``), if any."""
    for tag in _accepted(header or ""):
        base = tag.split("-")[0]
        if base in LANGUAGES:
            return base
        if tag == "*":
            return DEFAULT_LANGUAGE
    return None


def choose_language(
    preference: str | None, query: str | None, cookie: str | None, accept: str | None
) -> str:
    """The member's choice, else ``?lang=``, else the cookie, else Accept-Language, else English."""
    for choice in (preference, query, cookie):
        if choice in LANGUAGES:
            return choice
    return from_accept_language(accept) or DEFAULT_LANGUAGE


def when(value: datetime | None, zone: str | None = None) -> str:
    """A stored (UTC) time in the page's zone, to the minute, with the zone's abbreviation."""
    if value is None:
        return ""
    here = current()
    tz = ZoneInfo(zone or here.zone)
    local = as_utc(value).astimezone(tz)
    text = format_datetime(local, "yyyy-MM-dd HH:mm", tzinfo=tz, locale=Locale.parse(here.language))
    return f"{text} {local.tzname() or tz.key}"


def day(value: datetime | None) -> str:
    """A stored (UTC) time's date in the page's zone (ISO form, as on every page)."""
    if value is None:
        return ""
    return as_utc(value).astimezone(ZoneInfo(current().zone)).strftime("%Y-%m-%d")


def num(value: float | None, digits: int = 2) -> str:
    """A number with at most ``digits`` decimals, grouped and punctuated as the locale writes it."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=Locale.parse(current().language))


def N_(msgid: str) -> str:  # noqa: N802  (the usual gettext marker name)
    """Mark ``msgid`` for the catalogue; it is translated where a page shows it."""
    return msgid


WORDS = frozenset(
    {
        # proposal statuses and outcomes
        N_("draft"),
        N_("discussion"),
        N_("open"),
        N_("closed"),
        N_("withdrawn"),
        N_("accepted"),
        N_("rejected"),
        N_("failed"),
        N_("abandoned"),
        # counting methods
        N_("majority"),
        N_("two-thirds"),
        N_("consent"),
        N_("schulze"),
        # roles
        N_("member"),
        N_("coordinator"),
    }
)
"""Stored words (statuses, outcomes, methods, roles) that pages show translated."""


def word(value: object) -> str:
    """A stored status, outcome, method or role in the page's language (other values as stored)."""
    text = "" if value is None else str(value)
    return gettext_(text) if text in WORDS else text


def date_as(value: date | None, pattern: str) -> str:
    """A calendar date (or a datetime's date, as stored) in a CLDR ``pattern`` of the page's
    language: ``EEE dd MMM`` is ``Mon 07 Dec`` in English, ``lun 07 dic`` in Spanish."""
    if value is None:
        return ""
    day_of = value.date() if isinstance(value, datetime) else value
    return format_date(day_of, pattern, locale=Locale.parse(current().language))


class Later:
    """Markup made when the page renders, so that its words are in the page's language.

    Pages build their context before the language is set; a chart drawn with
    :func:`gettext_` is wrapped in ``Later(lambda: chart(...))`` and drawn by the template.
    """

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], str]) -> None:
        self.make = make

    def __html__(self) -> str:
        return str(self.make())
