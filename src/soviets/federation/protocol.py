r"""The federated plan: autonomous councils agree on production by messages alone.

Protocol
--------
Councils meet in synchronous rounds. In every round each council reads what
was sent to it in the last round and answers (see
:mod:`soviets.federation.agents` for one council's rules):

1. **Offers.** Every seller publishes, to the councils that deal in its good,
   the hours one unit costs it at the market prices of its inputs (its
   labour per unit plus its inputs at their prices, less the value of joint
   outputs) and how much more it could supply. An offer is one message,
   carried once to the board of each shard where a council deals in the good
   (``messages.PUBLISHED``), not once per reader. The market price ``y_g`` of a
   good is its cheapest offer with something still available, or, when every
   seller of it is full, its highest offer. Starting from no prices (read as
   0), these offers are a distributed Bellman-Ford iteration of
   ``v_g = min_p (l_p + In_p . v) / Out_pg``: every technology choice is made
   by a buyer comparing offers.
2. **Orders.** Territorial councils order their needs, workplace councils
   the inputs of the activity their own orders ask for; each buyer orders
   from the cheapest offer first and passes what it expects not to get on
   to the next cheapest. Orders travel up the supply chain one step per
   round, so quantities follow the iteration ``x <- d + A x``.
3. **Scarcity.** A limited seller (a process at capacity, a stock, a
   primary input's limit) shares out what it has pro rata and announces that
   nothing more is available; its buyers turn to the next offer (merit
   order). This settles every good that also has a seller without a limit
   and whose needs alone exceed the limited sellers. Where a good's sellers
   are all limited, or the offers keep changing without settling (the
   clerk watches the largest change per round), the clerk prices the
   capacity instead: each settled state of the councils is a *proposal*
   (its hours and its use of each priced capacity); the clerk solves the
   small linear programme "least-hours mix of the proposals so far within
   the capacities" (Dantzig-Wolfe master, with a penalty for any excess
   that grows while an excess remains) and publishes its dual prices as
   ``capacity_price``; priced sellers add the price to their offers and
   stop rationing, and the councils settle on a new proposal. This repeats
   until the mix is within ``gap_tol`` of the best bound.
4. **Agreements.** When the plan is settled, the clerk sends ``stop`` with
   the weight of each proposal; every buyer confirms the weighted mix of its
   allocations as agreements (supplier, receiver, good, quantity: allocated
   by the seller, accepted by the buyer) and every workplace council commits
   to the weighted mix of its activities. A mix of balanced proposals is
   balanced; capacities hold by the master's constraints.

A plan cut off by ``max_rounds`` before the councils settled (unbalanced, or
over a capacity) is reported ``infeasible`` with ``protocol["failure"]``.

Defaults: ``stabilise=True`` keeps the clerk's prices, while its master still
needs an excess, within a box around the prices of the best bound (box-step;
``_Clerk._box_step``); ``epoch_tol=1e-7`` settles epochs sooner once the clerk
mixes proposals (safe because the master keeps room at every priced limit,
``_Clerk.room``, and the territorial councils then order their needs
``agents.NEED_ROOM`` over; labour-budget trials below the share 1 settle at
``1e-8`` and order them ``1e-7`` over, :func:`budget_settings`); ``refresh=12``
sends unchanged orders and allocations only every 12 rounds, and the clerk tells every council which
council fell silent. ``start=`` a plan of the last period (or its
``protocol["warm"]``) starts the clerk at that plan's capacity prices and
each council from its own part of that plan (``directory.Recall``); where
that plan was a mix of proposals, each council also re-evaluates its own part
of each of them, one stream of messages per proposal, and the clerk re-weighs
them (``_Clerk.parallel``).
docs/federation-protocol.md has the message table and measured figures.

The clerk of the federation counts, certifies and weighs proposals; it
learns only the public offers and aggregates from each council (hours, value
of needs, capacity rent, the scaling its margins allow, the use of limited
capacities). It never sees a recipe or a need and never sets an activity:
it only chooses the weights of whole proposals the councils made.

Certificate (a Lagrangian bound from the published prices)
---------------------------------------------------------
Write every stock and every primary input's limit as a process of the
steward that holds it (no labour, capacity = stock or limit), so the plan is
``min l.x`` subject to ``N x >= d``, ``0 <= x <= u``. For any prices
``y >= 0`` and any feasible ``x``, with ``r_p = N_p . y`` the revenue of a
unit of process p at prices y, and margin ``m_p = r_p - l_p``:

.. math::

    l \cdot x \;\ge\; \sum_p x_p (\theta r_p - \mu_p)
              \;=\; \theta\, y \cdot N x - \mu \cdot x
              \;\ge\; \theta\, y \cdot d - \sum_{p:\,u_p<\infty} u_p \mu_p

whenever ``l_p >= theta r_p - mu_p`` for every p, ``0 <= theta <= 1`` and
``mu_p >= 0`` with ``mu_p = 0`` for processes without capacity. Taking
``mu_p = max(0, theta r_p - l_p) <= max(0, m_p)`` (the capacity rent) and
``theta = min(1, min over uncapacitated p with m_p > 0 of l_p / r_p)``
gives the bound the clerk reports every round:

.. math::

    LB = \theta \sum_{t} y \cdot d_t \;-\; \sum_{p:\,u_p<\infty} u_p \max(0, m_p)

computed from the published market prices ``y`` alone: each territorial
council reports ``y . d_t`` for its own needs, each workplace council and
steward the rent ``sum u_p max(0, m_p)`` of its own processes and the
largest ``theta`` its uncapacitated margins allow. When the offers have
settled, ``y`` are the labour values with scarcity prices, every margin is
at most 0 except capacity rents, ``theta = 1``, and LB meets the plan's
hours. Offers from below make ``theta = 1`` in every round of an economy
without capacities (prices only rise).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import numpy as np

from soviets.economy import Economy
from soviets.errors import ModelError
from soviets.federation import budget, parallel
from soviets.federation.directory import Directory, Papers, Recall, split_economy
from soviets.federation.log import MessageLog
from soviets.federation.messages import Columns, decode, encode
from soviets.federation.runtime import InProcessRuntime, RayRuntime, Segment
from soviets.planning.delivery import split, unmet_needs
from soviets.planning.result import Certificate, Plan, PlanMode, PlanStatus

RUNTIMES = ("inprocess", "ray")
MAX_PENALTY = 4.0**6  # the clerk's largest price on an excess over a capacity
EPOCH_TOL = 1e-7  # the default settling tolerance while the clerk mixes proposals
BUDGET_EPOCH_TOL = 1e-8  # at most this in a labour-budget trial (``budget_settings``)
ROOM = 10.0  # room kept at a priced limit, in settling tolerances (``_Clerk.room``)
SHARE_ROUNDS = 10  # a labour-budget warm start's parallel trials: rounds each at most
SETTLED_RTOL = 1e-6  # largest relative imbalance or capacity excess of a settled plan
REFRESH = 12  # an unchanged order or allocation is sent again after this many rounds
PARALLEL_ROUNDS = 60  # the warm start's streams run at most this many rounds
EXCESS_ROUNDS = 2  # the streams' mix needs an excess this many rounds: stream 0 is repriced
MIN_ROOM = 1e-9  # a priced room below this is a master row in activity units, not shares
BALANCED = 1e-7  # a stream is balanced when no council is short of more than this share of a good


@dataclass(frozen=True)
class Network:
    """Seeded message delay and loss between councils (the clerk's channel is reliable).

    Each segment between councils is lost with probability ``loss``, or else
    held back 1..``max_delay`` rounds with probability ``delay``.
    """

    loss: float = 0.0
    delay: float = 0.0
    max_delay: int = 2
    seed: int = 0


def _linprog(c: np.ndarray, **lp: Any) -> Any:
    """The clerk's small linear programmes by HiGHS: its simplex, then its interior point
    where the simplex ends with no status (seen on a 16 x 20 weighing of a labour-budget
    trial's streams, costs from 3e5 to 1.6e9: "HiGHS Status 0: Not Set"; the interior
    point solved it). Returns scipy's ``OptimizeResult``."""
    from scipy.optimize import linprog

    res = linprog(c, method="highs", **lp)
    if res.x is None and res.status == 4:
        res = linprog(c, method="highs-ipm", **lp)
    return res


@dataclass
class _Clerk:
    """The federation's clerk: tallies reports and public offers, weighs proposals
    for scarce capacities, says stop. It never sees a council's recipe or needs."""

    directory: Directory
    tol: float
    gap_tol: float
    max_epochs: int
    history: list[float] = field(default_factory=list)
    bounds: list[float | None] = field(default_factory=list)
    stable_rounds: int = 0
    agreements: list[tuple[int, int, float, float]] = field(default_factory=list)
    # (offer, buyer, quantity, ordered)
    commitments: dict[int, float] = field(default_factory=dict)
    usage: dict[int, tuple[float, float]] = field(default_factory=dict)
    columns: list[tuple[int, float, dict[int, float]]] = field(default_factory=list)
    best_bound: float = -np.inf
    epoch: int = 0
    epoch_rounds: list[int] = field(default_factory=list)
    reporters: float = -1.0
    penalty: float = 1.0
    promoted: int = 0
    carried: frozenset[int] = frozenset()  # sellers last period's proposals priced (warm)
    epoch_start: int = 0
    epoch_patience: int = 20
    last_prices: dict[int, float] = field(default_factory=dict)
    mix: list[tuple[int, float]] = field(default_factory=list)
    changes: list[float] = field(default_factory=list)
    stabilise: bool = False
    center: dict[int, float] = field(default_factory=dict)  # prices of the best bound (shares)
    center_value: float = -np.inf  # the bound at the centre
    box: float = 0.0  # half-width of the trust region around the centre (hours)
    sent: dict[int, float] = field(default_factory=dict)  # prices of this epoch (shares)
    model_value: float = np.inf  # the cutting-plane model's value at the sent prices
    box0: float = 0.25  # the first box, as a share of the largest proposal's hours
    epoch_tol: float | None = None  # the settling tolerance while capacities are priced
    prices_sent: bool = False  # capacity prices have gone out (``mixing``)
    hours_ceiling: float = np.inf  # no plan within the limits takes more hours
    reported: set[int] = field(default_factory=set)  # councils that reported this round
    heard: set[int] = field(default_factory=set)  # councils that have reported so far
    failure: str | None = None  # why the clerk stopped without a settled plan
    epoch_prices: dict[int, dict[int, float]] = field(default_factory=dict)  # as sent
    streams: int = 0  # a warm start's streams while they run (0: none; ``parallel``)
    stream_tot: dict[int, dict[str, float]] = field(default_factory=dict)  # this round's
    stream_usage: dict[int, dict[int, tuple[float, float]]] = field(default_factory=dict)
    stream_stable: dict[int, int] = field(default_factory=dict)  # rounds settled, per stream
    price_main: bool = True  # the master may price the main market's stream (``_watch_excess``)
    excess_rounds: int = 0  # rounds running the streams' whole mix has needed an excess
    reprice: dict[int, float] | None = None  # the master's prices for stream 0, to send
    repriced: int = 0  # the round stream 0 was priced by the master (0: never)

    def __post_init__(self) -> None:
        n = self.directory.n_offers
        self.price = np.full(n, np.nan)
        self.avail = np.full(n, np.inf)

    def read(self, segments: list[bytes]) -> dict[str, float]:
        """Take in a round's segments; the totals of the main market's reports (those
        of each stream in ``stream_tot``)."""
        tots: dict[int, dict[str, float]] = {}
        decoded = sorted((decode(data) for data in segments), key=lambda t: (t[0], t[1]))
        self.reported = set()
        for sender, _, batch in decoded:
            if "offer" in batch:  # the main market's offers (a stream's are its own)
                c = batch["offer"]
                main = c["stream"] == 0
                self.price[c["offer"][main]] = c["price"][main]
                self.avail[c["offer"][main]] = c["available"][main]
            if "report" in batch:
                c = batch["report"]
                self.reported.add(sender)
                for i, s in enumerate(c["stream"].tolist()):
                    _add_report(tots.setdefault(s, _no_report()), c, i)
            if "usage" in batch:
                c = batch["usage"]
                for o, q, u, s in zip(
                    c["offer"], c["quantity"], c["capacity"], c["stream"], strict=True
                ):
                    use = self.usage if s == 0 else self.stream_usage.setdefault(int(s), {})
                    use[int(o)] = (float(q), float(u))
            if "agreement" in batch:
                c = batch["agreement"]
                for o, q, a in zip(c["offer"], c["quantity"], c["ordered"], strict=True):
                    self.agreements.append((int(o), sender, float(q), float(a)))
            if "commitment" in batch:
                c = batch["commitment"]
                for p, a in zip(c["process"], c["activity"], strict=True):
                    self.commitments[int(p)] = float(a)
        self.stream_tot = tots
        return tots.get(0, _no_report())

    def silent(self) -> list[int]:
        """Councils that reported before and not in this round (newly silent): the
        clerk's channel is reliable, so a council that does not report is gone."""
        gone = sorted(self.heard - self.reported)
        self.heard = self.reported
        return gone

    def tally(self, tot: dict[str, float]) -> bool:
        """Record the round; True when offers, orders and activities are stable."""
        if 0 <= tot["reports"] < self.reporters:
            self.columns.clear()  # a council fell silent: older proposals are void
            self.best_bound = -np.inf
            self.center_value = -np.inf
        self.reporters = tot["reports"]
        primal = tot["hours"]
        # every stream's prices give a bound too (each is a set of prices y >= 0)
        found = [b for t in (tot, *self.stream_tot.values()) if (b := _bound(t)) is not None]
        bound = max(found) if found else None
        self.history.append(primal)
        self.changes.append(tot["change"])
        self.bounds.append(bound)
        tol = self.tol if self.epoch_tol is None or not self.mixing() else self.epoch_tol
        self.stable_rounds = self.stable_rounds + 1 if tot["change"] <= tol else 0
        return self.stable_rounds >= 2

    def mixing(self) -> bool:
        """The clerk has sent capacity prices: each settled state is one proposal of a
        mix, and the councils order their needs with ``NEED_ROOM`` to spare."""
        return self.prices_sent

    def rows(self) -> list[int]:
        """Limited sellers whose capacity the clerk prices now (of those reporting use):
        those of the levels promoted so far, and in a warm start with streams every
        seller last period's proposals priced (its level may be higher this period:
        the needs changed; priced, it does not ration, so only the master holds it)."""
        level = self.directory.level
        return sorted(o for o in self.usage if level[o] <= self.promoted or o in self.carried)

    def room(self, o: int) -> float:
        """The capacity of priced seller ``o`` the master may fill: its capacity less
        ``ROOM`` times the settling tolerance (a proposal settled at a relative change
        ``tol`` can use a priced limit a few ``tol`` more than its seller reports)."""
        tol = self.tol if self.epoch_tol is None else max(self.tol, self.epoch_tol)
        return self.usage[o][1] * (1.0 - ROOM * tol)

    def unit(self, o: int) -> float:
        """The unit of priced seller ``o``'s row in the master: its room (each row is
        a share of it, so a small capacity cannot upset the solver), or one activity
        unit where the room is under ``MIN_ROOM`` (a zero capacity or hour budget: the
        row is then ``use <= room`` in activity units; written as a share of at least
        1e-9 units, it let a mix use 1e-9 units of a zero budget)."""
        room = self.room(o)
        return room if room >= MIN_ROOM else 1.0

    def limits(self, rows: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """The unit of each master row (``unit``) and its right-hand side, the room in
        those units (1, or the room itself where it is under ``MIN_ROOM``)."""
        unit = np.array([self.unit(o) for o in rows])
        return unit, np.array([self.room(o) for o in rows]) / unit

    def settle(self) -> tuple[dict[int, float] | None, dict[int, float]]:
        """After a stable epoch: the weights of the proposals if the plan is settled
        (else None), and the capacity prices for the next epoch."""
        hours = self.history[-1]
        bound = self.bounds[-1]
        use = {o: q for o, (q, _) in self.usage.items()}
        self.columns.append((self.epoch, hours, use))
        self.epoch_rounds.append(len(self.history))
        if bound is not None:
            self.best_bound = max(self.best_bound, bound)
        if not self.rows():
            self.mix.append((len(self.history), hours))
            return {self.epoch: 1.0}, {}
        weights, prices, value, slack = self._master()
        self.mix.append((len(self.history), value))
        if self.failure is not None:
            return weights, prices
        if slack > 1e-9:
            self.penalty = min(4.0 * self.penalty, MAX_PENALTY)
        gap = (value - self.best_bound) / max(1.0, abs(value))
        # a bound above any plan's hours proves that no plan within the limits exists
        out_of_reach = self.best_bound > self.hours_ceiling * (1 + 1e-9)
        if (slack <= 1e-9 and gap <= self.gap_tol) or len(self.columns) >= self.max_epochs:
            return weights, prices
        if out_of_reach:
            return weights, prices
        if self.stabilise and slack > 1e-9:
            boxed = self._box_step(bound)
            if boxed is None:  # no prices to ask for: stop with the best mix so far
                return weights, prices
            prices = boxed
        if self._stalled(prices):  # the next epoch would repeat this one: stop on the mix
            return weights, prices
        self.next_epoch()
        return None, prices

    def _stalled(self, prices: dict[int, float]) -> bool:
        """The proposal just settled repeats the one before it (hours and use of each
        priced limit to ``ROOM`` settling tolerances) and the prices asked for next are
        those it was asked at: the councils, asked again, would settle on it again, and
        the master would not change. Measured on a labour-budget trial out of reach by
        1.3e-5 of an hour budget: 160 epochs of 2 rounds, each the same proposal."""
        if len(self.columns) < 2:
            return False
        (_, h0, u0), (_, h1, u1) = self.columns[-2:]
        tol = ROOM * (self.tol if self.epoch_tol is None else max(self.tol, self.epoch_tol))
        if abs(h1 - h0) > tol * max(1.0, abs(h0)):
            return False
        for o in set(u0) | set(u1):
            cap = self.usage[o][1] if o in self.usage else 1.0
            if abs(u1.get(o, 0.0) - u0.get(o, 0.0)) > tol * max(1.0, cap):
                return False
        last = self.epoch_prices.get(self.epoch)
        return (
            last is not None
            and last.keys() == prices.keys()
            and all(abs(p - last[o]) <= 1e-12 * max(1.0, abs(p)) for o, p in prices.items())
        )

    def parallel(
        self, silent: bool, out_of_rounds: bool
    ) -> tuple[dict[int, float] | None, dict[int, float] | None]:
        """A round of a warm start's streams (stream 0: the main market at last period's
        final prices; stream s: proposal s of last period's mix, re-evaluated by the
        councils at its own prices). The clerk weighs the streams' states of this round
        that their councils prove balanced as proposals: it stops on their mix when it needs no
        excess and is within ``gap_tol`` of the best bound. The streams end (their
        settled states become the master's first columns, and the main market is asked
        for the next proposal) once every stream has settled, a council fell silent, or
        after ``PARALLEL_ROUNDS``. Returns the weights of a stop, or the prices of the
        next epoch when the streams end, or neither."""
        tol = self.tol if self.epoch_tol is None else self.epoch_tol
        for s in range(self.streams):
            t = self.stream_tot.get(s)
            settled = t is not None and t["change"] <= tol
            self.stream_stable[s] = self.stream_stable.get(s, 0) + 1 if settled else 0
        bound = self.bounds[-1]
        if bound is not None:
            self.best_bound = max(self.best_bound, bound)
        live = [s for s in range(self.streams) if s in self.stream_tot]
        # this round's reports tell the balance of this round's states (their sellers
        # allocate now what was ordered for them): the clerk weighs those balanced
        now = self._stream_columns(live)
        balanced = [c for c, s in zip(now, live, strict=True) if self._balanced(s)]
        cols = balanced or (now if out_of_rounds else [])
        if cols and not silent:
            weights, _, value, slack = self._master(cols)
            gap = (value - self.best_bound) / max(1.0, abs(value))
            # a mix below the bound is no plan (measured: a stale allocation taken for
            # a delivery in a labour-budget trial): the clerk does not stop on it
            below = gap < -SETTLED_RTOL
            if (slack <= 1e-9 and not below and gap <= self.gap_tol) or out_of_rounds:
                self.mix.append((len(self.history), value))
                self.streams = 0
                return weights, None
            self._watch_excess(live, cols, slack)
        done = [s for s in live if self.stream_stable[s] >= 2]
        if self.repriced and 0 in done and len(balanced) == self.streams and not silent:
            # the main market has settled at the master's prices: the streams' states,
            # all balanced, are the first columns (the others need not settle first)
            return None, self._end_streams(live)
        if silent or len(done) == self.streams or len(self.history) >= PARALLEL_ROUNDS:
            # a stream settled short (a seller at capacity rationing it at the new needs)
            # is no proposal: its hours are those of a plan that leaves needs unmet
            return None, self._end_streams([] if silent else [s for s in done if self._balanced(s)])
        return None, None

    def _watch_excess(
        self, live: list[int], cols: list[tuple[int, float, dict[int, float]]], slack: float
    ) -> None:
        """Where every stream of last period's mix is balanced and their mix (with the
        main market's, when balanced) has needed an excess of a priced limit for
        ``EXCESS_ROUNDS`` rounds running, no mix of them fits the new needs: the clerk
        prices the main market's stream (stream 0) at the master's prices of those
        columns, once (``reprice``; sent by ``_run_rounds``), while the others go on;
        the streams end once it has settled at those prices and every stream is balanced.
        Measured on 8 goods seed 5: the g4 of works-4 and of its stock, 19.0 units
        together, against 19.7 in every such stream but one (ninth round)."""
        whole = len(live) == self.streams and all(self._balanced(s) for s in live if s)
        self.excess_rounds = self.excess_rounds + 1 if whole and slack > 1e-9 else 0
        if not self.price_main or self.repriced or self.excess_rounds < EXCESS_ROUNDS:
            return
        self.repriced = len(self.history)
        # the master and its box-step read ``columns``: these, for this one pricing
        held, self.columns = self.columns, list(cols)
        try:
            self.reprice = self._next_prices()
        finally:
            self.columns = held

    def _balanced(self, s: int) -> bool:
        """Stream ``s``'s state of this round delivers every need and every input in full
        (its councils prove it in their reports of this round)."""
        t = self.stream_tot.get(s)
        return t is not None and t["short"] <= BALANCED

    def stream_epoch(self, s: int) -> int:
        """The number under which the councils keep stream ``s``'s proposal: last
        period's proposals are 0 .. K-1 (streams 1 .. K), the main market's is K."""
        return s - 1 if s else self.streams - 1

    def _stream_columns(self, streams: list[int]) -> list[tuple[int, float, dict[int, float]]]:
        """The streams' current states as proposals (their number, hours, use)."""
        cols = []
        for s in streams:
            use = self.usage if s == 0 else self.stream_usage.get(s, {})
            hours = self.stream_tot[s]["hours"]
            cols.append((self.stream_epoch(s), hours, {o: q for o, (q, _) in use.items()}))
        return cols

    def _end_streams(self, settled: list[int]) -> dict[int, float]:
        """The streams end: the settled ones are the master's first columns (numbered
        as the councils keep them), and the main market is asked for the next
        proposal at the master's prices (box-step while it needs an excess)."""
        self.columns = self._stream_columns(settled)
        self.epoch_rounds.append(len(self.history))
        self.epoch = self.streams - 1
        self.streams = 0
        self.next_epoch()
        if not self.columns or not self.rows():
            return dict(self.last_prices)
        return self._next_prices()

    def _next_prices(self) -> dict[int, float]:
        """The master's prices for the next proposal (box-step while it needs an excess)."""
        _, prices, value, slack = self._master()
        self.mix.append((len(self.history), value))
        if slack > 1e-9:
            self.penalty = min(4.0 * self.penalty, MAX_PENALTY)
            if self.stabilise:  # no box-step prices: the master's, and the next settle stops
                prices = self._box_step(self.bounds[-1]) or prices
        return prices

    def next_epoch(self) -> None:
        self.epoch += 1
        self.epoch_start = len(self.history)
        self.stable_rounds = 0

    def stuck(self) -> bool:
        """Offers keep changing without settling: in this epoch's last 10 rounds
        the largest change did not even halve against the 10 before."""
        changes = self.changes[self.epoch_start :]
        if len(changes) < self.epoch_patience:
            return False
        return min(changes[-10:]) > 0.5 * min(changes[-20:-10])

    def promote(self) -> dict[int, float] | None:
        """Offers do not settle: price the next level of limited sellers too
        (new capacity prices for the next epoch), or None if none is left."""
        if self.promoted >= 2:
            return None
        self.promoted += 1
        self.next_epoch()
        prices = {o: self.last_prices.get(o, 0.0) for o in self.rows()}
        self.sent = {o: p * self.unit(o) for o, p in prices.items()}
        # newly priced sellers no longer ration: the bound at the old centre is void
        self.center_value = -np.inf
        return prices

    def _box_step(self, bound: float | None) -> dict[int, float] | None:
        """The next prices by box-step stabilisation: the best prices of the cutting-plane
        model of the Lagrangian bound within a box around the prices of the best bound.

        The epoch just settled was priced at ``self.sent``; its bound is the Lagrangian
        value there. A *serious step* (the bound rose by at least a tenth of what the
        model promised) moves the centre there and doubles the box when the prices
        were at its edge; after a *null step* centre and box stay (the new proposal
        still sharpens the model). None, with ``failure`` set, where HiGHS finds no
        prices (the capacities cannot hold the orders at any price)."""
        rows = self.rows()
        hours = np.array([h for _, h, _ in self.columns])
        cap, rhs = self.limits(rows)
        use = np.array([[u.get(o, 0.0) for o in rows] for _, _, u in self.columns])
        share = use / cap[None, :]
        value = -np.inf if bound is None else bound
        if not self.sent and self.last_prices:  # a warm start: last period's prices
            self.sent = {o: p * self.unit(o) for o, p in self.last_prices.items() if o in rows}
        h0 = max(1.0, float(np.abs(hours).max()))
        if self.box <= 0.0:
            self.box = self.box0 * h0
        if not np.isfinite(self.center_value):
            serious = np.isfinite(value)
        else:
            promised = self.model_value - self.center_value
            serious = value >= self.center_value + 0.1 * max(promised, 0.0) and (
                value > self.center_value
            )
        if serious:
            edge = any(
                abs(self.sent.get(o, 0.0) - self.center.get(o, 0.0)) >= 0.999 * self.box
                for o in rows
            )
            self.center = dict(self.sent)
            self.center_value = value
            if edge:
                self.box *= 2.0
        c_now = np.array([self.center.get(o, 0.0) for o in rows])
        lo = np.maximum(0.0, c_now - self.box)
        hi = c_now + self.box
        # variables: sigma (free), pi (share prices); max sigma - rhs . pi
        # subject to sigma - share_j . pi <= hours_j for every proposal j
        cost = np.concatenate([[-1.0], rhs])
        a_ub = np.hstack([np.ones((len(hours), 1)), -share])
        res = _linprog(
            cost, A_ub=a_ub, b_ub=hours, bounds=[(None, None)] + list(zip(lo, hi, strict=True))
        )
        if res.x is None:
            over = self.over()
            goods = sorted({self.directory.good_names[self.directory.offer_good[o]] for o in over})
            self.failure = (
                f"after {len(self.columns)} proposals the clerk found no capacity prices "
                f"(HiGHS: {res.message}): at every price the councils ask for more than "
                f"{', '.join(self.named(o) for o in over)} can supply, so needs for "
                f"{', '.join(goods)} (or for what is made of them) cannot all be met"
            )
            return None
        pi = np.maximum(res.x[1:], 0.0)
        self.model_value = -float(res.fun)
        self.sent = {o: float(v) for o, v in zip(rows, pi, strict=True)}
        prices = {o: float(v) / u for o, v, u in zip(rows, pi, cap, strict=True)}
        self.last_prices = prices
        return prices

    def best_mix(self) -> dict[int, float]:
        """Out of rounds: the weights of the best mix of the proposals so far."""
        return self._master()[0] if self.columns else {self.epoch: 1.0}

    def _master(
        self, columns: list[tuple[int, float, dict[int, float]]] | None = None
    ) -> tuple[dict[int, float], dict[int, float], float, float]:
        """The federation's weighing: the least-hours mix of proposals (``columns``;
        default the proposals so far) within capacities. A warm start's streams are
        weighed at the largest penalty: they are last period's whole mix, and a mix
        within the capacities is sought among them before any excess."""
        penalty = self.penalty if columns is None else MAX_PENALTY
        columns = self.columns if columns is None else columns
        rows = self.rows()
        if not rows:
            return {columns[-1][0]: 1.0}, {}, columns[-1][1], 0.0
        cap, rhs = self.limits(rows)
        n_col, n_row = len(columns), len(rows)
        hours = np.array([h for _, h, _ in columns])
        use = np.array([[u.get(o, 0.0) for o in rows] for _, _, u in columns]).T
        # rows in shares of each capacity (so a tiny capacity cannot upset the solver);
        # a violated capacity costs as much as if its whole use took all the hours
        # (raised each time the weighing still has to violate it, up to MAX_PENALTY)
        share = use / cap[:, None]
        scale = max(1.0, float(np.abs(hours).max())) * penalty
        c = np.concatenate([hours, np.full(n_row, scale)])
        a_ub = np.hstack([share, -np.eye(n_row)])
        a_eq = np.concatenate([np.ones(n_col), np.zeros(n_row)])[None, :]
        res = _linprog(c, A_ub=a_ub, b_ub=rhs, A_eq=a_eq, b_eq=[1.0], bounds=(0, None))
        if res.x is None:  # cannot happen (the excess is free at a price), but never crash
            self.failure = f"the clerk's weighing of proposals failed (HiGHS: {res.message})"
            return {columns[-1][0]: 1.0}, {}, columns[-1][1], 0.0
        lam = res.x[:n_col]
        prices = {
            o: max(0.0, -float(m) / u)
            for o, m, u in zip(rows, res.ineqlin.marginals, cap, strict=True)
        }
        weights = {columns[j][0]: float(lam[j]) for j in range(n_col) if lam[j] > 1e-12}
        total = sum(weights.values())
        weights = {e: w / total for e, w in weights.items()}
        value = float(hours @ lam)
        self.last_prices = prices
        return weights, prices, value, float(res.x[n_col:].sum())

    def over(self) -> list[int]:
        """Priced sellers whose use exceeds their room in the latest proposal."""
        return [o for o in self.rows() if self.usage[o][0] > self.room(o) * (1 + SETTLED_RTOL)]

    def named(self, o: int) -> str:
        """Seller and good of offer ``o``."""
        d = self.directory
        return f"{d.council_names[d.offer_council[o]]} ({d.good_names[d.offer_good[o]]})"

    def named_prices(self) -> list[dict[str, Any]]:
        """The last capacity prices: seller, good and hours per unit of activity."""
        d = self.directory
        return [
            {
                "seller": d.council_names[d.offer_council[o]],
                "good": d.good_names[d.offer_good[o]],
                "hours_per_unit": p,
            }
            for o, p in sorted(self.last_prices.items())
        ]

    def market_prices(self) -> np.ndarray:
        """Market price per good from the public offers (as the councils compute it)."""
        d = self.directory
        n = len(d.good_names)
        known = ~np.isnan(self.price)
        spare = known & (self.avail > 0)
        y = np.full(n, np.inf)
        np.minimum.at(y, d.offer_good[spare], self.price[spare])
        y_max = np.full(n, -np.inf)
        np.maximum.at(y_max, d.offer_good[known], self.price[known])
        return np.where(np.isfinite(y), y, np.where(np.isfinite(y_max), y_max, np.nan))


def _no_report() -> dict[str, float]:
    """Totals of a round without reports."""
    return {
        "hours": 0.0,
        "need_value": 0.0,
        "rent": 0.0,
        "theta": 1.0,
        "change": 0.0,
        "short": 0.0,
        "asked": 0.0,
        "reports": 0.0,
    }


def _add_report(tot: dict[str, float], c: Columns, i: int) -> None:
    """Add report row ``i`` of ``c`` to ``tot``."""
    tot["reports"] += 1
    for key in ("hours", "need_value", "rent", "asked"):
        tot[key] += float(c[key][i])
    tot["theta"] = min(tot["theta"], float(c["theta"][i]))
    for key in ("change", "short"):
        tot[key] = max(tot[key], float(c[key][i]))


def _bound(tot: dict[str, float]) -> float | None:
    """The Lagrangian bound of a round's reports (module docstring), if valid."""
    if 0.0 <= tot["theta"] <= 1.0 and np.isfinite(tot["need_value"]):
        return tot["theta"] * tot["need_value"] - tot["rent"]
    return None


@dataclass
class _Post:
    """The federation's post: carries segments between shards round by round
    (with the network's delay and loss) and counts messages, segments and bytes; a
    ``log`` records every segment as sent."""

    directory: Directory
    network: Network
    log: MessageLog | None = None
    inbound: dict[int, list[tuple[int, bytes]]] = field(default_factory=dict)
    messages: int = 0
    n_bytes: int = 0
    segments: int = 0
    lost: int = 0

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.network.seed)

    def mail(self, k: int) -> list[list[bytes]]:
        """The segments due in round ``k``, per shard."""
        mail: list[list[bytes]] = [[] for _ in range(self.directory.n_shards)]
        for shard, data in self.inbound.pop(k, []):
            mail[shard].append(data)
        return mail

    def carry(self, k: int, sent: list[tuple[list[Segment], int]]) -> list[bytes]:
        """Route what the shards sent in round ``k``; return the clerk's segments."""
        net = self.network
        to_clerk: list[bytes] = []
        for segments, n_messages in sent:
            self.messages += n_messages
            for dest, data in segments:
                self.n_bytes += len(data)
                self.segments += 1
                if self.log is not None:
                    self.log.keep(data)
                if dest < 0:
                    to_clerk.append(data)
                    continue
                at = k + 1
                if net.loss and self.rng.random() < net.loss:
                    self.lost += 1
                    continue
                if net.delay and self.rng.random() < net.delay:
                    at += int(self.rng.integers(1, net.max_delay + 1))
                self.inbound.setdefault(at, []).append((dest, data))
        return to_clerk

    def from_clerk(self, k: int, kind: str, cols: Columns) -> None:
        """The clerk's messages to councils (reliable), one segment per shard."""
        d = self.directory
        to = cols["to"]
        for shard in range(d.n_shards):
            sel = d.shard_of[to] == shard
            if np.any(sel):
                data = encode(d.clerk, k, {kind: {n: v[sel] for n, v in cols.items()}})
                self.messages += int(sel.sum())
                self.n_bytes += len(data)
                self.segments += 1
                if self.log is not None:
                    self.log.keep(data)
                self.inbound.setdefault(k + 1, []).append((shard, data))


@dataclass(frozen=True)
class Settings:
    """How one run of the protocol goes: the tuning keywords of :func:`plan_federated`.

    ``runtime``: ``inprocess`` (deterministic) or ``ray`` (one actor per shard; a
    local loopback cluster, or the cluster at ``address``); ``shards``: how many
    hosts share the councils (default 1 in process, 2 on Ray; the plan does not
    depend on it); ``num_cpus``: the local Ray cluster's CPUs.
    ``faults`` maps a council's name to the round from which it stops answering
    (the clerk announces it ``silent`` and its buyers and sellers drop it);
    ``removed`` councils take no part at all (removed between periods); ``network``
    simulates losses and delays.
    ``refresh``: an unchanged order or allocation is sent again after this many
    rounds (send only what changed; a ``network`` that loses or delays forces 1).
    ``stabilise``: while its master still needs an excess over a capacity, the clerk
    prices capacities by box-step stabilisation (``_Clerk._box_step``) instead of by
    the master's raw duals. ``tol``: the largest relative change per round at which
    the councils count as settled (two rounds running); ``epoch_tol`` (``None``:
    ``tol`` throughout) replaces it once the clerk has sent capacity prices (each
    settled state is then one proposal of a mix). ``max_epochs``: proposals the clerk
    collects at most; ``max_rounds``: rounds at most; ``gap_tol``: the clerk stops
    when the mix is within this share of its bound; ``patience``: rounds a council
    waits for a silent partner. The defaults certified every tight economy measured
    at 20 and 50 goods (docs/federation-protocol.md).
    ``need_room``: once the clerk mixes proposals the territorial councils order their
    needs this much over (relative; None: ``agents.NEED_ROOM``; labour-budget mode:
    the room at the limits, :func:`budget_settings`).
    ``hours_ceiling``: the most hours any plan within the limits can take; the clerk
    stops, the plan infeasible, once its bound exceeds it (a proof that no plan
    exists). ``message_log``: records every segment the post carries (each run of the
    protocol one trial of it, :mod:`soviets.federation.log`); None: nothing recorded.
    ``quotas``: in the streams of a warm start a seller short of its orders keeps each
    buyer a quota (:mod:`soviets.federation.agents`; docs/federation-protocol.md,
    "Eighth round"); in labour-budget mode the warm start's capped parallel trials and
    the trials at the share 1 keep them, the trials below it run without ("Tenth round").
    ``price_main``: in those streams, once no mix of last period's proposals fits the
    new needs, the clerk prices the main market's stream at its master's prices
    (``_Clerk._watch_excess``; "Ninth round"); the labour-budget trials run without.
    """

    runtime: str = "inprocess"
    address: str | None = None
    shards: int | None = None
    max_rounds: int = 3000
    tol: float = 1e-9
    gap_tol: float = 5e-4
    max_epochs: int = 200
    patience: int = 3
    faults: dict[str, int] | None = None
    removed: tuple[str, ...] = ()
    network: Network | None = None
    num_cpus: int = 2
    refresh: int = REFRESH
    stabilise: bool = True
    epoch_tol: float | None = EPOCH_TOL
    hours_ceiling: float | None = None
    message_log: MessageLog | None = field(default=None, compare=False)
    share_rounds: int = SHARE_ROUNDS
    share_grid: tuple[float, ...] = budget.GRID
    quotas: bool = True
    need_room: float | None = None
    price_main: bool = True


def budget_settings(settings: Settings) -> Settings:
    """A labour-budget trial's settings: epochs settled at ``BUDGET_EPOCH_TOL`` at most,
    and the needs ordered over by the room the master keeps at each priced limit,
    ``ROOM`` settling tolerances (``_Clerk.room``; 1e-7), unless ``need_room`` is given.

    Both rooms cost hours, and where hour budgets bind the hours come out of the
    share of normal needs, by the ratio of all the needs' hours to the normal needs'
    (about 140 on 8 goods, seed 3, budgets x 0.5, next period: HiGHS with every need
    1e-5 over, ``agents.NEED_ROOM``, finds a share 1.4e-3 below its own)."""
    tol = settings.epoch_tol
    s = replace(settings, epoch_tol=None if tol is None else min(tol, BUDGET_EPOCH_TOL))
    if s.need_room is not None:
        return s
    return replace(s, need_room=ROOM * (s.tol if s.epoch_tol is None else max(s.tol, s.epoch_tol)))


def plan_federated(
    economy: Economy,
    runtime: str = "inprocess",
    address: str | None = None,
    *,
    shards: int | None = None,
    max_rounds: int = 3000,
    tol: float = 1e-9,
    gap_tol: float = 5e-4,
    max_epochs: int = 200,
    patience: int = 3,
    faults: dict[str, int] | None = None,
    removed: tuple[str, ...] = (),
    network: Network | None = None,
    num_cpus: int = 2,
    refresh: int = REFRESH,
    stabilise: bool = True,
    start: Plan | dict[str, Any] | None = None,
    epoch_tol: float | None = EPOCH_TOL,
    mode: PlanMode = "min-labour",
    hours_ceiling: float | None = None,
    message_log: MessageLog | None = None,
    share_rounds: int = SHARE_ROUNDS,
    share_grid: tuple[float, ...] = budget.GRID,
    need_room: float | None = None,
) -> Plan:
    """Plan ``economy`` by the federated protocol (see the module docstring).

    The keywords but ``start`` and ``mode`` tune the protocol; :class:`Settings`
    describes each. ``start``: a warm start from the last period, a :class:`Plan` of
    this protocol or its ``extra["protocol"]["warm"]`` (capacity prices per seller,
    good and offer; offers, agreements, activities): the sellers the clerk prices
    from the start get those prices from round 0, and each council starts from its
    own part of that plan. Returns a :class:`Plan` whose ``extra`` holds
    ``agreements`` and ``protocol`` (rounds, messages, bytes, runtime, converged,
    history, capacity_prices, refresh).
    ``mode="labour-budget"``: essential needs first, then the largest share of every
    normal need, then least hours, within the council hour budgets
    (:func:`_plan_labour_budget`); warm, its first trials run at last period's share
    plus each of ``share_grid``, each cut off after ``share_rounds`` rounds (0: none),
    and mixed by the clerk (:mod:`soviets.federation.parallel`).
    """
    settings = Settings(
        runtime=runtime,
        address=address,
        shards=shards,
        max_rounds=max_rounds,
        tol=tol,
        gap_tol=gap_tol,
        max_epochs=max_epochs,
        patience=patience,
        faults=faults,
        removed=removed,
        network=network,
        num_cpus=num_cpus,
        refresh=refresh,
        stabilise=stabilise,
        epoch_tol=epoch_tol,
        hours_ceiling=hours_ceiling,
        message_log=message_log,
        share_rounds=share_rounds,
        share_grid=share_grid,
        need_room=need_room,
    )
    if mode == "labour-budget":
        return _plan_labour_budget(economy, settings, start)
    if mode != "min-labour":
        raise ModelError(f"unknown planning mode '{mode}' (min-labour or labour-budget)")
    return _plan_min_labour(economy, settings, start)


def _plan_labour_budget(
    economy: Economy, settings: Settings, start: Plan | dict[str, Any] | None
) -> Plan:
    """The labour-budget plan: budgets priced as shared limits (:mod:`budget`), the
    share of normal needs by aimed trials of min-hours plans, each trial tried again
    without box-step stabilisation when it does not settle with it. Its
    ``extra["protocol"]`` sums rounds, messages and bytes over the trials and lists
    them in ``trials``, with ``share_bound``, a certified upper bound on the best
    share where the budgets bound every process (:func:`budget.share_bound`)."""
    ceiling = budget.hours_ceiling(economy)
    # at the share 1 no share is at stake: a least-hours plan, with its rooms, quotas and
    # main market priced in the streams; the trials below it run without the last two
    settings = replace(settings, price_main=False)
    whole = _attempts(settings, start, ceiling)
    settings = replace(budget_settings(settings), quotas=False)
    attempts = _attempts(settings, start, ceiling)
    capped: Callable[[Economy], Plan] | None = None
    if start is not None and settings.share_rounds > 0:
        rounds = min(settings.share_rounds, settings.max_rounds)
        capped = partial(
            _plan_min_labour,
            settings=replace(
                settings,
                hours_ceiling=ceiling,
                max_rounds=rounds,
                quotas=True,  # the streams of last period's plan keep quotas (tenth round)
            ),
            start=start,
        )
        if settings.message_log is not None:
            capped = _alongside(capped, settings.message_log)
    share = _start_share(start)
    return _labour_budget(economy, attempts, share, capped, settings.share_grid, whole)


def _attempts(
    settings: Settings, start: Plan | dict[str, Any] | None, ceiling: float | None
) -> list[Callable[..., Plan]]:
    """A trial's attempts: with box-step stabilisation, then without (only without
    where ``settings`` have none), each within the hours ``ceiling``."""
    boxes = (True, False) if settings.stabilise else (False,)
    return [
        partial(
            _plan_min_labour,
            settings=replace(settings, stabilise=box, hours_ceiling=ceiling),
            start=start,
        )
        for box in boxes
    ]


def _alongside(trial: Callable[[Economy], Plan], log: MessageLog) -> Callable[[Economy], Plan]:
    """``trial`` logged in the same rounds as the parallel trials before it."""

    def run(eco: Economy) -> Plan:
        with log.alongside():
            return trial(eco)

    return run


def _start_share(start: Plan | dict[str, Any] | None) -> float | None:
    """Last period's share of normal needs, where ``start`` is a labour-budget plan of
    this protocol or its ``warm`` entry (``share``), else None."""
    warm = start.extra.get("protocol", {}).get("warm") if isinstance(start, Plan) else start
    share = warm.get("share") if isinstance(warm, dict) else None
    return float(share) if share is not None else None


def _plan_min_labour(
    economy: Economy, settings: Settings, start: Plan | dict[str, Any] | None = None
) -> Plan:
    """The least-hours plan of ``economy`` by the protocol run as ``settings`` say."""
    s = settings
    if s.runtime not in RUNTIMES:
        raise ModelError(f"unknown runtime '{s.runtime}': choose one of {', '.join(RUNTIMES)}")
    shards = s.shards if s.shards is not None else (2 if s.runtime == "ray" else 1)
    directory, papers = split_economy(economy, n_shards=shards, removed=s.removed)
    if s.need_room is not None:
        papers = [replace(p, need_room=s.need_room) for p in papers]
    fail_at = _fail_rounds(directory, s.faults or {})
    rt: InProcessRuntime | RayRuntime = (
        RayRuntime(address=s.address, num_cpus=s.num_cpus)
        if s.runtime == "ray"
        else InProcessRuntime()
    )
    clerk = _Clerk(
        directory, s.tol, s.gap_tol, s.max_epochs, stabilise=s.stabilise, epoch_tol=s.epoch_tol
    )
    clerk.price_main = s.price_main
    if s.hours_ceiling is not None:
        clerk.hours_ceiling = s.hours_ceiling
    net = s.network or Network()
    if s.message_log is not None:
        s.message_log.begin(directory, economy)
    post = _Post(directory, net, log=s.message_log)
    alive = np.array(sorted(p.council for p in papers if p.council not in fail_at), dtype=np.int32)
    started = time.perf_counter()
    refresh = 1 if net.loss or net.delay else s.refresh
    if start is not None:
        papers = _open_warm(clerk, post, papers, alive, start)
    rt.start(directory, _by_shard(directory, papers), s.patience, refresh, s.quotas)
    try:
        weights, converged = _run_rounds(rt, clerk, post, fail_at, alive, s.max_rounds)
        # the proposals are worth re-evaluating only where the clerk priced shared limits
        memories = rt.memories() if clerk.last_prices else {}
    finally:
        rt.stop()
    if s.message_log is not None:
        s.message_log.end(len(clerk.history))
    protocol = _record(clerk, post, rt, directory, fail_at, s.removed, started)
    protocol |= {
        "converged": converged,
        "weights": weights,
        "refresh": refresh,
        "warm": _warm_state(clerk, weights, memories),
        "stabilise": s.stabilise,
        "epoch_tol": s.epoch_tol,
        "warm_started": start is not None,
    }
    return _assemble(economy, directory, clerk, protocol)


def _open_warm(
    clerk: _Clerk,
    post: _Post,
    papers: list[Papers],
    alive: np.ndarray,
    start: Plan | dict[str, Any],
) -> list[Papers]:
    """Open a warm-started period: the clerk sends last period's capacity prices before
    round 0 (one set per stream of last period's mix, or one set), and each council gets
    its own part of last period's plan in its papers."""
    warm_prices, papers = _warm_start(clerk, papers, start)
    if warm_prices:
        clerk.prices_sent = True
        for s in range(clerk.streams):
            prices = clerk.epoch_prices[clerk.stream_epoch(s)]
            _send_capacity_prices(post, -1, alive, prices, 0, stream=s)
        if not clerk.streams:
            _send_capacity_prices(post, -1, alive, warm_prices, 0)
    return papers


def _record(
    clerk: _Clerk,
    post: _Post,
    rt: InProcessRuntime | RayRuntime,
    directory: Directory,
    fail_at: dict[int, int],
    removed: tuple[str, ...],
    started: float,
) -> dict[str, Any]:
    """What the protocol did: rounds, the wire's counts, the clerk's history, bounds,
    epochs, mix and prices, and who failed or was removed (``extra["protocol"]``)."""
    return {
        "rounds": len(clerk.history),
        "messages": post.messages,
        "segments": post.segments,
        "bytes": post.n_bytes,
        "runtime": rt.name,
        "shards": directory.n_shards,
        "seconds": time.perf_counter() - started,
        "history": [float(h) for h in clerk.history],
        "bounds": [None if b is None else float(b) for b in clerk.bounds],
        "failed": sorted(directory.council_names[c] for c in fail_at),
        "removed": sorted(removed),
        "lost_segments": post.lost,
        "epochs": len(clerk.epoch_rounds),
        "epoch_rounds": clerk.epoch_rounds,
        "mix": [[r, float(v)] for r, v in clerk.mix],
        "capacity_prices": clerk.named_prices(),
        "streams": len(clerk.stream_stable),
        "main_priced_at": clerk.repriced or None,  # the round the master priced stream 0
    }


def _labour_budget(
    eco: Economy,
    attempts: list[Callable[..., Plan]],
    start_share: float | None = None,
    capped: Callable[[Economy], Plan] | None = None,
    grid: tuple[float, ...] = budget.GRID,
    whole: list[Callable[..., Plan]] | None = None,
) -> Plan:
    """The labour-budget plan of ``eco`` from the trials of :func:`budget.labour_budget`
    (bracketed near ``start_share``, last period's share, when given; the share 1 tried
    by ``whole`` where given), told in ``eco``'s own goods and needs; its ``warm`` entry
    carries the share for the next period."""
    plan, share, trials = budget.labour_budget(
        eco, attempts, start_share=start_share, capped=capped, grid=grid, whole=whole
    )
    proto = dict(plan.extra.get("protocol", {}))
    if isinstance(proto.get("warm"), dict):
        proto["warm"] = {**proto["warm"], "share": share}
    proto["hours_ceiling"] = budget.hours_ceiling(eco)
    proto["share_bound"] = (
        1.0 if share == 1.0 else budget.share_bound(trials, proto["hours_ceiling"])
    )
    for key in ("rounds", "messages", "segments", "bytes", "seconds"):
        proto[key] = sum(t["protocol"].get(key, 0) for t in trials)
    proto["trials"] = [
        {k: v for k, v in t.items() if k != "protocol"} | {"rounds": t["protocol"].get("rounds")}
        for t in trials
    ]
    unmet = unmet_needs(eco, plan.need_met, essential_only=True)
    status: PlanStatus = plan.status if not unmet else "infeasible"
    if share is None and status == "infeasible":
        proto["failure"] = _essential_failure(eco, trials, proto)
    return replace(
        plan,
        economy=eco,
        status=status,
        mode="labour-budget",
        labour_values=plan.labour_values[: eco.n_goods],
        unmet=unmet,
        fulfilment=share,
        extra={**plan.extra, "protocol": proto},
    )


def _essential_failure(eco: Economy, trials: list[dict[str, Any]], proto: dict[str, Any]) -> str:
    """Why a labour-budget plan meets not even the essential needs: the clerk's bound on
    the hours of the share 0, above what the budgets allow (a proof), else the last
    trial's own failure."""
    ceiling = proto.get("hours_ceiling")
    essential = [t for t in trials if t["share"] == 0.0] or trials  # no normal needs: all
    bound = max((t.get("bound", -np.inf) for t in essential), default=None)
    unit = eco.labour_unit
    if ceiling is not None and bound is not None and bound > ceiling * (1 + 1e-9):
        return (
            f"the essential needs alone take at least {bound:,.6g} {unit} (the clerk's "
            f"certified bound), more than the hour budgets allow ({ceiling:,.6g} {unit})"
        )
    return f"the essential needs alone were not reached: {proto.get('failure') or 'no plan'}"


def _offer_keys(d: Directory) -> list[tuple[str, str, int]]:
    """A name for each offer that outlives the period: seller, good, and its
    number among that seller's offers of that good."""
    seen: dict[tuple[str, str], int] = {}
    keys = []
    for c, g in zip(d.offer_council, d.offer_good, strict=True):
        key = (d.council_names[int(c)], d.good_names[int(g)])
        seen[key] = seen.get(key, -1) + 1
        keys.append((key[0], key[1], seen[key]))
    return keys


def _warm_state(
    clerk: _Clerk, weights: dict[int, float], memories: dict[int, dict[int, Recall]]
) -> dict[str, Any]:
    """What the next period needs for a warm start: the last capacity prices (hours
    per activity unit) by seller, good and offer number, the level of promotion, the
    last public offers (price, room; ``None``: no limit), the agreements (seller,
    good, offer number, buyer, quantity, ordered) and the commitments (process,
    activity); the proposals of the agreed mix (``streams``: epoch, weight and the
    capacity prices it was made at, as the clerk sent them) and each council's own
    memory of its part of them (``councils``, by name; the clerk never reads it)."""
    d = clerk.directory
    keys = _offer_keys(d)
    seen = np.flatnonzero(~np.isnan(clerk.price))
    mixed = sorted(e for e, w in weights.items() if w > 0) if memories else []
    return {
        "promoted": clerk.promoted,
        "prices": [[*keys[o], float(p)] for o, p in sorted(clerk.last_prices.items())],
        "offers": [
            [*keys[o], float(clerk.price[o]), _finite(clerk.avail[o])] for o in seen.tolist()
        ],
        "agreements": [
            [*keys[o], d.council_names[buyer], q, a] for o, buyer, q, a in clerk.agreements if q > 0
        ],
        "activity": [[d.process_names[p], a] for p, a in sorted(clerk.commitments.items())],
        "streams": [
            {
                "epoch": e,
                "weight": weights[e],
                "prices": [
                    [*keys[o], float(p)] for o, p in sorted(clerk.epoch_prices.get(e, {}).items())
                ],
            }
            for e in mixed
        ],
        "councils": {
            d.council_names[c]: {str(e): _recall_json(d, keys, mem[e]) for e in mixed if e in mem}
            for c, mem in sorted(memories.items())
            if mem
        },
    }


def _recall_json(d: Directory, keys: list[tuple[str, str, int]], rc: Recall) -> dict[str, Any]:
    """A council's part of one proposal, by names that outlive the period."""
    return {
        "offers": [
            [*keys[o], float(p), _finite(a)]
            for o, p, a in zip(rc.offer.tolist(), rc.price, rc.available, strict=True)
        ],
        "bought": [
            [*keys[o], float(q), float(a)]
            for o, q, a in zip(
                rc.bought_offer.tolist(), rc.bought_qty, rc.bought_ordered, strict=True
            )
        ],
        "sold": [
            [d.council_names[b], *keys[o], float(q)]
            for b, o, q in zip(
                rc.sold_buyer.tolist(), rc.sold_offer.tolist(), rc.sold_qty, strict=True
            )
        ],
        "activity": [float(a) for a in rc.activity],
    }


def _recall_of(
    js: dict[str, Any], where: dict[Any, int], council: dict[str, int], n_proc: int
) -> Recall:
    """A council's part of one proposal (``_recall_json``) in this period's ids; offers
    and buyers that no longer exist are left out."""

    def key(row: list[Any]) -> tuple[str, str, int]:
        return (str(row[0]), str(row[1]), int(row[2]))

    offers = [(where[key(r)], r[3], r[4]) for r in js["offers"] if key(r) in where]
    bought = [(where[key(r)], r[3], r[4]) for r in js["bought"] if key(r) in where]
    sold = [
        (council[str(r[0])], where[key(r[1:])], r[4])
        for r in js["sold"]
        if key(r[1:]) in where and str(r[0]) in council
    ]
    act = np.asarray(js["activity"], float)
    return Recall(
        offer=np.array([o for o, _, _ in offers], np.int64),
        price=np.array([float(p) for _, p, _ in offers]),
        available=np.array([np.inf if a is None else float(a) for _, _, a in offers]),
        bought_offer=np.array([o for o, _, _ in bought], np.int64),
        bought_qty=np.array([float(q) for _, q, _ in bought]),
        bought_ordered=np.array([float(a) for _, _, a in bought]),
        sold_buyer=np.array([b for b, _, _ in sold], np.int64),
        sold_offer=np.array([o for _, o, _ in sold], np.int64),
        sold_qty=np.array([float(q) for _, _, q in sold]),
        activity=act if act.size == n_proc else np.zeros(n_proc),
    )


def _finite(v: float) -> float | None:
    """A quantity for JSON: ``None`` for no limit."""
    return float(v) if np.isfinite(v) else None


def _warm_start(
    clerk: _Clerk, papers: list[Papers], start: Plan | dict[str, Any]
) -> tuple[dict[int, float], list[Papers]]:
    """Start from last period: the limited sellers the clerk prices from the start
    get the capacity prices last period's plan ended with, and each council its
    own part of that plan (:class:`Recall`). Returns those prices and the papers."""
    warm = start.extra.get("protocol", {}).get("warm") if isinstance(start, Plan) else start
    if not isinstance(warm, dict) or "prices" not in warm:
        raise ModelError("a warm start needs a federated plan or its protocol's 'warm' entry")
    d = clerk.directory
    where = {k: o for o, k in enumerate(_offer_keys(d))}
    prices = _named_prices(warm["prices"], where)
    streams = warm.get("streams") or []
    if prices and streams:
        # last period's mix is re-evaluated in streams: its proposals were made with
        # the promoted sellers priced, so the master keeps their rows
        clerk.promoted = int(warm.get("promoted", 0))
        clerk.streams = 1 + len(streams)
        clerk.epoch_prices = {
            clerk.stream_epoch(s): _named_prices(st["prices"], where)
            for s, st in enumerate(streams, start=1)
        } | {clerk.stream_epoch(0): prices}
        clerk.carried = frozenset(o for p in clerk.epoch_prices.values() for o in p)
    else:
        # only the sellers priced from the start (level 0): a seller the clerk prices
        # stops rationing, and each level more is a row more for the master from
        # round 0 (measured: carrying last period's level took more rounds)
        prices = {o: p for o, p in prices.items() if d.level[o] <= 0}
    clerk.last_prices = prices
    papers = _recalled(d, papers, warm, where, with_streams=clerk.streams > 0)
    for pp in papers:  # the clerk too saw every offer of the last period
        if pp.recall is not None:
            clerk.price[pp.recall.offer] = pp.recall.price
            clerk.avail[pp.recall.offer] = pp.recall.available
    return prices, papers


def _named_prices(named: list[Any], where: dict[Any, int]) -> dict[int, float]:
    """Capacity prices named by seller, good and offer number, in this period's ids."""
    prices = {}
    for seller, good, number, price in named:
        o = where.get((str(seller), str(good), int(number)))
        if o is not None and np.isfinite(price) and price >= 0:
            prices[o] = float(price)
    return prices


def _recalled(
    d: Directory,
    papers: list[Papers],
    warm: dict[str, Any],
    where: dict[Any, int],
    with_streams: bool = False,
) -> list[Papers]:
    """Each council's papers with its own part of last period's plan: the public
    offers on its board, its own agreements and its own activities; ``with_streams``:
    also its own part of each proposal of that plan's mix (from its own memory)."""
    council = {n: i for i, n in enumerate(d.council_names)}
    offers = [
        (where[k], float(p), np.inf if a is None else float(a))
        for *key, p, a in warm.get("offers", [])
        if (k := (str(key[0]), str(key[1]), int(key[2]))) in where
    ]
    deals = [
        (where[k], council[str(buyer)], float(q), float(asked))
        for *key, buyer, q, asked in warm.get("agreements", [])
        if (k := (str(key[0]), str(key[1]), int(key[2]))) in where and str(buyer) in council
    ]
    process = {n: i for i, n in enumerate(d.process_names)}
    activity = np.zeros(len(d.process_names))
    for name, a in warm.get("activity", []):
        if str(name) in process:
            activity[process[str(name)]] = float(a)
    o_id = np.array([o for o, _, _ in offers], np.int64)
    o_price = np.array([p for _, p, _ in offers])
    o_avail = np.array([a for _, _, a in offers])
    deal = np.array([(o, b) for o, b, _, _ in deals], np.int64).reshape(-1, 2)
    qty = np.array([q for _, _, q, _ in deals])
    asked = np.array([a for _, _, _, a in deals])
    seller = d.offer_council[deal[:, 0]]
    out = []
    for pp in papers:
        board = np.isin(d.offer_good[o_id], pp.goods())
        bought = deal[:, 1] == pp.council
        sold = seller == pp.council
        own = pp.process_ids >= 0
        recall = Recall(
            offer=o_id[board],
            price=o_price[board],
            available=o_avail[board],
            bought_offer=deal[bought, 0],
            bought_qty=qty[bought],
            bought_ordered=asked[bought],
            sold_buyer=deal[sold, 1],
            sold_offer=deal[sold, 0],
            sold_qty=asked[sold],
            activity=np.where(own, activity[np.where(own, pp.process_ids, 0)], 0.0),
        )
        memory = warm.get("councils", {}).get(d.council_names[pp.council], {})
        proposals = tuple(
            _recall_of(memory[e], where, council, pp.labour.size) if e in memory else None
            for e in (str(st["epoch"]) for st in warm.get("streams") or [])
            if with_streams
        )
        out.append(replace(pp, recall=recall, proposals=proposals if len(proposals) else ()))
    return out


def _fail_rounds(directory: Directory, faults: dict[str, int]) -> dict[int, int]:
    """Council id -> the round from which it stops answering."""
    names = directory.council_names
    unknown = set(faults) - set(names)
    if unknown:
        raise ModelError(f"unknown council in faults: {', '.join(sorted(unknown))}")
    return {names.index(n): int(r) for n, r in faults.items()}


def _by_shard(directory: Directory, papers: list[Papers]) -> list[list[Papers]]:
    """Each shard's councils' papers."""
    out: list[list[Papers]] = [[] for _ in range(directory.n_shards)]
    for p in papers:
        out[int(directory.shard_of[p.council])].append(p)
    return out


def _run_rounds(
    rt: InProcessRuntime | RayRuntime,
    clerk: _Clerk,
    post: _Post,
    fail_at: dict[int, int],
    alive: np.ndarray,
    max_rounds: int,
) -> tuple[dict[int, float], bool]:
    """Step the councils round by round until the clerk's stop has been answered;
    return the weights of the proposals and whether the offers had settled."""
    k = 0
    stop_round: int | None = None
    weights: dict[int, float] = {}
    converged = False
    while stop_round is None:
        down = sorted(c for c, r in fail_at.items() if k >= r)
        tot = clerk.read(post.carry(k, rt.step(k, post.mail(k), down)))
        if weights:
            break  # the councils have answered the stop: agreements and commitments
        silent = clerk.silent()
        if silent:
            post.from_clerk(
                k,
                "silent",
                {
                    "to": np.repeat(alive, len(silent)),
                    "council": np.tile(np.array(silent, dtype=np.int32), alive.size),
                },
            )
        stable = clerk.tally(tot)
        if clerk.streams:
            decided, prices = clerk.parallel(bool(silent), k + 1 >= max_rounds)
            stable = decided is not None and k + 1 < max_rounds
        else:
            decided, prices = _clerk_decides(clerk, stable, k + 1 >= max_rounds)
        if decided is not None:
            weights, converged = decided, stable
            _send_stop(post, k, alive, weights)
        elif prices:
            clerk.prices_sent = True
            clerk.epoch_prices[clerk.epoch] = dict(prices)
            _send_capacity_prices(post, k, alive, prices, clerk.epoch)
        elif clerk.streams and clerk.reprice:  # the main market's stream, new prices
            clerk.epoch_prices[clerk.stream_epoch(0)] = dict(clerk.reprice)
            _send_capacity_prices(post, k, alive, clerk.reprice, 0)
            clerk.reprice = None
        k += 1
    return weights, converged


def _clerk_decides(
    clerk: _Clerk, stable: bool, out_of_rounds: bool
) -> tuple[dict[int, float] | None, dict[int, float] | None]:
    """After a round: the weights of the proposals when the plan is settled (or the
    rounds are spent), else new capacity prices when a new proposal is asked for."""
    weights = prices = None
    if stable:
        weights, prices = clerk.settle()
    elif clerk.stuck():
        prices = clerk.promote()
    if weights is None and out_of_rounds:
        weights = clerk.best_mix()
    return weights, prices


def _send_capacity_prices(
    post: _Post, k: int, alive: np.ndarray, prices: dict[int, float], epoch: int, stream: int = 0
) -> None:
    """Public prices, to every council: each learns that a new proposal is asked
    for, and the limited sellers their capacity price (in ``stream``: a warm start's
    re-evaluation of last period's proposal of that number)."""
    offers = np.array(sorted(prices), dtype=np.int32)
    n = offers.size * alive.size
    post.from_clerk(
        k,
        "capacity_price",
        {
            "to": np.repeat(alive, offers.size),
            "offer": np.tile(offers, alive.size),
            "price": np.tile([prices[o] for o in offers], alive.size),
            "epoch": np.full(n, epoch, dtype=np.int32),
            "stream": np.full(n, stream, dtype=np.int32),
        },
    )


def _send_stop(post: _Post, k: int, alive: np.ndarray, weights: dict[int, float]) -> None:
    """The clerk's stop, to every council: the weight of each proposal."""
    ep = np.array(sorted(weights), dtype=np.int32)
    post.from_clerk(
        k,
        "stop",
        {
            "to": np.repeat(alive, ep.size),
            "epoch": np.tile(ep, alive.size),
            "weight": np.tile([weights[int(e)] for e in ep], alive.size),
        },
    )


def _assemble(eco: Economy, d: Directory, clerk: _Clerk, protocol: dict[str, Any]) -> Plan:
    """The Plan from the councils' commitments and agreements."""
    activity = np.zeros(eco.n_processes)
    for p, a in clerk.commitments.items():
        activity[p] = a
    names = d.council_names
    agreed: dict[tuple[int, int, int], float] = {}  # (supplier, receiver, good): quantity
    delivered: dict[tuple[int, int], float] = {}
    for o, receiver, q, _ in clerk.agreements:
        if q <= 0:
            continue
        good = int(d.offer_good[o])
        key = (int(d.offer_council[o]), receiver, good)  # one agreement per pair and good
        agreed[key] = agreed.get(key, 0.0) + q
        delivered[(receiver, good)] = delivered.get((receiver, good), 0.0) + q
    agreements = [
        {"supplier": names[s], "receiver": names[r], "good": d.good_names[g], "quantity": q}
        for (s, r, g), q in agreed.items()
    ]
    agreements.sort(key=lambda a: (a["supplier"], a["receiver"], a["good"]))
    need_met = _share_needs(eco, delivered)
    unmet = unmet_needs(eco, need_met, essential_only=False)
    y = clerk.market_prices()
    primal = float(eco.labour @ activity)
    cert = Certificate(primal=primal, dual=clerk.best_bound)
    target = eco.demand
    if d.rationed.any():
        protocol["rationed"] = _rationed(eco, d, need_met)
        if protocol["converged"]:  # the needs of rationed goods became their rations
            target = np.bincount(eco.need_good, weights=need_met, minlength=eco.n_goods)
    balance = eco.net_output @ activity + eco.stocks - target
    scale = np.maximum(eco.outputs @ activity + eco.stocks, eco.demand)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(scale > 0, np.maximum(-balance, 0.0) / scale, 0.0)
    protocol["balance_residual"] = float(rel.max()) if rel.size else 0.0
    protocol["capacity_overrun"] = _overrun(eco, activity)
    protocol["gap"] = cert.gap if np.isfinite(cert.gap) else None
    settled = max(protocol["balance_residual"], protocol["capacity_overrun"]) <= SETTLED_RTOL
    status: PlanStatus
    if clerk.failure is not None:
        protocol["failure"] = f"not settled: {clerk.failure}"
        status = "infeasible"
    elif clerk.best_bound > clerk.hours_ceiling * (1 + 1e-9):
        # proven out of reach: a mix within SETTLED_RTOL of the limits is no plan within
        # them (seen with rooms of 1e-7: a labour-budget trial 3e-4 above the best share)
        protocol["failure"] = (
            f"no plan within the limits: the clerk's bound ({clerk.best_bound:,.6g} hours) "
            f"is above the most hours they allow ({clerk.hours_ceiling:,.6g})"
        )
        status = "infeasible"
    elif not settled:
        # out of rounds before the councils settled: the mix they hold is no plan
        protocol["failure"] = (
            f"the councils did not settle on a balanced plan within the capacities in "
            f"{protocol['rounds']} rounds"
        ) + _overdrawn(eco, activity)
        status = "infeasible"
    elif unmet:
        status = "infeasible"
    elif protocol["converged"] and cert.gap <= 1e-3:
        status = "optimal"
    else:
        status = "feasible"
    return Plan(
        economy=eco,
        status=status,
        mode="min-labour",
        solver="federated",
        objective_hours=primal,
        activity=activity,
        labour_values=np.where(np.isnan(y), np.inf, y),
        need_met=need_met,
        certificate=cert,
        unmet=unmet,
        extra={"agreements": agreements, "protocol": protocol},
    )


def _rationed(eco: Economy, d: Directory, need_met: np.ndarray) -> list[dict[str, Any]]:
    """Each rationed good: its stock, the needs for it and what they got (units)."""
    got = np.bincount(eco.need_good, weights=need_met, minlength=eco.n_goods)
    out = []
    for g in np.unique(d.offer_good[d.rationed]).tolist():
        out.append(
            {
                "good": eco.good_names[g],
                "unit": eco.good_units[g],
                "stock": float(eco.stocks[g]),
                "needs": float(eco.demand[g]),
                "to_needs": float(got[g]),
            }
        )
    return out


def _overrun(eco: Economy, activity: np.ndarray) -> float:
    """Largest relative excess of the activity over a capacity or a primary input's limit."""
    with np.errstate(invalid="ignore"):
        cap = np.where(
            np.isfinite(eco.capacity),
            np.maximum(activity - eco.capacity, 0.0) / np.maximum(eco.capacity, 1.0),
            0.0,
        )
    limit = eco.good_limit[parallel.limited_goods(eco)]
    lim = np.maximum(parallel.limit_use(eco, activity) - limit, 0.0) / np.maximum(limit, 1.0)
    return float(max(cap.max(initial=0.0), lim.max(initial=0.0)))


def _overdrawn(eco: Economy, activity: np.ndarray) -> str:
    """The limits of primary goods (emission caps, stocks' stewards' limits, hour budgets
    ``hours:<council>``) that the councils' last state overdraws, each with its use and
    limit in the good's unit, as a clause of a failure message ('' when none is)."""
    goods = parallel.limited_goods(eco)
    use, limit = parallel.limit_use(eco, activity), eco.good_limit[goods]
    over = np.flatnonzero(use > limit * (1 + SETTLED_RTOL) + SETTLED_RTOL)
    if over.size == 0:
        return ""
    named = [
        f"{eco.good_names[goods[i]]} ({use[i]:,.4g} used of {limit[i]:,.4g} "
        f"{eco.good_units[goods[i]]})"
        for i in over[np.argsort(-(use[over] / np.maximum(limit[over], 1e-300)))]
    ]
    return "; over their limits: " + ", ".join(named)


def _share_needs(eco: Economy, delivered: dict[tuple[int, int], float]) -> np.ndarray:
    """Quantity delivered to each need from what its council received of its good
    (the split of :mod:`soviets.planning.delivery`, per council and good)."""
    n_goods = eco.n_goods
    key = eco.need_council * n_goods + eco.need_good
    got = np.zeros(len(eco.councils) * n_goods + 1)
    for (council, good), q in delivered.items():
        if council < len(eco.councils):
            got[council * n_goods + good] += q
    ess = np.bincount(
        key, weights=np.where(eco.need_essential, eco.need_quantity, 0.0), minlength=got.size
    )
    norm = np.bincount(
        key, weights=np.where(eco.need_essential, 0.0, eco.need_quantity), minlength=got.size
    )
    share_e, share_n = split(got, ess, norm)
    return eco.need_quantity * np.where(eco.need_essential, share_e[key], share_n[key])
