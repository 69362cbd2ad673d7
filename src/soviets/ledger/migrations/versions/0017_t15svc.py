"""t15svc: proposal kinds admit_to_region, join_region and leave_region

A council is placed in a region (``councils.parent_id``) only by the region's
``admit_to_region`` vote and the council's own ``join_region`` vote taking it; it
leaves by its own ``leave_region`` vote (:mod:`soviets.governance.regions`).

Revision ID: 0017_t15svc
Revises: 0016_t15service
"""

from __future__ import annotations

import importlib

revision = "0017_t15svc"
down_revision = "0016_t15service"
branch_labels = None
depends_on = None

_commons = importlib.import_module("soviets.ledger.migrations.versions.0003_commons")
_a11y = importlib.import_module("soviets.ledger.migrations.versions.0014_t17a11y")
OLD_KINDS = _a11y.NEW_KINDS
NEW_KINDS = OLD_KINDS + ", 'admit_to_region', 'join_region', 'leave_region'"


def upgrade() -> None:
    _commons._kinds(OLD_KINDS, NEW_KINDS)


def downgrade() -> None:
    _commons._kinds(NEW_KINDS, OLD_KINDS)
