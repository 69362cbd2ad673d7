"""Tests of the ledger: inventory, hash chain, needs, plans, agreements, bookings, CLI."""
