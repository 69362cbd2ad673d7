"""Imports every command module so that each registers its commands on ``app``.

Every ``soviets`` run imports all of these modules, so they must stay light:
import only typer, rich and the standard library at the top, and import
numpy, SciPy, SQLAlchemy, the server and the project's heavier packages inside
the command functions that use them (``soviets --help`` and ``soviets version``
then start in a fraction of a second). Check with
``python -X importtime -c "import soviets.cli"``.
"""

from __future__ import annotations

import importlib

# One module per area; each area adds its own name.
COMMAND_MODULES: tuple[str, ...] = (
    "version",
    "tally",
    "io",
    "readers",
    "serve",
    "plan",
    "ledger",
    "demo",
    "generate",
    "federation",
    "tick",
    "accounts",
    "frontier",
    "experiment",
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"soviets.cli.{_name}")
