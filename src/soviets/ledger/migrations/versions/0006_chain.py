"""chain: records of holders, closed proposals, bookings and memberships in the hash chain

Revision ID: 0006_chain
Revises: 0005_consent

Creates the append-only ``ledger_records`` table (numbered in one chain with
``ledger_events``) and chains every existing resource, closed proposal,
booking and membership once, as "adopt" records, so that a database from
before this revision verifies and is guarded from now on.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "0006_chain"
down_revision = "0005_consent"
branch_labels = None
depends_on = None

# Written out in full so this revision never changes when the models' code does.
APPEND_ONLY: dict[str, list[str]] = {
    "sqlite": [
        "CREATE TRIGGER ledger_records_no_update BEFORE UPDATE ON ledger_records "
        "BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END",
        "CREATE TRIGGER ledger_records_no_delete BEFORE DELETE ON ledger_records "
        "BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION ledger_events_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'ledger events are append-only'; END $$",
        "CREATE TRIGGER ledger_records_no_change BEFORE UPDATE OR DELETE ON ledger_records "
        "FOR EACH ROW EXECUTE FUNCTION ledger_events_append_only()",
        "CREATE TRIGGER ledger_records_no_truncate BEFORE TRUNCATE ON ledger_records "
        "FOR EACH STATEMENT EXECUTE FUNCTION ledger_events_append_only()",
    ],
}


def upgrade() -> None:
    op.create_table(
        "ledger_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=10), nullable=False),
        sa.Column("state", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_ledger_records_seq_positive")),
        sa.CheckConstraint(
            "length(hash) = 64 AND length(prev_hash) = 64",
            name=op.f("ck_ledger_records_hash_length"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_records")),
        sa.UniqueConstraint("hash", name=op.f("uq_ledger_records_hash")),
        sa.UniqueConstraint("seq", name=op.f("uq_ledger_records_seq")),
    )
    op.create_index("ix_ledger_records_row", "ledger_records", ["table_name", "row_id"])
    bind = op.get_bind()
    for statement in APPEND_ONLY.get(bind.dialect.name, []):
        op.execute(statement)
    from soviets.ledger.records import adopt_all

    with Session(bind=bind) as session:
        adopt_all(session)
        session.flush()


def downgrade() -> None:
    op.drop_index("ix_ledger_records_row", table_name="ledger_records")
    op.drop_table("ledger_records")
