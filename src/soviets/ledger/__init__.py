"""The ledger: what the councils hold, need, plan and agree, in SQLite or PostgreSQL.

One module per job (none imports :mod:`soviets.governance`):

* :mod:`.db`, :mod:`.migrate`: engines, sessions, Alembic migrations;
* :mod:`.models`: the tables; :mod:`.types`: UTC timestamps;
* :mod:`.inventory`, :mod:`.chain`: resources held by councils and their
  hash-chained event log (``verify``); :mod:`.records`: the chained records of
  holders, closed proposals, bookings and memberships; :mod:`.replay`: the
  chain replayed and compared with the tables; :mod:`.findings`: the report;
* :mod:`.processes`, :mod:`.needs`: goods catalogue, processes, periods, needs;
* :mod:`.economy`: the planner's economy built from the ledger;
* :mod:`.plans`, :mod:`.agreements`: stored plans, their adoption into supply
  agreements, consent, deliveries and progress;
* :mod:`.bookings`: bookings of shared goods;
* :mod:`.importer`: an economy's goods, processes and needs put into the ledger.

Service functions never commit: the caller owns the transaction
(:func:`soviets.ledger.db.transaction`). User mistakes raise
:class:`soviets.ledger.errors.LedgerError` (a :class:`~soviets.errors.SovietsError`).
"""
