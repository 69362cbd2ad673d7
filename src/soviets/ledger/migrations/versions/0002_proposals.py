# ruff: noqa: E501  (long SQL kept on one line each)
"""proposals: decision floor, federation weighting, seat weights, declared council members

A proposal keeps the decision floor its council's rules gave it, and a
federation's proposal the weighting and the members represented when voting
opened (frozen with the other rules of the vote); each federation seat keeps
the members its council represents; a council may declare how many people it
represents.

Revision ID: 0002_proposals
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_proposals"
down_revision = "0001"
branch_labels = None
depends_on = None

# The frozen-rules trigger, with the new columns of the vote's rules added.
FROZEN_NEW = {
    "sqlite": [
        "DROP TRIGGER trg_proposals_frozen",
        "CREATE TRIGGER trg_proposals_frozen BEFORE UPDATE ON proposals WHEN (OLD.status IN ('closed', 'withdrawn')) OR (OLD.status = 'open' AND (NEW.status NOT IN ('open', 'closed') OR NEW.council_id IS NOT OLD.council_id OR NEW.kind IS NOT OLD.kind OR NEW.title IS NOT OLD.title OR NEW.body IS NOT OLD.body OR NEW.method IS NOT OLD.method OR NEW.quorum IS NOT OLD.quorum OR NEW.secret IS NOT OLD.secret OR NEW.payload IS NOT OLD.payload OR NEW.opens_at IS NOT OLD.opens_at OR NEW.closes_at IS NOT OLD.closes_at OR NEW.created_by IS NOT OLD.created_by OR NEW.opened_at IS NOT OLD.opened_at OR NEW.electorate_size IS NOT OLD.electorate_size OR NEW.floor IS NOT OLD.floor OR NEW.weighting IS NOT OLD.weighting OR NEW.electorate_members IS NOT OLD.electorate_members)) OR (OLD.status = 'draft' AND NEW.status = 'closed') BEGIN SELECT RAISE(ABORT, 'soviets: the rules of a proposal are frozen once voting opens'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION soviets_proposals_frozen() RETURNS trigger AS $$ BEGIN IF TG_OP = 'DELETE' THEN   IF OLD.status <> 'draft' THEN RAISE EXCEPTION USING ERRCODE = 'check_violation',     MESSAGE = 'soviets: only a draft proposal can be deleted'; END IF;   RETURN OLD; END IF; IF (OLD.status IN ('closed', 'withdrawn')) OR (OLD.status = 'open' AND (NEW.status NOT IN ('open', 'closed') OR NEW.council_id IS DISTINCT FROM OLD.council_id OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.title IS DISTINCT FROM OLD.title OR NEW.body IS DISTINCT FROM OLD.body OR NEW.method IS DISTINCT FROM OLD.method OR NEW.quorum IS DISTINCT FROM OLD.quorum OR NEW.secret IS DISTINCT FROM OLD.secret OR NEW.payload IS DISTINCT FROM OLD.payload OR NEW.opens_at IS DISTINCT FROM OLD.opens_at OR NEW.closes_at IS DISTINCT FROM OLD.closes_at OR NEW.created_by IS DISTINCT FROM OLD.created_by OR NEW.opened_at IS DISTINCT FROM OLD.opened_at OR NEW.electorate_size IS DISTINCT FROM OLD.electorate_size OR NEW.floor IS DISTINCT FROM OLD.floor OR NEW.weighting IS DISTINCT FROM OLD.weighting OR NEW.electorate_members IS DISTINCT FROM OLD.electorate_members)) OR (OLD.status = 'draft' AND NEW.status = 'closed') THEN   RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = 'soviets: the rules of a proposal are frozen once voting opens'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
    ],
}
FROZEN_OLD = {
    "sqlite": [
        "DROP TRIGGER trg_proposals_frozen",
        "CREATE TRIGGER trg_proposals_frozen BEFORE UPDATE ON proposals WHEN (OLD.status IN ('closed', 'withdrawn')) OR (OLD.status = 'open' AND (NEW.status NOT IN ('open', 'closed') OR NEW.council_id IS NOT OLD.council_id OR NEW.kind IS NOT OLD.kind OR NEW.title IS NOT OLD.title OR NEW.body IS NOT OLD.body OR NEW.method IS NOT OLD.method OR NEW.quorum IS NOT OLD.quorum OR NEW.secret IS NOT OLD.secret OR NEW.payload IS NOT OLD.payload OR NEW.opens_at IS NOT OLD.opens_at OR NEW.closes_at IS NOT OLD.closes_at OR NEW.created_by IS NOT OLD.created_by OR NEW.opened_at IS NOT OLD.opened_at OR NEW.electorate_size IS NOT OLD.electorate_size)) OR (OLD.status = 'draft' AND NEW.status = 'closed') BEGIN SELECT RAISE(ABORT, 'soviets: the rules of a proposal are frozen once voting opens'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION soviets_proposals_frozen() RETURNS trigger AS $$ BEGIN IF TG_OP = 'DELETE' THEN   IF OLD.status <> 'draft' THEN RAISE EXCEPTION USING ERRCODE = 'check_violation',     MESSAGE = 'soviets: only a draft proposal can be deleted'; END IF;   RETURN OLD; END IF; IF (OLD.status IN ('closed', 'withdrawn')) OR (OLD.status = 'open' AND (NEW.status NOT IN ('open', 'closed') OR NEW.council_id IS DISTINCT FROM OLD.council_id OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.title IS DISTINCT FROM OLD.title OR NEW.body IS DISTINCT FROM OLD.body OR NEW.method IS DISTINCT FROM OLD.method OR NEW.quorum IS DISTINCT FROM OLD.quorum OR NEW.secret IS DISTINCT FROM OLD.secret OR NEW.payload IS DISTINCT FROM OLD.payload OR NEW.opens_at IS DISTINCT FROM OLD.opens_at OR NEW.closes_at IS DISTINCT FROM OLD.closes_at OR NEW.created_by IS DISTINCT FROM OLD.created_by OR NEW.opened_at IS DISTINCT FROM OLD.opened_at OR NEW.electorate_size IS DISTINCT FROM OLD.electorate_size)) OR (OLD.status = 'draft' AND NEW.status = 'closed') THEN   RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = 'soviets: the rules of a proposal are frozen once voting opens'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
    ],
}
CHECKS = {
    "proposals": [
        ("ck_proposals_floor", "floor >= 0 AND floor <= 1"),
        (
            "ck_proposals_weighting",
            "weighting IS NULL OR weighting IN ('council', 'members', 'double')",
        ),
    ],
    "councils": [("ck_councils_members", "declared_members IS NULL OR declared_members >= 0")],
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # SQLite adds a CHECK only with its column.
        op.execute(
            "ALTER TABLE proposals ADD COLUMN floor FLOAT DEFAULT '0' NOT NULL CONSTRAINT ck_proposals_floor CHECK (floor >= 0 AND floor <= 1)"
        )
        op.execute(
            "ALTER TABLE proposals ADD COLUMN weighting VARCHAR(10) CONSTRAINT ck_proposals_weighting CHECK (weighting IS NULL OR weighting IN ('council', 'members', 'double'))"
        )
        op.execute(
            "ALTER TABLE councils ADD COLUMN declared_members INTEGER CONSTRAINT ck_councils_members CHECK (declared_members IS NULL OR declared_members >= 0)"
        )
    else:
        op.add_column(
            "proposals", sa.Column("floor", sa.Float(), server_default="0", nullable=False)
        )
        op.add_column("proposals", sa.Column("weighting", sa.String(length=10), nullable=True))
        op.add_column("councils", sa.Column("declared_members", sa.Integer(), nullable=True))
        for table, checks in CHECKS.items():
            for name, condition in checks:
                op.create_check_constraint(name, table, condition)
    op.add_column("proposals", sa.Column("electorate_members", sa.Integer(), nullable=True))
    op.add_column("electorate", sa.Column("weight", sa.Integer(), nullable=True))
    for statement in FROZEN_NEW.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in FROZEN_OLD.get(dialect, []):
        op.execute(statement)
    op.drop_column("electorate", "weight")
    op.drop_column("proposals", "electorate_members")
    if dialect != "sqlite":
        for table, checks in CHECKS.items():
            for name, _ in checks:
                op.drop_constraint(name, table, type_="check")
    op.drop_column("councils", "declared_members")
    op.drop_column("proposals", "weighting")
    op.drop_column("proposals", "floor")
