"""One TOML file with the economy tables as arrays of tables, for small economies.

The tables and fields are those of the CSV folder (``[[goods]]``,
``[[councils]]``, ``[[processes]]``, ``[[flows]]``, ``[[needs]]``,
``[[stocks]]``); a missing key means "no limit" or the default. Values must
have the right TOML type (``labour = 2.5``, not ``labour = "2.5"``). For
brevity a process may carry its flows inline::

    [[processes]]
    process = "bake"
    council = "bakery"
    labour = 1.5
    flows = { bread = 1.0, flour = -0.7 }

Optional top-level keys: ``name`` and ``notes`` (a list of strings). Errors
name ``file [table]``, the entry's number within its table (from 1) and the
field.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soviets.economy import Economy
from soviets.errors import InputError
from soviets.formats.economy_csv import COLUMNS

if TYPE_CHECKING:
    from soviets.formats.rows import RawRow

TOP_LEVEL = ("name", "description", "notes", *COLUMNS)  # COLUMNS has one key per table


def read_economy_toml(path: str | Path) -> Economy:
    """Read and validate an economy written as one TOML file."""
    # Imported here: the Pydantic row models are slow to import and only reading needs them.
    from soviets.formats.rows import REQUIRED_TABLES, TABLES, RawRow, build_economy

    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InputError("file not found", file=file)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not a UTF-8 text file ({exc.reason})", file=file) from None
    if not text.strip():
        raise InputError("empty file", file=file)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=file) from None

    for key in data:
        if key not in TOP_LEVEL:
            raise InputError(
                f"unknown key '{key}' (expected {', '.join(TOP_LEVEL)})", file=file, field=key
            )
    name = data.get("name", path.stem)
    notes = data.get("notes", [])
    if not isinstance(name, str):
        raise InputError("expected a string", file=file, field="name")
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        raise InputError("expected a list of strings", file=file, field="notes")

    tables: dict[str, list[RawRow]] = {t: [] for t in TABLES}
    for table in TABLES:
        where = f"{file} [{table}]"
        entries = data.get(table, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise InputError(f"expected an array of tables [[{table}]]", file=file, field=table)
        if not entries and table in REQUIRED_TABLES and table != "flows":  # flows may be inline
            raise InputError(f"no [[{table}]] entries", file=file, field=table)
        allowed = set(COLUMNS[table]) | ({"flows"} if table == "processes" else set())
        for r, entry in enumerate(entries, 1):
            for key in entry:
                if key not in allowed:
                    raise InputError(
                        f"unknown field (expected {', '.join(sorted(allowed))})",
                        file=where,
                        row=r,
                        field=key,
                    )
            values = {k: v for k, v in entry.items() if k != "flows"}
            tables[table].append(RawRow(where, r, values))
            if table == "processes" and "flows" in entry:
                tables["flows"].extend(_inline_flows(where, r, entry))
    return build_economy(tables, strict=True, name=name, notes=notes)


def _inline_flows(where: str, row: int, entry: dict[str, Any]) -> list[RawRow]:
    from soviets.formats.rows import RawRow

    flows = entry["flows"]
    if not isinstance(flows, dict):
        raise InputError(
            "expected an inline table {good = quantity, ...}", file=where, row=row, field="flows"
        )
    process = entry.get("process")
    return [
        RawRow(
            where,
            row,
            {"process": process, "good": good, "quantity": q},
            labels={"good": "flows", "quantity": f"flows.{good}", "process": "process"},
        )
        for good, q in flows.items()
    ]
