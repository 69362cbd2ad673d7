"""The ballot's database work alone: CPU per ballot by group commit against one transaction each.

    python -m benchmarks.ballot_sql [--db sqlite|postgres] [--ballots 1500] [--batch 32]

Builds the vote of :mod:`benchmarks.load` (300 members) and casts ``--ballots``
ballots in one process, no HTTP: first through :class:`BallotWriter` (``--batch``
at a time, as concurrent requests would hand them over), then with
``cast_ballot`` in one transaction per ballot (token lookup, cast, commit).
Prints this process's CPU time per ballot for each (``time.process_time``:
the database server's own CPU is not counted).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time

from benchmarks.load import build_vote, fresh_database
from soviets.governance import ballots
from soviets.ledger.db import make_engine, session_factory
from soviets.server import auth
from soviets.server.ballot_writer import BallotWriter

CHOICES = ("yes", "no", "abstain")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ballot_sql", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--ballots", type=int, default=1500)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args(argv)
    rng = random.Random(1)
    with fresh_database(args.db) as url:
        vote = build_vote(url, 300)
        tokens = list(vote.tokens.values())
        engine = make_engine(url)
        sessions = session_factory(engine)
        writer = BallotWriter(sessions)

        async def grouped() -> None:
            for start in range(0, args.ballots, args.batch):
                await asyncio.gather(
                    *(
                        writer.cast(tokens[i % len(tokens)], vote.proposal_id, rng.choice(CHOICES))
                        for i in range(start, min(start + args.batch, args.ballots))
                    )
                )

        used = time.process_time()
        asyncio.run(grouped())
        writer.close()
        grouped_ms = (time.process_time() - used) * 1e3 / args.ballots
        used = time.process_time()
        for i in range(args.ballots):
            with sessions() as db:
                person_id = auth.person_id_for_token(db, tokens[i % len(tokens)])
                assert person_id is not None
                ballots.cast_ballot(db, person_id, vote.proposal_id, rng.choice(CHOICES))
                db.commit()
        single_ms = (time.process_time() - used) * 1e3 / args.ballots
        engine.dispose()
    print(f"{args.db}: group commit {grouped_ms:.2f} ms CPU per ballot ({writer.batches} batches)")
    print(f"{args.db}: one transaction per ballot {single_ms:.2f} ms CPU per ballot")


if __name__ == "__main__":
    main()
