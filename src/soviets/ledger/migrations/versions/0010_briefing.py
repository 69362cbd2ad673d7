"""briefing: notices (inboxes), mail choices, digests sent, feed tokens, decisions seen

Revision ID: 0010_briefing
Revises: 0009_assemblies
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_briefing"
down_revision = "0009_assemblies"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("subject", sa.String(length=60), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True),
        _fk("notices", "person_id", "people"),
        _fk("notices", "council_id", "councils"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    op.create_index("ix_notices_person_read", "notices", ["person_id", "read_at"])
    op.create_index("ix_notices_subject", "notices", ["subject", "kind"])
    op.create_table(
        "mail_choices",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("mode IN ('none', 'each', 'digest')", name=op.f("ck_mail_choices_mode")),
        _fk("mail_choices", "person_id", "people"),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_mail_choices")),
    )
    op.create_table(
        "digests_sent",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notices", sa.Integer(), nullable=False),
        _fk("digests_sent", "person_id", "people"),
        sa.PrimaryKeyConstraint("person_id", "day", name=op.f("pk_digests_sent")),
    )
    op.create_table(
        "feed_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("length(token_hash) = 64", name=op.f("ck_feed_tokens_hash_length")),
        _fk("feed_tokens", "person_id", "people"),
        _fk("feed_tokens", "council_id", "councils"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_feed_tokens_token_hash")),
    )
    op.create_index(op.f("ix_feed_tokens_person_id"), "feed_tokens", ["person_id"])
    op.create_table(
        "decisions_seen",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        _fk("decisions_seen", "proposal_id", "proposals"),
        _fk("decisions_seen", "person_id", "people"),
        sa.PrimaryKeyConstraint("proposal_id", "person_id", name=op.f("pk_decisions_seen")),
    )


def downgrade() -> None:
    for table in ("decisions_seen", "feed_tokens", "digests_sent", "mail_choices", "notices"):
        op.drop_table(table)
