"""The economy the regimes are compared on, one rule for ``soviets compare`` and
``soviets experiment``: an economy file or folder as it is, an input-output
folder through ``io_to_economy`` (with the persons of its satellite columns),
and the options of the choice of technique across regions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from soviets.economy import Economy

#: The defaults of :func:`soviets.economy.techniques.world_with_choice` (kept here so that
#: the command modules import no numpy at startup; a test checks they agree).
TRANSPORT = 0.03
TRANSPORT_SECTOR = "c23"
CHOICE_HELP = "Let every region use any region's technique for a sector (baseline: its own)."
TRANSPORT_HELP = "Transfer cost of a borrowed technique, per unit made (see --transport-sector)."
TRANSPORT_SECTOR_HELP = (
    "Sector whose destination-region good carries the transfer cost; 'hours' charges "
    "the borrowed technique's hours x (1 + transport) instead."
)
KEEP_HELP = "Keep only the KEEP borrowed techniques per good cheapest at baseline values."


def load_for_regimes(path: Path) -> tuple[Economy, float | None]:
    """The economy at ``path`` and the persons engaged of its table (None for an
    economy file or a table without a persons column)."""
    from soviets.experiments.regimes import persons_of_table
    from soviets.formats import detect, io_to_economy, load_economy, read_io_tables

    if detect(path) in ("toml", "economy", "multiyear"):
        return load_economy(path), None
    table = read_io_tables(path)
    eco = io_to_economy(table, name=str(path))
    return eco, persons_of_table(table.columns, table.column_units)


def transport_sector_of(text: str) -> str | None:
    """``--transport-sector``: a sector name, or None for ``hours``."""
    return None if text == "hours" else text


def with_choice(eco: Economy, transport: float, transport_sector: str, keep: int | None) -> Economy:
    """``eco`` with every region's techniques open to every region, as ``soviets compare
    --choice-of-technique`` plans it (:func:`soviets.economy.techniques.world_with_choice`)."""
    from soviets.economy.techniques import world_with_choice

    return world_with_choice(eco, transport, transport_sector_of(transport_sector), keep)
