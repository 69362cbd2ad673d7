"""transfer: proposal kind join_federation (a council takes a federation's admission)

Revision ID: 0008_transfer
Revises: 0007_input
"""

from __future__ import annotations

import importlib

revision = "0008_transfer"
down_revision = "0007_input"
branch_labels = None
depends_on = None


_commons = importlib.import_module("soviets.ledger.migrations.versions.0003_commons")
_consent = importlib.import_module("soviets.ledger.migrations.versions.0005_consent")
OLD_KINDS = _consent.NEW_KINDS
NEW_KINDS = OLD_KINDS + ", 'join_federation'"


def upgrade() -> None:
    _commons._kinds(OLD_KINDS, NEW_KINDS)


def downgrade() -> None:
    _commons._kinds(NEW_KINDS, OLD_KINDS)
