"""federated planning rounds in the service and the plan carried out

Tables ``protocol_messages`` (the protocol's messages of a round, audited by the
member councils), ``agreement_refusals`` (a council's refusal of a proposed
agreement) and ``production_records`` (a process run: activity, hours, flows).

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


def downgrade() -> None:
    op.drop_table("production_records")
    op.drop_table("agreement_refusals")
    op.drop_table("protocol_messages")
