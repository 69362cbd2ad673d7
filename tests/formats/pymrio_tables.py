"""Helpers for the tests against pymrio: its systems as :class:`IOTable`."""

from __future__ import annotations

import numpy as np
import pymrio

from soviets.formats.iotable import IOTable


def table_of(mrio: pymrio.IOSystem) -> IOTable:
    """An IOTable with the flows, final demand and extension rows of a pymrio system."""
    regions = [str(r) for r in mrio.Z.index.get_level_values(0)]
    sectors = [str(s) for s in mrio.Z.index.get_level_values(1)]
    columns: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}
    for ext in mrio.get_extensions(data=True):
        for label, row in ext.F.iterrows():
            name = " ".join(map(str, label)) if isinstance(label, tuple) else str(label)
            columns[name] = row.to_numpy(dtype=float)
            units[name] = str(ext.unit.loc[label].iloc[0]) if ext.unit is not None else ""
    return IOTable(
        codes=[f"{r}.{s}" for r, s in zip(regions, sectors, strict=True)],
        descriptions=sectors,
        intermediate=mrio.Z.to_numpy(dtype=float),
        final_demand=mrio.Y.to_numpy(dtype=float),
        categories=[f"{r}.{c}" for r, c in mrio.Y.columns],
        gross_output=mrio.x.to_numpy(dtype=float).ravel(),
        columns=columns,
        regions=regions,
        category_regions=[str(r) for r, _ in mrio.Y.columns],
        column_units=units,
    )


def zero_final_demand_stressors(mrio: pymrio.IOSystem) -> None:
    """Extensions here are industry columns only: pymrio's direct final-demand rows are 0."""
    for ext in mrio.get_extensions(data=True):
        if getattr(ext, "F_Y", None) is not None:
            ext.F_Y = ext.F_Y * 0.0
