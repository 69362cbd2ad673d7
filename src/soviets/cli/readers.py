"""``soviets import exiobase|oecd|wiod|pymrio|eora``: published multi-region tables."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from soviets.cli.io import import_app


class Layout(StrEnum):
    """Layout of the folder written."""

    multiregion = "multiregion"
    pymrio = "pymrio"


LayoutOpt = Annotated[
    Layout,
    typer.Option(
        "--layout",
        help="multiregion: the project's multi-region folder (soviets check/plan read it); "
        "pymrio: pymrio's saved folder (pymrio.load_all reads it).",
    ),
]
SrcArg = Annotated[Path, typer.Argument(help="The published table (file, folder or zip).")]
OutArg = Annotated[Path, typer.Argument(help="New folder to write.")]


def _import(kind: str, src: Path, out: Path, layout: Layout) -> None:
    from soviets.formats.mrio import write_multiregion_folder
    from soviets.formats.published import read_published
    from soviets.formats.pymrio_folder import write_pymrio_folder

    table = read_published(kind, src)
    if layout is Layout.pymrio:
        write_pymrio_folder(table, out)
    else:
        write_multiregion_folder(table, out)
    regions = len(dict.fromkeys(table.regions or []))
    typer.echo(
        f"wrote {out}: {regions} regions, {table.n} region-sectors, "
        f"{len(table.categories)} final-demand columns, {len(table.columns)} numeric columns"
    )
    for note in table.notes:
        typer.echo(f"- {note}")


READERS = {
    "exiobase": "EXIOBASE 3 monetary table (IOT_<year>_pxp.zip or _ixi.zip, or its folder).",
    "oecd": "OECD Inter-Country Input-Output table (one year's CSV file).",
    "wiod": "WIOD world input-output table: release workbook (.xlsx) or wiot_<year>.RData.",
    "pymrio": "pymrio saved folder or zip (IOSystem.save_all); no pymrio needed.",
    "eora": "Eora26 basic-price folder (Eora26_<year>_bp_T.txt, _FD, _VA and labels_*.txt).",
}
"""``soviets import KIND`` for each published multi-region table, with its help text."""


def _command(kind: str, doc: str) -> None:
    """Register ``soviets import KIND``."""

    def command(src: SrcArg, out: OutArg, layout: LayoutOpt = Layout.multiregion) -> None:
        _import(kind, src, out, layout)

    command.__doc__ = doc
    import_app.command(kind)(command)


for _kind, _doc in READERS.items():
    _command(_kind, _doc)
