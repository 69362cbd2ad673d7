"""Imports every command module so that each registers its commands on ``app``."""

from __future__ import annotations

import importlib

# One module per area; a module listed here that does not exist yet is skipped
# only while the project is being built up: each area adds its own name.
COMMAND_MODULES: tuple[str, ...] = ("version",)

for _name in COMMAND_MODULES:
    importlib.import_module(f"soviets.cli.{_name}")
