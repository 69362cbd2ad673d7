"""The service boundary and the layers, checked by reading the source with ``ast``.

*Boundary*: who may do what is decided in the governance layer only. The
server (API and page handlers) and the command line only translate input and
output and call service functions; so in ``src/soviets/server`` and
``src/soviets/cli`` nothing may use :mod:`soviets.governance.authz` (its
``require_*`` checks, ``can_read``, memberships), compare a ``.role``, or
raise ``Forbidden``/``NotAllowed`` itself.

The layers themselves are import-linter contracts (``[tool.importlinter]`` in
pyproject.toml), checked by ``tests/test_layers.py``.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "soviets"

# Files other engineers are converting to service calls right now (issue 13). The
# integrator removes each entry once its branch is merged; an entry whose file has
# no check left fails the test, so the list only shrinks.
ALLOWED_FOR_NOW: dict[str, str] = {}

AUTHZ = "soviets.governance.authz"
REFUSALS = {"Forbidden", "NotAllowed"}


def _permission_checks(tree: ast.Module) -> list[tuple[int, str]]:
    """Lines that decide a permission: uses of authz, role comparisons, raised refusals."""
    authz_names: set[str] = set()  # names bound to the authz module
    from_authz: set[str] = set()  # names imported from it
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "soviets.governance":
            authz_names |= {a.asname or a.name for a in node.names if a.name == "authz"}
        elif isinstance(node, ast.ImportFrom) and node.module == AUTHZ:
            from_authz |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            authz_names |= {a.asname or a.name for a in node.names if a.name == AUTHZ}
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in authz_names
        ):
            found.append((node.lineno, f"authz.{node.attr}"))
        elif isinstance(node, ast.Name) and node.id in from_authz:
            found.append((node.lineno, node.id))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
            func = node.func
            via_authz = isinstance(func, ast.Attribute) and ast.unparse(func.value) in authz_names
            name = func.attr if isinstance(func, ast.Attribute) else func.id
            counted = via_authz or name in from_authz  # counted as authz.X or as a Name
            if name.startswith("require_") and name != "require_current" and not counted:
                found.append((node.lineno, f"{name}()"))
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(isinstance(o, ast.Attribute) and o.attr == "role" for o in operands):
                found.append((node.lineno, "role comparison"))
        elif isinstance(node, ast.Raise) and node.exc is not None:
            raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            name = raised.attr if isinstance(raised, ast.Attribute) else None
            name = raised.id if isinstance(raised, ast.Name) else name
            if name in REFUSALS:
                found.append((node.lineno, f"raise {name}"))
    return sorted(found)


def census() -> dict[str, list[tuple[int, str]]]:
    """Permission checks per file of the server and the command line (files with none left out)."""
    found = {}
    for folder in ("server", "cli"):
        for path in sorted((SRC / folder).rglob("*.py")):
            checks = _permission_checks(ast.parse(path.read_text(encoding="utf-8")))
            if checks:
                found[path.relative_to(SRC).as_posix()] = checks
    return found


def test_census_counts_the_checks_it_should() -> None:
    """The scanner sees each kind of check (so a count of 0 means something)."""
    source = (
        "from soviets.governance import authz\n"
        "from soviets.governance.authz import can_read\n"
        "authz.require_member(db, 1, 2)\n"
        "can_read(db, 1, council)\n"
        "ok = membership.role == 'coordinator'\n"
        "raise Forbidden('no')\n"
        "migrate.require_current(url)\n"
    )
    kinds = [what for _, what in _permission_checks(ast.parse(source))]
    assert kinds == ["authz.require_member", "can_read", "role comparison", "raise Forbidden"]


def test_no_permission_checks_outside_the_service_layer() -> None:
    found = census()
    outside = {f: checks for f, checks in found.items() if f not in ALLOWED_FOR_NOW}
    waiting = {f: len(found.get(f, [])) for f in ALLOWED_FOR_NOW}
    report = (
        f"{sum(len(c) for c in outside.values())} permission checks outside governance in "
        f"files not on the allow-list: {outside}; allow-listed files still to convert: "
        f"{sum(waiting.values())} checks, {waiting}"
    )
    assert not outside, report
    done = [f for f, n in waiting.items() if n == 0]
    assert not done, f"take these converted files off ALLOWED_FOR_NOW: {done}; {report}"
