"""Function sizes in src/: the largest functions and how many exceed a limit.

A function's size is its lines from ``def`` to its last line (``end_lineno -
lineno + 1``), decorators not counted; a nested function counts on its own and
inside its parent. Alembic migrations are reported apart: a migration is frozen
history and stays as written.

    python -m benchmarks.function_sizes            # src/, limit 80 lines
    python -m benchmarks.function_sizes --top 30 --limit 60
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path
from typing import NamedTuple

SRC = Path(__file__).resolve().parent.parent / "src"


class Function(NamedTuple):
    """One function definition and its size in lines."""

    path: str
    name: str
    lines: int

    @property
    def migration(self) -> bool:
        return "/migrations/" in self.path


def functions(root: Path) -> list[Function]:
    """Every function and method under ``root``, largest first."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                found.append(Function(str(path.relative_to(root)), node.name, size))
    return sorted(found, key=lambda f: (-f.lines, f.path, f.name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=SRC)
    parser.add_argument("--limit", type=int, default=80, help="lines; count functions over it")
    parser.add_argument("--top", type=int, default=15, help="how many of the largest to list")
    args = parser.parse_args()
    found = functions(args.root)
    code = [f for f in found if not f.migration]
    over = [f for f in found if f.lines > args.limit]
    print(f"functions in {args.root}: {len(found)} ({len(found) - len(code)} in migrations)")
    print(
        f"over {args.limit} lines: {len(over)} in all, {sum(not f.migration for f in over)} "
        "outside migrations"
    )
    if code:
        print(f"largest outside migrations: {code[0].path} {code[0].name} {code[0].lines} lines")
    for f in found[: args.top]:
        print(f"{f.lines:5d} lines  {f.path} {f.name}" + ("  (migration)" if f.migration else ""))


if __name__ == "__main__":
    main()
