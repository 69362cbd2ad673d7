"""Every worked example in the package's docstrings runs (``doctest`` on every module
whose source has one)."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

import soviets

PACKAGE = Path(soviets.__file__).parent


def _modules_with_examples() -> list[str]:
    """Dotted names of the modules whose source holds a ``>>>`` example."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if ">>>" not in path.read_text(encoding="utf-8"):
            continue
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


MODULES = _modules_with_examples()


def test_the_examples_are_found() -> None:
    assert "soviets.economy.generate" in MODULES and len(MODULES) >= 10


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0, f"{name}: an example that doctest does not find"
    assert result.failed == 0
