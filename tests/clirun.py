"""Run the ``soviets`` command in this process, through its real entry point.

``soviets.cli.main`` is what the console script and ``python -m soviets``
call: it runs the Typer app and turns the project's errors into a one-line
message and exit code 2. Running it here, with the arguments in ``sys.argv``
and both streams captured, tests the same thing as a subprocess without
starting a Python interpreter per command. An exception that escapes ``main``
(a bug: the command would print a traceback) propagates and fails the test.
A few tests still run ``python -m soviets`` as a real process, end to end.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import chdir, contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from soviets.cli import main

ROOT = Path(__file__).resolve().parents[1]
"""The repository root: relative paths in arguments are read from here."""


@dataclass
class Ran:
    """A finished command: its exit status and what it wrote (as a subprocess result has)."""

    returncode: int
    stdout: str
    stderr: str


@contextmanager
def _environment(env: Mapping[str, str | None]) -> Iterator[None]:
    """``os.environ`` with ``env`` applied (None removes a variable), restored afterwards."""
    saved = {key: os.environ.get(key) for key in env}
    try:
        for key, value in env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def soviets(*args: object, env: Mapping[str, str | None] | None = None, cwd: Path = ROOT) -> Ran:
    """Run ``soviets ARGS`` (from ``cwd``, with ``env`` on top of this environment)."""
    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["soviets", *map(str, args)]
    try:
        with (
            _environment(env or {}),
            chdir(cwd),
            redirect_stdout(out),
            redirect_stderr(err),
        ):
            try:
                main()
                code = 0
            except SystemExit as exc:
                if isinstance(exc.code, str):  # sys.exit("message") prints it, exit status 1
                    err.write(f"{exc.code}\n")
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = argv
    return Ran(code, out.getvalue(), err.getvalue())


def soviets_process(
    *args: object, env: Mapping[str, str | None] | None = None, cwd: Path = ROOT
) -> Ran:
    """Run ``python -m soviets ARGS`` as a real process (for the end-to-end tests):
    what depends on the interpreter's start, such as the width of the output."""
    run_env = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    for key, value in (env or {}).items():
        if value is None:
            run_env.pop(key, None)
        else:
            run_env[key] = value
    done = subprocess.run(
        [sys.executable, "-m", "soviets", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=run_env,
        check=False,
    )
    return Ran(done.returncode, done.stdout, done.stderr)
