"""Property-based tests of the JSON API from its own OpenAPI document (schemathesis).

Every operation of ``/openapi.json`` is called with generated requests,
valid and invalid, in-process over ASGI, signed in as Alice (a member and
delegate, who can see the most), each operation on a fresh copy of the
Valley world. Checks: no server error, documented status codes and content
types, responses that match their schemas, invalid requests refused. The requests tried and the
server errors seen are printed at the end.

(Schemathesis's own pytest plugin does not work with pytest 9 yet, so the
operations are parametrised here and driven with Hypothesis directly.)
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance
from schemathesis.schemas import BaseSchema

from server.conftest import copy_world, restore_copy
from server.live import free_port
from soviets.server import create_app
from soviets.server.mail import MailSettings

EXAMPLES = 25
READ_TIMEOUT_S = 120
"""Per request (schemathesis' default, 10 s, failed a run on a loaded 2-core machine)."""
MAIL = MailSettings(host="127.0.0.1", port=free_port(), starttls=False)
"""A mail server that is not there: mails fail (logged) without changing the answers."""
STATS: Counter[str] = Counter()


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every operation in the OpenAPI document (no database needed)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        document = create_app("sqlite://").openapi()
    return [(m.upper(), p) for p, ops in document["paths"].items() for m in ops]


@pytest.fixture(scope="module")
def served_schema(world_template) -> Iterator[tuple[BaseSchema, str]]:  # type: ignore[no-untyped-def]
    """The document an app on the Valley world serves at ``/openapi.json``, loaded once,
    and the URL of the app's database: each test restores that database from the template
    and calls the one app (the document does not depend on the data, and making it, or a
    new app, takes longer than a test's requests)."""
    folder = Path(tempfile.mkdtemp(prefix="soviets-schemathesis-"))
    url, _ = copy_world(world_template, folder)
    app = create_app(url, mail=MAIL)
    try:
        yield schemathesis.openapi.from_asgi("/openapi.json", app), url
    finally:
        app.state.engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module", autouse=True)
def report(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print the totals when the module is done (past pytest's output capture)."""
    yield
    line = (
        f"\nschemathesis: {STATS['requests']} requests over {STATS['operations']} operations, "
        f"{STATS['server_errors']} server errors"
    )
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if capture is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():
        print(line)


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path"), _operations())
def test_operation_conforms(  # type: ignore[no-untyped-def]
    method: str, path: str, world_template, served_schema: tuple[BaseSchema, str]
) -> None:
    """No generated request makes the server fail, and every answer matches the document
    (on a fresh copy of the world: the app's database restored from the template)."""
    (template, world), (served, url) = world_template, served_schema
    schema = served.clone()
    app = schema.app
    restore_copy(app.state.engine, template, url)
    operation = schema[path][method]
    assert operation.app is app
    headers = {"Authorization": f"Bearer {world.tokens['alice']}"}
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )
    STATS["operations"] += 1

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:  # type: ignore[no-untyped-def]
        response = case.call(headers=headers, timeout=READ_TIMEOUT_S)
        STATS["requests"] += 1
        if response.status_code >= 500:
            STATS["server_errors"] += 1
        # A schema-valid request may still be refused (unknown id, not a member, a rule of
        # the council): ``positive_data_acceptance`` does not apply to this API.
        case.validate_response(
            response, headers=headers, excluded_checks=[positive_data_acceptance]
        )

    try:
        check()
    finally:
        app.state.engine.dispose()
