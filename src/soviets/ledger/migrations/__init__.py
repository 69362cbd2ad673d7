"""Alembic migrations of the ledger's database (run with ``soviets db upgrade``)."""
