"""Time reading a pymrio saved folder (the EXIOBASE 3 layout): our reader against pymrio's.

``python -m benchmarks.readers [--sizes 500,2000] [--regions 10]`` writes, for
each size, a random multi-region table of that many region-sectors as a
pymrio saved folder (``write_pymrio_folder``), then reads it with
``read_pymrio_folder`` (no pandas) and with ``pymrio.load_all`` and prints the
seconds of each read and the largest difference between the two Z matrices.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from soviets.formats.iotable import IOTable
from soviets.formats.mrio import multiregion_table
from soviets.formats.pymrio_folder import read_pymrio_folder, write_pymrio_folder


def instance(n: int, regions: int, seed: int = 0) -> IOTable:
    """A random table: n region-sectors in ``regions`` regions, 5 categories each."""
    rng = np.random.default_rng(seed)
    sectors = -(-n // regions)
    keys = [(f"R{r}", f"s{s}") for r in range(regions) for s in range(sectors)][:n]
    z = rng.random((n, n)) * (rng.random((n, n)) < 0.2)
    fd_keys = [(f"R{r}", f"f{k}") for r in range(regions) for k in range(5)]
    fd = rng.random((n, len(fd_keys))) * 10
    va = rng.random(n) * 10
    return multiregion_table(
        keys,
        z,
        fd_keys,
        fd,
        z.sum(axis=1) + fd.sum(axis=1),
        columns={"value_added": va, "emissions/co2": rng.random(n)},
        unit="USD million",
        source="benchmark",
        file="benchmark",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="500,2000")
    parser.add_argument("--regions", type=int, default=10)
    args = parser.parse_args()
    import pymrio

    print("| region-sectors | Z.txt MB | write s | ours s | pymrio.load_all s | max abs diff Z |")
    print("| --- | --- | --- | --- | --- | --- |")
    for n in (int(float(s)) for s in args.sizes.split(",")):
        table = instance(n, args.regions)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "mrio"
            start = time.perf_counter()
            write_pymrio_folder(table, folder)
            written = time.perf_counter() - start
            size = (folder / "Z.txt").stat().st_size / 1e6
            start = time.perf_counter()
            ours = read_pymrio_folder(folder)
            t_ours = time.perf_counter() - start
            start = time.perf_counter()
            theirs = pymrio.load_all(folder)
            t_theirs = time.perf_counter() - start
            diff = float(np.abs(ours.Z - theirs.Z.to_numpy()).max())
        print(f"| {n} | {size:.0f} | {written:.1f} | {t_ours:.1f} | {t_theirs:.1f} | {diff:.1e} |")


if __name__ == "__main__":
    main()
