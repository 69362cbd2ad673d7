"""t15frontier: proposal kinds set_hours (free time by vote) and set_cap (a limit by vote)

Revision ID: 0013_t15frontier
Revises: 0012_deliberation
"""

from __future__ import annotations

import importlib

revision = "0013_t15frontier"
down_revision = "0012_deliberation"
branch_labels = None
depends_on = None

_commons = importlib.import_module("soviets.ledger.migrations.versions.0003_commons")
_ratification = importlib.import_module("soviets.ledger.migrations.versions.0011_ratification")
OLD_KINDS = _ratification.NEW_KINDS
NEW_KINDS = OLD_KINDS + ", 'set_hours', 'set_cap'"


def upgrade() -> None:
    _commons._kinds(OLD_KINDS, NEW_KINDS)


def downgrade() -> None:
    _commons._kinds(NEW_KINDS, OLD_KINDS)
