"""hiding a comment by the council's vote

Proposal kind ``hide_comment``; ``comments.hidden_by_proposal``: the accepted vote that
hid a comment (its proposer is ``hidden_by``).

Revision ID: 0014_t17a11y
Revises: 0013_t15frontier
"""

from __future__ import annotations

import importlib

import sqlalchemy as sa
from alembic import op

revision = "0014_t17a11y"
down_revision = "0013_t15frontier"
branch_labels = None
depends_on = None

_commons = importlib.import_module("soviets.ledger.migrations.versions.0003_commons")
_frontier = importlib.import_module("soviets.ledger.migrations.versions.0013_t15frontier")
OLD_KINDS = _frontier.NEW_KINDS
NEW_KINDS = OLD_KINDS + ", 'hide_comment'"
FK = "fk_comments_hidden_by_proposal_proposals"


def upgrade() -> None:
    _commons._kinds(OLD_KINDS, NEW_KINDS)
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("hidden_by_proposal", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f(FK), "proposals", ["hidden_by_proposal"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.drop_constraint(op.f(FK), type_="foreignkey")
        batch.drop_column("hidden_by_proposal")
    _commons._kinds(NEW_KINDS, OLD_KINDS)
