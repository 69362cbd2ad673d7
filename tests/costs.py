"""The order in which xdist hands out test files: the costliest first.

With ``-n 2 --dist loadfile`` each file goes whole to the next idle worker, in
the order of the collection. A long file handed out last keeps one worker busy
while the other waits; handed out first, the short files fill in around it and
both workers end together. ``tests/costs.json`` keeps the seconds each file took
in a recorded run (the sum of its tests' set-up, call and tear-down times);
``conftest.py`` sorts the collected tests by it, keeping each file's own order.
A file missing from the table (a new one) goes first: it may be long, and a short
file costs nothing there.

Refresh the table from a full run's ``--durations=0`` report::

    python -m pytest -n 2 --dist loadfile --durations=0 > run.log
    python tests/costs.py run.log

After changing a few files, a run of just those files updates their entries and keeps
the others (seconds of a run with other work beside it are not comparable: prefer a
full run)::

    python -m pytest FILE... --durations=0 > run.log
    python tests/costs.py --update run.log
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections import defaultdict
from pathlib import Path

TABLE = Path(__file__).with_name("costs.json")
UNKNOWN = math.inf
"""Seconds assumed for a file not in the table: handed out before all others. (It was 2 s,
so the federated labour-budget tests, added after the last refresh and about 80 s of CPU
each, ran last, one worker alone.)"""

_DURATION = re.compile(r"^\s*([0-9.]+)s\s+(?:setup|call|teardown)\s+(\S+?\.py)(?:::|\s|$)")


def load() -> dict[str, float]:
    """Seconds per test file (its path from the repository root), as recorded."""
    table: dict[str, float] = json.loads(TABLE.read_text(encoding="utf-8"))["seconds"]
    return table


def file_of(nodeid: str) -> str:
    """The file part of a pytest node id (``tests/a/test_b.py::test_c[x]``)."""
    return nodeid.split("::", 1)[0]


def sum_durations(report: str) -> dict[str, float]:
    """Seconds per file from the lines of a ``--durations=0`` report, costliest first."""
    seconds: defaultdict[str, float] = defaultdict(float)
    for line in report.splitlines():
        match = _DURATION.match(line)
        if match:
            seconds[match.group(2)] += float(match.group(1))
    return dict(sorted(seconds.items(), key=lambda kv: (-kv[1], kv[0])))


def main(log: str, update: bool = False) -> None:
    """Write ``costs.json`` from the ``--durations=0`` report in the file ``log``; with
    ``update``, only the files in the report change and the others keep their seconds."""
    seconds = sum_durations(Path(log).read_text(encoding="utf-8"))
    if update:
        seconds = dict(sorted((load() | seconds).items(), key=lambda kv: (-kv[1], kv[0])))
    document = {
        "about": "seconds per test file in a full run (tests/costs.py says how to refresh)",
        "seconds": {name: round(value, 1) for name, value in seconds.items()},
    }
    TABLE.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    print(f"{TABLE}: {len(seconds)} files, {sum(seconds.values()):.0f} s in all")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[-1], update="--update" in args[:-1])
