"""Choice of technique across regions: every region may use any region's technique.

In a multi-region input-output economy (goods ``REGION.sector``, one process
per good, each run by a workplace of its region) every good has exactly one
technique, so a plan is the Leontief solution and nothing is chosen.
:func:`world_with_choice` returns the same economy in which region ``R`` may
make its product of sector ``s`` (the good ``R.s``) with the technique of any
region ``T`` for that sector as well as with its own:

* the borrowed process ``R.s@T`` is run by the workplace council that runs
  ``R``'s own process for ``R.s``; it makes one unit of ``R.s`` and uses
  ``T``'s input coefficients with the input goods unchanged (``T``'s recipe
  buys ``DEU.c12``: so does ``R.s@T``; inputs are bought from wherever they
  are made), and ``T``'s hours per unit;
* a unit of activity makes one unit of gross output: where a process's net
  output of its own good is ``q < 1`` (an input-output table's diagonal
  ``1 - a_jj``) the technique used ``1 - q`` of its own good (``T.s``), and
  the borrowed one buys that ``T.s`` too;
* **transfer cost**: each unit made with a borrowed technique also uses
  ``transport`` units of the destination's ``transport_sector`` good
  (``R.c23``, inland transport, by default): the inputs of a foreign recipe
  are carried from where they are made. The default, 0.03 (3% of the value
  made), is about what the world's industries spend on all transport
  services (WIOD 2009: inland, water, air transport and their auxiliaries,
  c23-c26, are 3.1% of world gross output; inland transport alone 1.6%), so
  a borrowed technique carries roughly twice the transport of a domestic
  one. With ``transport_sector=None`` the cost is extra hours instead:
  ``T``'s hours per unit times ``1 + transport``;
* a technique is lent only where it ran (capacity above 0) and its hours are
  known (labour above 0): a region without hours data (the rest of the world
  in WIOD, counted as 0 hours) lends none, or every region would copy its
  "free" recipes; it may still borrow the others';
* ``keep`` (optional) keeps, per good, only the ``keep`` borrowed techniques
  that are cheapest at the fixed-technique economy's labour values (hours
  per unit plus inputs at those values, transfer included).

The original processes keep their names and order, first, so the
fixed-technique economy is the baseline and a subset of the choice.
:func:`technique_origin` names the region whose technique a process uses.

Caveat for money tables: a unit of a good is a unit of money of output, so
a technique's hours per dollar carry its region's price level as well as
its productivity (a dollar of one region's textiles may be more cloth than a
dollar of another's); the hours a plan saves by choosing techniques mix both.

>>> from soviets.economy import Council, Good, Process
>>> eco = Economy.from_records(
...     goods=[Good(f"{r}.{s}") for r in "AB" for s in ("food", "c23")],
...     councils=[Council("A", "territorial"), Council("B", "territorial")]
...     + [Council(f"ws:{r}.{s}", "workplace", parent=r) for r in "AB" for s in ("food", "c23")],
...     processes=[Process(f"{r}.{s}", f"ws:{r}.{s}", h, {f"{r}.{s}": 1.0})
...                for r, s, h in [("A", "food", 2.0), ("A", "c23", 1.0),
...                                ("B", "food", 1.0), ("B", "c23", 3.0)]])
>>> world = world_with_choice(eco, transport=0.1)
>>> world.n_processes, world.process_names[4:]
(8, ['A.food@B', 'A.c23@B', 'B.food@A', 'B.c23@A'])
>>> [p.flows for p in world.process_records() if p.name == "A.food@B"]
[{'A.food': 1.0, 'A.c23': -0.1}]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from soviets.economy.model import Economy
from soviets.errors import ModelError

SEPARATOR = "@"
DEFAULT_TRANSPORT = 0.03
DEFAULT_TRANSPORT_SECTOR = "c23"

__all__ = [
    "DEFAULT_TRANSPORT",
    "DEFAULT_TRANSPORT_SECTOR",
    "borrowed",
    "technique_origin",
    "world_with_choice",
]


def technique_origin(process_name: str) -> str | None:
    """The region whose technique a borrowed process ``R.s@T`` uses (``T``); None for
    a region's own process."""
    head, sep, tail = process_name.rpartition(SEPARATOR)
    return tail if sep and head else None


def borrowed(eco: Economy) -> np.ndarray:
    """Bool per process: True where it uses another region's technique (a separator
    after the first character: :func:`technique_origin` is not None)."""
    return np.array([SEPARATOR in p[1:] for p in eco.process_names], dtype=bool)


def _regions(eco: Economy) -> tuple[list[str], np.ndarray]:
    """Territorial councils, and the region index of every council (-1: none), through
    the ``parent`` chain."""
    names = [c.name for c in eco.councils if c.kind == "territorial"]
    index = {n: i for i, n in enumerate(names)}
    by_name = {c.name: c for c in eco.councils}
    out = np.full(len(eco.councils), -1, dtype=np.int64)
    for k, c in enumerate(eco.councils):
        cur, seen = c, set()
        while cur.kind != "territorial" and cur.parent and cur.parent not in seen:
            seen.add(cur.name)
            cur = by_name[cur.parent]
        out[k] = index.get(cur.name, -1) if cur.kind == "territorial" else -1
    return names, out


def _techniques(
    eco: Economy, regions: list[str], council_region: np.ndarray
) -> list[tuple[int, int, str, float]]:
    """(process, region index, sector, own net output) of every process that makes one
    good ``REGION.sector`` of its own region."""
    out = eco.outputs.tocsc()
    counts = np.diff(out.indptr)
    net = eco.net_output.tocsc()
    result = []
    for j in np.flatnonzero(counts == 1):
        g = int(out.indices[out.indptr[j]])
        region, dot, sector = eco.good_names[g].partition(".")
        r = int(council_region[eco.process_council[j]])
        if not dot or r < 0 or regions[r] != region:
            continue
        q = float(net[g, j])
        result.append((int(j), r, sector, q))
    return result


@dataclass
class _Borrowed:
    """The borrowed techniques, one entry per new process ``R.s@T``."""

    donor: list[int] = field(default_factory=list)  # T's process for T.s
    dest_good: list[int] = field(default_factory=list)  # R.s
    dest_council: list[int] = field(default_factory=list)  # the council of R's own process
    names: list[str] = field(default_factory=list)
    gross: list[float] = field(default_factory=list)  # gross output per unit of activity
    own_input: list[float] = field(default_factory=list)  # T.s used per unit: 1 - q
    out_good: list[int] = field(default_factory=list)  # T.s


def world_with_choice(
    eco: Economy,
    transport: float = DEFAULT_TRANSPORT,
    transport_sector: str | None = DEFAULT_TRANSPORT_SECTOR,
    keep: int | None = None,
) -> Economy:
    """The economy in which every region may use any region's technique for a sector
    (see the module docstring). Raises :class:`ModelError` for a negative
    ``transport`` or ``keep``, or a destination without the transport good."""
    if not transport >= 0:
        raise ModelError(f"transport must be 0 or more, not {transport}")
    if keep is not None and keep < 0:
        raise ModelError(f"keep must be 0 or more, not {keep}")
    if np.any(borrowed(eco)):
        raise ModelError("the economy already has borrowed techniques (process names R.s@T)")
    b = _borrowed_techniques(eco)
    new = _borrowed_net_output(eco, b)
    labour = eco.labour[np.asarray(b.donor, dtype=np.int64)].copy()
    if transport > 0 and transport_sector is not None:
        carry = _transport(eco, b, transport, transport_sector)
        new = (new + carry).tocsc()
        new.eliminate_zeros()
    elif transport > 0:
        labour = labour * (1.0 + transport)
    world = _with_processes(eco, b.names, b.dest_council, labour, new)
    if keep is not None:
        world = _keep_cheapest(eco, world, keep)
    cost = (
        f"{transport:g} units of the destination's {transport_sector} per unit made"
        if transport_sector is not None
        else f"hours x {1 + transport:g}"
    )
    world.notes.append(
        f"choice of technique: {world.n_processes - eco.n_processes} borrowed techniques "
        f"(R.s@T: region R makes its good of sector s with T's technique; transfer cost "
        f"{cost}){'' if keep is None else f', the {keep} cheapest per good kept'}; "
        f"{eco.n_processes} own techniques"
    )
    return world


def _borrowed_techniques(eco: Economy) -> _Borrowed:
    """Every technique a region may borrow: for each region's own process of a sector
    (in the order of the processes), the other regions' lendable ones for that sector."""
    regions, council_region = _regions(eco)
    techs = _techniques(eco, regions, council_region)
    own: dict[tuple[int, str], int] = {}  # (region, sector) -> the region's own process
    for j, r, sector, _ in techs:
        own.setdefault((r, sector), j)
    by_sector: dict[str, list[tuple[int, int, str, float]]] = {}
    for j, r, sector, q in techs:
        if eco.capacity[j] > 0 and eco.labour[j] > 0 and q > 0:
            by_sector.setdefault(sector, []).append((j, r, sector, q))
    b = _Borrowed()
    for (r2, sector), mine in own.items():
        for j, r, _, q in by_sector.get(sector, []):
            if r2 == r:
                continue
            b.donor.append(j)
            b.dest_good.append(eco.good_index[f"{regions[r2]}.{sector}"])
            b.dest_council.append(int(eco.process_council[mine]))
            b.names.append(f"{regions[r2]}.{sector}{SEPARATOR}{regions[r]}")
            b.gross.append(max(q, 1.0))
            b.own_input.append(max(0.0, 1.0 - q))
            b.out_good.append(eco.good_index[f"{regions[r]}.{sector}"])
    return b


def _borrowed_net_output(eco: Economy, b: _Borrowed) -> sp.csc_matrix:
    """Net output of the borrowed processes: the donor's inputs, its own good as an
    input (``1 - q``) and the destination's good as gross output."""
    n_new = len(b.donor)
    donor = np.asarray(b.donor, dtype=np.int64)
    out = np.asarray(b.out_good, dtype=np.int64)
    cols = np.arange(n_new)
    shape = (eco.n_goods, n_new)
    net = eco.net_output.tocsc()
    inputs = net[:, donor].tocsc()
    own_output = np.asarray([net[g, j] for g, j in zip(out, donor, strict=True)])
    inputs = inputs - sp.csc_matrix((own_output, (out, cols)), shape=shape)
    new = (
        inputs
        + sp.csc_matrix((-np.asarray(b.own_input), (out, cols)), shape=shape)
        + sp.csc_matrix(
            (np.asarray(b.gross), (np.asarray(b.dest_good, dtype=np.int64), cols)), shape
        )
    ).tocsc()
    new.eliminate_zeros()
    return new


def _transport(
    eco: Economy, b: _Borrowed, transport: float, transport_sector: str
) -> sp.csc_matrix:
    """The transfer cost as an input: ``transport`` units of the destination region's
    ``transport_sector`` good per unit of gross output."""
    carriers = []
    for g in b.dest_good:
        region = eco.good_names[g].partition(".")[0]
        name = f"{region}.{transport_sector}"
        if name not in eco.good_index:
            raise ModelError(
                f"no transport good '{name}' for the borrowed techniques of {region} "
                "(choose transport_sector, or None to charge extra hours instead)"
            )
        carriers.append(eco.good_index[name])
    cols = np.arange(len(b.donor))
    return sp.csc_matrix(
        (-transport * np.asarray(b.gross), (np.asarray(carriers, dtype=np.int64), cols)),
        (eco.n_goods, len(b.donor)),
    )


def _with_processes(
    eco: Economy, names: list[str], council: list[int], labour: np.ndarray, net: sp.csc_matrix
) -> Economy:
    """A copy of ``eco`` with the processes ``names`` added after its own (capacity
    unlimited)."""
    return Economy(
        good_names=list(eco.good_names),
        good_units=list(eco.good_units),
        good_primary=eco.good_primary.copy(),
        good_limit=eco.good_limit.copy(),
        councils=list(eco.councils),
        process_names=list(eco.process_names) + names,
        process_council=np.concatenate([eco.process_council, np.asarray(council, dtype=np.int64)]),
        labour=np.concatenate([eco.labour, labour]),
        capacity=np.concatenate([eco.capacity, np.full(len(names), np.inf)]),
        net_output=sp.hstack([eco.net_output.tocsc(), net]).tocsc(),
        need_council=eco.need_council.copy(),
        need_good=eco.need_good.copy(),
        need_quantity=eco.need_quantity.copy(),
        need_essential=eco.need_essential.copy(),
        stocks=eco.stocks.copy(),
        name=eco.name,
        notes=list(eco.notes),
        labour_unit=eco.labour_unit,
    )


def _keep_cheapest(eco: Economy, world: Economy, keep: int) -> Economy:
    """``world`` with, per good, only the ``keep`` borrowed techniques cheapest at the
    labour values of ``eco`` (the fixed-technique economy)."""
    from scipy.sparse.linalg import spsolve

    n = eco.n_processes
    # labour values of the fixed techniques: v N_own = l on the goods they make
    out = eco.outputs.tocsc()
    made = np.flatnonzero((np.diff(out.indptr) == 1) & (eco.capacity > 0))
    goods = out.indices[out.indptr[made]]
    values = np.zeros(eco.n_goods)
    if made.size:
        square = eco.net_output.tocsr()[goods][:, made].tocsc()
        values[goods] = spsolve(square.T.tocsc(), eco.labour[made])
    values = np.where(np.isfinite(values), np.maximum(values, 0.0), 0.0)
    extra = world.net_output[:, n:].tocsc()
    inputs = (-extra).maximum(0)
    cost = world.labour[n:] + inputs.T @ values
    main = world.main_output[n:]
    chosen = np.zeros(world.n_processes - n, dtype=bool)
    order = np.lexsort((cost, main))
    start = 0
    while start < order.size:
        g = main[order[start]]
        stop = start
        while stop < order.size and main[order[stop]] == g:
            stop += 1
        chosen[order[start : min(stop, start + keep)]] = True
        start = stop
    kept = np.concatenate([np.arange(n), n + np.flatnonzero(chosen)])
    world.process_names = [world.process_names[j] for j in kept]
    world.process_council = world.process_council[kept]
    world.labour = world.labour[kept]
    world.capacity = world.capacity[kept]
    world.net_output = world.net_output[:, kept].tocsc()
    for attr in ("process_index", "inputs", "outputs", "single_output", "main_output"):
        world.__dict__.pop(attr, None)
    return world
