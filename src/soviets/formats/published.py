"""One entry point for the readers of published multi-region tables.

:func:`read_published` reads an EXIOBASE 3, OECD ICIO, WIOD (workbook or
RData), Eora26 or pymrio saved table into an :class:`IOTable`;
``soviets import <kind> SRC OUT`` writes it as a multi-region folder
(:func:`soviets.formats.mrio.write_multiregion_folder`) or as a pymrio saved
folder (:func:`soviets.formats.pymrio_folder.write_pymrio_folder`).
"""

from __future__ import annotations

from pathlib import Path

from soviets.errors import InputError
from soviets.formats.iotable import IOTable

#: kind -> what SRC is
KINDS = {
    "exiobase": "EXIOBASE 3 monetary zip or folder (IOT_<year>_pxp.zip, IOT_<year>_ixi.zip)",
    "oecd": "OECD ICIO CSV file (one year)",
    "wiod": "WIOD world table: release workbook (.xlsx) or wiod R package file (.RData)",
    "pymrio": "pymrio saved folder or zip (IOSystem.save_all)",
    "eora": "Eora26 folder (Eora26_<year>_bp_T.txt ... and labels_*.txt)",
}


def read_published(kind: str, path: str | Path) -> IOTable:
    """Read ``path`` as a table of the given kind (a key of :data:`KINDS`)."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file or folder", file=str(path))
    if kind == "exiobase":
        from soviets.formats.exiobase import read_exiobase

        return read_exiobase(path)
    if kind == "oecd":
        from soviets.formats.oecd import read_oecd

        return read_oecd(path)
    if kind == "wiod":
        from soviets.formats.wiod import read_wiod_rdata, read_wiod_xlsx

        if path.suffix.lower() in (".rdata", ".rda"):
            return read_wiod_rdata(path)
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return read_wiod_xlsx(path)
        raise InputError("expected a .xlsx workbook or a .RData file", file=str(path))
    if kind == "pymrio":
        from soviets.formats.pymrio_folder import read_pymrio_folder

        return read_pymrio_folder(path)
    if kind == "eora":
        from soviets.formats.eora import read_eora

        return read_eora(path)
    raise InputError(f"unknown table kind '{kind}' (known: {', '.join(KINDS)})", field=kind)


def published_kind(path: Path) -> str | None:
    """Which kind of published table ``path`` holds, or None (cheap: looks at names and
    at most one small file)."""
    suffix = path.suffix.lower()
    if path.is_file() and suffix in (".xlsx", ".xlsm", ".rdata", ".rda"):
        return "wiod"
    if path.is_file() and suffix == ".csv":
        from soviets.formats.oecd import is_oecd_file

        return "oecd" if is_oecd_file(path) else None
    if not (path.is_dir() or suffix == ".zip"):
        return None
    from soviets.formats.tabfiles import Source

    try:
        source = Source(path)
        if source.exists("file_parameters.json"):
            params = source.read_json("file_parameters.json")
            if params.get("systemtype") != "IOSystem":
                return None
            meta = source.read_json("metadata.json") if source.exists("metadata.json") else {}
            return "exiobase" if str(meta.get("system", "")).lower() in ("pxp", "ixi") else "pymrio"
        if Source(path, marker="labels_T.txt").exists("labels_T.txt"):
            return "eora"
    except InputError:
        return None
    return None
