"""Where the tests reach PostgreSQL: ``$SOVIETS_TEST_POSTGRES_URL`` (an admin connection)."""

from __future__ import annotations

import os

PG_ADMIN_URL = os.environ.get(
    "SOVIETS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
