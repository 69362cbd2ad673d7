"""a17assembly: assemblies, agenda items, attendance, minutes; proposal kind approve_minutes

Revision ID: 0009_a17assembly
Revises: 0008_transfer
"""

from __future__ import annotations

import importlib
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0009_a17assembly"
down_revision = "0008_transfer"
branch_labels = None
depends_on = None


_commons = importlib.import_module("soviets.ledger.migrations.versions.0003_commons")
_transfer = importlib.import_module("soviets.ledger.migrations.versions.0008_transfer")
OLD_KINDS = _transfer.NEW_KINDS
NEW_KINDS = OLD_KINDS + ", 'approve_minutes'"


def _at(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    _commons._kinds(OLD_KINDS, NEW_KINDS)
    op.create_table(
        "assemblies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        _at("starts_at"),
        _at("ends_at", nullable=True),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column("secretary_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        _at("created_at"),
        _at("cancelled_at", nullable=True),
        sa.CheckConstraint(
            "ends_at IS NULL OR ends_at > starts_at", name=op.f("ck_assemblies_times")
        ),
        sa.CheckConstraint("length(title) > 0", name=op.f("ck_assemblies_title")),
        sa.CheckConstraint(
            "length(place) > 0 OR length(link) > 0", name=op.f("ck_assemblies_where")
        ),
        _fk("assemblies", "council_id", "councils"),
        _fk("assemblies", "chair_id", "people"),
        _fk("assemblies", "secretary_id", "people"),
        _fk("assemblies", "created_by", "people"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assemblies")),
    )
    op.create_index(op.f("ix_assemblies_council_id"), "assemblies", ["council_id"])
    op.create_table(
        "agenda_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("position >= 1", name=op.f("ck_agenda_items_position")),
        sa.CheckConstraint(
            "proposal_id IS NOT NULL OR length(title) > 0", name=op.f("ck_agenda_items_what")
        ),
        _fk("agenda_items", "assembly_id", "assemblies"),
        _fk("agenda_items", "proposal_id", "proposals"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_items")),
        sa.UniqueConstraint(
            "assembly_id", "position", name=op.f("uq_agenda_items_assembly_id_position")
        ),
    )
    op.create_index(op.f("ix_agenda_items_assembly_id"), "agenda_items", ["assembly_id"])
    op.create_table(
        "attendance",
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        _at("recorded_at"),
        _fk("attendance", "assembly_id", "assemblies"),
        _fk("attendance", "person_id", "people"),
        _fk("attendance", "recorded_by", "people"),
        sa.PrimaryKeyConstraint("assembly_id", "person_id", name=op.f("pk_attendance")),
    )
    op.create_table(
        "minutes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("written_by", sa.Integer(), nullable=False),
        _at("written_at"),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        _at("approved_at", nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'approved')"
            " AND (status = 'approved') = (approved_by IS NOT NULL)"
            " AND (approved_by IS NULL) = (approved_at IS NULL)",
            name=op.f("ck_minutes_status"),
        ),
        _fk("minutes", "assembly_id", "assemblies"),
        _fk("minutes", "council_id", "councils"),
        _fk("minutes", "written_by", "people"),
        _fk("minutes", "approved_by", "proposals"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes")),
        sa.UniqueConstraint("assembly_id", name=op.f("uq_minutes_assembly_id")),
    )
    op.create_index(op.f("ix_minutes_council_id"), "minutes", ["council_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_minutes_council_id"), table_name="minutes")
    op.drop_table("minutes")
    op.drop_table("attendance")
    op.drop_index(op.f("ix_agenda_items_assembly_id"), table_name="agenda_items")
    op.drop_table("agenda_items")
    op.drop_index(op.f("ix_assemblies_council_id"), table_name="assemblies")
    op.drop_table("assemblies")
    _commons._kinds(NEW_KINDS, OLD_KINDS)
