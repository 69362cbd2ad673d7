"""federated planning rounds in the service and the plan carried out

Tables ``protocol_messages`` (the protocol's messages of a round, audited by the
member councils), ``agreement_refusals`` (a council's refusal of a proposed
agreement) and ``production_records`` (a process run: activity, hours, flows);
``plans.revises_plan_id`` (a re-plan of the rest of a period after a shortfall
revises an adopted plan: one adopted plan per federation and period, and at most
one adopted revision of each plan) and ``councils.parent_id`` (a council's parent
territorial council, e.g. a workplace's region).

Revision ID: 0016_t15service
Revises: 0015_t17lang
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from soviets.ledger.types import UTCDateTime

revision = "0016_t15service"
down_revision = "0015_t17lang"
branch_labels = None
depends_on = None

ADOPTED_ORIGINAL = "status = 'adopted' AND revises_plan_id IS NULL"
ADOPTED_REVISION = "status = 'adopted' AND revises_plan_id IS NOT NULL"


def _add_reference(table: str, column: str) -> None:
    """Add a nullable column referencing ``table.id`` without copying the table (other
    tables reference it; SQLite's ADD COLUMN takes a named column constraint)."""
    name = f"fk_{table}_{column}_{table}"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} INTEGER "
            f"CONSTRAINT {name} REFERENCES {table} (id)"
        )
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(name, table, table, [column], ["id"])


def _drop_reference(table: str, column: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    else:
        op.drop_constraint(f"fk_{table}_{column}_{table}", table, type_="foreignkey")
        op.drop_column(table, column)


def upgrade() -> None:
    op.create_table(
        "protocol_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.Integer(), sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(200), nullable=False),
        sa.Column("receiver", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.CheckConstraint("size >= 0", name="size_not_negative"),
        sa.CheckConstraint("count >= 1", name="count_positive"),
    )
    op.create_index("ix_protocol_messages_plan_id", "protocol_messages", ["plan_id"])
    op.create_table(
        "agreement_refusals",
        sa.Column("agreement_id", sa.Integer(), sa.ForeignKey("agreements.id"), primary_key=True),
        sa.Column("council_id", sa.Integer(), sa.ForeignKey("councils.id"), primary_key=True),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("accepted_quantity", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("refused_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "production_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("period_id", sa.Integer(), sa.ForeignKey("periods.id"), nullable=False),
        sa.Column("council_id", sa.Integer(), sa.ForeignKey("councils.id"), nullable=False),
        sa.Column("process_id", sa.Integer(), sa.ForeignKey("processes.id"), nullable=False),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("activity", sa.Float(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("flows", sa.JSON(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("activity > 0", name="activity_positive"),
        sa.CheckConstraint("hours >= 0", name="hours_not_negative"),
    )
    op.create_index("ix_production_records_period_id", "production_records", ["period_id"])
    op.create_index("ix_production_records_council_id", "production_records", ["council_id"])
    _add_reference("plans", "revises_plan_id")
    op.drop_index("uq_plans_adopted", table_name="plans")
    op.create_index(
        "uq_plans_adopted",
        "plans",
        ["period_id", "federation_id"],
        unique=True,
        sqlite_where=sa.text(ADOPTED_ORIGINAL),
        postgresql_where=sa.text(ADOPTED_ORIGINAL),
    )
    op.create_index(
        "uq_plans_revision_adopted",
        "plans",
        ["revises_plan_id"],
        unique=True,
        sqlite_where=sa.text(ADOPTED_REVISION),
        postgresql_where=sa.text(ADOPTED_REVISION),
    )
    _add_reference("councils", "parent_id")


def downgrade() -> None:
    _drop_reference("councils", "parent_id")
    op.drop_index("uq_plans_revision_adopted", table_name="plans")
    op.drop_index("uq_plans_adopted", table_name="plans")
    _drop_reference("plans", "revises_plan_id")
    op.create_index(
        "uq_plans_adopted",
        "plans",
        ["period_id", "federation_id"],
        unique=True,
        sqlite_where=sa.text("status = 'adopted'"),
        postgresql_where=sa.text("status = 'adopted'"),
    )
    op.drop_table("production_records")
    op.drop_table("agreement_refusals")
    op.drop_table("protocol_messages")
