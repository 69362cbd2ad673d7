"""The declarative base shared by every table of the ledger, and the one rule on stored text.

Text with control characters other than line breaks and tabs is refused for
every string column, whatever wrote it (API, page form, command line): NUL
cannot be stored on PostgreSQL at all, and the rule must be the same on SQLite.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Index, MetaData, String, event, inspect, text
from sqlalchemy.orm import DeclarativeBase, Session

from soviets.errors import InputError

# Stable constraint names, so that migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
ALLOWED_CONTROL = frozenset("\n\r\t")


class Base(DeclarativeBase):
    """Base class of all ORM models."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def unique_where(name: str, *columns: str, where: str) -> Index:
    """A unique index over the rows where ``where`` holds (a partial index, with the same
    condition on SQLite and PostgreSQL)."""
    return Index(
        name, *columns, unique=True, sqlite_where=text(where), postgresql_where=text(where)
    )


def _control_character(text: str) -> str | None:
    for char in text:
        if (ord(char) < 32 or 127 <= ord(char) < 160) and char not in ALLOWED_CONTROL:
            return char
    return None


@event.listens_for(Session, "before_flush")
def _refuse_control_characters(session: Session, _context: Any, _instances: Any) -> None:
    """Refuse new or changed rows whose text holds a control character (NUL above all)."""
    for row in (*session.new, *session.dirty):
        if not isinstance(row, Base):
            continue
        mapper = inspect(row).mapper
        for prop in mapper.column_attrs:
            if not isinstance(prop.columns[0].type, String):
                continue
            value = getattr(row, prop.key, None)
            char = _control_character(value) if isinstance(value, str) else None
            if char is not None:
                raise InputError(
                    f"must not contain the control character U+{ord(char):04X}",
                    field=f"{type(row).__tablename__}.{prop.key}",
                )
