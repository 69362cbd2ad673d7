# ruff: noqa: E501  (long SQL kept on one line each)
"""t15frontier: proposal kinds set_hours (free time by vote) and set_cap (a limit by vote)

Revision ID: 0013_t15frontier
Revises: 0012_deliberation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_t15frontier"
down_revision = "0012_deliberation"
branch_labels = None
depends_on = None

OLD_KINDS = "'general', 'admit_member', 'elect_delegate', 'recall_delegate', 'instruct_delegate', 'approve_needs', 'adopt_plan', 'approve_agreement', 'inventory_transfer', 'change_rules', 'set_role', 'leave_federation', 'abandon_proposal', 'register_process', 'change_process', 'stock_change', 'accept_custody', 'join_federation', 'approve_minutes', 'ratify', 'adapt_decision'"
NEW_KINDS = OLD_KINDS + ", 'set_hours', 'set_cap'"
# (table, constraint, condition with {kinds})
CHECKS = (
    ("proposals", "ck_proposals_kind", "kind IN ({kinds})"),
    ("mandates", "ck_mandates_kind", "proposal_kind IS NULL OR proposal_kind IN ({kinds})"),
)


def _kinds(old: str, new: str) -> None:
    """Swap the list of proposal kinds in the CHECK constraints that name them (PostgreSQL:
    drop and re-add; SQLite: edit the constraint text in the schema table, checked), as
    0003_commons does."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table, name, condition in CHECKS:
            op.drop_constraint(op.f(name), table, type_="check")
            op.create_check_constraint(op.f(name), table, condition.format(kinds=new))
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    for table, _name, condition in CHECKS:
        before, after = condition.format(kinds=old), condition.format(kinds=new)
        changed = bind.execute(
            sa.text(
                "UPDATE sqlite_master SET sql = replace(sql, :before, :after) "
                "WHERE type = 'table' AND name = :table AND instr(sql, :before) > 0"
            ),
            {"before": before, "after": after, "table": table},
        ).rowcount
        if changed != 1:
            raise RuntimeError(f"the kind CHECK of table {table} is not the expected one")
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version or 0) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    problems = bind.exec_driver_sql("PRAGMA integrity_check").scalar()
    if problems != "ok":
        raise RuntimeError(f"the database does not check out after the edit: {problems}")


def upgrade() -> None:
    _kinds(OLD_KINDS, NEW_KINDS)


def downgrade() -> None:
    _kinds(NEW_KINDS, OLD_KINDS)
