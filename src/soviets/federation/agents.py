"""Council agents: each one holds only its own papers and answers messages.

An agent is made by :func:`make_agent` from its :class:`Papers` and the public
:class:`Directory`. Its whole interface is ``agent.step(round, inbox) ->
outbox``: it reads the messages of the last round (columns per message kind,
with the sender in ``from``) and returns the messages it sends (columns with
the recipient in ``to``). Its papers and its memory live in the closure of
``step``; no other agent holds a reference to them.

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
  clerk's capacity price, less the value of its joint outputs;
* **as a buyer** (a process's inputs, a territorial council's needs): it
  orders from the cheapest offers first and passes what it expects not to
  get on to the next cheapest (merit order);
* it tells the clerk its hours, the value of its needs, its capacity rent
  and the largest scaling its margins allow (aggregates, for the
  certificate), and how much of a limited capacity it would use;
* on a new ``capacity_price`` epoch it keeps its last proposal (activity and
  allocations); on ``stop`` it confirms the weighted mix of its proposals as
  agreements and commits to the mixed activity.

A seller that does not answer orders for ``patience`` rounds is taken for
gone and its offers struck off; an order not renewed for ``patience``
rounds lapses.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from soviets.federation.directory import Directory, Papers
from soviets.federation.messages import Columns

INF = np.inf
TOL = 1e-12  # relative tolerance for "full", "spare" and "rationed"

Inbox = dict[str, Columns]
Outbox = dict[str, Columns]


class Agent:
    """A council as the runtime sees it: a name and a message handler, nothing else."""

    __slots__ = ("_step", "name")

    def __init__(self, name: str, step: Callable[[int, Inbox], Outbox]) -> None:
        self.name = name
        self._step = step

    def step(self, round_no: int, inbox: Inbox) -> Outbox:
        """Handle the messages of the last round; return the messages to send."""
        return self._step(round_no, inbox)


def make_agent(papers: Papers, directory: Directory, patience: int = 3) -> Agent:
    """Build the agent of one council from its own papers and the public directory."""
    d = directory
    me = papers.council
    clerk = d.clerk
    n_councils = len(d.council_names)
    goods = papers.goods()  # local good index -> global good id
    n_local = len(goods)
    g_local = {int(g): i for i, g in enumerate(goods)}

    # --- private recipe, in local good indices
    labour = papers.labour
    cap = papers.capacity
    n_proc = len(labour)
    out_proc, out_coef, out_offer = papers.out_proc, papers.out_coef, papers.out_offer
    out_loc = np.array([g_local[int(g)] for g in papers.out_good], dtype=np.int64)
    in_proc, in_coef = papers.in_proc, papers.in_coef
    in_loc = np.array([g_local[int(g)] for g in papers.in_good], dtype=np.int64)
    need_loc = np.array([g_local[int(g)] for g in papers.need_good], dtype=np.int64)
    need_vec = np.bincount(need_loc, weights=papers.need_qty, minlength=n_local)
    buys = np.zeros(n_local, dtype=bool)
    buys[in_loc] = True
    buys[need_loc] = True
    n_out = len(out_coef)
    out_pos = np.full(d.n_offers, -1, dtype=np.int64)
    out_pos[out_offer] = np.arange(n_out)
    priced = np.zeros(n_proc, dtype=bool)  # capacity priced by the clerk, not rationed
    priced[out_proc[d.level[out_offer] == 0]] = True
    # one offer names each limited process towards the clerk
    lead_offer = np.full(n_proc, -1, dtype=np.int64)
    lead_offer[out_proc[::-1]] = out_offer[::-1]
    limited_proc = np.flatnonzero(np.isfinite(cap))

    # --- board: every offer of the goods I deal in
    offer_ids = np.flatnonzero(np.isin(d.offer_good, goods))
    b_loc = np.array([g_local[int(g)] for g in d.offer_good[offer_ids]], dtype=np.int64)
    order = np.lexsort((offer_ids, b_loc))
    offer_ids, b_loc = offer_ids[order], b_loc[order]
    n_b = len(offer_ids)
    b_seller = d.offer_council[offer_ids]
    pos = np.full(d.n_offers, -1, dtype=np.int64)
    pos[offer_ids] = np.arange(n_b)
    own_rows = pos[out_offer] if n_out else np.empty(0, np.int64)
    b_count = np.bincount(b_loc, minlength=n_local)
    multi = b_count[b_loc] > 1
    subscribers = [d.subscribers[int(g)] for g in papers.out_good]
    to_each = [sub[sub != me] for sub in subscribers]
    is_steward = papers.kind == "steward"
    s = {
        "price": np.full(n_b, np.nan),
        "avail": np.full(n_b, INF),
        "alive": np.ones(n_b, dtype=bool),
        "ordered": np.zeros(n_b),  # what I ordered last round
        "ordered_k1": np.zeros(n_b, dtype=bool),  # ordered something last round
        "ordered_k2": np.zeros(n_b, dtype=bool),  # ... and the round before
        "alloc": np.zeros(n_b),
        "alloc_for": np.zeros(n_b),
        "miss": np.zeros(n_b, dtype=np.int64),
        # orders received (sticky): buyer, output row, quantity, round seen
        "o_buyer": np.empty(0, np.int64),
        "o_out": np.empty(0, np.int64),
        "o_q": np.empty(0),
        "o_seen": np.empty(0, np.int64),
        "sent_price": np.full(n_out, np.nan),
        "sent_avail": np.full(n_out, np.nan),
        "sent_round": np.full(n_out, -(10**9), dtype=np.int64),
        "x": np.zeros(n_proc),
        "mu": np.zeros(n_proc),  # capacity price of scarce processes (from the clerk)
        "epoch": 0,
        "snapshots": [],  # per finished epoch: (activity, allocations received)
        "stopped": False,
    }

    starts = np.flatnonzero(np.r_[True, b_loc[1:] != b_loc[:-1]]) if n_b else np.empty(0, int)
    present = np.zeros(n_local, dtype=bool)
    present[b_loc] = True

    def seg_min(values: np.ndarray) -> np.ndarray:
        """Smallest value per local good over its board rows (inf where none)."""
        out = np.full(n_local, INF)
        if n_b:
            out[present] = np.minimum.reduceat(values, starts)
        return out

    def market(price: np.ndarray, avail: np.ndarray, alive: np.ndarray) -> np.ndarray:
        """Market price per local good (see the module docstring)."""
        known = alive & ~np.isnan(price)
        spare = known & (avail > 0)
        y_spare = seg_min(np.where(spare, price, INF))
        y_max = -seg_min(np.where(known, -price, INF))
        any_alive = -seg_min(np.where(alive, -1.0, INF)) > 0
        y = np.where(np.isfinite(y_spare), y_spare, np.maximum(y_max, 0.0))
        return np.where(any_alive, y, INF)

    def spill(
        req: np.ndarray, which: np.ndarray, price: np.ndarray, ratio: np.ndarray, cand: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Orders per board row for goods ``which``: cheapest offer first, what it is
        not expected to deliver passed on to the next; and expected deliveries per good."""
        orders = np.zeros(n_b)
        ok = cand & which[b_loc]
        one = ok & ~multi
        orders[one] = req[b_loc[one]]
        rows = np.flatnonzero(ok & multi & (req[b_loc] > 0))
        if rows.size:
            rows = rows[np.lexsort((offer_ids[rows], price[rows], b_loc[rows]))]
            loc = b_loc[rows]
            for i, r in enumerate(rows):
                if i == 0 or loc[i] != loc[i - 1]:
                    remaining = req[loc[i]]
                if remaining > 0:
                    orders[r] = remaining
                    remaining -= remaining * ratio[r]
        expected = np.bincount(b_loc, weights=orders * ratio, minlength=n_local)
        return orders, expected

    def step(k: int, inbox: Inbox) -> Outbox:
        out: Outbox = {}
        if "offer" in inbox:
            c = inbox["offer"]
            r = pos[c["offer"]]
            s["price"][r] = c["price"]
            s["avail"][r] = c["available"]
        got = np.zeros(n_b, dtype=bool)
        if "allocation" in inbox:
            c = inbox["allocation"]
            r = pos[c["offer"]]
            s["alloc"][r] = c["quantity"]
            s["alloc_for"][r] = c["ordered"]
            got[r] = True
        # a seller I ordered from two rounds ago must have answered by now
        s["miss"] = np.where(got, 0, s["miss"] + s["ordered_k2"])
        s["alive"] &= s["miss"] < patience
        if "capacity_price" in inbox:
            c = inbox["capacity_price"]
            epoch = int(c["epoch"].max())
            while epoch > s["epoch"]:
                s["snapshots"].append((s["x"].copy(), s["alloc"].copy()))
                s["epoch"] += 1
            rows = out_pos[c["offer"]]
            mine = rows >= 0
            s["mu"][out_proc[rows[mine]]] = c["price"][mine]
            priced[out_proc[rows[mine]]] = True
        if "order" in inbox:
            c = inbox["order"]
            _take_orders(
                s, c["from"].astype(np.int64), out_pos[c["offer"]], c["quantity"], k, n_councils
            )
        if s["o_seen"].size and s["o_seen"].min() < k - patience:
            fresh = s["o_seen"] >= k - patience
            for key in ("o_buyer", "o_out", "o_q", "o_seen"):
                s[key] = s[key][fresh]
        if "stop" in inbox and not s["stopped"]:
            s["stopped"] = True
            return final(inbox["stop"])

        # -- own offers are on my board as the others see them
        s["price"][own_rows] = s["sent_price"]
        s["avail"][own_rows] = s["sent_avail"]
        alive = s["alive"]
        y = market(s["price"], s["avail"], alive)
        unknown = np.isnan(s["price"])
        price = np.where(unknown, 0.0, s["price"])
        cand = alive & np.isfinite(price)
        spare = cand & (s["avail"] > 0)
        answered = s["alloc_for"] > 0
        ratio = np.where(
            answered,
            np.clip(s["alloc"] / np.where(answered, s["alloc_for"], 1.0), 0.0, 1.0),
            np.where(spare | unknown, 1.0, 0.0),
        )

        # -- as a seller: the activity my orders ask for
        d_out = np.bincount(s["o_out"], weights=s["o_q"], minlength=n_out)
        y_out = y[out_loc]
        value = out_coef * np.where(np.isfinite(y_out), y_out, 0.0)
        main = _main_rows(out_proc, value, n_proc)
        is_main = np.zeros(n_out, dtype=bool)
        is_main[main[main >= 0]] = True
        want = np.zeros(n_proc)
        has = main >= 0
        want[has] = d_out[main[has]] / out_coef[main[has]]
        cap_eff = np.where(priced, INF, cap)
        x_want = np.minimum(want, cap_eff)
        cap_full = want >= cap_eff * (1 - TOL)

        # -- as a buyer: inputs and needs, and what I can make with what I expect
        req = np.bincount(in_loc, weights=in_coef * x_want[in_proc], minlength=n_local) + need_vec
        orders, expected = spill(req, buys, price, ratio, cand)
        frac = np.where(req > 0, np.minimum(1.0, expected / np.where(req > 0, req, 1.0)), 1.0)
        if n_proc == 1:
            f_proc = np.array([min(1.0, float(frac[in_loc].min()))]) if in_loc.size else np.ones(1)
        else:
            f_proc = np.ones(n_proc)
            np.minimum.at(f_proc, in_proc, frac[in_loc])
        x = x_want * f_proc
        limited = f_proc < 1 - TOL
        if np.any(limited):
            binding = frac < 1 - TOL
            req2 = np.bincount(in_loc, weights=in_coef * x[in_proc], minlength=n_local)
            orders2, _ = spill(req2, buys & ~binding, price, ratio, cand)
            orders = np.where(binding[b_loc], orders, orders2)

        # -- share out what I make (pro rata when short)
        supply = out_coef * x[out_proc]
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(d_out > supply, supply / d_out, 1.0)
        alloc_q = s["o_q"] * share[s["o_out"]]

        # -- offers: unit cost at market prices (plus capacity price), less joint outputs
        cost = labour + np.bincount(in_proc, weights=in_coef * y[in_loc], minlength=n_proc)
        joint = np.bincount(out_proc, weights=np.where(is_main, 0.0, value), minlength=n_proc)
        unit = cost + s["mu"] - joint
        new_price = np.where(is_main, np.maximum(0.0, unit[out_proc] / out_coef), 0.0)
        full = limited | cap_full
        room = np.where(full[out_proc], 0.0, np.maximum(cap_eff[out_proc] * out_coef - supply, 0.0))
        room = np.where(is_main, room, np.maximum(supply - np.minimum(supply, d_out), 0.0))
        room = np.where(room <= TOL * np.maximum(supply, 1e-300), 0.0, room)

        if n_out:
            changed = (
                ~_close(new_price, s["sent_price"])
                | ~_close(room, s["sent_avail"])
                | (k - s["sent_round"] >= 4 * patience)
            )
            rows = np.flatnonzero(changed)
            if rows.size:
                n_each = [len(to_each[o]) for o in rows]
                out["offer"] = {
                    "to": np.concatenate([to_each[o] for o in rows]).astype(np.int32),
                    "offer": np.repeat(out_offer[rows], n_each).astype(np.int32),
                    "price": np.repeat(new_price[rows], n_each),
                    "available": np.repeat(room[rows], n_each),
                }
                s["sent_round"][rows] = k
            change_p = _rel_change(new_price, s["sent_price"])
            s["sent_price"], s["sent_avail"] = new_price, room
        else:
            change_p = 0.0
        if s["o_q"].size:
            out["allocation"] = {
                "to": s["o_buyer"].astype(np.int32),
                "offer": out_offer[s["o_out"]].astype(np.int32),
                "quantity": alloc_q,
                "ordered": s["o_q"].copy(),
            }
        rows = np.flatnonzero((orders > 0) | (s["ordered"] > 0))
        if rows.size:
            out["order"] = {
                "to": b_seller[rows].astype(np.int32),
                "offer": offer_ids[rows].astype(np.int32),
                "quantity": orders[rows],
            }
        change = max(change_p, _rel_change(orders, s["ordered"]), _rel_change(x, s["x"]))
        if np.any(s["miss"][s["alive"]] > 0) or np.any(s["o_seen"] < k):
            change = 1.0  # someone fell silent: not settled until it is struck off
        s["ordered_k2"], s["ordered_k1"] = s["ordered_k1"], orders > 0
        s["ordered"] = orders
        s["x"] = x

        # -- tell the clerk: aggregates, and how much of a scarce capacity I would use
        if limited_proc.size:
            sp = limited_proc
            out["usage"] = {
                "to": np.full(sp.size, clerk, dtype=np.int32),
                "offer": lead_offer[sp].astype(np.int32),
                "quantity": x[sp],
                "capacity": cap[sp],
            }
        rent, theta = _rent_theta(y, cost, labour, cap, out_proc, out_loc, out_coef, n_proc)
        delivered = np.bincount(b_loc, weights=np.where(got, s["alloc"], 0.0), minlength=n_local)
        out["report"] = _row(
            clerk,
            hours=float(labour @ x) if n_proc else 0.0,
            need_value=float(need_vec @ y) if need_loc.size else 0.0,
            rent=rent,
            theta=theta,
            change=change,
            short=float(np.maximum(need_vec - delivered, 0.0).sum()),
            asked=float(need_vec.sum()),
        )
        return out

    def final(stop: Columns) -> Outbox:
        """Confirm the agreed mix of proposals: agreements and my activity."""
        snaps = s["snapshots"]
        x = np.zeros(n_proc)
        alloc = np.zeros(n_b)
        for epoch, weight in zip(stop["epoch"], stop["weight"], strict=True):
            past = 0 <= epoch < len(snaps)
            x_e, alloc_e = snaps[int(epoch)] if past else (s["x"], s["alloc"])
            x += weight * x_e
            alloc += weight * alloc_e
        out: Outbox = {}
        rows = np.flatnonzero((alloc > 0) & s["alive"])
        if rows.size:
            to = np.concatenate([b_seller[rows], np.full(rows.size, clerk)])
            out["agreement"] = {
                "to": to.astype(np.int32),
                "offer": np.tile(offer_ids[rows], 2).astype(np.int32),
                "quantity": np.tile(alloc[rows], 2),
            }
        if n_proc and not is_steward:
            out["commitment"] = {
                "to": np.full(n_proc, clerk, dtype=np.int32),
                "process": papers.process_ids.astype(np.int32),
                "activity": x,
            }
        return out

    return Agent(d.council_names[me], step)


def _rent_theta(y, cost, lab, capa, o_proc, o_loc, o_coef, n) -> tuple[float, float]:
    """Capacity rent and the largest theta my uncapacitated margins allow (protocol docs)."""
    if n == 0:
        return 0.0, 1.0
    yo = y[o_loc]
    if not np.all(np.isfinite(yo)):
        return 0.0, -1.0  # no valid bound this round
    revenue = np.bincount(o_proc, weights=o_coef * yo, minlength=n)
    with np.errstate(invalid="ignore"):
        rev = revenue - (cost - lab)
    margin = np.where(np.isnan(rev), -INF, rev - lab)
    capped = np.isfinite(capa)
    rent = float(np.sum(capa[capped] * np.maximum(0.0, margin[capped])))
    bad = ~capped & (margin > 0)
    theta = float(np.min(lab[bad] / rev[bad])) if np.any(bad) else 1.0
    return rent, theta


# ---------------------------------------------------------------- helpers
def _take_orders(
    s: dict, buyer: np.ndarray, out_row: np.ndarray, q: np.ndarray, k: int, n_councils: int
) -> None:
    """Merge the orders received this round into the sticky table: a buyer's
    orders of this round replace all its earlier ones (a zero cancels)."""
    fresh = np.zeros(n_councils, dtype=bool)
    fresh[buyer] = True
    keep = ~fresh[s["o_buyer"]]
    live = q > 0
    s["o_buyer"] = np.concatenate([s["o_buyer"][keep], buyer[live]])
    s["o_out"] = np.concatenate([s["o_out"][keep], out_row[live]])
    s["o_q"] = np.concatenate([s["o_q"][keep], q[live]])
    s["o_seen"] = np.concatenate([s["o_seen"][keep], np.full(int(live.sum()), k, np.int64)])


def _main_rows(out_proc: np.ndarray, value: np.ndarray, n_proc: int) -> np.ndarray:
    """Per process, the output row that leads it: the most valuable (first on ties)."""
    main = np.full(n_proc, -1, dtype=np.int64)
    if out_proc.size == 0:
        return main
    order = np.lexsort((np.arange(out_proc.size), -value, out_proc))
    first = np.ones(order.size, dtype=bool)
    first[1:] = out_proc[order][1:] != out_proc[order][:-1]
    main[out_proc[order][first]] = order[first]
    return main


def _close(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Elementwise: equal, or both finite and within 1e-13 relative."""
    with np.errstate(invalid="ignore"):
        near = np.abs(a - b) <= 1e-13 * np.maximum(np.abs(a), np.abs(b))
    return (a == b) | (near & np.isfinite(a) & np.isfinite(b))


def _rel_change(a: np.ndarray, b: np.ndarray) -> float:
    if a.size == 0:
        return 0.0
    a = np.where(np.isfinite(a), a, 0.0)
    b = np.where(np.isfinite(b), b, 0.0)
    den = np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-300)
    return float(np.max(np.where(a == b, 0.0, np.abs(a - b) / den)))


def _row(to: int, **values: float) -> Columns:
    cols: Columns = {"to": np.array([to], dtype=np.int32)}
    for name, v in values.items():
        cols[name] = np.array([v], dtype=float)
    return cols
