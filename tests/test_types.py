"""The whole of ``src/`` stays clean under mypy (set up in pyproject.toml, strict where set)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_src_has_no_type_errors() -> None:
    if shutil.which("mypy", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("mypy is not installed (pip install -e '.[dev]')")
    # no cache written: nothing in the source tree, and less CPU (docs/testing.md)
    cache = ["--cache-dir", os.devnull]
    done = subprocess.run(
        [sys.executable, "-m", "mypy", *cache, "src"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout, done.stdout
