"""Read EXIOBASE 3 monetary tables (``IOT_<year>_pxp.zip`` or ``IOT_<year>_ixi.zip``).

A release file is a zip (or its unpacked folder) in pymrio's saved layout
(:mod:`.pymrio_folder`): ``A.txt`` (and in later releases ``Z.txt`` and
``x.txt``), ``Y.txt``, ``unit.txt``, ``file_parameters.json``,
``metadata.json`` (``system``: ``pxp`` product by product or ``ixi``
industry by industry) and the ``satellite`` extension (``F.txt``: value
added, employment, emissions ... per region-sector), whose rows become
numeric columns ``satellite/<stressor>``. Without ``Z`` and ``x``, gross
output is ``x = (I - A)^-1 Y 1`` and ``Z = A diag(x)``.
"""

from __future__ import annotations

from pathlib import Path

from soviets.formats.iotable import IOTable
from soviets.formats.pymrio_folder import read_pymrio_folder
from soviets.formats.tabfiles import Source

SYSTEMS = {"pxp": "product by product", "ixi": "industry by industry"}


def read_exiobase(path: str | Path) -> IOTable:
    """Read an EXIOBASE 3 zip or folder (see the module docstring)."""
    source = Source(path)
    meta = source.read_json("metadata.json") if source.exists("metadata.json") else {}
    system = str(meta.get("system", "")).lower()
    version = str(meta.get("version", ""))
    table = read_pymrio_folder(path, "EXIOBASE")
    kind = SYSTEMS.get(system, "system not stated")
    table.source = f"EXIOBASE {version} ({kind}), {Path(path).name}".replace("  ", " ")
    if system not in SYSTEMS:
        table.notes.append("metadata.json gives no system (pxp or ixi)")
    return table
