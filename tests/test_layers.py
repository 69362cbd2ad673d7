"""The layer rule (docs/architecture.md) as import-linter contracts, kept on every run.

The contracts live in ``[tool.importlinter]`` in pyproject.toml: ``economy <
formats < planning < federation < experiments``, ``ledger < governance <
server``, the io toolkit only under the command line, and nothing imports
``soviets.cli``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if tool is None:
        pytest.fail("import-linter is not installed: pip install -e '.[dev]'")
    return subprocess.run(
        [tool, "--no-cache", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_every_layer_contract_is_kept() -> None:
    done = _lint_imports()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_a_broken_contract_is_reported(tmp_path: Path) -> None:
    """The tool sees real imports: a contract the code does not keep fails."""
    config = tmp_path / "contracts.ini"
    config.write_text(
        "[importlinter]\nroot_package = soviets\n\n"
        "[importlinter:contract:wrong]\nname = server without governance\ntype = forbidden\n"
        "source_modules = soviets.server\nforbidden_modules = soviets.governance\n",
        encoding="utf-8",
    )
    done = _lint_imports("--config", str(config))
    assert done.returncode != 0
    assert "BROKEN" in done.stdout
