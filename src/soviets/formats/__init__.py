"""Reading and writing economies: economy files and input-output tables.

:func:`load_economy` recognises what a path holds:

* an economy folder of CSV tables (``goods.csv`` ...), see :mod:`.economy_csv`;
  with ``periods.csv`` it is a multi-period folder (:mod:`.multiyear_csv`),
  which only ``soviets plan`` reads;
* one TOML economy file (``*.toml``), see :mod:`.economy_toml`;
* a national input-output folder (``intermediate.csv`` with a ``code``
  column and ``industries.csv``, e.g. ``data/wiod2016-usa/2014``);
* a multi-region input-output folder (rows keyed by ``region``, ``sector``,
  e.g. ``data/wiod2013-world-2011``);
* a raw BEA make/use folder (``make.csv``, ``use.csv``, e.g.
  ``data/bea-2017-summary``), converted commodity by commodity;
* a raw ONS product-by-product folder (``products.csv``, e.g.
  ``data/ons-uk-2010``);
* a published multi-region table: EXIOBASE 3 or pymrio saved folder or zip,
  OECD ICIO ``.csv``, WIOD ``.xlsx`` or ``.RData``, Eora26 folder or zip
  (see :mod:`.published` and docs/readers.md).

Input-output tables become economies as described in :mod:`.io_economy`:
one good, process and workplace council per industry, ``A = Z diag(x)^-1``,
labour per unit = labour column / gross output, needs = final demand.
Labour units: a multi-region table's satellite columns keep the unit of
``satellite_units.csv`` (see :mod:`.satellite`); ``hours_employees`` of a
national table (WIOD: millions of hours) is converted to hours, so
``economy.labour @ x`` is total hours worked; any other labour column keeps
its published unit, named in ``economy.labour_unit`` (see
:meth:`IOTable.labour`).

:func:`read_io_tables` gives the raw matrices (Z, final demand, x, columns)
of any of the four input-output layouts for analysis.
"""

from __future__ import annotations

from pathlib import Path

from soviets.economy import Economy
from soviets.errors import InputError
from soviets.formats.bea import is_bea_folder, read_bea
from soviets.formats.economy_csv import (
    is_economy_folder,
    read_economy_folder,
    write_economy_folder,
)
from soviets.formats.economy_toml import read_economy_toml
from soviets.formats.io_economy import io_to_economy
from soviets.formats.iotable import IOTable, read_multiregion, read_national, write_io_folder
from soviets.formats.ons import is_ons_folder, read_ons
from soviets.formats.published import KINDS as PUBLISHED
from soviets.formats.published import published_kind, read_published

__all__ = [
    "IOTable",
    "detect",
    "io_to_economy",
    "load_economy",
    "read_bea",
    "read_economy_folder",
    "read_economy_toml",
    "read_io_tables",
    "read_ons",
    "write_economy_folder",
    "write_io_folder",
]


def detect(path: str | Path) -> str:
    """What ``path`` holds: ``toml``, ``economy``, ``multiyear``, ``bea``, ``ons``, ``io``,
    ``multiregion`` or a published table (``exiobase``, ``oecd``, ``wiod``, ``pymrio``,
    ``eora``; see :mod:`.published`).

    Raises :class:`InputError` for a path that is none of these.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("no such file or folder", file=str(path))
    published = published_kind(path)
    if published is not None:
        return published
    if path.is_file():
        if path.suffix.lower() == ".toml":
            return "toml"
        raise InputError(
            "expected a .toml economy file, a folder or a published table "
            "(.xlsx, .RData, OECD .csv, .zip)",
            file=str(path),
        )
    if is_economy_folder(path):
        return "multiyear" if (path / "periods.csv").is_file() else "economy"
    if is_bea_folder(path):
        return "bea"
    if is_ons_folder(path):
        return "ons"
    intermediate = path / "intermediate.csv"
    if intermediate.is_file():
        with intermediate.open(encoding="utf-8-sig") as fh:
            first = fh.readline()
        return "multiregion" if first.startswith("region,sector") else "io"
    subfolders = sorted(p.name for p in path.iterdir() if (p / "intermediate.csv").is_file())
    hint = f"; choose one of its folders, e.g. {path / subfolders[-1]}" if subfolders else ""
    raise InputError(
        "not an economy: expected goods.csv, intermediate.csv, make.csv/use.csv, "
        "products.csv or a .toml file" + hint,
        file=str(path),
    )


def read_io_tables(path: str | Path) -> IOTable:
    """The raw input-output matrices of a national, multi-region, BEA or ONS folder or of a
    published multi-region table."""
    kind = detect(path)
    path = Path(path)
    if kind == "io":
        return read_national(path)
    if kind == "multiregion":
        return read_multiregion(path)
    if kind == "bea":
        return read_bea(path)
    if kind == "ons":
        return read_ons(path)
    if kind in PUBLISHED:
        return read_published(kind, path)
    raise InputError("not an input-output folder (it is an economy file)", file=str(path))


def load_economy(
    path: str | Path,
    *,
    labour: str | None = None,
    final_demand: list[str] | None = None,
    include_imports: bool = False,
) -> Economy:
    """Load any economy file or input-output folder (see the module docstring).

    ``labour``, ``final_demand`` and ``include_imports`` apply to
    input-output tables only: the labour column (default ``hours_employees``,
    then ``persons_employed``, ``compensation``, ``value_added``), the
    final-demand categories that become needs (default all) and whether
    imported intermediates count as domestic inputs. Giving them for an
    economy file raises :class:`InputError`.
    """
    kind = detect(path)
    path = Path(path)
    if kind == "multiyear":
        raise InputError(
            "a multi-period economy folder (it has periods.csv): plan it with 'soviets plan'",
            file=str(path),
        )
    if kind in ("toml", "economy"):
        if labour is not None or final_demand is not None or include_imports:
            raise InputError(
                "--labour, --final-demand and --include-imports apply only to input-output tables",
                file=str(path),
            )
        return read_economy_toml(path) if kind == "toml" else read_economy_folder(path)
    table = read_io_tables(path)
    return io_to_economy(
        table,
        labour=labour,
        final_demand=final_demand,
        include_imports=include_imports,
        name=str(path),
    )
