"""The whole of ``src/`` stays clean under mypy (set up in pyproject.toml, strict where set)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_src_has_no_type_errors(tmp_path: Path) -> None:
    if shutil.which("mypy", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("mypy is not installed (pip install -e '.[dev]')")
    cache = ["--cache-dir", str(tmp_path / "mypy-cache")]  # not into the source tree
    done = subprocess.run(
        [sys.executable, "-m", "mypy", *cache, "src"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout, done.stdout
