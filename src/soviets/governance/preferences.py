"""A person's page preferences: the language of the pages and the time zone times are shown in.

Stored times stay UTC; the zone only changes how pages show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy.orm import Session

from soviets.errors import InputError
from soviets.governance import authz

LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}
"""The languages the pages are translated into (code -> the language's own name)."""
DEFAULT_LANGUAGE = "en"
DEFAULT_TIME_ZONE = "UTC"


@dataclass(frozen=True)
class Preferences:
    """A person's language (None: the browser's) and IANA time zone name."""

    language: str | None
    time_zone: str


@cache
def known_time_zones() -> frozenset[str]:
    """The IANA time zone names this machine knows, read once per process (reading them walks
    the zone files: milliseconds, and each page asks for the reader's zone)."""
    return frozenset(available_timezones())


def valid_time_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone this machine knows (``America/Mexico_City``)."""
    if not name or len(name) > 64 or name.startswith("/") or ".." in name:
        return False
    if name not in known_time_zones() and name != "UTC":
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def read_preferences(session: Session, actor_id: int) -> Preferences:
    """The actor's own preferences (defaults filled in)."""
    person = authz.get_person(session, actor_id)
    return Preferences(person.language, person.time_zone or DEFAULT_TIME_ZONE)


def set_preferences(
    session: Session, actor_id: int, *, language: str | None, time_zone: str
) -> Preferences:
    """Set the actor's own page language (``None`` or ``""``: follow the browser) and time zone.

    Anyone signed in may set their own, and only their own.
    """
    person = authz.get_person(session, actor_id)
    code = (language or "").strip() or None
    if code is not None and code not in LANGUAGES:
        known = ", ".join(sorted(LANGUAGES))
        raise InputError(f"unknown language {code!r} (known: {known})", field="language")
    zone = time_zone.strip()
    if not valid_time_zone(zone):
        raise InputError(
            f"unknown time zone {zone!r}: give an IANA name such as Europe/Madrid",
            field="time_zone",
        )
    person.language = code
    person.time_zone = None if zone == DEFAULT_TIME_ZONE else zone
    session.flush()
    return Preferences(code, zone)
