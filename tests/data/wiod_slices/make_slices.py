"""Write the two WIOD samples of this folder: a slice of data/wiod2013-world-2011.

Run from the repository root: ``python tests/data/wiod_slices/make_slices.py``.
It keeps 3 countries x 4 sectors of the bundled 2011 world table, with their
real cells (intermediate use among them, their final demand, their gross
output), and writes them in two published layouts:

* ``wiot_2011.RData``: the list ``wiot_2011`` of the ``wiod`` R package
  (``year``, ``countries``, ``industries``, ``inter``, ``final``, ``output``);
* ``WIOT2011_slice.xlsx``: the WIOD 2016 release workbook layout (title
  lines, four header rows, data rows keyed by code, description, country and
  row number, the output row ``GO`` and the total-output column).

Being a slice, the rows do not add up: their sales to the industries left
out are missing, so ``Z 1 + y`` falls short of ``x``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import rdata
from openpyxl import Workbook

from soviets.formats import read_io_tables

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
COUNTRIES = ["AUS", "DEU", "USA"]
SECTORS = ["c1", "c2", "c3", "c20"]
FINAL = ["c37", "c38", "c39", "c41", "c42"]
FINAL_CODES = ["CONS_h", "CONS_np", "CONS_g", "GFCF", "INVEN"]


def main() -> None:
    world = ROOT / "data/wiod2013-world-2011"
    table = read_io_tables(world)
    rows = [table.codes.index(f"{c}.{s}") for c in COUNTRIES for s in SECTORS]
    cols = [table.categories.index(f"{c}.{k}") for c in COUNTRIES for k in FINAL]
    z = table.Z[np.ix_(rows, rows)]
    y = table.final_demand[np.ix_(rows, cols)]
    x = table.gross_output[rows]
    rdata.write_rda(
        HERE / "wiot_2011.RData",
        {
            "wiot_2011": {
                "year": np.array([2011], dtype=np.int32),
                "countries": np.array(COUNTRIES),
                "industries": np.array(SECTORS),
                "final": y,
                "output": x,
                "inter": z,
            }
        },
        compression="bzip2",
    )
    with (world / "sectors.csv").open(encoding="utf-8") as fh:
        sectors = {r["code"]: r for r in csv.DictReader(fh)}
    with (world / "final_demand_categories.csv").open(encoding="utf-8") as fh:
        finals = {r["code"]: r["name"] for r in csv.DictReader(fh)}
    book = Workbook()
    sheet = book.active
    sheet.append(["World Input-Output Table 2011 (slice: 3 countries x 4 sectors)"])
    sheet.append(["(millions of US$)"])
    head = [[""] * 4 for _ in range(4)]
    for c in COUNTRIES:
        for s in SECTORS:
            for level, v in enumerate([sectors[s]["nace_rev1_1"], sectors[s]["name"], c, s]):
                head[level].append(v)
    for c in COUNTRIES:
        for k, code in zip(FINAL, FINAL_CODES, strict=True):
            for level, v in enumerate([code, finals[k], c, k]):
                head[level].append(v)
    for level, v in enumerate(["GO", "Total output", "TOT", "c62"]):
        head[level].append(v)
    for line in head:
        sheet.append(line)
    for i, (c, s) in enumerate((c, s) for c in COUNTRIES for s in SECTORS):
        key = [sectors[s]["nace_rev1_1"], sectors[s]["name"], c, "r" + s[1:]]
        sheet.append([*key, *z[i].tolist(), *y[i].tolist(), float(x[i])])
    sheet.append(["GO", "Output at basic prices", "TOT", "r71", *x.tolist()])
    book.save(HERE / "WIOT2011_slice.xlsx")


if __name__ == "__main__":
    main()
