"""ratification and local adaptation of federation decisions

Proposal kinds ``ratify`` and ``adapt_decision``; tables ``ratifications``,
``ratification_seats`` and ``adaptations``.

Revision ID: 0011_ratification
Revises: 0010_briefing
"""

from __future__ import annotations

import importlib

import sqlalchemy as sa
from alembic import op

from soviets.ledger.types import UTCDateTime

revision = "0011_ratification"
down_revision = "0010_briefing"
branch_labels = None
depends_on = None

_commons = importlib.import_module("soviets.ledger.migrations.versions.0003_commons")
_assemblies = importlib.import_module("soviets.ledger.migrations.versions.0009_assemblies")
OLD_KINDS = _assemblies.NEW_KINDS
NEW_KINDS = OLD_KINDS + ", 'ratify', 'adapt_decision'"


def upgrade() -> None:
    _commons._kinds(OLD_KINDS, NEW_KINDS)
    op.create_table(
        "ratifications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("proposal_id", sa.Integer(), sa.ForeignKey("proposals.id"), nullable=False),
        sa.Column("federation_id", sa.Integer(), sa.ForeignKey("councils.id"), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("councils_share", sa.Float(), nullable=False),
        sa.Column("members_share", sa.Float(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("deadline", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.UniqueConstraint("proposal_id"),
        sa.CheckConstraint(
            "status IN ('awaiting', 'ratified', 'refused', 'failed')", name="status"
        ),
        sa.CheckConstraint("(status = 'awaiting') = (ended_at IS NULL)", name="ended"),
        sa.CheckConstraint("councils_share >= 0 AND councils_share < 1", name="councils_share"),
        sa.CheckConstraint("members_share >= 0 AND members_share < 1", name="members_share"),
    )
    op.create_table(
        "ratification_seats",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "ratification_id", sa.Integer(), sa.ForeignKey("ratifications.id"), nullable=False
        ),
        sa.Column("council_id", sa.Integer(), sa.ForeignKey("councils.id"), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), sa.ForeignKey("proposals.id"), nullable=True),
        sa.Column("answer", sa.String(10), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("ratification_id", "council_id"),
        sa.CheckConstraint("answer IS NULL OR answer IN ('ratified', 'refused')", name="answer"),
        sa.CheckConstraint("(answer IS NULL) = (answered_at IS NULL)", name="answered"),
        sa.CheckConstraint("weight >= 0", name="weight"),
    )
    op.create_table(
        "adaptations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "ratification_id", sa.Integer(), sa.ForeignKey("ratifications.id"), nullable=False
        ),
        sa.Column("council_id", sa.Integer(), sa.ForeignKey("councils.id"), nullable=False),
        sa.Column("field", sa.String(50), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), sa.ForeignKey("proposals.id"), nullable=False),
        sa.Column("adopted_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("ratification_id", "council_id", "field"),
        sa.CheckConstraint("length(field) > 0", name="field"),
    )


def downgrade() -> None:
    op.drop_table("adaptations")
    op.drop_table("ratification_seats")
    op.drop_table("ratifications")
    _commons._kinds(NEW_KINDS, OLD_KINDS)
