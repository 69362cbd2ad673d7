"""The short form of ``benchmarks.fuzz``: a few hundred generated and malformed requests.

Schemathesis cases from the OpenAPI document and hand-made bad requests
(malformed JSON, huge numbers, NUL bytes, wrong types, bad ids) go over real
HTTP to ``soviets serve`` on a demo database, signed in and signed out; no
answer may be a server error. The long form is
``python -m benchmarks.fuzz --requests 10000``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.fuzz import run

from databases import Databases
from demo_seed import demo_preparer

REQUESTS = 300


@pytest.mark.slow
def test_fuzzed_requests_get_no_server_error(tmp_path: Path, databases: Databases) -> None:
    tally, _ = run("sqlite", REQUESTS, tmp_path, seed=14, prepare=demo_preparer(databases))
    assert tally.requests >= REQUESTS
    assert any(status.endswith("signed in") for status in tally.statuses)
    assert any(status.endswith("signed out") for status in tally.statuses)
    assert tally.server_errors == []
