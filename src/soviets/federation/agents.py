"""Council agents: each one holds only its own papers and answers messages.

An agent is made by :func:`make_agent` from its :class:`Papers` and the public
:class:`Directory`. Its whole interface is ``agent.step(round, inbox) ->
outbox``: it reads the messages of the last round (columns per message kind,
with the sender in ``from``) and returns the messages it sends (columns with
the recipient in ``to``). Its papers and its memory live in a
:class:`CouncilAgent` that only the agent's ``step`` reaches; no other agent
holds a reference to them.

What a council does in a round (see :mod:`soviets.federation.protocol` for
the whole protocol and the bound it certifies):

* **market prices** of the goods it deals in: the cheapest offer that still
  has something available, or, when every seller is full, the highest offer;
* **as a seller**: it wants to run each process at the level its orders ask
  (its most valuable output leads; joint outputs come with it), up to its
  capacity unless the clerk prices that capacity; it orders the inputs,
  learns from the last allocations how much it can expect, runs at what it
  can make, and shares out its output among its buyers (pro rata when
  short). Its offer is the cost of a unit at market prices, plus the
  clerk's capacity price, less the value of its joint outputs, and the room
  left below its capacity (0 only at capacity, not when its own inputs fall
  short). A steward of
  a stock that no plan can stretch to the needs (``Directory.rationed``)
  rations instead: the workplaces' orders first, the rest to the
  territorial councils pro rata;
* **as a buyer** (a process's inputs, a territorial council's needs): it
  orders from the cheapest offers first and passes what it expects not to
  get on to the next cheapest (merit order);
* it tells the clerk its hours, the value of its needs, its capacity rent
  and the largest scaling its margins allow (aggregates, for the
  certificate), how much of a limited capacity it would use, and how short
  this round's state can leave it or its buyers (``short``: the orders its
  sellers answer now, at the shares it expected when it placed them, against
  what its activity takes; its own allocations against the shares its buyers
  relied on);
* on a new ``capacity_price`` epoch it keeps its last proposal (activity and
  allocations); on ``stop`` it confirms the weighted mix of its proposals as
  agreements and commits to the mixed activity.

A warm start (``Papers.recall``) begins from the council's own part of last
period's plan: the offers on its board, what it ordered and was allocated, the
orders it received and its activities. A seller takes its remembered orders
``WARM_SLACK`` (5%) over: when needs changed by less than that, the surplus
dies out along the supply chain one step per round, so the quantities fall
towards the new plan from above (a plan that falls from above is balanced),
instead of rising from below.

Streams (a warm start whose last plan was a mix of proposals,
``Papers.proposals``): besides the main market, each council runs one
:class:`CouncilAgent` per proposal of last period's mix, started from its own
part of that proposal, and tags what each sends with its ``stream``. Every
stream follows ``x <- d + A x`` from its old state at that proposal's
capacity prices, so the clerk can re-weigh all of them after a few rounds.
When the clerk stops, or asks the main market for a new proposal, the
council keeps each stream's state as the proposal of that number and goes on
with the main market alone (:class:`Council`). In those streams a seller short
of its orders does not share pro rata: each buyer it was once short of holds a
quota, the least of the last two allocations it was sent (from round 0: what
it was allocated in that proposal, which both remember), relies on no more of
it, and orders the rest from the next offer; what quotas leave unused goes to
the buyers ordering beyond theirs (docs/federation-protocol.md, "Eighth round").

Offers, orders and allocations go only when they change, and again every
``refresh`` rounds (offers every ``4 * patience``). A seller answers every
order it receives; one that does not answer for ``patience`` rounds is taken
for gone and its offers struck off. An order not renewed for
``refresh + patience - 1`` rounds lapses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from soviets.federation.directory import Directory, Papers, Recall
from soviets.federation.messages import PUBLISHED, STREAMED, Columns

INF = np.inf
TOL = 1e-12  # relative tolerance for "full", "spare" and "rationed"
CHANGE_FLOOR = 1e-9  # an entry's change counts relative to at least this share of the largest
NEED_ROOM = 1e-5  # needs ordered this much over while the clerk mixes proposals
WARM_SLACK = 0.05  # a warm start makes last period's orders this much over (module docstring)

Inbox = dict[str, Columns]
Outbox = dict[str, Columns]
Array = np.ndarray


class Agent:
    """A council as the runtime sees it: a name, a message handler, and the memory
    it keeps for the next period; nothing else."""

    __slots__ = ("_memory", "_step", "name")

    def __init__(
        self,
        name: str,
        step: Callable[[int, Inbox], Outbox],
        memory: Callable[[], dict[int, Recall]] = dict,
    ) -> None:
        self.name = name
        self._step = step
        self._memory = memory

    def step(self, round_no: int, inbox: Inbox) -> Outbox:
        """Handle the messages of the last round; return the messages to send."""
        return self._step(round_no, inbox)

    def memory(self) -> dict[int, Recall]:
        """After the stop: the council's own part of each proposal of the agreed mix."""
        return self._memory()


def make_agent(
    papers: Papers,
    directory: Directory,
    patience: int = 3,
    refresh: int = 1,
    quotas: bool = True,
) -> Agent:
    """Build the agent of one council from its own papers and the public directory.

    ``refresh``: an unchanged order or allocation is sent again only after this
    many rounds (1: every round; more needs a reliable channel). ``quotas``: in the
    streams of a warm start, a seller short of its orders keeps each buyer a quota
    (module docstring)."""
    council = Council(papers, directory, patience, refresh, quotas)
    return Agent(directory.council_names[papers.council], council.step, council.memory)


# ------------------------------------------------------------------ the papers
@dataclass(frozen=True)
class Recipe:
    """A council's own processes and needs, in local good indices (never sent)."""

    process_ids: Array
    labour: Array
    cap: Array
    out_proc: Array
    out_coef: Array
    out_offer: Array
    out_loc: Array
    out_pos: Array  # per public offer id: my output row, or -1
    in_proc: Array
    in_coef: Array
    in_loc: Array
    need_loc: Array
    need_vec: Array  # quantity needed per local good
    buys: Array  # local goods I order (inputs and needs)
    lead_offer: Array  # per process: the offer that names it towards the clerk
    limited_proc: Array  # processes with a finite capacity
    level0: Array  # per process: capacity priced by the clerk from the start

    @classmethod
    def of(cls, papers: Papers, directory: Directory, g_local: dict[int, int]) -> Recipe:
        """Read ``papers`` into local good indices."""
        n_local = len(g_local)
        n_proc = len(papers.labour)
        out_proc, out_offer = papers.out_proc, papers.out_offer
        in_loc = np.array([g_local[int(g)] for g in papers.in_good], dtype=np.int64)
        need_loc = np.array([g_local[int(g)] for g in papers.need_good], dtype=np.int64)
        buys = np.zeros(n_local, dtype=bool)
        buys[in_loc] = True
        buys[need_loc] = True
        out_pos = np.full(directory.n_offers, -1, dtype=np.int64)
        out_pos[out_offer] = np.arange(len(papers.out_coef))
        level0 = np.zeros(n_proc, dtype=bool)
        level0[out_proc[directory.level[out_offer] == 0]] = True
        lead_offer = np.full(n_proc, -1, dtype=np.int64)
        lead_offer[out_proc[::-1]] = out_offer[::-1]
        return cls(
            process_ids=papers.process_ids,
            labour=papers.labour,
            cap=papers.capacity,
            out_proc=out_proc,
            out_coef=papers.out_coef,
            out_offer=out_offer,
            out_loc=np.array([g_local[int(g)] for g in papers.out_good], dtype=np.int64),
            out_pos=out_pos,
            in_proc=papers.in_proc,
            in_coef=papers.in_coef,
            in_loc=in_loc,
            need_loc=need_loc,
            need_vec=np.bincount(need_loc, weights=papers.need_qty, minlength=n_local),
            buys=buys,
            lead_offer=lead_offer,
            limited_proc=np.flatnonzero(np.isfinite(papers.capacity)),
            level0=level0,
        )

    @property
    def n_proc(self) -> int:
        return len(self.labour)

    @property
    def n_out(self) -> int:
        return len(self.out_coef)


@dataclass(frozen=True)
class Board:
    """Every public offer of the goods a council deals in, grouped by local good."""

    offer_ids: Array  # public offer id per board row
    loc: Array  # local good per board row
    seller: Array  # seller council per board row
    pos: Array  # per public offer id: board row, or -1
    multi: Array  # per board row: its good has other offers too
    starts: Array  # first board row of each local good that has one
    present: Array  # per local good: it has a board row
    n_local: int

    @classmethod
    def of(cls, directory: Directory, goods: Array, g_local: dict[int, int]) -> Board:
        """The board of a council dealing in ``goods``."""
        d = directory
        offer_ids = np.flatnonzero(np.isin(d.offer_good, goods))
        loc = np.array([g_local[int(g)] for g in d.offer_good[offer_ids]], dtype=np.int64)
        order = np.lexsort((offer_ids, loc))
        offer_ids, loc = offer_ids[order], loc[order]
        n_local = len(goods)
        pos = np.full(d.n_offers, -1, dtype=np.int64)
        pos[offer_ids] = np.arange(len(offer_ids))
        present = np.zeros(n_local, dtype=bool)
        present[loc] = True
        starts = np.flatnonzero(np.r_[True, loc[1:] != loc[:-1]]) if len(loc) else np.empty(0, int)
        return cls(
            offer_ids=offer_ids,
            loc=loc,
            seller=d.offer_council[offer_ids],
            pos=pos,
            multi=np.bincount(loc, minlength=n_local)[loc] > 1,
            starts=starts,
            present=present,
            n_local=n_local,
        )

    @property
    def size(self) -> int:
        return len(self.offer_ids)

    def seg_min(self, values: Array) -> Array:
        """Smallest value per local good over its board rows (inf where none)."""
        out = np.full(self.n_local, INF)
        if self.size:
            out[self.present] = np.minimum.reduceat(values, self.starts)
        return out

    def market(self, price: Array, avail: Array, alive: Array) -> Array:
        """Market price per local good (see the module docstring)."""
        known = alive & ~np.isnan(price)
        spare = known & (avail > 0)
        y_spare = self.seg_min(np.where(spare, price, INF))
        y_max = -self.seg_min(np.where(known, -price, INF))
        any_alive = -self.seg_min(np.where(alive, -1.0, INF)) > 0
        y = np.where(np.isfinite(y_spare), y_spare, np.maximum(y_max, 0.0))
        return np.where(any_alive, y, INF)

    def spill(
        self, req: Array, which: Array, price: Array, ratio: Array, cand: Array, quota: Array
    ) -> tuple[Array, Array]:
        """Orders per board row for goods ``which``: cheapest offer first, what it is
        not expected to deliver (``ratio`` of the order, at most its ``quota``) passed
        on to the next; and expected deliveries per good."""
        orders = np.zeros(self.size)
        ok = cand & which[self.loc]
        one = ok & ~self.multi
        orders[one] = req[self.loc[one]]
        rows = np.flatnonzero(ok & self.multi & (req[self.loc] > 0))
        if rows.size:
            rows = rows[np.lexsort((self.offer_ids[rows], price[rows], self.loc[rows]))]
            _merit_order(rows, self.loc[rows], req, ratio, quota, orders)
        expected = np.bincount(
            self.loc, weights=np.minimum(orders * ratio, quota), minlength=self.n_local
        )
        return orders, expected


# ------------------------------------------------------------------ the memory
@dataclass
class Dealings:
    """What a council knows of the offers on its board and its own orders to them."""

    price: Array
    avail: Array
    alive: Array
    ordered: Array  # what I ordered last round (as the seller knows it)
    expect: Array  # share of ``ordered`` I expected each row to deliver when I ordered it
    answered: Array  # what I ordered the round before (the orders the allocations read answer)
    answered_expect: Array  # share of ``answered`` I expected each row to deliver
    order_round: Array  # round I last sent an order on each row
    ordered_k1: Array  # sent a (non-zero) order last round
    ordered_k2: Array  # ... and the round before
    alloc: Array
    alloc_for: Array
    miss: Array  # rounds a seller I ordered from has not answered
    alloc_prev: Array  # the allocation before the last (a stream's quotas)
    held: Array  # the seller was once short of my order: it keeps me a quota (streams)

    @classmethod
    def empty(cls, n: int) -> Dealings:
        return cls(
            price=np.full(n, np.nan),
            avail=np.full(n, INF),
            alive=np.ones(n, dtype=bool),
            ordered=np.zeros(n),
            expect=np.zeros(n),
            answered=np.zeros(n),
            answered_expect=np.zeros(n),
            order_round=np.full(n, -(10**9), dtype=np.int64),
            ordered_k1=np.zeros(n, dtype=bool),
            ordered_k2=np.zeros(n, dtype=bool),
            alloc=np.zeros(n),
            alloc_for=np.zeros(n),
            miss=np.zeros(n, dtype=np.int64),
            alloc_prev=np.zeros(n),
            held=np.zeros(n, dtype=bool),
        )


@dataclass
class OrderBook:
    """Orders received (sticky): buyer, my output row, quantity, round last seen;
    and the allocation last sent for each and when."""

    buyer: Array = field(default_factory=lambda: np.empty(0, np.int64))
    out: Array = field(default_factory=lambda: np.empty(0, np.int64))
    q: Array = field(default_factory=lambda: np.empty(0))
    seen: Array = field(default_factory=lambda: np.empty(0, np.int64))
    sent_q: Array = field(default_factory=lambda: np.empty(0))
    sent_k: Array = field(default_factory=lambda: np.empty(0, np.int64))
    told: Array = field(default_factory=lambda: np.empty(0))
    # share of its order the buyer was last allocated on this offer (nan: none yet)
    relied: Array = field(default_factory=lambda: np.empty(0))
    # the ``told`` the buyer had read when it sent the order I answer now
    # a stream's quotas (``_allocate``): the least of the last two allocations sent to
    # a buyer that was once short (nan: none), the last allocation sent, and the
    # quota the buyer held when it sent the order I answer now
    told_q: Array = field(default_factory=lambda: np.empty(0))
    told_last: Array = field(default_factory=lambda: np.empty(0))
    relied_q: Array = field(default_factory=lambda: np.empty(0))

    def take(
        self,
        buyer: Array,
        out_row: Array,
        q: Array,
        k: int,
        n_outs: int,
        whole: bool,
        track: bool = False,
    ) -> None:
        """Merge the orders received this round: each replaces the same buyer's
        earlier order of the same offer (a zero cancels it); ``whole``: a buyer's
        orders of this round are all it orders and replace all its earlier ones;
        ``track``: a new order keeps what the buyer was told of the one it replaces
        (``told``, ``relied``; else nan)."""
        if whole:
            keep = ~_member(self.buyer, buyer)
        else:
            keep = ~_member(self.buyer * n_outs + self.out, buyer * n_outs + out_row)
        live = q > 0
        n_new = int(live.sum())
        old, new = self.buyer * n_outs + self.out, (buyer * n_outs + out_row)[live]
        told, relied = np.full(n_new, np.nan), np.full(n_new, np.nan)
        told_q, last, relied_q = (np.full(n_new, np.nan) for _ in range(3))
        if track:
            told, relied = _lookup(old, self.told, new), _lookup(old, self.relied, new)
            told_q, relied_q = _lookup(old, self.told_q, new), _lookup(old, self.relied_q, new)
            last = _lookup(old, self.told_last, new)
        self.told = np.concatenate([self.told[keep], told])
        self.relied = np.concatenate([self.relied[keep], relied])
        self.told_q = np.concatenate([self.told_q[keep], told_q])
        self.told_last = np.concatenate([self.told_last[keep], last])
        self.relied_q = np.concatenate([self.relied_q[keep], relied_q])
        self.buyer = np.concatenate([self.buyer[keep], buyer[live]])
        self.out = np.concatenate([self.out[keep], out_row[live]])
        self.q = np.concatenate([self.q[keep], q[live]])
        self.seen = np.concatenate([self.seen[keep], np.full(n_new, k, np.int64)])
        self.sent_q = np.concatenate([self.sent_q[keep], np.full(n_new, np.nan)])
        self.sent_k = np.concatenate([self.sent_k[keep], np.full(n_new, -(10**9), np.int64)])

    def drop(self, buyers: Array) -> None:
        """Forget the orders of ``buyers`` (councils that fell silent)."""
        keep = ~np.isin(self.buyer, buyers)
        self.told, self.relied = self.told[keep], self.relied[keep]
        self.told_q, self.relied_q = self.told_q[keep], self.relied_q[keep]
        self.told_last = self.told_last[keep]
        self.buyer, self.out, self.q = self.buyer[keep], self.out[keep], self.q[keep]
        self.seen, self.sent_q, self.sent_k = self.seen[keep], self.sent_q[keep], self.sent_k[keep]

    def expire(self, oldest: int) -> None:
        """Drop orders last seen before round ``oldest``."""
        if self.seen.size and self.seen.min() < oldest:
            fresh = self.seen >= oldest
            self.told, self.relied = self.told[fresh], self.relied[fresh]
            self.told_q, self.relied_q = self.told_q[fresh], self.relied_q[fresh]
            self.told_last = self.told_last[fresh]
            self.buyer, self.out = self.buyer[fresh], self.out[fresh]
            self.q, self.seen = self.q[fresh], self.seen[fresh]
            self.sent_q, self.sent_k = self.sent_q[fresh], self.sent_k[fresh]


@dataclass
class Selling:
    """A council's own side: offers as last sent, activity, capacity prices, proposals."""

    sent_price: Array
    sent_avail: Array
    sent_round: Array
    x: Array
    mu: Array  # capacity price of scarce processes (from the clerk)
    priced: Array  # capacity priced by the clerk, not rationed
    epoch: int = 0
    snapshots: list[tuple[Array, Array, Array]] = field(default_factory=list)
    # (activity, allocations, what they answered) per settled proposal
    recalls: list[Recall] = field(default_factory=list)  # the same, to re-evaluate next period
    memory: dict[int, Recall] = field(default_factory=dict)  # the agreed mix's proposals
    stopped: bool = False


@dataclass(frozen=True)
class Market:
    """One round's view of the market from a council's board."""

    y: Array  # market price per local good
    price: Array  # offer price per board row (unknown read as 0)
    cand: Array  # board rows one may order from
    ratio: Array  # share of an order each board row is expected to deliver
    quota: Array  # most each board row is expected to deliver (units; inf: no quota)


@dataclass(frozen=True)
class Making:
    """One round's production decision of a council."""

    d_out: Array  # quantity ordered per output row
    value: Array  # value per output row at market prices
    is_main: Array  # the output row that leads its process
    cap_eff: Array  # capacity unless priced by the clerk
    cap_full: Array  # orders ask at least the capacity
    x: Array  # activity per process
    orders: Array  # orders per board row


# ------------------------------------------------------------------ the agent
class CouncilAgent:
    """One council's rules (see the module docstring); reached only through its Agent."""

    def __init__(
        self,
        papers: Papers,
        directory: Directory,
        patience: int,
        refresh: int,
        quota: bool = False,
    ) -> None:
        self.me = papers.council
        self.clerk = directory.clerk
        self.patience = patience
        self.refresh = max(1, refresh)
        self.is_steward = papers.kind == "steward"
        # a rationing steward serves workplaces' orders first (directory docstring)
        self.rations = bool(np.any(directory.rationed[papers.out_offer]))
        self.workplace = np.array([k == "workplace" for k in directory.council_kind])
        goods = papers.goods()  # local good index -> global good id
        g_local = {int(g): i for i, g in enumerate(goods)}
        self.r = Recipe.of(papers, directory, g_local)
        self.b = Board.of(directory, goods, g_local)
        self.own_rows = self.b.pos[self.r.out_offer] if self.r.n_out else np.empty(0, np.int64)
        self.b_rationed = directory.rationed[self.b.offer_ids]
        # a stream's sellers that are short keep each buyer's quota (``_allocate``)
        self.quota = quota and not self.rations
        n_out, n_proc = self.r.n_out, self.r.n_proc
        self.deal = Dealings.empty(self.b.size)
        self.book = OrderBook()
        self.mixing = False  # the clerk has asked for a proposal of a mix
        self.need_room = NEED_ROOM if papers.need_room is None else papers.need_room
        self.sell = Selling(
            sent_price=np.full(n_out, np.nan),
            sent_avail=np.full(n_out, np.nan),
            sent_round=np.full(n_out, -(10**9), dtype=np.int64),
            x=np.zeros(n_proc),
            mu=np.zeros(n_proc),
            priced=self.r.level0.copy(),
        )
        self.proves = False  # a stream's state: ``short`` proves it balanced (``_tell_clerk``)
        self.folded = False  # the streams ended on a stop: the state is this round's (``_final``)
        if papers.recall is not None:
            self._recall(papers.recall)

    def _recall(self, last: Recall) -> None:
        """A warm start: begin from last period's offers, agreements and activities
        (the buyers' orders from round 0 replace the remembered ones)."""
        deal, b, r = self.deal, self.b, self.r
        rows = b.pos[last.offer]
        on = rows >= 0
        deal.price[rows[on]] = last.price[on]
        deal.avail[rows[on]] = last.available[on]
        self.sell.sent_price = deal.price[self.own_rows].copy()
        self.sell.sent_avail = deal.avail[self.own_rows].copy()
        self.sell.sent_round[~np.isnan(self.sell.sent_price)] = 0
        rows = b.pos[last.bought_offer]
        on = rows >= 0
        deal.alloc[rows[on]] = last.bought_qty[on]
        deal.alloc_prev[rows[on]] = last.bought_qty[on]
        deal.alloc_for[rows[on]] = last.bought_ordered[on]
        deal.ordered[rows[on]] = last.bought_qty[on]
        out = r.out_pos[last.sold_offer]
        on = out >= 0
        slack = 1.0 + WARM_SLACK
        self.book.take(
            last.sold_buyer[on], out[on], last.sold_qty[on] * slack, 0, r.n_out, whole=False
        )
        if last.activity.size == r.n_proc:
            self.sell.x = last.activity.astype(float)
            if self.quota:
                self._recall_quotas(last.sold_qty[on])

    def _recall_quotas(self, sold: Array) -> None:
        """What I allocated each buyer last period, as if I had just told it: a seller
        that was short keeps that quota for each (the buyer remembers it too)."""
        book, r = self.book, self.r
        d_out = np.bincount(book.out, weights=sold, minlength=r.n_out)
        supply = r.out_coef * self.sell.x[r.out_proc]
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(d_out > supply, supply / d_out, 1.0)
        told = share[book.out]
        book.told, book.relied = told, told.copy()
        book.told_last = sold * told
        book.told_q = np.where(told < 1 - TOL, book.told_last, np.nan)
        book.relied_q = book.told_q.copy()

    def step(self, k: int, inbox: Inbox) -> Outbox:
        """One round: read the inbox, decide, and answer."""
        self._read(k, inbox)
        if "stop" in inbox and not self.sell.stopped:
            self.sell.stopped = True
            return self._final(inbox["stop"])
        market = self._market()
        making = self._make(market)
        out: Outbox = {}
        change_p = self._offers(k, market, making, out)
        owed = self._allocate(k, making, out)
        self._order(k, making, out)
        change = max(
            change_p,
            _rel_change(making.orders, self.deal.ordered),
            _rel_change(making.x, self.sell.x),
        )
        overdue = self.book.seen < k - self.refresh + 1
        if np.any(self.deal.miss[self.deal.alive] > 0) or np.any(overdue):
            change = 1.0  # someone fell silent: not settled until it is struck off
        self.deal.answered, self.deal.answered_expect = self.deal.ordered, self.deal.expect
        self.deal.ordered, self.deal.expect = making.orders, _expect(making.orders, market)
        self.sell.x = making.x
        self._tell_clerk(market, making, change, owed, out)
        return out

    # -- reading
    def _read(self, k: int, inbox: Inbox) -> None:
        """Take in offers, allocations, capacity prices and orders; strike off sellers
        that did not answer."""
        deal, pos = self.deal, self.b.pos
        if "offer" in inbox:  # the board: every published offer, mine where on my board
            c = inbox["offer"]
            rows = pos[c["offer"]]
            on = rows >= 0
            deal.price[rows[on]] = c["price"][on]
            deal.avail[rows[on]] = c["available"][on]
        got = np.zeros(self.b.size, dtype=bool)
        if "allocation" in inbox:
            c = inbox["allocation"]
            rows = pos[c["offer"]]
            first = deal.alloc_for[rows] <= 0
            deal.alloc_prev[rows] = np.where(first, c["quantity"], deal.alloc[rows])
            deal.alloc[rows] = c["quantity"]
            deal.alloc_for[rows] = c["ordered"]
            got[rows] = True
        # a seller I ordered from two rounds ago must have answered by now
        deal.miss = np.where(got, 0, deal.miss + deal.ordered_k2)
        deal.alive &= deal.miss < self.patience
        if "silent" in inbox:  # the clerk: these councils no longer report
            silent = inbox["silent"]["council"]
            deal.alive &= ~np.isin(self.b.seller, silent)
            self.book.drop(silent)
        if "capacity_price" in inbox:
            self._capacity_prices(inbox["capacity_price"])
        if "order" in inbox:
            c = inbox["order"]
            self.book.take(
                c["from"].astype(np.int64),
                self.r.out_pos[c["offer"]],
                c["quantity"],
                k,
                self.r.n_out,
                whole=self.refresh == 1,
                track=self.proves,
            )
        self.book.expire(k - self.patience - self.refresh + 1)

    def _capacity_prices(self, c: Columns) -> None:
        """A new epoch: keep the last proposal, and take the clerk's capacity prices."""
        sell, r = self.sell, self.r
        self.mixing = True
        epoch = int(c["epoch"].max())
        while epoch > sell.epoch:
            sell.snapshots.append((sell.x.copy(), *self._held()))
            sell.recalls.append(self.as_recall())
            sell.epoch += 1
        rows = r.out_pos[c["offer"]]
        mine = rows >= 0
        sell.mu[r.out_proc[rows[mine]]] = c["price"][mine]
        sell.priced[r.out_proc[rows[mine]]] = True

    def as_recall(self) -> Recall:
        """My part of the current state, as the next period would re-evaluate it: the
        offers on my board, what I hold as buyer, the orders I hold as seller, my
        activity (nothing of another council's)."""
        deal, b, book = self.deal, self.b, self.book
        known = ~np.isnan(deal.price)
        alloc, asked = self._held()
        held = alloc > 0
        return Recall(
            offer=b.offer_ids[known],
            price=deal.price[known].copy(),
            available=deal.avail[known].copy(),
            bought_offer=b.offer_ids[held],
            bought_qty=alloc[held],
            bought_ordered=asked[held],
            sold_buyer=book.buyer.copy(),
            sold_offer=self.r.out_offer[book.out],
            sold_qty=book.q.copy(),
            activity=self.sell.x.copy(),
        )

    def _held(self, answered: bool = False) -> tuple[Array, Array]:
        """What my sellers allocated me on the orders I hold now (``answered``: on those
        their allocations just read answer), and what I had ordered (an allocation of
        an order I have since cancelled is stale: its seller no longer makes it for me)."""
        held = (self.deal.answered if answered else self.deal.ordered) > 0
        return np.where(held, self.deal.alloc, 0.0), np.where(held, self.deal.alloc_for, 0.0)

    def state(self) -> tuple[Array, Array, Array]:
        """The last round's state, once its allocations are read: my activity, what my
        sellers allocated me for it, and what I had ordered."""
        return (self.sell.x.copy(), *self._held(answered=True))

    def _market(self) -> Market:
        """Market prices and what each offer is expected to deliver."""
        deal = self.deal
        # own offers are on my board as the others see them
        deal.price[self.own_rows] = self.sell.sent_price
        deal.avail[self.own_rows] = self.sell.sent_avail
        y = self.b.market(deal.price, deal.avail, deal.alive)
        unknown = np.isnan(deal.price)
        price = np.where(unknown, 0.0, deal.price)
        cand = deal.alive & np.isfinite(price)
        spare = cand & (deal.avail > 0)
        answered = deal.alloc_for > 0
        ratio = np.where(
            answered,
            np.clip(deal.alloc / np.where(answered, deal.alloc_for, 1.0), 0.0, 1.0),
            np.where(spare | unknown, 1.0, 0.0),
        )
        quota = np.full(self.b.size, INF)
        if self.quota:  # a seller once short of my order: the least of its last two allocations
            deal.held |= answered & (ratio < 1 - TOL) & ~self.b_rationed
            held = deal.held & answered
            quota[held] = np.minimum(deal.alloc, deal.alloc_prev)[held]
            ratio = np.where(held, 1.0, ratio)
        return Market(y=y, price=price, cand=cand, ratio=ratio, quota=quota)

    # -- deciding
    def _make(self, m: Market) -> Making:
        """The activity my orders ask for, the inputs it takes, and what I can make."""
        r, b, book = self.r, self.b, self.book
        d_out = np.bincount(book.out, weights=book.q, minlength=r.n_out)
        y_out = m.y[r.out_loc]
        value = r.out_coef * np.where(np.isfinite(y_out), y_out, 0.0)
        main = _main_rows(r.out_proc, value, r.n_proc)
        is_main = np.zeros(r.n_out, dtype=bool)
        is_main[main[main >= 0]] = True
        want = np.zeros(r.n_proc)
        has = main >= 0
        want[has] = d_out[main[has]] / r.out_coef[main[has]]
        cap_eff = np.where(self.sell.priced, INF, r.cap)
        x_want = np.minimum(want, cap_eff)
        cap_full = want >= cap_eff * (1 - TOL)

        need = r.need_vec * (1.0 + self.need_room) if self.mixing else r.need_vec
        req = (
            np.bincount(r.in_loc, weights=r.in_coef * x_want[r.in_proc], minlength=b.n_local) + need
        )
        orders, expected = b.spill(req, r.buys, m.price, m.ratio, m.cand, m.quota)
        frac = np.where(req > 0, np.minimum(1.0, expected / np.where(req > 0, req, 1.0)), 1.0)
        if r.n_proc == 1:
            f_proc = (
                np.array([min(1.0, float(frac[r.in_loc].min()))]) if r.in_loc.size else np.ones(1)
            )
        else:
            f_proc = np.ones(r.n_proc)
            np.minimum.at(f_proc, r.in_proc, frac[r.in_loc])
        x = x_want * f_proc
        limited = f_proc < 1 - TOL
        if np.any(limited):
            binding = frac < 1 - TOL
            req2 = np.bincount(r.in_loc, weights=r.in_coef * x[r.in_proc], minlength=b.n_local)
            orders2, _ = b.spill(req2, r.buys & ~binding, m.price, m.ratio, m.cand, m.quota)
            orders = np.where(binding[b.loc], orders, orders2)
        return Making(d_out, value, is_main, cap_eff, cap_full, x, orders)

    def _unit_cost(self, m: Market) -> Array:
        """Hours per unit of each process at market prices (labour and inputs)."""
        r = self.r
        return r.labour + np.bincount(
            r.in_proc, weights=r.in_coef * m.y[r.in_loc], minlength=r.n_proc
        )

    # -- answering
    def _offers(self, k: int, m: Market, mk: Making, out: Outbox) -> float:
        """Offers whose price or room changed (or are due again); the relative price change."""
        r, sell = self.r, self.sell
        if not r.n_out:
            return 0.0
        supply = r.out_coef * mk.x[r.out_proc]
        joint = np.bincount(
            r.out_proc, weights=np.where(mk.is_main, 0.0, mk.value), minlength=r.n_proc
        )
        unit = self._unit_cost(m) + sell.mu - joint
        new_price = np.where(mk.is_main, np.maximum(0.0, unit[r.out_proc] / r.out_coef), 0.0)
        # only a process at its capacity announces that it has nothing more: one short
        # of its own inputs still offers up to its capacity, or a buyer new to it would
        # expect nothing, stop, and pass the stop round the economy's cycles (docs/
        # federation-protocol.md, "A buyer new to a short seller")
        room = np.where(
            mk.cap_full[r.out_proc],
            0.0,
            np.maximum(mk.cap_eff[r.out_proc] * r.out_coef - supply, 0.0),
        )
        room = np.where(mk.is_main, room, np.maximum(supply - np.minimum(supply, mk.d_out), 0.0))
        if self.rations:  # workplaces come first: what they have not asked is theirs to order
            book = self.book
            asked = _asked(book.q, book.out, self.workplace[book.buyer], r.n_out)
            room = np.maximum(mk.cap_eff[r.out_proc] * r.out_coef - asked, 0.0)
        room = np.where(room <= TOL * np.maximum(supply, 1e-300), 0.0, room)
        changed = (
            ~_close(new_price, sell.sent_price)
            | ~_close(room, sell.sent_avail)
            | (k - sell.sent_round >= 4 * self.patience)
        )
        rows = np.flatnonzero(changed)
        if rows.size:  # published: one message each, to every board that lists it
            out["offer"] = {
                "to": np.full(rows.size, PUBLISHED, dtype=np.int32),
                "offer": r.out_offer[rows].astype(np.int32),
                "price": new_price[rows],
                "available": room[rows],
            }
            sell.sent_round[rows] = k
        change = _rel_change(new_price, sell.sent_price)
        sell.sent_price, sell.sent_avail = new_price, room
        return change

    def _allocate(self, k: int, mk: Making, out: Outbox) -> float:
        """Share out what I make among my buyers (pro rata when short): an answer to
        every order received this round, and to the others when it changed or is due.
        Returns the largest share of what a buyer expects of me that I leave short
        (``owed``)."""
        book, r = self.book, self.r
        if not book.q.size:
            return 0.0
        supply = r.out_coef * mk.x[r.out_proc]
        if self.rations:
            alloc = _ration(book.q, book.out, self.workplace[book.buyer], supply)
        elif self.quota:
            due = quota_due(book.q, book.relied_q)
            alloc = _by_quota(book.q, due, book.out, mk.d_out, supply)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.where(mk.d_out > supply, supply / mk.d_out, 1.0)
            alloc = book.q * share[book.out]
        if self.quota:
            short = shortfall(due, np.minimum(alloc, due))
        else:
            short = owed_short(book.q, book.relied, alloc) if self.proves else 0.0
        book.relied, book.relied_q = book.told.copy(), book.told_q.copy()
        send = (book.seen == k) | ~_close(alloc, book.sent_q) | (k - book.sent_k >= self.refresh)
        rows = np.flatnonzero(send)
        if rows.size:
            out["allocation"] = {
                "to": book.buyer[rows].astype(np.int32),
                "offer": r.out_offer[book.out[rows]].astype(np.int32),
                "quantity": alloc[rows],
                "ordered": book.q[rows].copy(),
            }
            book.sent_q[rows] = alloc[rows]
            book.sent_k[rows] = k
            book.told[rows] = np.clip(alloc[rows] / book.q[rows], 0.0, 1.0)
            if self.quota:
                _quotas(book, rows, alloc[rows])
        return short

    def _order(self, k: int, mk: Making, out: Outbox) -> None:
        """Orders to sellers that changed (a zero cancels an earlier order), and the
        standing ones again when due or unanswered."""
        deal = self.deal
        # a seller that missed an answer is asked every round until it answers or
        # is struck off
        due = (mk.orders > 0) & ((k - deal.order_round >= self.refresh) | (deal.miss > 0))
        sent = due | ~_close(mk.orders, deal.ordered)
        rows = np.flatnonzero(sent)
        if rows.size:
            out["order"] = {
                "to": self.b.seller[rows].astype(np.int32),
                "offer": self.b.offer_ids[rows].astype(np.int32),
                "quantity": mk.orders[rows],
            }
            deal.order_round[rows] = k
        deal.ordered_k2, deal.ordered_k1 = deal.ordered_k1, sent & (mk.orders > 0)

    def _tell_clerk(self, m: Market, mk: Making, change: float, owed: float, out: Outbox) -> None:
        """Aggregates for the certificate, and how much of a scarce capacity I would use;
        ``owed``: the share of what my buyers expect of me that I leave them short."""
        r, clerk = self.r, self.clerk
        if r.limited_proc.size:
            sp = r.limited_proc
            out["usage"] = {
                "to": np.full(sp.size, clerk, dtype=np.int32),
                "offer": r.lead_offer[sp].astype(np.int32),
                "quantity": mk.x[sp],
                "capacity": r.cap[sp],
            }
        rent, theta = _rent_theta(r, m.y, self._unit_cost(m))
        # this round's needs and inputs, and the largest share of one good that the
        # orders my sellers answer now leave short at the shares I expected of them
        asked = r.need_vec + np.bincount(
            r.in_loc, weights=r.in_coef * mk.x[r.in_proc], minlength=self.b.n_local
        )
        got = np.bincount(
            self.b.loc,
            weights=self.deal.answered * self.deal.answered_expect,
            minlength=self.b.n_local,
        )
        out["report"] = _row(
            clerk,
            hours=float(r.labour @ mk.x) if r.n_proc else 0.0,
            need_value=float(r.need_vec @ m.y) if r.need_loc.size else 0.0,
            rent=rent,
            theta=theta,
            change=change,
            short=max(shortfall(asked, got), owed),
            asked=float(asked.sum()),
        )

    def _final(self, stop: Columns) -> Outbox:
        """Confirm the agreed mix of proposals: agreements and my activity."""
        r, sell, deal, b = self.r, self.sell, self.deal, self.b
        x = np.zeros(r.n_proc)
        alloc = np.zeros(b.size)
        asked = np.zeros(b.size)
        for epoch, weight in zip(stop["epoch"], stop["weight"], strict=True):
            past = 0 <= epoch < len(sell.snapshots)
            x_e, alloc_e, asked_e = (
                sell.snapshots[int(epoch)] if past else (sell.x, *self._held(self.folded))
            )
            if weight > 0:
                sell.memory[int(epoch)] = sell.recalls[int(epoch)] if past else self.as_recall()
            x += weight * x_e
            alloc += weight * alloc_e
            asked += weight * asked_e
        # I confirm no more of a good than my activity's inputs and my needs take (a
        # state falling from above was allocated what the round before it ordered)
        need = r.need_vec * (1.0 + self.need_room) if self.mixing else r.need_vec
        req = need + np.bincount(r.in_loc, weights=r.in_coef * x[r.in_proc], minlength=b.n_local)
        got = np.bincount(b.loc, weights=alloc, minlength=b.n_local)
        with np.errstate(divide="ignore", invalid="ignore"):
            keep = np.where(got > req, req / got, 1.0)
        alloc *= keep[b.loc]
        out: Outbox = {}
        rows = np.flatnonzero((alloc > 0) & deal.alive)
        if rows.size:
            to = np.concatenate([b.seller[rows], np.full(rows.size, self.clerk)])
            out["agreement"] = {
                "to": to.astype(np.int32),
                "offer": np.tile(b.offer_ids[rows], 2).astype(np.int32),
                "quantity": np.tile(alloc[rows], 2),
                "ordered": np.tile(asked[rows], 2),
            }
        if r.n_proc and not self.is_steward:
            out["commitment"] = {
                "to": np.full(r.n_proc, self.clerk, dtype=np.int32),
                "process": r.process_ids.astype(np.int32),
                "activity": x,
            }
        return out


# ---------------------------------------------------------------- helpers
def _rent_theta(r: Recipe, y: Array, cost: Array) -> tuple[float, float]:
    """Capacity rent and the largest theta my uncapacitated margins allow (protocol docs)."""
    if r.n_proc == 0:
        return 0.0, 1.0
    yo = y[r.out_loc]
    if not np.all(np.isfinite(yo)):
        return 0.0, -1.0  # no valid bound this round
    revenue = np.bincount(r.out_proc, weights=r.out_coef * yo, minlength=r.n_proc)
    with np.errstate(invalid="ignore"):
        rev = revenue - (cost - r.labour)
    margin = np.where(np.isnan(rev), -INF, rev - r.labour)
    capped = np.isfinite(r.cap)
    rent = float(np.sum(r.cap[capped] * np.maximum(0.0, margin[capped])))
    bad = ~capped & (margin > 0)
    theta = float(np.min(r.labour[bad] / rev[bad])) if np.any(bad) else 1.0
    return rent, theta


def _merit_order(
    rows: Array, loc: Array, req: Array, ratio: Array, quota: Array, orders: Array
) -> None:
    """Fill ``orders`` for board ``rows`` sorted cheapest first within each good
    ``loc``: the first offer of a good is ordered the whole ``req``, each next one
    what the ones before are not expected to deliver (``ratio``: the share an offer
    is expected to deliver, at most ``quota`` units). One step per place in the
    merit order, every good at once (the arithmetic of a loop over the rows, row by
    row). A remainder below
    ``TOL`` of what the good asks is rounding (``1 - ratio`` of an offer that
    delivers all): it is not passed on, so no dust of orders circles the economy."""
    first = np.r_[True, loc[1:] != loc[:-1]]
    group = np.cumsum(first) - 1
    place = np.arange(rows.size) - np.flatnonzero(first)[group]
    remaining = req[loc[first]].astype(float)
    floor = TOL * remaining
    by_place = np.argsort(place, kind="stable")
    ends = np.cumsum(np.bincount(place))
    for lo, hi in zip(np.r_[0, ends[:-1]], ends, strict=True):
        at = by_place[lo:hi]
        g, r = group[at], rows[at]
        rem = remaining[g]
        live = rem > floor[g]
        orders[r[live]] = rem[live]
        remaining[g] = np.where(live, rem - np.minimum(rem * ratio[r], quota[r]), rem)


def _asked(q: Array, out: Array, which: Array, n_out: int) -> Array:
    """Per output row: what the orders marked ``which`` ask of it."""
    return np.bincount(out, weights=np.where(which, q, 0.0), minlength=n_out)


def _ration(q: Array, out: Array, first: Array, supply: Array) -> Array:
    """A rationing steward's allocation per order: the orders marked ``first`` (the
    workplaces' inputs) from ``supply`` per output row, pro rata if short; what is
    left to the other orders (the territorial councils' needs) pro rata."""
    n = supply.size
    asked_first, asked_rest = _asked(q, out, first, n), _asked(q, out, ~first, n)
    left = np.maximum(supply - asked_first, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share_first = np.where(asked_first > supply, supply / asked_first, 1.0)
        share_rest = np.where(asked_rest > left, left / asked_rest, 1.0)
    return q * np.where(first, share_first[out], share_rest[out])


def _main_rows(out_proc: Array, value: Array, n_proc: int) -> Array:
    """Per process, the output row that leads it: the most valuable (first on ties)."""
    main = np.full(n_proc, -1, dtype=np.int64)
    if out_proc.size == 0:
        return main
    order = np.lexsort((np.arange(out_proc.size), -value, out_proc))
    first = np.ones(order.size, dtype=bool)
    first[1:] = out_proc[order][1:] != out_proc[order][:-1]
    main[out_proc[order][first]] = order[first]
    return main


def _member(a: Array, b: Array) -> Array:
    """Elementwise: whether each of the integers ``a`` is among ``b`` (``np.isin`` by
    one sort and a binary search, without its fixed cost on a council's small arrays)."""
    if a.size == 0 or b.size == 0:
        return np.zeros(a.size, dtype=bool)
    keys = np.sort(b)
    at = np.minimum(np.searchsorted(keys, a), keys.size - 1)
    return keys[at] == a


def _lookup(keys: Array, values: Array, query: Array) -> Array:
    """The value of each of the integers ``query`` among ``keys`` (nan where absent)."""
    out = np.full(query.size, np.nan)
    if keys.size == 0 or query.size == 0:
        return out
    order = np.argsort(keys, kind="stable")
    at = np.minimum(np.searchsorted(keys[order], query), keys.size - 1)
    hit = keys[order][at] == query
    out[hit] = values[order][at][hit]
    return out


def _close(a: Array, b: Array) -> Array:
    """Elementwise: equal, or both finite and within 1e-13 relative."""
    with np.errstate(invalid="ignore"):
        near = np.abs(a - b) <= 1e-13 * np.maximum(np.abs(a), np.abs(b))
    return (a == b) | (near & np.isfinite(a) & np.isfinite(b))


def shortfall(asked: Array, got: Array) -> float:
    """The largest share of one good's ``asked`` quantity that ``got`` leaves short.

    Each share is of what was asked of that good, but never of less than
    ``CHANGE_FLOOR`` times the most asked of one good: the input of an activity
    dying out (1e-17 units asked, none got; measured on 20 goods, seed 1) is
    rounding, not a good short by 100%."""
    if asked.size == 0:
        return 0.0
    den = np.maximum(asked, CHANGE_FLOOR * float(asked.max()))
    with np.errstate(divide="ignore", invalid="ignore"):
        short = np.where(den > 0, np.maximum(asked - got, 0.0) / den, 0.0)
    return float(short.max())


def owed_short(q: Array, told: Array, alloc: Array) -> float:
    """A seller's largest shortfall against what its buyers expect: each buyer expects
    the share of its order ``q`` it was last ``told`` (all of it where it was told
    nothing yet), and gets ``alloc``; each shortfall is a share of that expectation,
    never of less than ``CHANGE_FLOOR`` times the largest (``shortfall``)."""
    expect = q * np.where(np.isnan(told), 1.0, told)
    return shortfall(expect, np.minimum(alloc, expect))


def quota_due(q: Array, quota: Array) -> Array:
    """What each buyer relies on of its order ``q`` at a seller with quotas: at most its
    ``quota`` (units), all of it where it holds none (nan)."""
    return np.where(np.isnan(quota), q, np.minimum(q, quota))


def _quotas(book: OrderBook, rows: Array, alloc: Array) -> None:
    """The quotas of the buyers on ``rows`` after I send them ``alloc``: a buyer once
    short of its order (``told``) holds the least of its last two allocations (as it
    computes it: ``CouncilAgent._market``)."""
    last = book.told_last[rows]
    held = ~np.isnan(book.told_q[rows]) | (book.told[rows] < 1 - TOL)
    both = np.where(np.isnan(last), alloc, np.minimum(alloc, last))
    book.told_q[rows] = np.where(held, both, np.nan)
    book.told_last[rows] = alloc


def _by_quota(q: Array, due: Array, out: Array, d_out: Array, supply: Array) -> Array:
    """A short seller's allocation per order when buyers hold quotas: each gets what it
    relies on (``due``; pro rata to it when even that exceeds ``supply``), and what
    is left of each output is shared pro rata to what the orders ask beyond it."""
    n = supply.size
    owed = np.bincount(out, weights=due, minlength=n)
    beyond = np.bincount(out, weights=q - due, minlength=n)
    left = supply - owed
    with np.errstate(divide="ignore", invalid="ignore"):
        cut = np.where(owed > supply, supply / owed, 1.0)
        extra = np.where(left > 0, np.minimum(1.0, left / beyond), 0.0)
    alloc = due * cut[out] + (q - due) * np.nan_to_num(extra)[out]
    return np.where((d_out > supply)[out], alloc, q)


def _expect(orders: Array, m: Market) -> Array:
    """The share of each order I expect its seller to deliver (at most its quota)."""
    held = np.isfinite(m.quota) & (orders > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        capped = np.minimum(orders * m.ratio, m.quota) / orders
    return np.where(held, capped, m.ratio)


def _rel_change(a: Array, b: Array) -> float:
    """Largest relative change between ``a`` and ``b`` (non-finite read as 0).

    Each entry's change is relative to the entry, but never to less than
    ``CHANGE_FLOOR`` times the largest entry: a flow dying out along a cycle
    (1e-19, 1e-21, ... of the largest) changes by ~100% a round for hundreds of
    rounds and must not count as an unsettled market."""
    if a.size == 0:
        return 0.0
    a = np.where(np.isfinite(a), a, 0.0)
    b = np.where(np.isfinite(b), b, 0.0)
    big = np.maximum(np.abs(a), np.abs(b))
    den = np.maximum(big, max(CHANGE_FLOOR * float(big.max()), 1e-300))
    return float(np.max(np.where(a == b, 0.0, np.abs(a - b) / den)))


def _row(to: int, **values: float) -> Columns:
    """One message to ``to`` with a float column per value."""
    cols: Columns = {"to": np.array([to], dtype=np.int32)}
    for name, v in values.items():
        cols[name] = np.array([v], dtype=float)
    return cols


# ---------------------------------------------------------------- streams
class Council:
    """A council with the streams of a warm start (module docstring): the main
    market's :class:`CouncilAgent` and one more per proposal of last period's mix."""

    def __init__(
        self,
        papers: Papers,
        directory: Directory,
        patience: int,
        refresh: int,
        quotas: bool = True,
    ) -> None:
        self.main = CouncilAgent(replace(papers, proposals=()), directory, patience, refresh)
        self.streams = [
            CouncilAgent(
                replace(papers, recall=rc, proposals=()), directory, patience, refresh, quotas
            )
            for rc in papers.proposals
        ]
        for agent in self.streams:
            agent.mixing = True  # each is a proposal of a mix
        for agent in (self.main, *self.streams) if self.streams else ():
            agent.proves = True  # the clerk weighs each stream's state of each round

    def memory(self) -> dict[int, Recall]:
        """The council's own part of each proposal of the agreed mix (after the stop)."""
        return self.main.sell.memory

    def step(self, k: int, inbox: Inbox) -> Outbox:
        """One round of every stream; stream 0 is the main market."""
        if not self.streams:
            return self.main.step(k, inbox)
        if "stop" in inbox or _new_epoch(inbox):
            self._fold(k, inbox)
            return self.main.step(k, _stream_rows(inbox, 0))
        out = self.main.step(k, _stream_rows(inbox, 0))
        for s, agent in enumerate(self.streams, start=1):
            part = agent.step(k, _stream_rows(inbox, s))
            out = _merge(out, {kind: _tag(kind, cols, s) for kind, cols in part.items()})
        return out

    def _fold(self, k: int, inbox: Inbox) -> None:
        """The streams end: stream s's state is proposal s - 1, the main market's is
        proposal K, and the main market goes on alone. On a stop the proposals are the
        states of the last round, which the clerk weighed, each with the allocations
        that answered it (read now; the main market's in ``_final``); on the clerk's
        new epoch K + 1 they are the settled states after this round's allocations, as
        at the end of any epoch (the main market keeps its own when it reads that
        epoch)."""
        sell, streams = self.main.sell, self.streams
        for s, agent in enumerate(streams, start=1):
            agent._read(k, _stream_rows(inbox, s))
        if "stop" in inbox:
            sell.snapshots = [a.state() for a in streams]
            self.main.folded = True
        else:
            sell.snapshots = [(a.sell.x.copy(), *a._held()) for a in streams]
        sell.recalls = [a.as_recall() for a in streams]
        sell.epoch = len(streams)
        self.main.proves = False
        self.streams = []


def _new_epoch(inbox: Inbox) -> bool:
    """The clerk asks the main market for a new proposal (the streams are over)."""
    c = inbox.get("capacity_price")
    return c is not None and bool(np.any((c["stream"] == 0) & (c["epoch"] > 0)))


def _stream_rows(inbox: Inbox, s: int) -> Inbox:
    """The messages of stream ``s`` (and, for every stream, those without one)."""
    out: Inbox = {}
    for kind, cols in inbox.items():
        if kind not in STREAMED:
            out[kind] = cols
            continue
        sel = cols["stream"] == s
        if np.any(sel):
            out[kind] = {n: v[sel] for n, v in cols.items()}
    return out


def _tag(kind: str, cols: Columns, s: int) -> Columns:
    """``cols`` sent in stream ``s``."""
    if kind not in STREAMED:
        return cols
    return {**cols, "stream": np.full(len(cols["to"]), s, dtype=np.int32)}


def _merge(a: Outbox, b: Outbox) -> Outbox:
    """Two outboxes in one (a streamed kind without a stream column is stream 0)."""
    out = dict(a)
    for kind, cols in b.items():
        if kind not in out:
            out[kind] = cols
            continue
        first = out[kind]
        if kind in STREAMED:
            first = _tag(kind, first, 0) if "stream" not in first else first
            cols = _tag(kind, cols, 0) if "stream" not in cols else cols
        out[kind] = {n: np.concatenate([first[n], cols[n]]) for n in first}
    return out
