"""A person's page language and time zone (``people.language``, ``people.time_zone``)

Both NULL for everyone: pages follow the browser's language and show UTC until
a person chooses otherwise. Stored times stay UTC.

Revision ID: 0015_t17lang
Revises: 0014_t17a11y
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_t17lang"
down_revision = "0014_t17a11y"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the two nullable columns."""
    op.add_column("people", sa.Column("language", sa.String(length=20), nullable=True))
    op.add_column("people", sa.Column("time_zone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Drop them (SQLite 3.35+ drops a column in place, keeping the foreign keys to people)."""
    op.drop_column("people", "time_zone")
    op.drop_column("people", "language")
