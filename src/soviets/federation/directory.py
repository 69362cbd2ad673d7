"""The public directory of a federation, and each council's private papers.

The directory is what every council may know: the names of councils and
goods, who sells which good under which offer id (one offer per output of a
process, one per good in stock, one per primary input held in common), who
subscribes to the offers of each good, and which shard hosts each council.

:func:`split_economy` cuts an :class:`~soviets.economy.Economy` into that
directory and one :class:`Papers` per agent: a workplace council gets only
its own processes, a territorial council only its own needs and members, a
steward only its stock or the limit of a primary input. The runtime hands
each agent its own papers once, when it starts; after that only messages
cross.

Limited sellers: a process with a capacity, a stock or a primary input's
limit. Where a good has sellers without a limit, buyers fill the limited
ones first and turn to the next offer (merit order). Where it has none, the
limit is priced by the federation's clerk from the start (``level`` 0). When
offers do not settle, the clerk also prices the limited sellers of goods the
needs alone do not exhaust (level 1), then all limited sellers (level 2).

Stewards: goods in stock are offered by ``stock:<good>`` (no labour, the
stock as capacity) and each primary input by ``commons:<good>`` (no labour,
its limit as capacity, unlimited when it has none). They make stocks and
limits tradeable like any capacity, so the same prices cover them.

Rationed stocks: a good that only its stock can supply (no process that can
run makes it) and whose needs alone ask for more than the stock holds cannot
be had in full by any plan (nor, within the clerk's tolerances, when they ask
for all of it: ``RATION_ABOVE``). Its steward is not priced by the clerk (no price
makes the stock larger); it **rations**: the workplace councils' orders for
inputs first, pro rata if even they exceed the stock, then what is left to
the territorial councils' needs pro rata (``rationed`` per offer; the rule is
:meth:`soviets.federation.agents.CouncilAgent._allocate`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from soviets.economy import Economy
from soviets.errors import ModelError

CLERK = "clerk"
# a stock-only good whose needs alone take more than this share of its stock is
# rationed: the clerk keeps 1e-6 of a priced limit free and the needs are ordered
# 1e-5 over while it mixes proposals (``protocol.ROOM``, ``agents.NEED_ROOM``), so
# no proposal it could settle on fits in the stock
RATION_ABOVE = 1.0 - 2e-5


@dataclass(frozen=True)
class Directory:
    """Public names and who sells what (see the module docstring)."""

    council_names: list[str]
    council_kind: list[str]
    good_names: list[str]
    process_names: list[str]
    offer_council: np.ndarray  # council id per offer
    offer_good: np.ndarray  # good id per offer
    level: np.ndarray  # per offer of a limited process: when the clerk prices its
    # capacity (0: from the start, 1 or 2: when the offers do not settle); 3: never
    rationed: np.ndarray  # per offer: a stock steward that rations (module docstring)
    subscribers: list[np.ndarray]  # per good: council ids that buy or sell it
    shard_of: np.ndarray  # shard id per council (the clerk: -1)
    n_shards: int

    @property
    def clerk(self) -> int:
        return len(self.council_names) - 1

    @property
    def n_offers(self) -> int:
        return int(self.offer_good.shape[0])


@dataclass(frozen=True)
class Recall:
    """What one council remembers of the last period (a warm start): the public
    offers on its board, its own agreements as buyer and as seller, and its own
    activities. Offer ids are this period's; nothing here is another council's."""

    offer: np.ndarray  # offer ids on its board
    price: np.ndarray  # their last price (hours per unit)
    available: np.ndarray  # their last room (units, inf: no limit)
    bought_offer: np.ndarray  # its agreements as buyer: offer id, quantity, ordered (units)
    bought_qty: np.ndarray
    bought_ordered: np.ndarray
    sold_buyer: np.ndarray  # its agreements as seller: buyer id, offer id, ordered (units)
    sold_offer: np.ndarray
    sold_qty: np.ndarray
    activity: np.ndarray  # per own process, its last commitment (units)


@dataclass
class Papers:
    """One agent's private data (kept by the agent, never sent).

    Processes (workplace councils and stewards) are local rows ``p``; outputs
    and inputs are lists of (process row, good id, quantity per unit);
    ``out_offer`` names each output's public offer id. Needs are (good id,
    quantity, essential) of a territorial council.
    """

    council: int
    kind: str
    process_ids: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    labour: np.ndarray = field(default_factory=lambda: np.empty(0))
    capacity: np.ndarray = field(default_factory=lambda: np.empty(0))
    out_proc: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    out_good: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    out_coef: np.ndarray = field(default_factory=lambda: np.empty(0))
    out_offer: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    in_proc: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    in_good: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    in_coef: np.ndarray = field(default_factory=lambda: np.empty(0))
    need_good: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    need_qty: np.ndarray = field(default_factory=lambda: np.empty(0))
    members: int = 0
    hours_available: float = float("nan")
    recall: Recall | None = None  # its own part of last period's plan (a warm start)
    proposals: tuple[Recall | None, ...] = ()  # its own part of each proposal of that
    # plan's mix, in the order of the clerk's streams (None: it has no memory of one)
    need_room: float | None = None  # needs ordered this much over while the clerk mixes
    # proposals (None: ``agents.NEED_ROOM``; a protocol setting, the same for every council)

    def goods(self) -> np.ndarray:
        """Goods this agent buys or sells (sorted ids)."""
        return np.unique(np.concatenate([self.out_good, self.in_good, self.need_good]))


def region_of(economy: Economy) -> list[str]:
    """Region of every council: the territorial council it is, or belongs to
    through its ``parent`` chain (workplaces with no territorial ancestor are
    their own region)."""
    by_name = {c.name: c for c in economy.councils}
    out = []
    for c in economy.councils:
        cur, seen = c, set()
        while cur.kind != "territorial" and cur.parent and cur.parent not in seen:
            seen.add(cur.name)
            cur = by_name[cur.parent]
        out.append(cur.name if cur.kind == "territorial" else c.name)
    return out


@dataclass
class _Offers:
    """The public offers as they are numbered: seller council and good per offer id."""

    council: list[int] = field(default_factory=list)
    good: list[int] = field(default_factory=list)

    def add(self, council: int, good: int) -> int:
        """A new offer; its id."""
        self.council.append(council)
        self.good.append(good)
        return len(self.council) - 1


def split_economy(
    economy: Economy, n_shards: int = 1, removed: tuple[str, ...] = ()
) -> tuple[Directory, list[Papers]]:
    """Cut ``economy`` into the public directory and one private papers per agent.

    Councils named in ``removed`` are left out (a council removed between
    periods): their offers vanish and whoever relied on them must re-route.
    Raises :class:`ModelError` for a process that makes no good.
    """
    eco = economy
    names = [c.name for c in eco.councils]
    kinds = [c.kind for c in eco.councils]
    gone = set(removed)
    unknown = gone - set(names)
    if unknown:
        raise ModelError(f"unknown council to remove: {', '.join(sorted(unknown))}")
    papers = [
        Papers(
            council=i,
            kind=c.kind,
            members=int(c.members or 0),
            hours_available=float("nan") if c.hours_available is None else c.hours_available,
        )
        for i, c in enumerate(eco.councils)
    ]
    offers = _Offers()
    _process_papers(eco, papers, gone, offers)
    _need_papers(eco, papers, gone)
    for g in np.flatnonzero(eco.stocks > 0):
        _steward(names, kinds, papers, offers, f"stock:{eco.good_names[g]}", int(g), eco.stocks[g])
    for g in np.flatnonzero(eco.good_primary):
        name = f"commons:{eco.good_names[g]}"
        _steward(names, kinds, papers, offers, name, int(g), eco.good_limit[g])

    names.append(CLERK)
    kinds.append("clerk")
    regions = region_of(eco) + [n for n in names[len(eco.councils) :]]
    shard_of = _shards([r for r in regions[: len(names) - 1]], n_shards) + [-1]
    # a council that deals in no good (after a failure: the workplaces whose processes
    # cannot run, the regions whose needs are out of reach) has nothing to say
    live = [pp for pp in papers if names[pp.council] not in gone and pp.goods().size]
    og = np.asarray(offers.good, np.int64)
    rationed = _rationed(eco, papers, og, kinds)
    directory = Directory(
        council_names=names,
        council_kind=kinds,
        good_names=list(eco.good_names),
        process_names=list(eco.process_names),
        offer_council=np.asarray(offers.council, np.int64),
        offer_good=og,
        level=np.where(rationed, 3, _levels(eco, papers, og)),
        rationed=rationed,
        subscribers=_subscribers(eco.n_goods, live, clerk=len(names) - 1),
        shard_of=np.asarray(shard_of, np.int64),
        n_shards=max(1, n_shards),
    )
    return directory, live


def _process_papers(eco: Economy, papers: list[Papers], gone: set[str], offers: _Offers) -> None:
    """Each workplace council's processes in its papers, one public offer per output."""
    net = eco.net_output.tocsc()
    per_council: dict[int, list[int]] = {}
    for j in range(eco.n_processes):
        per_council.setdefault(int(eco.process_council[j]), []).append(j)
    for ci, procs in per_council.items():
        if eco.councils[ci].name in gone:
            continue
        o_proc, o_good, o_coef, o_offer = [], [], [], []
        i_proc, i_good, i_coef = [], [], []
        for local, j in enumerate(procs):
            lo, hi = net.indptr[j], net.indptr[j + 1]
            rows, vals = net.indices[lo:hi], net.data[lo:hi]
            if not np.any(vals > 0):
                raise ModelError(f"process '{eco.process_names[j]}' makes no good")
            for g, q in zip(rows, vals, strict=True):
                if q > 0:
                    o_proc.append(local)
                    o_good.append(int(g))
                    o_coef.append(float(q))
                    o_offer.append(offers.add(ci, int(g)))
                elif q < 0:
                    i_proc.append(local)
                    i_good.append(int(g))
                    i_coef.append(float(-q))
        pp = papers[ci]
        pp.process_ids = np.asarray(procs, dtype=np.int64)
        pp.labour = eco.labour[procs].astype(float)
        pp.capacity = eco.capacity[procs].astype(float)
        pp.out_proc, pp.out_good = np.asarray(o_proc, np.int64), np.asarray(o_good, np.int64)
        pp.out_coef, pp.out_offer = np.asarray(o_coef), np.asarray(o_offer, np.int64)
        pp.in_proc, pp.in_good = np.asarray(i_proc, np.int64), np.asarray(i_good, np.int64)
        pp.in_coef = np.asarray(i_coef)


def _need_papers(eco: Economy, papers: list[Papers], gone: set[str]) -> None:
    """Each territorial council's needs in its papers, summed per good."""
    for ci, c in enumerate(eco.councils):
        if c.name in gone:
            continue
        mask = eco.need_council == ci
        if np.any(mask):
            ug, inv = np.unique(eco.need_good[mask], return_inverse=True)
            papers[ci].need_good = ug.astype(np.int64)
            papers[ci].need_qty = np.bincount(
                inv, weights=eco.need_quantity[mask], minlength=len(ug)
            )


def _steward(
    names: list[str],
    kinds: list[str],
    papers: list[Papers],
    offers: _Offers,
    name: str,
    good: int,
    cap: float,
) -> None:
    """A steward offering a stock or a primary input (no labour, ``cap`` as capacity)."""
    ci = len(names)
    names.append(name)
    kinds.append("steward")
    papers.append(
        Papers(
            council=ci,
            kind="steward",
            process_ids=np.array([-1], np.int64),
            labour=np.zeros(1),
            capacity=np.array([float(cap)]),
            out_proc=np.zeros(1, np.int64),
            out_good=np.array([good], np.int64),
            out_coef=np.ones(1),
            out_offer=np.array([offers.add(ci, good)], np.int64),
        )
    )


def _levels(eco: Economy, papers: list[Papers], offer_good: np.ndarray) -> np.ndarray:
    """Per offer, when the clerk prices its seller's capacity (module docstring)."""
    cap_of = np.empty(len(offer_good))
    for pp in papers:
        cap_of[pp.out_offer] = pp.capacity[pp.out_proc]
    free_seller = np.zeros(eco.n_goods, dtype=bool)
    free_seller[offer_good[~np.isfinite(cap_of)]] = True
    limited = np.bincount(
        offer_good, weights=np.where(np.isfinite(cap_of), cap_of, 0.0), minlength=eco.n_goods
    )
    # limited sellers of a good that the needs alone take beyond their capacity,
    # with a seller without limit beside them, are always full and never set the
    # price: buyers fill them first and turn to the next offer
    merit = free_seller & (eco.demand > limited)
    level = np.full(len(offer_good), 3, dtype=np.int64)
    for pp in papers:
        for p_local in range(len(pp.capacity)):
            rows = pp.out_proc == p_local
            if not np.isfinite(pp.capacity[p_local]):
                continue
            made = pp.out_good[rows]
            level[pp.out_offer[rows]] = (
                0 if not np.all(free_seller[made]) else 1 if not np.all(merit[made]) else 2
            )
    return level


def _rationed(
    eco: Economy, papers: list[Papers], offer_good: np.ndarray, kinds: list[str]
) -> np.ndarray:
    """Per offer: a steward of a stock that is the only supply of its good (every other
    seller has capacity 0) while the needs alone ask for (nearly) all of the stock or
    more (``RATION_ABOVE``)."""
    sells = np.zeros(len(offer_good), dtype=bool)  # can supply anything at all
    steward = np.zeros(len(offer_good), dtype=bool)
    for pp in papers:
        sells[pp.out_offer] = pp.capacity[pp.out_proc] > 0
        steward[pp.out_offer] = (
            kinds[pp.council] == "steward" and not eco.good_primary[pp.out_good].any()
        )
    other = np.zeros(eco.n_goods, dtype=bool)
    other[offer_good[sells & ~steward]] = True
    short = eco.demand > eco.stocks * RATION_ABOVE
    return steward & sells & ~other[offer_good] & short[offer_good]


def _subscribers(n_goods: int, live: list[Papers], clerk: int) -> list[np.ndarray]:
    """Per good, the councils that buy or sell it, and the clerk."""
    subs: list[set[int]] = [{clerk} for _ in range(n_goods)]
    for pp in live:
        for g in pp.goods():
            subs[int(g)].add(pp.council)
    return [np.array(sorted(s), dtype=np.int64) for s in subs]


def _shards(regions: list[str], n_shards: int) -> list[int]:
    """Assign councils to shards, keeping each region's councils together
    (regions in order of first appearance, greedily to the lightest shard)."""
    n_shards = max(1, n_shards)
    order: dict[str, int] = {}
    for r in regions:
        order[r] = order.get(r, 0) + 1
    load = [0] * n_shards
    where: dict[str, int] = {}
    for r, size in sorted(order.items(), key=lambda kv: -kv[1]):
        s = min(range(n_shards), key=lambda k: (load[k], k))
        where[r] = s
        load[s] += size
    return [where[r] for r in regions]
