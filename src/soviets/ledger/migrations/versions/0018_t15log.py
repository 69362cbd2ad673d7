"""t15log: the whole message log of a federated round, one row per plan

Table ``protocol_logs``: the log of every message the protocol's post carried
(:mod:`soviets.planning.message_log`), compressed by zlib, with the sha256 of the
log, its messages, and its size before compression and on the wire (bytes).

Revision ID: 0018_t15log
Revises: 0017_t15svc
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_t15log"
down_revision = "0017_t15svc"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "protocol_logs",
        sa.Column("plan_id", sa.Integer(), sa.ForeignKey("plans.id"), primary_key=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("raw_size", sa.BigInteger(), nullable=False),
        sa.Column("wire_bytes", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("messages >= 0", name="messages_not_negative"),
        sa.CheckConstraint("raw_size >= 0 AND wire_bytes >= 0", name="sizes_not_negative"),
    )


def downgrade() -> None:
    op.drop_table("protocol_logs")
