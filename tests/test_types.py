"""The whole of ``src/`` stays clean under mypy (set up in pyproject.toml, strict where set)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(tempfile.gettempdir()) / f"soviets-mypy-{hashlib.sha1(bytes(ROOT)).hexdigest()[:12]}"
"""mypy's cache, outside the source tree, one per checkout: a run after the first rechecks
only the modules changed since (and those that import them), not every module and library
again (docs/testing.md)."""


@pytest.mark.slow
def test_src_has_no_type_errors() -> None:
    if shutil.which("mypy", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("mypy is not installed (pip install -e '.[dev]')")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(CACHE), "src"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout, done.stdout
