"""Cost of the chained records: write N memberships and N inventory events, then verify.

``python -m benchmarks.ledger_chain [--sizes 1e3,1e4] [--db sqlite|URL]`` prints, per size,
the seconds to write the rows (each flush appends its records to the chain), to verify
the links and replay the chain, and to verify fully (replay and comparison of every tracked table).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import soviets.ledger.models  # noqa: F401  (registers the tables and the chaining)
from soviets.ledger import chain, inventory
from soviets.ledger.base import Base
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.models import Council, Membership, Person


def run(url: str, n: int) -> dict[str, float]:
    """Write ``n`` members and ``n`` raises on one council's stock; time writing and verify."""
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    factory = session_factory(engine)
    start = time.perf_counter()
    with transaction(factory) as s:
        council = Council(name="works", kind="workplace")
        s.add(council)
        s.flush()
        people = [Person(name=f"p{i}") for i in range(n)]
        s.add_all(people)
        s.flush()
        s.add_all(Membership(person_id=p.id, council_id=council.id) for p in people)
        s.flush()
        rid = inventory.create_resource(
            s, name="steel", kind="consumer_good", holder_council_id=council.id
        ).id
        for _ in range(n):
            inventory.record(
                s, "raise", resource_id=rid, quantity=1.0, actor_id=people[0].id, mandate="bench"
            )
    wrote = time.perf_counter() - start
    with transaction(factory) as s:
        start = time.perf_counter()
        links = chain.verify(s, balances=False)
        links_s = time.perf_counter() - start
        start = time.perf_counter()
        full = chain.verify(s)
        full_s = time.perf_counter() - start
    engine.dispose()
    assert links.ok and full.ok, full.problems
    return {"entries": full.head_seq, "write_s": wrote, "links_s": links_s, "verify_s": full_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1e3,1e4")
    parser.add_argument("--db", default="sqlite", help="'sqlite' (a temporary file) or a URL")
    args = parser.parse_args()
    print("| n | chain entries | write (s) | verify links + replay (s) | verify full (s) |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for size in args.sizes.split(","):
        n = int(float(size))
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}" if args.db == "sqlite" else args.db
            r = run(url, n)
        print(
            f"| {n} | {r['entries']:.0f} | {r['write_s']:.2f} | {r['links_s']:.2f} | "
            f"{r['verify_s']:.2f} |"
        )


if __name__ == "__main__":
    main()
