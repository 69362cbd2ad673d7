"""consent: founding invitations name their invitee and role; proposal kind accept_custody

Revision ID: 0005_consent
Revises: 0004_accounts
"""

from __future__ import annotations

import importlib

import sqlalchemy as sa
from alembic import op

revision = "0005_consent"
down_revision = "0004_accounts"
branch_labels = None
depends_on = None


_commons = importlib.import_module("soviets.ledger.migrations.versions.0003_commons")
OLD_KINDS = _commons.NEW_KINDS
NEW_KINDS = OLD_KINDS + ", 'accept_custody'"


def upgrade() -> None:
    _commons._kinds(OLD_KINDS, NEW_KINDS)
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invitee_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("role", sa.String(length=20), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_invitations_invitee_id_people"), "people", ["invitee_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_invitations_invitee_id"), ["invitee_id"], unique=False)
        batch_op.create_check_constraint(
            batch_op.f("ck_invitations_founding"), "(invitee_id IS NULL) = (role IS NULL)"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_invitations_role"), "role IS NULL OR role IN ('member', 'coordinator')"
        )


def downgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_invitations_role"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_invitations_founding"), type_="check")
        batch_op.drop_index(batch_op.f("ix_invitations_invitee_id"))
        batch_op.drop_constraint(batch_op.f("fk_invitations_invitee_id_people"), type_="foreignkey")
        batch_op.drop_column("role")
        batch_op.drop_column("invitee_id")
    _commons._kinds(NEW_KINDS, OLD_KINDS)
